//! Staff sessions, kept in the database so that any node can serve any request.
//! Rows are keyed by the SHA-256 of the cookie token; the token itself is never stored.

use crate::platform::db::{execute, fetch};
use crate::{Exec, Result};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SessionRow {
    pub token_hash: String,
    pub staff_id: String,
    pub practice_id: String,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub expires_at: i64,
}

pub async fn insert(db: impl Into<Exec<'_>>, row: &SessionRow) -> Result<()> {
    execute!(db,
        "INSERT INTO sessions (token_hash, staff_id, practice_id, created_at, last_seen_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6)";
        &row.token_hash, &row.staff_id, &row.practice_id, row.created_at, row.last_seen_at,
        row.expires_at)?;
    Ok(())
}

pub async fn find(db: impl Into<Exec<'_>>, token_hash: &str) -> Result<Option<SessionRow>> {
    Ok(fetch!(db, fetch_optional,
            "SELECT token_hash, staff_id, practice_id, created_at, last_seen_at, expires_at
         FROM sessions WHERE token_hash = $1";
        token_hash)?)
}

pub async fn touch(db: impl Into<Exec<'_>>, token_hash: &str, now: i64) -> Result<()> {
    execute!(db, "UPDATE sessions SET last_seen_at = $2 WHERE token_hash = $1"; token_hash, now)?;
    Ok(())
}

pub async fn delete(db: impl Into<Exec<'_>>, token_hash: &str) -> Result<()> {
    execute!(db, "DELETE FROM sessions WHERE token_hash = $1"; token_hash)?;
    Ok(())
}

/// Ends every session of one staff member ("sign out everywhere", deactivation).
pub async fn delete_for_staff(db: impl Into<Exec<'_>>, staff_id: &str) -> Result<u64> {
    let done = execute!(db, "DELETE FROM sessions WHERE staff_id = $1"; staff_id)?;
    Ok(done)
}

/// Ends every session of one staff member but the one named `keep` (a changed password signs
/// out the member's other devices, not the one they changed it on).
pub async fn delete_for_staff_except(
    db: impl Into<Exec<'_>>,
    staff_id: &str,
    keep: &str,
) -> Result<u64> {
    let done = execute!(db, "DELETE FROM sessions WHERE staff_id = $1 AND token_hash <> $2";
        staff_id, keep)?;
    Ok(done)
}

/// Removes sessions past their absolute or idle limit.
pub async fn delete_expired(db: impl Into<Exec<'_>>, now: i64, idle_cutoff: i64) -> Result<u64> {
    let done = execute!(db, "DELETE FROM sessions WHERE expires_at <= $1 OR last_seen_at <= $2";
        now, idle_cutoff)?;
    Ok(done)
}
