//! Reading a practice's audit trail back, as its admins read it: narrowed by who, what, which
//! patient and when, a page at a time along `seq`, each event with the names of who did it, what
//! it was about and which patient, resolved here by the subject's kind and id. A name is only
//! ever looked up inside the event's own practice (a staff member, token, invitation, provider or
//! program of that practice, a patient linked to it), so an event can never show another
//! practice's names. The chain itself (`super`) never reads these names: they are not part of
//! what is hashed, and a renamed record reads with its new name.
//!
//! Also the people a patient filter may mean: the practice's invitations and linked patients
//! whose names start with the words typed.

use super::AuditEvent;
use crate::platform::db::fetch;
use crate::{Exec, Result};

/// Which events of a practice to read.
#[derive(Debug, Clone)]
pub struct TrailFilter {
    /// The actor kinds to keep (at most three: "the service itself" is `cli`, `worker` and
    /// `system` together); empty keeps every kind.
    pub actor_kinds: Vec<String>,
    pub actor_id: Option<String>,
    /// The stored names of one action (at most three: its name and the older names it had);
    /// empty keeps every action.
    pub actions: Vec<String>,
    /// Events about this patient: naming them, or naming one of the invitations they registered
    /// with in this practice.
    pub patient_id: Option<String>,
    /// Events about this invitation.
    pub invitation_id: Option<String>,
    /// From this instant (Unix milliseconds), inclusive.
    pub from: i64,
    /// Until this instant, exclusive.
    pub until: i64,
    pub walk: Walk,
    pub limit: i64,
}

/// The direction a page is read in, from where.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Walk {
    /// Newest first, from before this `seq` (`None`: from the newest).
    Older(Option<i64>),
    /// Oldest first, from after this `seq`: the page before one, read backwards.
    Newer(i64),
}

/// An event with the names it is about (each `None` when the record is gone or has no name).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TrailRow {
    #[sqlx(flatten)]
    pub event: AuditEvent,
    pub actor_name: Option<String>,
    pub subject_name: Option<String>,
    pub patient_name: Option<String>,
}

/// A patient's name, if they are linked (or were ever linked) to the event's practice.
macro_rules! patient_named {
    ($id:literal) => {
        concat!(
            "(SELECT p.first_name || ' ' || p.last_name FROM patients p WHERE p.id = ",
            $id,
            " AND EXISTS (SELECT 1 FROM patient_links pl
                          WHERE pl.patient_id = p.id AND pl.practice_id = e.practice_id))"
        )
    };
}

/// A row's name in a table of the event's practice.
macro_rules! named_in_practice {
    ($column:literal, $table:literal, $id:literal) => {
        concat!(
            "(SELECT n.",
            $column,
            " FROM ",
            $table,
            " n WHERE n.id = ",
            $id,
            " AND n.practice_id = e.practice_id)"
        )
    };
}

macro_rules! trail_select {
    () => {
        concat!(
            "SELECT e.seq, e.at, e.practice_id, e.actor_kind, e.actor_id, e.actor_role, e.action,
                    e.subject_kind, e.subject_id, e.patient_id, e.ip, e.user_agent, e.outcome,
                    e.details, e.prev_hash, e.hash,
               CASE e.actor_kind
                 WHEN 'staff' THEN ",
            named_in_practice!("display_name", "staff", "e.actor_id"),
            " WHEN 'setup_link' THEN ",
            named_in_practice!("display_name", "staff", "e.actor_id"),
            " WHEN 'api_token' THEN ",
            named_in_practice!("label", "api_tokens", "e.actor_id"),
            " WHEN 'patient' THEN ",
            patient_named!("e.actor_id"),
            " WHEN 'caregiver' THEN ",
            patient_named!("e.actor_id"),
            " END AS actor_name,
               CASE e.subject_kind
                 WHEN 'staff' THEN ",
            named_in_practice!("display_name", "staff", "e.subject_id"),
            " WHEN 'api_token' THEN ",
            named_in_practice!("label", "api_tokens", "e.subject_id"),
            " WHEN 'provider' THEN ",
            named_in_practice!("display_name", "providers", "e.subject_id"),
            " WHEN 'program' THEN ",
            named_in_practice!("name", "programs", "e.subject_id"),
            " WHEN 'invitation' THEN
                   (SELECT i.first_name || ' ' || i.last_name FROM invitations i
                     WHERE i.id = e.subject_id AND i.practice_id = e.practice_id)
                 WHEN 'patient' THEN ",
            patient_named!("e.subject_id"),
            " WHEN 'patient_link' THEN
                   (SELECT p.first_name || ' ' || p.last_name
                      FROM patient_links l JOIN patients p ON p.id = l.patient_id
                     WHERE l.id = e.subject_id AND l.practice_id = e.practice_id)
                 WHEN 'caregiver_access' THEN
                   (SELECT c.first_name || ' ' || c.last_name
                      FROM caregiver_access a JOIN patients c ON c.id = a.caregiver_id
                     WHERE a.id = e.subject_id AND a.practice_id = e.practice_id)
                 WHEN 'practice' THEN
                   (SELECT r.name FROM practices r WHERE r.id = e.subject_id AND r.id = e.practice_id)
               END AS subject_name, ",
            patient_named!("e.patient_id"),
            " AS patient_name
             FROM audit_events e
             WHERE e.practice_id = $1
               AND ($2 IS NULL OR e.actor_kind IN ($2, $3, $4))
               AND ($5 IS NULL OR e.actor_id = $5)
               AND ($6 IS NULL OR e.action IN ($6, $7, $8))
               AND ($9 IS NULL OR e.patient_id = $9
                    OR (e.subject_kind = 'invitation' AND e.subject_id IN
                          (SELECT l.invitation_id FROM patient_links l
                            WHERE l.patient_id = $9 AND l.practice_id = $1
                              AND l.invitation_id IS NOT NULL)))
               AND ($10 IS NULL OR (e.subject_kind = 'invitation' AND e.subject_id = $10))
               AND e.at >= $11 AND e.at < $12"
        )
    };
}

/// One page of a practice's trail, in the walk's order, with `limit` rows at most.
pub async fn page(
    db: impl Into<Exec<'_>>,
    practice_id: &str,
    filter: &TrailFilter,
) -> Result<Vec<TrailRow>> {
    // A list of up to three values is bound as three parameters, the first repeated into the
    // empty ones, so the statement never changes with what is asked.
    let slot = |values: &[String], i: usize| values.get(i).or(values.first()).cloned();
    let f = filter;
    macro_rules! run {
        ($walk:literal, $from:expr) => {
            fetch!(db, fetch_all, concat!(trail_select!(), $walk);
                practice_id,
                slot(&f.actor_kinds, 0), slot(&f.actor_kinds, 1), slot(&f.actor_kinds, 2),
                &f.actor_id,
                slot(&f.actions, 0), slot(&f.actions, 1), slot(&f.actions, 2),
                &f.patient_id, &f.invitation_id, f.from, f.until, $from, f.limit)
        };
    }
    Ok(match f.walk {
        Walk::Older(before) => run!(
            " AND e.seq < $13 ORDER BY e.seq DESC LIMIT $14",
            before.unwrap_or(i64::MAX)
        )?,
        Walk::Newer(after) => run!(" AND e.seq > $13 ORDER BY e.seq ASC LIMIT $14", after)?,
    })
}

/// Someone a patient filter may mean: a patient linked to the practice, or an invitation of the
/// practice nobody has registered with yet.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PersonRow {
    pub patient_id: Option<String>,
    pub invitation_id: Option<String>,
    pub first_name: String,
    pub last_name: String,
    /// The name on the invitation, when the patient who registered with it corrected it.
    pub invited_first_name: Option<String>,
    pub invited_last_name: Option<String>,
    pub since: i64,
}

/// The practice's invitations with a search term in `[from, to)` (the terms starting with one
/// word of the search), each as the patient who registered with it, or as itself when no one has.
pub async fn invitations_with_term(
    db: impl Into<Exec<'_>>,
    practice_id: &str,
    from: &str,
    to: &str,
) -> Result<Vec<PersonRow>> {
    Ok(fetch!(db, fetch_all,
        "SELECT DISTINCT l.patient_id AS patient_id,
                CASE WHEN l.patient_id IS NULL THEN i.id END AS invitation_id,
                COALESCE(p.first_name, i.first_name) AS first_name,
                COALESCE(p.last_name, i.last_name) AS last_name,
                i.first_name AS invited_first_name, i.last_name AS invited_last_name,
                i.created_at AS since
           FROM invitation_search_terms t
           JOIN invitations i ON i.id = t.invitation_id AND i.practice_id = t.practice_id
           LEFT JOIN patient_links l ON l.invitation_id = i.id AND l.practice_id = i.practice_id
           LEFT JOIN patients p ON p.id = l.patient_id
          WHERE t.practice_id = $1 AND t.term >= $2 AND t.term < $3";
        practice_id, from, to)?)
}

/// Every patient ever linked to the practice, with the first time they were. Patients carry no
/// folded search terms (SQLite's `lower()` cannot fold accents), so a name search over them reads
/// these names and compares them folded: a rare question (a compliance request), asked of a
/// practice's patients once.
pub async fn linked_patients(db: impl Into<Exec<'_>>, practice_id: &str) -> Result<Vec<PersonRow>> {
    Ok(fetch!(db, fetch_all,
        "SELECT p.id AS patient_id, CAST(NULL AS TEXT) AS invitation_id,
                p.first_name AS first_name, p.last_name AS last_name,
                CAST(NULL AS TEXT) AS invited_first_name, CAST(NULL AS TEXT) AS invited_last_name,
                MIN(l.created_at) AS since
           FROM patient_links l JOIN patients p ON p.id = l.patient_id
          WHERE l.practice_id = $1
          GROUP BY p.id, p.first_name, p.last_name";
        practice_id)?)
}

/// The name of one person of the practice a filter names: a linked patient, or an invitation.
pub async fn person(
    db: impl Into<Exec<'_>>,
    practice_id: &str,
    patient_id: Option<&str>,
    invitation_id: Option<&str>,
) -> Result<Option<PersonRow>> {
    Ok(fetch!(db, fetch_optional,
        "SELECT p.id AS patient_id, CAST(NULL AS TEXT) AS invitation_id,
                p.first_name AS first_name, p.last_name AS last_name,
                CAST(NULL AS TEXT) AS invited_first_name, CAST(NULL AS TEXT) AS invited_last_name,
                MIN(l.created_at) AS since
           FROM patient_links l JOIN patients p ON p.id = l.patient_id
          WHERE l.practice_id = $1 AND p.id = $2
          GROUP BY p.id, p.first_name, p.last_name
         UNION ALL
         SELECT CAST(NULL AS TEXT), i.id, i.first_name, i.last_name,
                CAST(NULL AS TEXT), CAST(NULL AS TEXT), i.created_at
           FROM invitations i
          WHERE i.practice_id = $1 AND i.id = $3";
        practice_id, patient_id, invitation_id)?)
}
