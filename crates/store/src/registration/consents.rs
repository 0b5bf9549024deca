//! Digital consent signed in the app.

use crate::platform::db::execute;
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
    execute!(
        db,
        sqlx::query(
            "INSERT INTO consents (id, patient_id, practice_id, invitation_id, version, signature, signed_at, ip)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
        )
        .bind(&row.id)
        .bind(&row.patient_id)
        .bind(&row.practice_id)
        .bind(&row.invitation_id)
        .bind(&row.version)
        .bind(&row.signature)
        .bind(row.signed_at)
        .bind(&row.ip)
    )?;
    Ok(())
}

/// How many consents a patient signed (for tests and staff views).
pub async fn count_for_patient(db: impl Into<Exec<'_>>, patient_id: &str) -> Result<i64> {
    let (n,): (i64,) = crate::platform::db::run!(db, |c| sqlx::query_as(
        "SELECT COUNT(*) FROM consents WHERE patient_id = $1"
    )
    .bind(patient_id)
    .fetch_one(c)
    .await)?;
    Ok(n)
}
