//! Per-practice API tokens for integrators, known by their keyed hash only. Every look-up by id
//! is scoped to a practice, so one practice can never reach another's tokens.

use crate::platform::db::{execute, fetch};
use crate::{Exec, Result};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ApiTokenRow {
    pub id: String,
    pub practice_id: String,
    pub token_hash: String,
    pub label: String,
    pub created_at: i64,
    /// The staff member who made it; `None` when it was made from the command line.
    pub created_by: Option<String>,
    pub last_used_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

/// A token as its practice's admins see it in the list: with the name of whoever made it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ListedToken {
    #[sqlx(flatten)]
    pub token: ApiTokenRow,
    pub created_by_name: Option<String>,
}

macro_rules! columns {
    () => {
        "t.id, t.practice_id, t.token_hash, t.label, t.created_at, t.created_by, t.last_used_at, \
         t.revoked_at"
    };
}

pub async fn insert(db: impl Into<Exec<'_>>, row: &ApiTokenRow) -> Result<()> {
    execute!(db,
        "INSERT INTO api_tokens (id, practice_id, token_hash, label, created_at, created_by)
         VALUES ($1, $2, $3, $4, $5, $6)";
        &row.id, &row.practice_id, &row.token_hash, &row.label, row.created_at, &row.created_by)?;
    Ok(())
}

/// The token with this hash, if it exists and is not revoked.
pub async fn find_active(db: impl Into<Exec<'_>>, token_hash: &str) -> Result<Option<ApiTokenRow>> {
    let sql = concat!(
        "SELECT ",
        columns!(),
        " FROM api_tokens t WHERE t.token_hash = $1 AND t.revoked_at IS NULL"
    );
    Ok(fetch!(db, fetch_optional, sql; token_hash)?)
}

/// Every token of a practice, revoked ones too, newest first, with their makers' names.
pub async fn list_for_practice(
    db: impl Into<Exec<'_>>,
    practice_id: &str,
) -> Result<Vec<ListedToken>> {
    let sql = concat!(
        "SELECT ",
        columns!(),
        ", s.display_name AS created_by_name
         FROM api_tokens t
         LEFT JOIN staff s ON s.id = t.created_by AND s.practice_id = t.practice_id
         WHERE t.practice_id = $1
         ORDER BY t.created_at DESC, t.id DESC"
    );
    Ok(fetch!(db, fetch_all, sql; practice_id)?)
}

/// One token of a practice, with its maker's name.
pub async fn find_in_practice(
    db: impl Into<Exec<'_>>,
    practice_id: &str,
    id: &str,
) -> Result<Option<ListedToken>> {
    let sql = concat!(
        "SELECT ",
        columns!(),
        ", s.display_name AS created_by_name
         FROM api_tokens t
         LEFT JOIN staff s ON s.id = t.created_by AND s.practice_id = t.practice_id
         WHERE t.practice_id = $1 AND t.id = $2"
    );
    Ok(fetch!(db, fetch_optional, sql; practice_id, id)?)
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
