//! Guessing limits: a fixed number of failures per window for one key (an address, an account),
//! counted in the database so the limit holds across nodes. Keys are HMAC-hashed before storage,
//! so the table holds no addresses or emails.

use std::time::Duration;

use portico_store::throttles;

use crate::clock::Timestamp;
use crate::secrets::{Keys, Purpose};
use crate::{Core, CoreError};

/// A limit: at most `max` failures per `window`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    pub max: u32,
    pub window: Duration,
}

impl Limit {
    fn window_ms(self) -> i64 {
        i64::try_from(self.window.as_millis()).unwrap_or(i64::MAX)
    }
}

/// What is counted (`scope`, e.g. failed sign-ins per account) and how many are allowed.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    pub scope: &'static str,
    pub limit: Limit,
}

fn key(keys: &Keys, rule: Rule, subject: &str) -> String {
    keys.lookup_hash(
        Purpose::Throttle,
        format!("{}\0{subject}", rule.scope).as_bytes(),
    )
}

fn retry_after(window_start: i64, limit: Limit, now: Timestamp) -> Duration {
    let ends = window_start.saturating_add(limit.window_ms());
    Duration::from_millis(u64::try_from(ends - now.as_millis()).unwrap_or(0).max(1000))
}

/// Counts an attempt for `subject` *before* the work is done, and refuses with `Throttled` once
/// the window's allowance is used up. Counting first, in one atomic statement, is what makes the
/// limit hold against a burst of parallel requests; an attempt that succeeds is given back with
/// [`refund`], so only failures use up the allowance.
pub async fn attempt(core: &Core, rule: Rule, subject: &str) -> Result<(), CoreError> {
    let now = core.now();
    let window = throttles::hit(
        core.store(),
        &key(core.keys(), rule, subject),
        now.as_millis(),
        rule.limit.window_ms(),
    )
    .await?;
    if window.count > i64::from(rule.limit.max) {
        return Err(CoreError::Throttled {
            retry_after: retry_after(window.window_start, rule.limit, now),
        });
    }
    Ok(())
}

/// Gives back an attempt counted by [`attempt`] that turned out not to be a failure.
pub async fn refund(core: &Core, rule: Rule, subject: &str) -> Result<(), CoreError> {
    throttles::refund(core.store(), &key(core.keys(), rule, subject)).await?;
    Ok(())
}

/// Forgets the failures of `subject` (after a success).
pub async fn clear(core: &Core, rule: Rule, subject: &str) -> Result<(), CoreError> {
    throttles::clear(core.store(), &key(core.keys(), rule, subject)).await?;
    Ok(())
}
