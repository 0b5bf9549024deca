//! Each provider's visit settings: the questions asked with a visit request and where the
//! provider hears of one. Read and written scoped to the practice.

use crate::platform::db::{execute, fetch};
use crate::{Exec, Result};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct VisitSettingsRow {
    pub provider_id: String,
    pub practice_id: String,
    /// A JSON array of the questions.
    pub prompts: String,
    pub notify_channel: Option<String>,
    pub notify_to: Option<String>,
    pub updated_at: i64,
}

/// The provider's settings, if they were ever saved.
pub async fn find(
    db: impl Into<Exec<'_>>,
    practice_id: &str,
    provider_id: &str,
) -> Result<Option<VisitSettingsRow>> {
    Ok(fetch!(db, fetch_optional,
        "SELECT provider_id, practice_id, prompts, notify_channel, notify_to, updated_at
         FROM provider_visit_settings WHERE practice_id = $1 AND provider_id = $2";
        practice_id, provider_id)?)
}

/// Saves the provider's settings whole (the provider's practice was checked by the caller).
pub async fn save(db: impl Into<Exec<'_>>, row: &VisitSettingsRow) -> Result<()> {
    execute!(db,
        "INSERT INTO provider_visit_settings
            (provider_id, practice_id, prompts, notify_channel, notify_to, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (provider_id) DO UPDATE SET prompts = excluded.prompts,
            notify_channel = excluded.notify_channel, notify_to = excluded.notify_to,
            updated_at = excluded.updated_at";
        &row.provider_id, &row.practice_id, &row.prompts, &row.notify_channel, &row.notify_to,
        row.updated_at)?;
    Ok(())
}
