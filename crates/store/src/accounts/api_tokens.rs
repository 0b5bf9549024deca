//! Per-practice API tokens for integrators, known by their keyed hash only.

use crate::platform::db::{execute, fetch};
use crate::{Exec, Result};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ApiTokenRow {
    pub id: String,
    pub practice_id: String,
    pub token_hash: String,
    pub label: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

pub async fn insert(db: impl Into<Exec<'_>>, row: &ApiTokenRow) -> Result<()> {
    execute!(db,
        "INSERT INTO api_tokens (id, practice_id, token_hash, label, created_at) VALUES ($1, $2, $3, $4, $5)";
        &row.id, &row.practice_id, &row.token_hash, &row.label, row.created_at)?;
    Ok(())
}

/// The token with this hash, if it exists and is not revoked.
pub async fn find_active(db: impl Into<Exec<'_>>, token_hash: &str) -> Result<Option<ApiTokenRow>> {
    Ok(fetch!(db, fetch_optional,
            "SELECT id, practice_id, token_hash, label, created_at, last_used_at, revoked_at
         FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL";
        token_hash)?)
}

/// Records use at most once a minute per token (one write a minute, not one a request).
pub async fn touch(db: impl Into<Exec<'_>>, id: &str, now: i64) -> Result<()> {
    execute!(db,
        "UPDATE api_tokens SET last_used_at = $2 WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < $3)";
        id, now, now - 60_000)?;
    Ok(())
}

/// Revokes a token of a practice; answers whether one was revoked.
pub async fn revoke(
    db: impl Into<Exec<'_>>,
    practice_id: &str,
    id: &str,
    now: i64,
) -> Result<bool> {
    let done = execute!(db,
        "UPDATE api_tokens SET revoked_at = $3 WHERE practice_id = $1 AND id = $2 AND revoked_at IS NULL";
        practice_id, id, now)?;
    Ok(done == 1)
}
