//! Provider codes: one active code for each practice (`provider_id` NULL) and each provider.

use crate::platform::db::{execute, fetch};
use crate::{Exec, Result};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ProviderCodeRow {
    pub id: String,
    pub practice_id: String,
    pub provider_id: Option<String>,
    pub code_hash: String,
    pub code_sealed: String,
    pub active: bool,
    pub created_at: i64,
    pub ended_at: Option<i64>,
}

macro_rules! columns {
    () => {
        "id, practice_id, provider_id, code_hash, code_sealed, active, created_at, ended_at"
    };
}

/// Inserts a code unless its hash is already taken (a collision, on any owner); answers whether
/// it was inserted. `ON CONFLICT` rather than an error keeps a PostgreSQL transaction usable.
pub async fn insert(db: impl Into<Exec<'_>>, row: &ProviderCodeRow) -> Result<bool> {
    let done = execute!(db, concat!(
            "INSERT INTO provider_codes (",
            columns!(),
            ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (code_hash) DO NOTHING"
        );
        &row.id, &row.practice_id, &row.provider_id, &row.code_hash, &row.code_sealed, row.active,
        row.created_at, row.ended_at)?;
    Ok(done == 1)
}

/// The active code with this hash (public look-up).
pub async fn find_active_by_hash(
    db: impl Into<Exec<'_>>,
    code_hash: &str,
) -> Result<Option<ProviderCodeRow>> {
    Ok(fetch!(db, fetch_optional,
        concat!("SELECT ", columns!(), " FROM provider_codes WHERE code_hash = $1 AND active = TRUE");
        code_hash)?)
}

/// The active codes of a practice (its own and its providers').
pub async fn list_active(
    db: impl Into<Exec<'_>>,
    practice_id: &str,
) -> Result<Vec<ProviderCodeRow>> {
    Ok(fetch!(db, fetch_all,
        concat!("SELECT ", columns!(), " FROM provider_codes WHERE practice_id = $1 AND active = TRUE ORDER BY created_at, id");
        practice_id)?)
}

/// Ends the active code of one owner (a provider, or the practice when `provider_id` is None);
/// answers how many were ended.
pub async fn end_active(
    db: impl Into<Exec<'_>>,
    practice_id: &str,
    provider_id: Option<&str>,
    now: i64,
) -> Result<u64> {
    Ok(
        execute!(db, "UPDATE provider_codes SET active = FALSE, ended_at = $3
         WHERE practice_id = $1 AND active = TRUE
           AND ((provider_id IS NULL AND $2 IS NULL) OR provider_id = $2)";
        practice_id, provider_id, now)?,
    )
}

/// A code by id, active or not (a registration ticket names the code it came from).
pub async fn find(db: impl Into<Exec<'_>>, id: &str) -> Result<Option<ProviderCodeRow>> {
    Ok(fetch!(db, fetch_optional,
        concat!("SELECT ", columns!(), " FROM provider_codes WHERE id = $1");
        id)?)
}
