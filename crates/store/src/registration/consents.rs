//! Consents a patient gave a practice: signed in the app with the typed full name, or on paper
//! (witnessed by the staff member who uploaded the scan, whose bytes are stored sealed); and the
//! accounts waiting for a paper consent before they can be used.

use crate::platform::db::{execute, fetch};
use crate::{Exec, Result};

#[derive(Debug, Clone)]
pub struct ConsentRow {
    pub id: String,
    pub patient_id: String,
    pub practice_id: String,
    pub invitation_id: Option<String>,
    /// The version of the practice's consent text the patient was given.
    pub version: i64,
    /// The typed full name (in the app), or the name the paper form was printed for.
    pub signature: String,
    pub signed_at: i64,
    pub ip: Option<String>,
    /// `in_app`, `tablet` or `paper`.
    pub method: String,
    /// The staff member who witnessed it (tablet and paper).
    pub witnessed_by: Option<String>,
}

pub async fn insert(db: impl Into<Exec<'_>>, row: &ConsentRow) -> Result<()> {
    execute!(db,
        "INSERT INTO consents (id, patient_id, practice_id, invitation_id, version, signature,
                               signed_at, ip, method, witnessed_by)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";
        &row.id, &row.patient_id, &row.practice_id, &row.invitation_id, row.version,
        &row.signature, row.signed_at, &row.ip, &row.method, &row.witnessed_by)?;
    Ok(())
}

/// The sealed scan of a paper consent.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DocumentRow {
    pub consent_id: String,
    pub media_type: String,
    pub size_bytes: i64,
    pub sealed: Vec<u8>,
    pub uploaded_at: i64,
}

pub async fn insert_document(db: impl Into<Exec<'_>>, row: &DocumentRow) -> Result<()> {
    execute!(db,
        "INSERT INTO consent_documents (consent_id, media_type, size_bytes, sealed, uploaded_at)
             VALUES ($1, $2, $3, $4, $5)";
        &row.consent_id, &row.media_type, row.size_bytes, &row.sealed, row.uploaded_at)?;
    Ok(())
}

/// The scan of one of the practice's consents of this patient, if it has one.
pub async fn document(
    db: impl Into<Exec<'_>>,
    practice_id: &str,
    patient_id: &str,
    consent_id: &str,
) -> Result<Option<DocumentRow>> {
    Ok(fetch!(db, fetch_optional,
        "SELECT d.consent_id, d.media_type, d.size_bytes, d.sealed, d.uploaded_at
         FROM consent_documents d JOIN consents c ON c.id = d.consent_id
         WHERE c.practice_id = $1 AND c.patient_id = $2 AND c.id = $3";
        practice_id, patient_id, consent_id)?)
}

/// Marks the patient's account as waiting for a paper consent to the practice.
pub async fn await_paper(
    db: impl Into<Exec<'_>>,
    patient_id: &str,
    practice_id: &str,
    invitation_id: Option<&str>,
    since: i64,
) -> Result<()> {
    execute!(db,
        "INSERT INTO consents_awaited (patient_id, practice_id, invitation_id, since)
             VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING";
        patient_id, practice_id, invitation_id, since)?;
    Ok(())
}

/// Ends the wait for the patient's paper consent to the practice; answers whether there was one.
pub async fn end_wait(
    db: impl Into<Exec<'_>>,
    patient_id: &str,
    practice_id: &str,
) -> Result<bool> {
    Ok(execute!(db,
        "DELETE FROM consents_awaited WHERE patient_id = $1 AND practice_id = $2";
        patient_id, practice_id)?
        > 0)
}

/// The practices (id and name) whose paper consent the patient's account waits for, among those
/// it still has a link in force with at `now`.
pub async fn awaited_by(
    db: impl Into<Exec<'_>>,
    patient_id: &str,
    now: i64,
) -> Result<Vec<(String, String)>> {
    Ok(fetch!(db, fetch_all,
        "SELECT a.practice_id, p.name FROM consents_awaited a JOIN practices p ON p.id = a.practice_id
         WHERE a.patient_id = $1
           AND EXISTS (SELECT 1 FROM patient_links l
                       WHERE l.patient_id = a.patient_id AND l.practice_id = a.practice_id
                         AND (l.ended_at IS NULL OR l.ended_at > $2))
         ORDER BY p.name, a.practice_id";
        patient_id, now)?)
}

/// How many consents a patient signed (for tests and staff views).
pub async fn count_for_patient(db: impl Into<Exec<'_>>, patient_id: &str) -> Result<i64> {
    let (n,): (i64,) = fetch!(db, fetch_one,
        "SELECT COUNT(*) FROM consents WHERE patient_id = $1"; patient_id)?;
    Ok(n)
}
