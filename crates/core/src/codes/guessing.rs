//! The guard in front of every look-up of a provider or sign-up code (the public look-ups,
//! self-registration and "Add provider code"). Many people may share one address (a clinic's
//! tablet, a family's Wi-Fi), so each browser gets its own window of failures with growing waits
//! after it (callers without a device cookie are counted by address instead); a larger window,
//! with the same waits after it, bounds all browsers of one address together, so a script that
//! makes up device cookies gains nothing past it; and a budget of failures shared by every caller
//! stops many addresses together from walking the code space. Each use of a code
//! ([`CodeUse`]) keeps its own allowances. A look-up is counted before it is made (bursts cannot
//! slip past, and while any allowance is spent a right code gets the same refusal as a wrong one)
//! and given back when the code was found.

use crate::platform::actor::ClientInfo;
use crate::platform::throttle::{self, Backoff, BackoffRule, Rule};
use crate::{Core, CoreError};

/// What a code is typed for. Each use has its own allowances, so that using up one (wrong
/// provider codes on the visit screen) leaves the others (registering, signing in) open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CodeUse {
    /// Starting a registration, and the public look-ups that answer the same question.
    Registration,
    /// "Add provider code" on a signed-in patient's visit screen.
    AddProviderCode,
}

/// The counters' scopes of one use: per browser, its waits, per address, its waits.
struct Scopes {
    browser: &'static str,
    browser_waits: &'static str,
    address: &'static str,
    address_waits: &'static str,
}

impl CodeUse {
    fn scopes(self) -> Scopes {
        match self {
            CodeUse::Registration => Scopes {
                browser: "registration-code-browser",
                browser_waits: "registration-code-browser-waits",
                address: "registration-code-address",
                address_waits: "registration-code-address-waits",
            },
            CodeUse::AddProviderCode => Scopes {
                browser: "add-provider-code-browser",
                browser_waits: "add-provider-code-browser-waits",
                address: "add-provider-code-address",
                address_waits: "add-provider-code-address-waits",
            },
        }
    }
}

/// The limits of one use, filled from the settings.
struct Rules {
    per_browser: Rule,
    browser_waits: BackoffRule,
    per_address: Rule,
    address_waits: BackoffRule,
    everyone: Rule,
}

impl Rules {
    fn of(core: &Core, used_for: CodeUse) -> Rules {
        let settings = core.settings();
        let scopes = used_for.scopes();
        Rules {
            per_browser: Rule {
                scope: scopes.browser,
                limit: settings.code_lookup_per_browser,
            },
            browser_waits: BackoffRule {
                scope: scopes.browser_waits,
                backoff: settings.code_lookup_backoff,
            },
            per_address: Rule {
                scope: scopes.address,
                limit: settings.code_lookup_per_address,
            },
            // The address waits as a browser does, once all its browsers together used theirs.
            address_waits: BackoffRule {
                scope: scopes.address_waits,
                backoff: Backoff {
                    free: settings.code_lookup_per_address.max,
                    ..settings.code_lookup_backoff
                },
            },
            // One budget for every use: they all walk the same code space.
            everyone: Rule {
                scope: "code-lookup-global",
                limit: settings.code_lookup_global,
            },
        }
    }
}

/// The one subject of the shared budget.
const EVERYONE: &str = "";

/// A look-up under way; call [`CodeGuess::found`] when the code was right.
pub(crate) struct CodeGuess {
    rules: Rules,
    browser: String,
    address: String,
}

impl CodeGuess {
    /// Counts a look-up by `client` for `used_for`; refuses with `Throttled` when any limit is
    /// reached, before the code is looked at.
    pub(crate) async fn begin(
        core: &Core,
        client: &ClientInfo,
        used_for: CodeUse,
    ) -> Result<CodeGuess, CoreError> {
        let rules = Rules::of(core, used_for);
        let address = client.address_key();
        // A caller without a device cookie is one browser per address: a script that drops its
        // cookies gets no more than one browser's allowance.
        let browser = match &client.browser {
            Some(key) => format!("browser\0{}", key.as_str()),
            None => format!("address\0{address}"),
        };
        // The browser first: one browser's spent allowance then stops it before it can use up
        // what the other browsers of its address share.
        throttle::attempt(core, rules.per_browser, &browser).await?;
        throttle::backoff_attempt(core, rules.browser_waits, &browser).await?;
        throttle::attempt(core, rules.per_address, &address).await?;
        throttle::backoff_attempt(core, rules.address_waits, &address).await?;
        throttle::attempt(core, rules.everyone, EVERYONE).await?;
        Ok(CodeGuess {
            rules,
            browser,
            address,
        })
    }

    /// The code was right: the look-up was no guess, and counts against nothing.
    pub(crate) async fn found(self, core: &Core) -> Result<(), CoreError> {
        let CodeGuess {
            rules,
            browser,
            address,
        } = self;
        throttle::refund(core, rules.per_browser, &browser).await?;
        throttle::forgive(core, rules.browser_waits, &browser).await?;
        throttle::refund(core, rules.per_address, &address).await?;
        throttle::forgive(core, rules.address_waits, &address).await?;
        throttle::refund(core, rules.everyone, EVERYONE).await?;
        Ok(())
    }
}
