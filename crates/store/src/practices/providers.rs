//! Providers: the clinicians (or the practice itself) a patient can be linked to.

use crate::platform::db::{execute, fetch};
use crate::{Exec, Result};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ProviderRow {
    pub id: String,
    pub practice_id: String,
    pub display_name: String,
    pub staff_id: Option<String>,
    pub active: bool,
    pub created_at: i64,
    pub updated_at: i64,
}

macro_rules! columns {
    () => {
        "id, practice_id, display_name, staff_id, active, created_at, updated_at"
    };
}

pub async fn insert(db: impl Into<Exec<'_>>, row: &ProviderRow) -> Result<()> {
    execute!(db,
        "INSERT INTO providers (id, practice_id, display_name, staff_id, active, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)";
        &row.id, &row.practice_id, &row.display_name, &row.staff_id, row.active, row.created_at,
        row.updated_at)?;
    Ok(())
}

pub async fn find_in_practice(
    db: impl Into<Exec<'_>>,
    practice_id: &str,
    id: &str,
) -> Result<Option<ProviderRow>> {
    let sql = concat!(
        "SELECT ",
        columns!(),
        " FROM providers WHERE practice_id = $1 AND id = $2"
    );
    Ok(fetch!(db, fetch_optional, sql; practice_id, id)?)
}

pub async fn list_for_practice(
    db: impl Into<Exec<'_>>,
    practice_id: &str,
) -> Result<Vec<ProviderRow>> {
    let sql = concat!(
        "SELECT ",
        columns!(),
        " FROM providers WHERE practice_id = $1 ORDER BY display_name, id"
    );
    Ok(fetch!(db, fetch_all, sql; practice_id)?)
}
