//! Guessing limits: a fixed number of failures per window for one key (an address, an account),
//! counted in the database so the limit holds across nodes. Keys are HMAC-hashed before storage,
//! so the table holds no addresses or emails.

use std::time::Duration;

use portico_store::{platform::backoffs, platform::throttles};

use crate::platform::clock::Timestamp;
use crate::platform::secrets::{Keys, Purpose};
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

/// The stored key of what a rule counts: an HMAC, so the tables hold no addresses or names.
fn key(keys: &Keys, scope: &str, subject: &str) -> String {
    keys.lookup_hash(Purpose::Throttle, format!("{scope}\0{subject}").as_bytes())
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
        &key(core.keys(), rule.scope, subject),
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
    throttles::refund(core.store(), &key(core.keys(), rule.scope, subject)).await?;
    Ok(())
}

/// Forgets the failures of `subject` (after a success).
pub async fn clear(core: &Core, rule: Rule, subject: &str) -> Result<(), CoreError> {
    throttles::clear(core.store(), &key(core.keys(), rule.scope, subject)).await?;
    Ok(())
}

/// Growing waits after consecutive failures: the first `free` cost nothing, then each failure
/// makes the next attempt wait `step` longer than the last (at most `longest`), and at `lock_at`
/// failures the key is locked until [`reset`] (as Keycloak's temporary lock-out, with NIST SP
/// 800-63B's cap of 100 consecutive failed sign-ins per account).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    pub free: u32,
    pub step: Duration,
    pub longest: Duration,
    pub lock_at: Option<u32>,
}

impl Backoff {
    fn policy(self) -> backoffs::Policy {
        let ms = |d: Duration| i64::try_from(d.as_millis()).unwrap_or(i64::MAX);
        backoffs::Policy {
            free: i64::from(self.free),
            step_ms: ms(self.step),
            longest_ms: ms(self.longest),
            lock_at: self.lock_at.map_or(i64::MAX, i64::from),
        }
    }
}

/// What a [`Backoff`] counts, e.g. failed sign-ins per account.
#[derive(Debug, Clone, Copy)]
pub struct BackoffRule {
    pub scope: &'static str,
    pub backoff: Backoff,
}

/// Counts an attempt for `subject` before the work, as a failure until [`forgive`] or [`reset`]
/// says otherwise; refuses while `subject` must wait (`Throttled`) or is locked (`Locked`).
pub async fn backoff_attempt(
    core: &Core,
    rule: BackoffRule,
    subject: &str,
) -> Result<(), CoreError> {
    let now = core.now().as_millis();
    let key = key(core.keys(), rule.scope, subject);
    if backoffs::hit(core.store(), &key, now, rule.backoff.policy())
        .await?
        .is_some()
    {
        return Ok(());
    }
    match backoffs::blocked_until(core.store(), &key, now).await? {
        Some(backoffs::LOCKED) => Err(CoreError::Locked),
        until => {
            let wait = until.map_or(0, |t| t - now);
            Err(CoreError::Throttled {
                retry_after: Duration::from_millis(u64::try_from(wait).unwrap_or(0))
                    .max(Duration::from_secs(1)),
            })
        }
    }
}

/// Gives back an attempt counted by [`backoff_attempt`] that was not a failure.
pub async fn forgive(core: &Core, rule: BackoffRule, subject: &str) -> Result<(), CoreError> {
    let key = key(core.keys(), rule.scope, subject);
    backoffs::refund(core.store(), &key, rule.backoff.policy()).await?;
    Ok(())
}

/// Forgets every failure of `subject` (a successful sign-in, a password reset), unlocking it.
pub async fn reset(core: &Core, rule: BackoffRule, subject: &str) -> Result<(), CoreError> {
    backoffs::reset(core.store(), &key(core.keys(), rule.scope, subject)).await?;
    Ok(())
}
