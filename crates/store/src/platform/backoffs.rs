//! Growing waits after consecutive failures, in the database so they hold across nodes and under
//! parallel bursts. Keys are opaque to this module (callers pass an HMAC of what they count).

use crate::platform::db::{execute, fetch};
use crate::{Exec, Result};

/// How waits grow: the first `free` failures cost nothing; from then on each failure makes the
/// next attempt wait `step` longer than the last did (at most `longest`); at `lock_at` failures
/// the key is locked until it is reset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    pub free: i64,
    pub step_ms: i64,
    pub longest_ms: i64,
    pub lock_at: i64,
}

/// What `blocked_until` holds for a locked key: later than any clock.
pub const LOCKED: i64 = i64::MAX;

/// Counts an attempt for `key` before it is made, unless the key is waiting: `Some(failures)`
/// when the attempt may go ahead, `None` when it must wait. The attempt is counted as a failure
/// and the wait it would cause is set in the same statement, so a burst of parallel attempts
/// gets exactly the allowance and no more; [`refund`] or [`reset`] undo it on success.
pub async fn hit(
    db: impl Into<Exec<'_>>,
    key: &str,
    now: i64,
    policy: Policy,
) -> Result<Option<i64>> {
    let row: Option<(i64,)> = fetch!(db, fetch_optional,
        "INSERT INTO backoffs (key, failures, blocked_until) VALUES ($1, 1,
             CASE WHEN 1 >= $6 THEN $7 WHEN 1 < $3 THEN 0
                  WHEN (2 - $3) * $4 >= $5 THEN $2 + $5 ELSE $2 + (2 - $3) * $4 END)
         ON CONFLICT (key) DO UPDATE SET
             failures = backoffs.failures + 1,
             blocked_until = CASE
                 WHEN backoffs.failures + 1 >= $6 THEN $7
                 WHEN backoffs.failures + 1 < $3 THEN 0
                 WHEN (backoffs.failures + 2 - $3) * $4 >= $5 THEN $2 + $5
                 ELSE $2 + (backoffs.failures + 2 - $3) * $4 END
         WHERE backoffs.blocked_until <= $2
         RETURNING failures";
        key, now, policy.free, policy.step_ms, policy.longest_ms, policy.lock_at, LOCKED)?;
    Ok(row.map(|(n,)| n))
}

/// When a waiting key may try again (`LOCKED` when locked), or `None` when it need not wait.
pub async fn blocked_until(db: impl Into<Exec<'_>>, key: &str, now: i64) -> Result<Option<i64>> {
    let row: Option<(i64,)> = fetch!(db, fetch_optional,
        "SELECT blocked_until FROM backoffs WHERE key = $1 AND blocked_until > $2";
        key, now)?;
    Ok(row.map(|(t,)| t))
}

/// Gives back an attempt that turned out not to be a failure. The wait it set is lifted only
/// while the remaining failures are within the free allowance: a caller who mixes right and
/// wrong answers keeps paying for the wrong ones.
pub async fn refund(db: impl Into<Exec<'_>>, key: &str, policy: Policy) -> Result<()> {
    execute!(db, "UPDATE backoffs SET failures = failures - 1,
                 blocked_until = CASE WHEN failures - 1 < $2 THEN 0 ELSE blocked_until END
             WHERE key = $1 AND failures > 0 AND blocked_until < $3";
        key, policy.free, LOCKED)?;
    Ok(())
}

/// Forgets every failure of `key` (a successful sign-in, a password reset).
pub async fn reset(db: impl Into<Exec<'_>>, key: &str) -> Result<()> {
    execute!(db, "DELETE FROM backoffs WHERE key = $1"; key)?;
    Ok(())
}
