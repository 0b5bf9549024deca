//! One-time set-up tokens that let the very first admin create a practice.

use crate::platform::db::{execute, fetch};
use crate::{Exec, Result};

pub async fn insert(
    db: impl Into<Exec<'_>>,
    token_hash: &str,
    now: i64,
    expires_at: i64,
) -> Result<()> {
    execute!(db,
        "INSERT INTO setup_tokens (token_hash, created_at, expires_at) VALUES ($1, $2, $3)";
        token_hash, now, expires_at)?;
    Ok(())
}

/// Answers whether the token exists, is unused and unexpired at `now`.
pub async fn is_usable(db: impl Into<Exec<'_>>, token_hash: &str, now: i64) -> Result<bool> {
    let row: Option<(i64,)> = fetch!(db, fetch_optional,
        "SELECT CAST(1 AS BIGINT) FROM setup_tokens WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2";
        token_hash, now)?;
    Ok(row.is_some())
}

/// Marks the token used if it still was usable; answers whether this call was the one that did.
pub async fn consume(db: impl Into<Exec<'_>>, token_hash: &str, now: i64) -> Result<bool> {
    let done = execute!(db, "UPDATE setup_tokens SET used_at = $2
         WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2";
        token_hash, now)?;
    Ok(done == 1)
}

/// Closes every open token, e.g. once set-up has been done by another route.
pub async fn expire_all(db: impl Into<Exec<'_>>, now: i64) -> Result<()> {
    execute!(db,
        "UPDATE setup_tokens SET expires_at = $1 WHERE used_at IS NULL AND expires_at > $1";
        now)?;
    Ok(())
}

/// Serialises set-ups across nodes: two set-up links completed at once cannot both find "no admin
/// yet". Locks the audit chain's head row, which every set-up writes to anyway.
pub async fn lock_for_setup(tx: &mut crate::Tx) -> Result<()> {
    execute!(
        &mut *tx,
        "UPDATE audit_head SET last_seq = last_seq WHERE id = 1"
    )?;
    Ok(())
}
