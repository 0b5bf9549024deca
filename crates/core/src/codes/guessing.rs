//! The guard in front of every look-up of a provider or sign-up code (the public look-ups,
//! self-registration and "Add provider code"): a window of failures per client address, growing
//! waits per address once that allowance is spent, and a budget of failures shared by every caller,
//! so that neither one script nor many addresses together can walk the code space. Each look-up is
//! counted before it is made (bursts cannot slip past) and given back when the code was found.

use crate::platform::actor::ClientInfo;
use crate::platform::throttle::{self, BackoffRule, Rule};
use crate::{Core, CoreError};

/// A look-up under way; call [`CodeGuess::found`] when the code was right.
pub(crate) struct CodeGuess {
    address: String,
}

fn per_address(core: &Core) -> Rule {
    Rule {
        scope: "code-lookup-address",
        limit: core.settings().code_lookup_per_address,
    }
}

fn waits(core: &Core) -> BackoffRule {
    BackoffRule {
        scope: "code-lookup-backoff",
        backoff: core.settings().code_lookup_backoff,
    }
}

fn everyone(core: &Core) -> Rule {
    Rule {
        scope: "code-lookup-global",
        limit: core.settings().code_lookup_global,
    }
}

/// The one subject of the shared budget.
const EVERYONE: &str = "";

impl CodeGuess {
    /// Counts a look-up by `client`; refuses with `Throttled` when any limit is reached.
    pub(crate) async fn begin(core: &Core, client: &ClientInfo) -> Result<CodeGuess, CoreError> {
        let address = client.address_key();
        throttle::attempt(core, per_address(core), &address).await?;
        throttle::backoff_attempt(core, waits(core), &address).await?;
        throttle::attempt(core, everyone(core), EVERYONE).await?;
        Ok(CodeGuess { address })
    }

    /// The code was right: the look-up was no guess, and counts against nothing.
    pub(crate) async fn found(self, core: &Core) -> Result<(), CoreError> {
        throttle::refund(core, per_address(core), &self.address).await?;
        throttle::forgive(core, waits(core), &self.address).await?;
        throttle::refund(core, everyone(core), EVERYONE).await?;
        Ok(())
    }
}
