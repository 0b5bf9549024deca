//! Guessing limits: a fixed number of failures per window for one key (an address, an account),
//! counted in the database so the limit holds across nodes. Keys are HMAC-hashed before storage,
//! so the table holds no addresses or emails.

use std::time::Duration;

use portico_store::{Store, throttles};

use crate::CoreError;
use crate::clock::Timestamp;
use crate::secrets::{Keys, Purpose};

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

fn key(keys: &Keys, scope: &str, subject: &str) -> String {
    keys.lookup_hash(Purpose::Throttle, format!("{scope}\0{subject}").as_bytes())
}

fn retry_after(window_start: i64, limit: Limit, now: Timestamp) -> Duration {
    let ends = window_start.saturating_add(limit.window_ms());
    Duration::from_millis(u64::try_from(ends - now.as_millis()).unwrap_or(0).max(1000))
}

/// Refuses with `Throttled` when `subject` has used up its failures in the current window.
pub async fn check(
    store: &Store,
    keys: &Keys,
    scope: &str,
    subject: &str,
    limit: Limit,
    now: Timestamp,
) -> Result<(), CoreError> {
    let window = throttles::peek(
        store,
        &key(keys, scope, subject),
        now.as_millis(),
        limit.window_ms(),
    )
    .await?;
    match window {
        Some(w) if w.count >= i64::from(limit.max) => Err(CoreError::Throttled {
            retry_after: retry_after(w.window_start, limit, now),
        }),
        _ => Ok(()),
    }
}

/// Counts one failure for `subject`.
pub async fn record_failure(
    store: &Store,
    keys: &Keys,
    scope: &str,
    subject: &str,
    limit: Limit,
    now: Timestamp,
) -> Result<(), CoreError> {
    throttles::hit(
        store,
        &key(keys, scope, subject),
        now.as_millis(),
        limit.window_ms(),
    )
    .await?;
    Ok(())
}

/// Forgets the failures of `subject` (after a success).
pub async fn clear(
    store: &Store,
    keys: &Keys,
    scope: &str,
    subject: &str,
) -> Result<(), CoreError> {
    throttles::clear(store, &key(keys, scope, subject)).await?;
    Ok(())
}
