//! Fixed-window counters for guessing limits, in the database so the limits hold across nodes.
//! Keys are opaque to this module (callers pass an HMAC of what they count, never a raw value).

use crate::platform::db::{execute, fetch};
use crate::{Exec, Result};

/// The state of one counter after a hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::FromRow)]
pub struct Window {
    pub count: i64,
    pub window_start: i64,
}

/// Counts one attempt against `key` in a window of `window_ms` that began at most that long before
/// `now`; a window that has passed starts again at one. Atomic: one upsert statement.
pub async fn hit(db: impl Into<Exec<'_>>, key: &str, now: i64, window_ms: i64) -> Result<Window> {
    Ok(
        fetch!(db, fetch_one, "INSERT INTO throttles (key, window_start, count) VALUES ($1, $2, 1)
         ON CONFLICT (key) DO UPDATE SET
             count = CASE WHEN throttles.window_start <= $3 THEN 1 ELSE throttles.count + 1 END,
             window_start = CASE WHEN throttles.window_start <= $3 THEN $2 ELSE throttles.window_start END
         RETURNING count, window_start";
        key, now, now - window_ms)?,
    )
}

pub async fn clear(db: impl Into<Exec<'_>>, key: &str) -> Result<()> {
    execute!(db, "DELETE FROM throttles WHERE key = $1"; key)?;
    Ok(())
}

/// Gives one attempt back (the attempt turned out fine), never going below zero.
pub async fn refund(db: impl Into<Exec<'_>>, key: &str) -> Result<()> {
    execute!(db, "UPDATE throttles SET count = count - 1 WHERE key = $1 AND count > 0"; key)?;
    Ok(())
}
