//! Staff sessions, kept in the database so that any node can serve any request.
//! Rows are keyed by the SHA-256 of the cookie token; the token itself is never stored.

use crate::platform::db::{execute, run};
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
    execute!(db, sqlx::query(
        "INSERT INTO sessions (token_hash, staff_id, practice_id, created_at, last_seen_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6)"
    )
    .bind(&row.token_hash)
    .bind(&row.staff_id)
    .bind(&row.practice_id)
    .bind(row.created_at)
    .bind(row.last_seen_at)
    .bind(row.expires_at))?;
    Ok(())
}

pub async fn find(db: impl Into<Exec<'_>>, token_hash: &str) -> Result<Option<SessionRow>> {
    Ok(run!(db, |c| sqlx::query_as(
        "SELECT token_hash, staff_id, practice_id, created_at, last_seen_at, expires_at
         FROM sessions WHERE token_hash = $1"
    )
    .bind(token_hash)
    .fetch_optional(c)
    .await)?)
}

pub async fn touch(db: impl Into<Exec<'_>>, token_hash: &str, now: i64) -> Result<()> {
    execute!(
        db,
        sqlx::query("UPDATE sessions SET last_seen_at = $2 WHERE token_hash = $1")
            .bind(token_hash)
            .bind(now)
    )?;
    Ok(())
}

pub async fn delete(db: impl Into<Exec<'_>>, token_hash: &str) -> Result<()> {
    execute!(
        db,
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1").bind(token_hash)
    )?;
    Ok(())
}

/// Ends every session of one staff member ("sign out everywhere", deactivation).
pub async fn delete_for_staff(db: impl Into<Exec<'_>>, staff_id: &str) -> Result<u64> {
    let done = execute!(
        db,
        sqlx::query("DELETE FROM sessions WHERE staff_id = $1").bind(staff_id)
    )?;
    Ok(done)
}

/// Removes sessions past their absolute or idle limit.
pub async fn delete_expired(db: impl Into<Exec<'_>>, now: i64, idle_cutoff: i64) -> Result<u64> {
    let done = execute!(
        db,
        sqlx::query("DELETE FROM sessions WHERE expires_at <= $1 OR last_seen_at <= $2")
            .bind(now)
            .bind(idle_cutoff)
    )?;
    Ok(done)
}
