//! Digital consent signed in the app.

use crate::platform::db::{execute, fetch};
use crate::{Exec, Result};

#[derive(Debug, Clone)]
pub struct ConsentRow {
    pub id: String,
    pub patient_id: String,
    pub practice_id: String,
    pub invitation_id: Option<String>,
    pub version: String,
    pub signature: String,
    pub signed_at: i64,
    pub ip: Option<String>,
}

pub async fn insert(db: impl Into<Exec<'_>>, row: &ConsentRow) -> Result<()> {
    execute!(db,
        "INSERT INTO consents (id, patient_id, practice_id, invitation_id, version, signature, signed_at, ip)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
        &row.id, &row.patient_id, &row.practice_id, &row.invitation_id, &row.version,
        &row.signature, row.signed_at, &row.ip)?;
    Ok(())
}

/// How many consents a patient signed (for tests and staff views).
pub async fn count_for_patient(db: impl Into<Exec<'_>>, patient_id: &str) -> Result<i64> {
    let (n,): (i64,) = fetch!(db, fetch_one,
        "SELECT COUNT(*) FROM consents WHERE patient_id = $1"; patient_id)?;
    Ok(n)
}
