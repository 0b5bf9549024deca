//! Links between a patient and a practice (and provider, and program): the cards of the visit
//! screen, and the pending sign-ups staff approve.
//!
//! Below them: the notices staff receive about new sign-ups.

pub mod notifications;

use portico_domain::{LinkSource, LinkStatus};

use crate::platform::db::{execute, fetch};
use crate::{Backend, Exec, Result, Store};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct LinkRow {
    pub id: String,
    pub patient_id: String,
    pub practice_id: String,
    pub provider_id: Option<String>,
    pub program_id: Option<String>,
    pub invitation_id: Option<String>,
    #[sqlx(try_from = "String")]
    pub source: LinkSource,
    #[sqlx(try_from = "String")]
    pub status: LinkStatus,
    pub created_at: i64,
    pub decided_at: Option<i64>,
    pub decided_by: Option<String>,
    pub ended_at: Option<i64>,
}

macro_rules! columns {
    () => {
        "id, patient_id, practice_id, provider_id, program_id, invitation_id, source, status, created_at, \
         decided_at, decided_by, ended_at"
    };
}

/// Whether staff of the practice set an end on the patient's access (ahead or passed): a code
/// must not bring back what the practice ended.
pub async fn ended_by_practice(
    db: impl Into<Exec<'_>>,
    practice_id: &str,
    patient_id: &str,
) -> Result<bool> {
    let (n,): (i64,) = fetch!(db, fetch_one,
        "SELECT COUNT(*) FROM patient_links
         WHERE practice_id = $1 AND patient_id = $2 AND ended_by IS NOT NULL";
        practice_id, patient_id)?;
    Ok(n > 0)
}

/// Whether the patient has a link in force or waiting at `now`: what an open session needs.
pub async fn has_link_in_force(
    db: impl Into<Exec<'_>>,
    patient_id: &str,
    now: i64,
) -> Result<bool> {
    let (n,): (i64,) = fetch!(db, fetch_one,
        "SELECT COUNT(*) FROM patient_links
         WHERE patient_id = $1 AND (ended_at IS NULL OR ended_at > $2)";
        patient_id, now)?;
    Ok(n > 0)
}

/// One link by id.
pub async fn find(db: impl Into<Exec<'_>>, id: &str) -> Result<Option<LinkRow>> {
    Ok(fetch!(db, fetch_optional,
        concat!("SELECT ", columns!(), " FROM patient_links WHERE id = $1"); id)?)
}

/// Adds a link unless the same one exists; answers whether a row was added.
pub async fn insert_new(db: impl Into<Exec<'_>>, row: &LinkRow) -> Result<bool> {
    let done = execute!(db, concat!(
            "INSERT INTO patient_links (",
            columns!(),
            ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT DO NOTHING"
        );
        &row.id, &row.patient_id, &row.practice_id, &row.provider_id, &row.program_id,
        &row.invitation_id, row.source.as_str(), row.status.as_str(), row.created_at,
        row.decided_at, &row.decided_by, row.ended_at)?;
    Ok(done == 1)
}

/// A link as the visit screen and staff lists show it, with display names.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct LinkCard {
    pub id: String,
    pub patient_id: String,
    pub first_name: String,
    pub last_name: String,
    pub practice_id: String,
    pub practice_name: String,
    pub provider_id: Option<String>,
    pub provider_name: Option<String>,
    pub program_id: Option<String>,
    pub program_name: Option<String>,
    #[sqlx(try_from = "String")]
    pub status: LinkStatus,
    #[sqlx(try_from = "String")]
    pub source: LinkSource,
    pub created_at: i64,
}

macro_rules! card_select {
    () => {
        "SELECT l.id, l.patient_id, pt.first_name, pt.last_name, l.practice_id, pr.name AS practice_name, l.provider_id,
                pv.display_name AS provider_name, l.program_id, pg.name AS program_name, l.status,
                l.source, l.created_at
         FROM patient_links l
         JOIN patients pt ON pt.id = l.patient_id
         JOIN practices pr ON pr.id = l.practice_id
         LEFT JOIN providers pv ON pv.id = l.provider_id
         LEFT JOIN programs pg ON pg.id = l.program_id "
    };
}

/// A patient's links that have not ended by `now` (an end staff set may lie ahead), oldest
/// first.
pub async fn cards_for_patient(
    db: impl Into<Exec<'_>>,
    patient_id: &str,
    now: i64,
) -> Result<Vec<LinkCard>> {
    Ok(fetch!(db, fetch_all, concat!(
        card_select!(),
        "WHERE l.patient_id = $1 AND (l.ended_at IS NULL OR l.ended_at > $2)
         ORDER BY l.created_at, l.id"
    );
        patient_id, now)?)
}

/// A practice's links in one status that have not ended by `now`, newest first, at most `limit`.
pub async fn cards_in_practice(
    db: impl Into<Exec<'_>>,
    practice_id: &str,
    status: LinkStatus,
    limit: i64,
    now: i64,
) -> Result<Vec<LinkCard>> {
    Ok(fetch!(db, fetch_all, concat!(
        card_select!(),
        "WHERE l.practice_id = $1 AND l.status = $2 AND (l.ended_at IS NULL OR l.ended_at > $4)
         ORDER BY l.created_at DESC, l.id LIMIT $3"
    );
        practice_id, status.as_str(), limit, now)?)
}

/// The practices where a patient has an active link in force at `now` (terms to accept).
pub async fn active_practices(
    db: impl Into<Exec<'_>>,
    patient_id: &str,
    now: i64,
) -> Result<Vec<String>> {
    let rows: Vec<(String,)> = fetch!(db, fetch_all, "SELECT DISTINCT practice_id FROM patient_links
         WHERE patient_id = $1 AND status = 'active' AND (ended_at IS NULL OR ended_at > $2)
         ORDER BY practice_id";
        patient_id, now)?;
    Ok(rows.into_iter().map(|(p,)| p).collect())
}

/// Every practice the patient was ever linked to (pending, active or ended).
pub async fn practices_ever(db: impl Into<Exec<'_>>, patient_id: &str) -> Result<Vec<String>> {
    let rows: Vec<(String,)> = fetch!(db, fetch_all,
        "SELECT DISTINCT practice_id FROM patient_links WHERE patient_id = $1 ORDER BY practice_id";
        patient_id)?;
    Ok(rows.into_iter().map(|(p,)| p).collect())
}

/// Approves or declines a pending link of the practice; answers the patient when it was pending.
/// A declined link is ended, so it leaves the pending list and never shows on the visit screen.
pub async fn decide(
    db: impl Into<Exec<'_>>,
    practice_id: &str,
    id: &str,
    approve: bool,
    staff_id: &str,
    now: i64,
) -> Result<Option<String>> {
    let row: Option<(String,)> = fetch!(db, fetch_optional, "UPDATE patient_links
         SET status = CASE WHEN $3 THEN 'active' ELSE status END,
             ended_at = CASE WHEN $3 THEN ended_at ELSE $5 END,
             ended_by = CASE WHEN $3 THEN ended_by ELSE NULL END,
             decided_at = $5, decided_by = $4
         WHERE practice_id = $1 AND id = $2 AND status = 'pending'
           AND (ended_at IS NULL OR ended_at > $5)
         RETURNING patient_id";
        practice_id, id, approve, staff_id, now)?;
    Ok(row.map(|(p,)| p))
}

/// The patients whose links came from these invitations of the practice, as
/// `(invitation_id, patient_id)`: who an invitation is about once it has been redeemed.
pub async fn patients_of_invitations(
    store: &Store,
    practice_id: &str,
    invitation_ids: &[&str],
) -> Result<Vec<(String, String)>> {
    if invitation_ids.is_empty() {
        return Ok(Vec::new());
    }
    // The ids travel as one JSON array, which each database unpacks its own way.
    let ids = serde_json::to_string(invitation_ids).expect("strings serialise");
    let sql = match store.backend() {
        Backend::Sqlite => {
            "SELECT invitation_id, patient_id FROM patient_links
             WHERE practice_id = $1 AND invitation_id IN (SELECT value FROM json_each($2))"
        }
        Backend::Postgres => {
            "SELECT invitation_id, patient_id FROM patient_links
             WHERE practice_id = $1
               AND invitation_id IN (SELECT jsonb_array_elements_text($2::jsonb))"
        }
    };
    Ok(fetch!(store, fetch_all, sql; practice_id, &ids)?)
}
