//! Caregivers' proxy access to a patient's portal at one practice (`caregiver_access`): written
//! when the caregiver's account exists, completed by the patient's registration, approval (by the
//! patient, or by staff recording the caregiver's authority) and the caregiver's confirmation of
//! the patient's birth date. Every change is a guarded update, so that of two racing changes one
//! wins and an ended row is never brought back.

use portico_domain::AccessLevel;

use crate::platform::db::{execute, fetch};
use crate::{Exec, Result};

/// A new row, as the caregiver's account gets it.
#[derive(Debug, Clone)]
pub struct NewAccess {
    pub id: String,
    pub practice_id: String,
    pub caregiver_invitation_id: String,
    pub patient_invitation_id: String,
    pub caregiver_id: String,
    pub patient_id: Option<String>,
    pub created_at: i64,
}

/// One row with the names it is shown with: the patient's from their account once they have
/// one, else from their invitation.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AccessRow {
    pub id: String,
    pub practice_id: String,
    pub practice_name: String,
    pub caregiver_id: String,
    pub caregiver_first_name: String,
    pub caregiver_last_name: String,
    pub patient_id: Option<String>,
    pub patient_first_name: String,
    pub patient_last_name: String,
    #[sqlx(try_from = "String")]
    pub level: AccessLevel,
    pub approved_at: Option<i64>,
    pub approved_by_kind: Option<String>,
    pub approved_by: Option<String>,
    pub authority: Option<String>,
    pub birth_date_attempts: i64,
    pub birth_date_confirmed_at: Option<i64>,
    pub ended_at: Option<i64>,
    pub ended_by_kind: Option<String>,
    pub created_at: i64,
}

macro_rules! access_select {
    () => {
        "SELECT a.id, a.practice_id, pr.name AS practice_name, a.caregiver_id,
                c.first_name AS caregiver_first_name, c.last_name AS caregiver_last_name,
                a.patient_id,
                COALESCE(p.first_name, i.first_name) AS patient_first_name,
                COALESCE(p.last_name, i.last_name) AS patient_last_name,
                a.level, a.approved_at, a.approved_by_kind, a.approved_by, a.authority,
                a.birth_date_attempts, a.birth_date_confirmed_at, a.ended_at, a.ended_by_kind,
                a.created_at
         FROM caregiver_access a
         JOIN practices pr ON pr.id = a.practice_id
         JOIN patients c ON c.id = a.caregiver_id
         JOIN invitations i ON i.id = a.patient_invitation_id
         LEFT JOIN patients p ON p.id = a.patient_id "
    };
}

/// Writes a new row, read only until approved (whoever approves chooses the level).
pub async fn insert(db: impl Into<Exec<'_>>, row: &NewAccess) -> Result<()> {
    execute!(db,
        "INSERT INTO caregiver_access (id, practice_id, caregiver_invitation_id,
            patient_invitation_id, caregiver_id, patient_id, level, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, 'read_only', $7, $7)";
        &row.id, &row.practice_id, &row.caregiver_invitation_id, &row.patient_invitation_id,
        &row.caregiver_id, &row.patient_id, row.created_at)?;
    Ok(())
}

/// The patient who registered with `invitation_id`, if one has.
pub async fn patient_of_invitation(
    db: impl Into<Exec<'_>>,
    invitation_id: &str,
) -> Result<Option<String>> {
    let row: Option<(String,)> = fetch!(db, fetch_optional,
        "SELECT patient_id FROM patient_links WHERE invitation_id = $1 ORDER BY created_at LIMIT 1";
        invitation_id)?;
    Ok(row.map(|(id,)| id))
}

/// Names the patient on the rows waiting for them to register with `patient_invitation_id`;
/// answers the ids of the rows now complete enough to be approved.
pub async fn attach_patient(
    db: impl Into<Exec<'_>>,
    patient_invitation_id: &str,
    patient_id: &str,
    now: i64,
) -> Result<Vec<String>> {
    let rows: Vec<(String,)> = fetch!(db, fetch_all,
        "UPDATE caregiver_access SET patient_id = $2, updated_at = $3
         WHERE patient_invitation_id = $1 AND patient_id IS NULL AND ended_at IS NULL
         RETURNING id";
        patient_invitation_id, patient_id, now)?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

pub async fn find(db: impl Into<Exec<'_>>, id: &str) -> Result<Option<AccessRow>> {
    Ok(fetch!(db, fetch_optional, concat!(access_select!(), "WHERE a.id = $1"); id)?)
}

/// The rows where `caregiver_id` is the caregiver, oldest first.
pub async fn for_caregiver(db: impl Into<Exec<'_>>, caregiver_id: &str) -> Result<Vec<AccessRow>> {
    Ok(fetch!(db, fetch_all,
        concat!(access_select!(), "WHERE a.caregiver_id = $1 ORDER BY a.created_at, a.id");
        caregiver_id)?)
}

/// The rows where `patient_id` is the patient cared for, oldest first.
pub async fn for_patient(db: impl Into<Exec<'_>>, patient_id: &str) -> Result<Vec<AccessRow>> {
    Ok(fetch!(db, fetch_all,
        concat!(access_select!(), "WHERE a.patient_id = $1 ORDER BY a.created_at, a.id");
        patient_id)?)
}

/// The practice's rows where `person_id` is the caregiver or the patient, oldest first.
pub async fn in_practice_for(
    db: impl Into<Exec<'_>>,
    practice_id: &str,
    person_id: &str,
) -> Result<Vec<AccessRow>> {
    Ok(fetch!(db, fetch_all,
        concat!(access_select!(),
            "WHERE a.practice_id = $1 AND (a.patient_id = $2 OR a.caregiver_id = $2)
             ORDER BY a.created_at, a.id");
        practice_id, person_id)?)
}

/// Records an approval with the level chosen (and, when staff approve, the authority they
/// recorded): only once the patient has registered, once, and never after the access ended.
#[allow(clippy::too_many_arguments)] // One row's approval: each value is its own column.
pub async fn approve(
    db: impl Into<Exec<'_>>,
    id: &str,
    by_kind: &str,
    by: &str,
    level: AccessLevel,
    authority: Option<&str>,
    now: i64,
) -> Result<bool> {
    let done = execute!(db,
        "UPDATE caregiver_access SET approved_at = $5, approved_by_kind = $2, approved_by = $3,
                level = $4, authority = $6, updated_at = $5
         WHERE id = $1 AND patient_id IS NOT NULL AND approved_at IS NULL AND ended_at IS NULL";
        id, by_kind, by, level.as_str(), now, authority)?;
    Ok(done == 1)
}

/// Changes the level of an approved access that has not ended.
pub async fn set_level(
    db: impl Into<Exec<'_>>,
    id: &str,
    level: AccessLevel,
    now: i64,
) -> Result<bool> {
    let done = execute!(db,
        "UPDATE caregiver_access SET level = $2, updated_at = $3
         WHERE id = $1 AND approved_at IS NOT NULL AND ended_at IS NULL";
        id, level.as_str(), now)?;
    Ok(done == 1)
}

/// Reserves one try at the patient's birth date, in one statement that also checks the access
/// is open and has tries left: a parallel burst gets exactly `limit` tries. Answers the number of
/// tries used, this one included, or `None` when none is left.
pub async fn reserve_birth_date_try(
    db: impl Into<Exec<'_>>,
    id: &str,
    limit: i64,
    now: i64,
) -> Result<Option<i64>> {
    let row: Option<(i64,)> = fetch!(db, fetch_optional,
        "UPDATE caregiver_access SET birth_date_attempts = birth_date_attempts + 1, updated_at = $3
         WHERE id = $1 AND patient_id IS NOT NULL AND approved_at IS NOT NULL
           AND birth_date_confirmed_at IS NULL AND ended_at IS NULL AND birth_date_attempts < $2
         RETURNING birth_date_attempts";
        id, limit, now)?;
    Ok(row.map(|(n,)| n))
}

/// Marks the patient's birth date confirmed (the right date gives its reserved try back).
pub async fn confirm_birth_date(db: impl Into<Exec<'_>>, id: &str, now: i64) -> Result<bool> {
    let done = execute!(db,
        "UPDATE caregiver_access SET birth_date_confirmed_at = $2,
                birth_date_attempts = birth_date_attempts - 1, updated_at = $2
         WHERE id = $1 AND approved_at IS NOT NULL AND birth_date_confirmed_at IS NULL
           AND ended_at IS NULL";
        id, now)?;
    Ok(done == 1)
}

/// Ends an access that has not ended yet, saying who ended it.
pub async fn end(
    db: impl Into<Exec<'_>>,
    id: &str,
    by_kind: &str,
    by: Option<&str>,
    now: i64,
) -> Result<bool> {
    let done = execute!(db,
        "UPDATE caregiver_access SET ended_at = $4, ended_by_kind = $2, ended_by = $3, updated_at = $4
         WHERE id = $1 AND ended_at IS NULL";
        id, by_kind, by, now)?;
    Ok(done == 1)
}
