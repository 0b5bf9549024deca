//! A practice's patients as its staff see them (issue #20): the list (filters, a search through
//! `search`'s folded terms, keyset pages by last name) and one patient's record — their links to
//! the practice, the invitations they and their household came by, the consents they signed —
//! and end-dating their access.
//!
//! A patient belongs to a practice through their links to it (the practice, its providers and
//! programs). A declined sign-up never made them the practice's patient, so its link is left out.
//! A link is *in force* while it is active and its end, if any, lies ahead; *waiting* while it is
//! pending approval and not ended. Each patient is listed once, with their standing: active (a
//! link in force), waiting (none in force, one waiting), or ended (neither).

pub mod search;

use crate::platform::db::{execute, fetch};
use crate::{Backend, Exec, Result};

/// A patient as the list shows them, with how they stand with the practice.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PatientListRow {
    pub id: String,
    pub first_name: String,
    pub last_name: String,
    pub birth_date: String,
    pub email: Option<String>,
    pub username: Option<String>,
    pub phone: String,
    pub sort_name: String,
    pub created_at: i64,
    /// When they were first linked to the practice.
    pub linked_at: i64,
    /// Their links in force.
    pub in_force: i64,
    /// Their links waiting for approval.
    pub waiting: i64,
    /// The soonest end ahead of a link in force, if one is set.
    pub ends_at: Option<i64>,
    /// The latest end already passed, if any (for an ended patient: since when).
    pub ended_at: Option<i64>,
    /// Whether their account waits for their signed paper consent form to this practice.
    pub consent_awaited: bool,
}

/// What to list.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    /// `active`, `waiting` or `ended`.
    pub standing: Option<String>,
    pub provider_id: Option<String>,
    pub program_id: Option<String>,
    /// The date of birth, `YYYY-MM-DD`.
    pub birth_date: Option<String>,
    /// Only these patients (a search's matches); `None` for every patient.
    pub among: Option<Vec<String>>,
    /// Only this patient (one record).
    pub patient_id: Option<String>,
    /// Start after this sort key and id.
    pub after: Option<(String, String)>,
    pub limit: i64,
}

// The columns of a list row; `$2` is now. A declined sign-up (pending, decided) is left out.
macro_rules! list_select {
    () => {
        "SELECT pt.id, pt.first_name, pt.last_name, pt.birth_date, pt.email, pt.username, pt.phone,
                pt.sort_name, pt.created_at, MIN(l.created_at) AS linked_at,
                SUM(CASE WHEN l.status = 'active' AND (l.ended_at IS NULL OR l.ended_at > $2)
                         THEN 1 ELSE 0 END) AS in_force,
                SUM(CASE WHEN l.status = 'pending' AND (l.ended_at IS NULL OR l.ended_at > $2)
                         THEN 1 ELSE 0 END) AS waiting,
                MIN(CASE WHEN l.status = 'active' AND l.ended_at > $2
                         THEN l.ended_at END) AS ends_at,
                MAX(CASE WHEN l.ended_at <= $2 THEN l.ended_at END) AS ended_at,
                EXISTS (SELECT 1 FROM consents_awaited a
                        WHERE a.patient_id = pt.id AND a.practice_id = $1) AS consent_awaited
         FROM patient_links l JOIN patients pt ON pt.id = l.patient_id "
    };
}

// `$1` practice, `$3` standing, `$4` provider, `$5` program, `$6` birth date, `$7` one patient,
// `$8`/`$9` the cursor, `$10` the limit, `$11` the search's matches as a JSON array (or NULL).
macro_rules! list_rest {
    ($among:literal) => {
        concat!(
            "WHERE l.practice_id = $1 AND NOT (l.status = 'pending' AND l.decided_at IS NOT NULL)
               AND ($6 IS NULL OR pt.birth_date = $6)
               AND ($7 IS NULL OR pt.id = $7)
               AND (pt.sort_name, pt.id) > ($8, $9)
               AND ($11 IS NULL OR pt.id IN (",
            $among,
            "))
             GROUP BY pt.id
             HAVING ($4 IS NULL OR SUM(CASE WHEN l.provider_id = $4 THEN 1 ELSE 0 END) > 0)
                AND ($5 IS NULL OR SUM(CASE WHEN l.program_id = $5 THEN 1 ELSE 0 END) > 0)
                AND ($3 IS NULL
                     OR ($3 = 'active' AND SUM(CASE WHEN l.status = 'active'
                             AND (l.ended_at IS NULL OR l.ended_at > $2) THEN 1 ELSE 0 END) > 0)
                     OR ($3 = 'waiting' AND SUM(CASE WHEN l.status = 'active'
                             AND (l.ended_at IS NULL OR l.ended_at > $2) THEN 1 ELSE 0 END) = 0
                         AND SUM(CASE WHEN l.status = 'pending'
                             AND (l.ended_at IS NULL OR l.ended_at > $2) THEN 1 ELSE 0 END) > 0)
                     OR ($3 = 'ended' AND SUM(CASE WHEN (l.status = 'active' AND
                             (l.ended_at IS NULL OR l.ended_at > $2))
                             OR (l.status = 'pending' AND (l.ended_at IS NULL OR l.ended_at > $2))
                             THEN 1 ELSE 0 END) = 0))
             ORDER BY pt.sort_name, pt.id
             LIMIT $10"
        )
    };
}

/// A page of the practice's patients by last name (or one patient, with `patient_id`).
pub async fn list(
    db: impl Into<Exec<'_>>,
    practice_id: &str,
    filter: &ListFilter,
    now: i64,
) -> Result<Vec<PatientListRow>> {
    let db = db.into();
    let among = filter
        .among
        .as_ref()
        .map(|ids| serde_json::to_string(ids).expect("strings serialise"));
    let sql = match db.backend() {
        Backend::Sqlite => concat!(
            list_select!(),
            list_rest!("SELECT value FROM json_each($11)")
        ),
        Backend::Postgres => concat!(
            list_select!(),
            list_rest!("SELECT jsonb_array_elements_text($11::jsonb)")
        ),
    };
    let (after_key, after_id) = filter.after.clone().unwrap_or_default();
    Ok(fetch!(db, fetch_all, sql;
        practice_id, now, &filter.standing, &filter.provider_id, &filter.program_id,
        &filter.birth_date, &filter.patient_id, &after_key, &after_id, filter.limit, &among)?)
}

/// Whether the patient has any link to the practice (a declined sign-up aside): whether its staff
/// may see them.
pub async fn is_of_practice(
    db: impl Into<Exec<'_>>,
    practice_id: &str,
    patient_id: &str,
) -> Result<bool> {
    let (n,): (i64,) = fetch!(db, fetch_one,
        "SELECT COUNT(*) FROM patient_links WHERE practice_id = $1 AND patient_id = $2
           AND NOT (status = 'pending' AND decided_at IS NOT NULL)";
        practice_id, patient_id)?;
    Ok(n > 0)
}

/// One of the patient's links to the practice, with display names and its end.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RecordLink {
    pub id: String,
    pub provider_name: Option<String>,
    pub program_name: Option<String>,
    pub invitation_id: Option<String>,
    pub source: String,
    pub status: String,
    pub created_at: i64,
    pub decided_at: Option<i64>,
    pub ended_at: Option<i64>,
    /// Whether staff (or an integration) set the end, rather than a declined sign-up.
    pub end_set_by_practice: bool,
    /// Who set it: a staff member's name, or an API token's label.
    pub ended_by_name: Option<String>,
}

/// The patient's links to the practice (a declined sign-up aside), oldest first.
pub async fn links(
    db: impl Into<Exec<'_>>,
    practice_id: &str,
    patient_id: &str,
) -> Result<Vec<RecordLink>> {
    Ok(fetch!(db, fetch_all,
        "SELECT l.id, pv.display_name AS provider_name, pg.name AS program_name, l.invitation_id,
                l.source, l.status, l.created_at, l.decided_at, l.ended_at,
                l.ended_by IS NOT NULL AS end_set_by_practice,
                COALESCE(s.display_name, t.label) AS ended_by_name
         FROM patient_links l
         LEFT JOIN providers pv ON pv.id = l.provider_id
         LEFT JOIN programs pg ON pg.id = l.program_id
         LEFT JOIN staff s ON s.id = l.ended_by
         LEFT JOIN api_tokens t ON t.id = l.ended_by
         WHERE l.practice_id = $1 AND l.patient_id = $2
           AND NOT (l.status = 'pending' AND l.decided_at IS NOT NULL)
         ORDER BY l.created_at, l.id";
        practice_id, patient_id)?)
}

/// Ends, at `at`, every link of the patient to the practice that has not ended by `now` (an end
/// still ahead moves); answers how many links it touched. An end already passed stays: lifting
/// it is a decision of its own ([`lift_end`]). A declined sign-up keeps its own end.
pub async fn set_end(
    db: impl Into<Exec<'_>>,
    practice_id: &str,
    patient_id: &str,
    at: i64,
    staff_id: &str,
    now: i64,
) -> Result<u64> {
    Ok(execute!(db,
        "UPDATE patient_links SET ended_at = $3, ended_by = $4
         WHERE practice_id = $1 AND patient_id = $2
           AND NOT (status = 'pending' AND decided_at IS NOT NULL)
           AND (ended_at IS NULL OR ended_at > $5)";
        practice_id, patient_id, at, staff_id, now)?)
}

/// Lifts the end staff set on the patient's links to the practice (a declined sign-up stays
/// declined); answers how many links it touched.
pub async fn lift_end(db: impl Into<Exec<'_>>, practice_id: &str, patient_id: &str) -> Result<u64> {
    Ok(execute!(db,
        "UPDATE patient_links SET ended_at = NULL, ended_by = NULL
         WHERE practice_id = $1 AND patient_id = $2 AND ended_by IS NOT NULL";
        practice_id, patient_id)?)
}

/// An invitation of the patient's household: theirs, or one made in the same step.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct HouseholdInvitation {
    pub id: String,
    pub first_name: String,
    pub last_name: String,
    pub relation: String,
    pub state: String,
    pub related_to: Option<String>,
    pub created_at: i64,
    pub expires_at: i64,
    /// The patient it made, once redeemed.
    pub patient_id: Option<String>,
}

/// The practice's invitations the patient registered with, and every invitation made in the same
/// step as one of them (their household and caregivers), oldest first.
pub async fn household_invitations(
    db: impl Into<Exec<'_>>,
    practice_id: &str,
    patient_id: &str,
) -> Result<Vec<HouseholdInvitation>> {
    Ok(fetch!(db, fetch_all,
        "WITH own AS (SELECT invitation_id AS id FROM patient_links
                      WHERE practice_id = $1 AND patient_id = $2 AND invitation_id IS NOT NULL),
              roots AS (SELECT COALESCE(i.related_to, i.id) AS id FROM invitations i
                        WHERE i.id IN (SELECT id FROM own))
         SELECT i.id, i.first_name, i.last_name, i.relation, i.state, i.related_to, i.created_at,
                i.expires_at,
                (SELECT MIN(l.patient_id) FROM patient_links l
                 WHERE l.practice_id = $1 AND l.invitation_id = i.id) AS patient_id
         FROM invitations i
         WHERE i.practice_id = $1
           AND (i.id IN (SELECT id FROM roots) OR i.related_to IN (SELECT id FROM roots))
         ORDER BY i.created_at, i.related_to IS NOT NULL, i.id";
        practice_id, patient_id)?)
}

/// A consent the patient gave the practice.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct GivenConsent {
    pub id: String,
    pub version: i64,
    pub signature: String,
    pub signed_at: i64,
    pub method: String,
    pub witnessed_by_name: Option<String>,
    /// The scan's media type, for a paper consent.
    pub media_type: Option<String>,
}

/// The consents the patient gave the practice, newest first.
pub async fn consents(
    db: impl Into<Exec<'_>>,
    practice_id: &str,
    patient_id: &str,
) -> Result<Vec<GivenConsent>> {
    Ok(fetch!(db, fetch_all,
        "SELECT c.id, c.version, c.signature, c.signed_at, c.method,
                s.display_name AS witnessed_by_name, d.media_type
         FROM consents c
         LEFT JOIN staff s ON s.id = c.witnessed_by
         LEFT JOIN consent_documents d ON d.consent_id = c.id
         WHERE c.practice_id = $1 AND c.patient_id = $2 ORDER BY c.signed_at DESC, c.id";
        practice_id, patient_id)?)
}

/// Since when the patient's account waits for a paper consent to the practice, if it does.
pub async fn consent_awaited_since(
    db: impl Into<Exec<'_>>,
    practice_id: &str,
    patient_id: &str,
) -> Result<Option<i64>> {
    let row: Option<(i64,)> = fetch!(db, fetch_optional,
        "SELECT since FROM consents_awaited WHERE practice_id = $1 AND patient_id = $2";
        practice_id, patient_id)?;
    Ok(row.map(|(since,)| since))
}
