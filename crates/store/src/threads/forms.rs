//! Intake forms sent in secure threads: the version sent, the patient's draft, the answers once
//! submitted. Reads by id are within a thread: core has checked who reads the thread first.

use crate::platform::db::{execute, fetch};
use crate::{Exec, Result, Tx};

/// A form sent in a thread, with the questions of the version sent.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ThreadFormRow {
    pub id: String,
    pub thread_id: String,
    pub message_id: String,
    pub form_id: String,
    pub version: i64,
    /// The version's title and questions (JSON).
    pub definition: String,
    pub draft_sealed: Option<String>,
    pub draft_saved_at: Option<i64>,
    pub answers_sealed: Option<String>,
    pub submitted_at: Option<i64>,
    pub submitted_by_kind: Option<String>,
    pub submitted_by: Option<String>,
    pub created_at: i64,
}

/// A submitted form with its patient, for an export.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SubmittedRow {
    pub version: i64,
    pub definition: String,
    pub answers_sealed: String,
    pub submitted_at: i64,
    pub first_name: String,
    pub last_name: String,
    pub birth_date: String,
}

macro_rules! form_select {
    () => {
        "SELECT f.id, f.thread_id, f.message_id, f.form_id, f.version, v.definition,
                f.draft_sealed, f.draft_saved_at, f.answers_sealed, f.submitted_at,
                f.submitted_by_kind, f.submitted_by, f.created_at
         FROM thread_forms f
         JOIN intake_form_versions v ON v.form_id = f.form_id AND v.version = f.version "
    };
}

/// Sends a version of a form with the thread's message `message_id`.
pub async fn insert(
    tx: &mut Tx,
    id: &str,
    thread_id: &str,
    message_id: &str,
    form_id: &str,
    version: i64,
    at: i64,
) -> Result<()> {
    execute!(&mut *tx,
        "INSERT INTO thread_forms (id, thread_id, message_id, form_id, version, created_at)
         VALUES ($1, $2, $3, $4, $5, $6)";
        id, thread_id, message_id, form_id, version, at)?;
    Ok(())
}

/// The forms sent in a thread.
pub async fn of_thread(db: impl Into<Exec<'_>>, thread_id: &str) -> Result<Vec<ThreadFormRow>> {
    Ok(fetch!(db, fetch_all,
        concat!(form_select!(), "WHERE f.thread_id = $1 ORDER BY f.created_at, f.id");
        thread_id)?)
}

/// One form of a thread.
pub async fn find(
    db: impl Into<Exec<'_>>,
    thread_id: &str,
    id: &str,
) -> Result<Option<ThreadFormRow>> {
    Ok(fetch!(db, fetch_optional,
        concat!(form_select!(), "WHERE f.thread_id = $1 AND f.id = $2");
        thread_id, id)?)
}

/// Keeps the patient's draft, unless the form was submitted meanwhile. Answers whether it was
/// kept.
pub async fn save_draft(
    db: impl Into<Exec<'_>>,
    id: &str,
    draft_sealed: &str,
    at: i64,
) -> Result<bool> {
    let kept = execute!(db,
        "UPDATE thread_forms SET draft_sealed = $2, draft_saved_at = $3
         WHERE id = $1 AND submitted_at IS NULL";
        id, draft_sealed, at)?;
    Ok(kept == 1)
}

/// Writes the answers, once: answers whether this was the submission (false when the form had
/// already been submitted, by another tab or the caregiver).
pub async fn submit(
    tx: &mut Tx,
    id: &str,
    answers_sealed: &str,
    by_kind: &str,
    by: &str,
    at: i64,
) -> Result<bool> {
    let written = execute!(&mut *tx,
        "UPDATE thread_forms SET answers_sealed = $2, submitted_at = $3, submitted_by_kind = $4,
                submitted_by = $5, draft_sealed = NULL, draft_saved_at = NULL
         WHERE id = $1 AND submitted_at IS NULL";
        id, answers_sealed, at, by_kind, by)?;
    Ok(written == 1)
}

/// The forms a staff member sent a patient (in their own threads at the practice), latest first.
pub async fn sent_to_patient(
    db: impl Into<Exec<'_>>,
    practice_id: &str,
    staff_id: &str,
    patient_id: &str,
) -> Result<Vec<ThreadFormRow>> {
    Ok(fetch!(db, fetch_all,
        concat!(form_select!(),
            "JOIN threads t ON t.id = f.thread_id
             WHERE t.practice_id = $1 AND t.staff_id = $2 AND t.patient_id = $3
             ORDER BY f.created_at DESC, f.id");
        practice_id, staff_id, patient_id)?)
}

/// The answers to a form submitted in a staff member's own threads, oldest first.
pub async fn submitted_in_staff_threads(
    db: impl Into<Exec<'_>>,
    practice_id: &str,
    staff_id: &str,
    form_id: &str,
) -> Result<Vec<SubmittedRow>> {
    Ok(fetch!(db, fetch_all,
        "SELECT f.version, v.definition, f.answers_sealed, f.submitted_at,
                p.first_name, p.last_name, p.birth_date
         FROM thread_forms f
         JOIN threads t ON t.id = f.thread_id
         JOIN patients p ON p.id = t.patient_id
         JOIN intake_form_versions v ON v.form_id = f.form_id AND v.version = f.version
         WHERE f.form_id = $3 AND t.practice_id = $1 AND t.staff_id = $2
           AND f.submitted_at IS NOT NULL
         ORDER BY f.submitted_at, f.id";
        practice_id, staff_id, form_id)?)
}
