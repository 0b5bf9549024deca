//! Terms of use: each practice's published versions and who accepted which.

use crate::platform::db::{execute, fetch};
use crate::{Exec, Result};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TermsRow {
    pub practice_id: String,
    pub version: i64,
    pub body: String,
    pub published_at: i64,
    pub published_by: String,
}

/// The newest published version of a practice's terms, if it published any.
pub async fn latest(db: impl Into<Exec<'_>>, practice_id: &str) -> Result<Option<TermsRow>> {
    Ok(fetch!(db, fetch_optional,
            "SELECT practice_id, version, body, published_at, published_by FROM terms_versions
         WHERE practice_id = $1 ORDER BY version DESC LIMIT 1";
        practice_id)?)
}

/// Every published version of a practice's terms, newest first.
pub async fn list(db: impl Into<Exec<'_>>, practice_id: &str) -> Result<Vec<TermsRow>> {
    Ok(fetch!(db, fetch_all,
        "SELECT practice_id, version, body, published_at, published_by FROM terms_versions
         WHERE practice_id = $1 ORDER BY version DESC";
        practice_id)?)
}

/// Adds a version; the primary key refuses a second row with the same number (a lost race).
pub async fn insert(db: impl Into<Exec<'_>>, row: &TermsRow) -> Result<()> {
    execute!(db,
        "INSERT INTO terms_versions (practice_id, version, body, published_at, published_by)
             VALUES ($1, $2, $3, $4, $5)";
        &row.practice_id, row.version, &row.body, row.published_at, &row.published_by)?;
    Ok(())
}

pub async fn accept(
    db: impl Into<Exec<'_>>,
    patient_id: &str,
    practice_id: &str,
    version: i64,
    now: i64,
    ip: Option<&str>,
) -> Result<()> {
    execute!(db, "INSERT INTO terms_acceptances (patient_id, practice_id, version, accepted_at, ip)
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING";
        patient_id, practice_id, version, now, ip)?;
    Ok(())
}

/// The newest version a patient accepted at one practice (0 when none).
pub async fn accepted_version(
    db: impl Into<Exec<'_>>,
    patient_id: &str,
    practice_id: &str,
) -> Result<i64> {
    let (v,): (Option<i64>,) = fetch!(db, fetch_one,
        "SELECT MAX(version) FROM terms_acceptances WHERE patient_id = $1 AND practice_id = $2";
        patient_id, practice_id)?;
    Ok(v.unwrap_or(0))
}
