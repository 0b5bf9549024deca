//! Consent texts: each practice's published versions (a practice without one uses the built-in
//! text, which the core holds).

use crate::platform::db::{execute, fetch};
use crate::{Exec, Result};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ConsentTextRow {
    pub practice_id: String,
    pub version: i64,
    pub body: String,
    pub published_at: i64,
    pub published_by: String,
}

/// The newest published version of a practice's consent text, if it published any.
pub async fn latest(db: impl Into<Exec<'_>>, practice_id: &str) -> Result<Option<ConsentTextRow>> {
    Ok(fetch!(db, fetch_optional,
        "SELECT practice_id, version, body, published_at, published_by FROM consent_texts
         WHERE practice_id = $1 ORDER BY version DESC LIMIT 1";
        practice_id)?)
}

/// Every published version of a practice's consent text, newest first.
pub async fn list(db: impl Into<Exec<'_>>, practice_id: &str) -> Result<Vec<ConsentTextRow>> {
    Ok(fetch!(db, fetch_all,
        "SELECT practice_id, version, body, published_at, published_by FROM consent_texts
         WHERE practice_id = $1 ORDER BY version DESC";
        practice_id)?)
}

/// Adds a version; the primary key refuses a second row with the same number (a lost race).
pub async fn insert(db: impl Into<Exec<'_>>, row: &ConsentTextRow) -> Result<()> {
    execute!(db,
        "INSERT INTO consent_texts (practice_id, version, body, published_at, published_by)
             VALUES ($1, $2, $3, $4, $5)";
        &row.practice_id, row.version, &row.body, row.published_at, &row.published_by)?;
    Ok(())
}
