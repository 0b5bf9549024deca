//! Providers: the clinicians (or the practice itself) a patient can be linked to.

use crate::platform::db::{execute, run};
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
    execute!(db, sqlx::query(
        "INSERT INTO providers (id, practice_id, display_name, staff_id, active, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)"
    )
    .bind(&row.id)
    .bind(&row.practice_id)
    .bind(&row.display_name)
    .bind(&row.staff_id)
    .bind(row.active)
    .bind(row.created_at)
    .bind(row.updated_at))?;
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
    Ok(run!(db, |c| sqlx::query_as(sql)
        .bind(practice_id)
        .bind(id)
        .fetch_optional(c)
        .await)?)
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
    Ok(run!(db, |c| sqlx::query_as(sql)
        .bind(practice_id)
        .fetch_all(c)
        .await)?)
}
