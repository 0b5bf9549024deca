//! Visit requests: written by the patient's side, answered once by staff (a guarded update, so of
//! two answers one wins). Every read by id is scoped to the practice or to the patient.

use portico_domain::VisitState;

use crate::platform::db::{execute, fetch};
use crate::{Exec, Result};

pub mod settings;

/// A new request.
#[derive(Debug, Clone)]
pub struct NewVisit {
    pub id: String,
    pub practice_id: String,
    pub patient_id: String,
    pub link_id: String,
    pub provider_id: Option<String>,
    pub requested_by: String,
    pub wanted_at: Option<i64>,
    pub reason_sealed: String,
    /// The provider's questions with the patient's answers, sealed (none: no questions).
    pub answers_sealed: Option<String>,
    pub created_at: i64,
}

/// A request with the names it is shown with.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct VisitRow {
    pub id: String,
    pub practice_id: String,
    pub practice_name: String,
    pub time_zone: String,
    pub patient_id: String,
    pub link_id: String,
    pub first_name: String,
    pub last_name: String,
    pub provider_name: Option<String>,
    pub requested_by: String,
    pub wanted_at: Option<i64>,
    pub reason_sealed: String,
    pub answers_sealed: Option<String>,
    #[sqlx(try_from = "String")]
    pub state: VisitState,
    pub proposed_at: Option<i64>,
    pub note_sealed: Option<String>,
    pub answered_at: Option<i64>,
    pub answered_by_name: Option<String>,
    pub created_at: i64,
}

macro_rules! visit_select {
    () => {
        "SELECT v.id, v.practice_id, pr.name AS practice_name, pr.time_zone, v.patient_id, v.link_id, p.first_name,
                p.last_name, pv.display_name AS provider_name, v.requested_by, v.wanted_at,
                v.reason_sealed, v.answers_sealed, v.state, v.proposed_at, v.note_sealed, v.answered_at,
                (SELECT s.display_name FROM staff s
                  WHERE s.id = v.answered_by AND s.practice_id = v.practice_id) AS answered_by_name,
                v.created_at
         FROM visit_requests v
         JOIN practices pr ON pr.id = v.practice_id
         JOIN patients p ON p.id = v.patient_id
         LEFT JOIN providers pv ON pv.id = v.provider_id "
    };
}

pub async fn insert(db: impl Into<Exec<'_>>, v: &NewVisit) -> Result<()> {
    execute!(db,
        "INSERT INTO visit_requests (id, practice_id, patient_id, link_id, provider_id,
            requested_by, wanted_at, reason_sealed, answers_sealed, state, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'waiting', $10, $10)";
        &v.id, &v.practice_id, &v.patient_id, &v.link_id, &v.provider_id, &v.requested_by,
        v.wanted_at, &v.reason_sealed, &v.answers_sealed, v.created_at)?;
    Ok(())
}

/// One request of the practice.
pub async fn find_in_practice(
    db: impl Into<Exec<'_>>,
    practice_id: &str,
    id: &str,
) -> Result<Option<VisitRow>> {
    Ok(fetch!(db, fetch_optional,
        concat!(visit_select!(), "WHERE v.practice_id = $1 AND v.id = $2");
        practice_id, id)?)
}

/// The practice's requests: those waiting, oldest first, then those answered since `since`,
/// newest answer first; at most `limit`.
pub async fn for_practice(
    db: impl Into<Exec<'_>>,
    practice_id: &str,
    since: i64,
    limit: i64,
) -> Result<Vec<VisitRow>> {
    Ok(fetch!(db, fetch_all,
        concat!(visit_select!(),
            "WHERE v.practice_id = $1 AND (v.state = 'waiting' OR v.answered_at >= $2)
             ORDER BY CASE WHEN v.state = 'waiting' THEN 0 ELSE 1 END,
                      CASE WHEN v.state = 'waiting' THEN v.created_at ELSE -v.answered_at END,
                      v.id
             LIMIT $3");
        practice_id, since, limit)?)
}

/// A patient's requests at the practices (one, or all) they still see, newest first.
pub async fn for_patient(
    db: impl Into<Exec<'_>>,
    patient_id: &str,
    practice_id: Option<&str>,
    limit: i64,
) -> Result<Vec<VisitRow>> {
    Ok(fetch!(db, fetch_all,
        concat!(visit_select!(),
            "WHERE v.patient_id = $1 AND ($2 IS NULL OR v.practice_id = $2)
             ORDER BY v.created_at DESC, v.id
             LIMIT $3");
        patient_id, practice_id, limit)?)
}

/// Answers a waiting request; answers whether this answer was the one taken.
#[allow(clippy::too_many_arguments)] // One answer: each value is its own column.
pub async fn answer(
    db: impl Into<Exec<'_>>,
    practice_id: &str,
    id: &str,
    state: VisitState,
    proposed_at: Option<i64>,
    note_sealed: Option<&str>,
    by: &str,
    now: i64,
) -> Result<bool> {
    let done = execute!(db,
        "UPDATE visit_requests SET state = $3, proposed_at = $4, note_sealed = $5,
                answered_by = $6, answered_at = $7, updated_at = $7
         WHERE practice_id = $1 AND id = $2 AND state = 'waiting'";
        practice_id, id, state.as_str(), proposed_at, note_sealed, by, now)?;
    Ok(done == 1)
}
