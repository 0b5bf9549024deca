//! Patient sessions, in the database so that any node can serve any request. Rows are keyed by
//! the keyed hash of the cookie token; the token itself is never stored.

use crate::platform::db::{execute, fetch};
use crate::{Exec, Result};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PatientSessionRow {
    pub token_hash: String,
    pub patient_id: String,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub expires_at: i64,
}

pub async fn insert(db: impl Into<Exec<'_>>, row: &PatientSessionRow) -> Result<()> {
    execute!(db,
        "INSERT INTO patient_sessions (token_hash, patient_id, created_at, last_seen_at, expires_at)
             VALUES ($1, $2, $3, $4, $5)";
        &row.token_hash, &row.patient_id, row.created_at, row.last_seen_at, row.expires_at)?;
    Ok(())
}

pub async fn find(db: impl Into<Exec<'_>>, token_hash: &str) -> Result<Option<PatientSessionRow>> {
    Ok(fetch!(db, fetch_optional,
            "SELECT token_hash, patient_id, created_at, last_seen_at, expires_at
         FROM patient_sessions WHERE token_hash = $1";
        token_hash)?)
}

pub async fn touch(db: impl Into<Exec<'_>>, token_hash: &str, now: i64) -> Result<()> {
    execute!(db, "UPDATE patient_sessions SET last_seen_at = $2 WHERE token_hash = $1";
        token_hash, now)?;
    Ok(())
}

pub async fn delete(db: impl Into<Exec<'_>>, token_hash: &str) -> Result<()> {
    execute!(db, "DELETE FROM patient_sessions WHERE token_hash = $1"; token_hash)?;
    Ok(())
}

/// Ends every session of one patient ("sign out everywhere", a password reset).
pub async fn delete_for_patient(db: impl Into<Exec<'_>>, patient_id: &str) -> Result<u64> {
    Ok(execute!(db, "DELETE FROM patient_sessions WHERE patient_id = $1"; patient_id)?)
}

/// Removes sessions past their absolute or idle limit.
pub async fn delete_expired(db: impl Into<Exec<'_>>, now: i64, idle_cutoff: i64) -> Result<u64> {
    Ok(
        execute!(db, "DELETE FROM patient_sessions WHERE expires_at <= $1 OR last_seen_at <= $2";
        now, idle_cutoff)?,
    )
}
