//! A practice's own message templates (the shipped defaults live in code, not here).

use crate::platform::db::{execute, fetch};
use crate::{Exec, Result, Tx};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TemplateRow {
    pub practice_id: String,
    pub kind: String,
    pub language: String,
    pub subject: Option<String>,
    pub body: String,
    pub updated_at: i64,
    pub updated_by: String,
}

pub async fn find(
    db: impl Into<Exec<'_>>,
    practice_id: &str,
    kind: &str,
    language: &str,
) -> Result<Option<TemplateRow>> {
    Ok(fetch!(db, fetch_optional,
            "SELECT practice_id, kind, language, subject, body, updated_at, updated_by
         FROM message_templates WHERE practice_id = $1 AND kind = $2 AND language = $3";
        practice_id, kind, language)?)
}

pub async fn list_for_practice(
    db: impl Into<Exec<'_>>,
    practice_id: &str,
) -> Result<Vec<TemplateRow>> {
    Ok(fetch!(db, fetch_all,
            "SELECT practice_id, kind, language, subject, body, updated_at, updated_by
         FROM message_templates WHERE practice_id = $1 ORDER BY kind, language";
        practice_id)?)
}

pub async fn upsert(tx: &mut Tx, row: &TemplateRow) -> Result<()> {
    execute!(&mut *tx,
        "INSERT INTO message_templates (practice_id, kind, language, subject, body, updated_at, updated_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (practice_id, kind, language) DO UPDATE SET
             subject = excluded.subject, body = excluded.body,
             updated_at = excluded.updated_at, updated_by = excluded.updated_by";
        &row.practice_id, &row.kind, &row.language, &row.subject, &row.body, row.updated_at,
        &row.updated_by)?;
    Ok(())
}

pub async fn delete(tx: &mut Tx, practice_id: &str, kind: &str, language: &str) -> Result<bool> {
    let done = execute!(&mut *tx,
        "DELETE FROM message_templates WHERE practice_id = $1 AND kind = $2 AND language = $3";
            practice_id, kind, language)?;
    Ok(done == 1)
}
