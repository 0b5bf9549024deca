//! How many registrations one address may open. Each open registration can ask for texts and
//! calls to a phone number, so an anonymous caller gets a bounded allowance, whether the
//! registration starts from an invitation (`invitations::redemption`) or from a provider or
//! sign-up code (`registration`). Both count here, so neither feature imports the other for it.

use crate::platform::actor::ClientInfo;
use crate::platform::throttle::{self, Rule};
use crate::{Core, CoreError};

/// Counts a registration about to be opened against the caller's address, refusing once the
/// address has opened its allowance: each open registration can ask for texts and calls.
pub(crate) async fn open_registration_allowed(
    core: &Core,
    client: &ClientInfo,
) -> Result<(), CoreError> {
    let rule = Rule {
        scope: "registration-open-address",
        limit: core.settings().registrations_per_address,
    };
    throttle::attempt(core, rule, &client.address_key()).await
}
