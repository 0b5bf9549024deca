//! A practice's intake forms and their versions. A version, once written, is never changed: the
//! forms sent to patients keep pointing at the one they were sent with. Every read is scoped by
//! the practice the caller belongs to.

use crate::platform::db::{execute, fetch};
use crate::{Exec, Result, Tx};

/// A form as listed: its current version's title and number.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct FormRow {
    pub id: String,
    pub practice_id: String,
    pub title: String,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

/// One version of a form: its title and questions as JSON, who saved it, when.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct VersionRow {
    pub form_id: String,
    pub version: i64,
    pub definition: String,
    pub saved_by_name: String,
    pub created_at: i64,
}

/// A version to write.
#[derive(Debug, Clone)]
pub struct NewVersion<'a> {
    pub form_id: &'a str,
    pub version: i64,
    pub definition: &'a str,
    pub saved_by: &'a str,
    pub at: i64,
}

/// Writes a new form with its first version.
pub async fn insert(
    tx: &mut Tx,
    practice_id: &str,
    title: &str,
    first: &NewVersion<'_>,
) -> Result<()> {
    execute!(&mut *tx,
        "INSERT INTO intake_forms (id, practice_id, title, version, created_at, updated_at)
         VALUES ($1, $2, $3, 1, $4, $4)";
        first.form_id, practice_id, title, first.at)?;
    insert_version(tx, first).await
}

/// Makes `next` the form's current version, if the form is still at the version before it (two
/// staff members saving at once: the second is told, and nothing of theirs is lost silently).
/// Answers whether it was.
pub async fn revise(tx: &mut Tx, title: &str, next: &NewVersion<'_>) -> Result<bool> {
    let moved = execute!(&mut *tx,
        "UPDATE intake_forms SET title = $2, version = $3, updated_at = $4
         WHERE id = $1 AND version = $3 - 1";
        next.form_id, title, next.version, next.at)?;
    if moved == 0 {
        return Ok(false);
    }
    insert_version(tx, next).await?;
    Ok(true)
}

async fn insert_version(tx: &mut Tx, v: &NewVersion<'_>) -> Result<()> {
    execute!(&mut *tx,
        "INSERT INTO intake_form_versions (form_id, version, definition, saved_by, created_at)
         VALUES ($1, $2, $3, $4, $5)";
        v.form_id, v.version, v.definition, v.saved_by, v.at)?;
    Ok(())
}

/// The practice's forms, most recently saved first.
pub async fn of_practice(db: impl Into<Exec<'_>>, practice_id: &str) -> Result<Vec<FormRow>> {
    Ok(fetch!(db, fetch_all,
        "SELECT id, practice_id, title, version, created_at, updated_at FROM intake_forms
         WHERE practice_id = $1 ORDER BY updated_at DESC, id";
        practice_id)?)
}

/// One of the practice's forms.
pub async fn find(db: impl Into<Exec<'_>>, practice_id: &str, id: &str) -> Result<Option<FormRow>> {
    Ok(fetch!(db, fetch_optional,
        "SELECT id, practice_id, title, version, created_at, updated_at FROM intake_forms
         WHERE practice_id = $1 AND id = $2";
        practice_id, id)?)
}

/// A version of a form (the caller has found the form in its practice).
pub async fn version(
    db: impl Into<Exec<'_>>,
    form_id: &str,
    version: i64,
) -> Result<Option<VersionRow>> {
    Ok(fetch!(db, fetch_optional,
        "SELECT v.form_id, v.version, v.definition, s.display_name AS saved_by_name, v.created_at
         FROM intake_form_versions v JOIN staff s ON s.id = v.saved_by
         WHERE v.form_id = $1 AND v.version = $2";
        form_id, version)?)
}

/// Every version of a form, latest first.
pub async fn versions(db: impl Into<Exec<'_>>, form_id: &str) -> Result<Vec<VersionRow>> {
    Ok(fetch!(db, fetch_all,
        "SELECT v.form_id, v.version, v.definition, s.display_name AS saved_by_name, v.created_at
         FROM intake_form_versions v JOIN staff s ON s.id = v.saved_by
         WHERE v.form_id = $1 ORDER BY v.version DESC";
        form_id)?)
}
