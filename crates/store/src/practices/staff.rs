//! Staff accounts: the people of a practice who sign in to the staff pages.
//! Every look-up by id is scoped to a practice, so one practice can never reach another's rows.

use crate::platform::db::{execute, fetch};
use crate::{Exec, Result};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StaffRow {
    pub id: String,
    pub practice_id: String,
    pub email: String,
    pub email_key: String,
    pub display_name: String,
    pub role: String,
    pub password_hash: String,
    pub active: bool,
    pub created_at: i64,
    pub updated_at: i64,
}

macro_rules! columns {
    () => {
        "id, practice_id, email, email_key, display_name, role, password_hash, \
                       active, created_at, updated_at"
    };
}

pub async fn insert(db: impl Into<Exec<'_>>, row: &StaffRow) -> Result<()> {
    execute!(db,
        "INSERT INTO staff (id, practice_id, email, email_key, display_name, role, password_hash,
                            active, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";
        &row.id, &row.practice_id, &row.email, &row.email_key, &row.display_name, &row.role,
        &row.password_hash, row.active, row.created_at, row.updated_at)?;
    Ok(())
}

/// Sign-in looks staff up by the lower-cased email across all practices (emails are unique).
pub async fn find_by_email_key(
    db: impl Into<Exec<'_>>,
    email_key: &str,
) -> Result<Option<StaffRow>> {
    let sql = concat!("SELECT ", columns!(), " FROM staff WHERE email_key = $1");
    Ok(fetch!(db, fetch_optional, sql; email_key)?)
}

pub async fn find_in_practice(
    db: impl Into<Exec<'_>>,
    practice_id: &str,
    id: &str,
) -> Result<Option<StaffRow>> {
    let sql = concat!(
        "SELECT ",
        columns!(),
        " FROM staff WHERE practice_id = $1 AND id = $2"
    );
    Ok(fetch!(db, fetch_optional, sql; practice_id, id)?)
}

pub async fn list_for_practice(
    db: impl Into<Exec<'_>>,
    practice_id: &str,
) -> Result<Vec<StaffRow>> {
    let sql = concat!(
        "SELECT ",
        columns!(),
        " FROM staff WHERE practice_id = $1 ORDER BY display_name, id"
    );
    Ok(fetch!(db, fetch_all, sql; practice_id)?)
}

/// How many active admins exist in the whole deployment (zero means set-up is still open).
pub async fn count_active_admins(db: impl Into<Exec<'_>>) -> Result<i64> {
    let (n,): (i64,) = fetch!(
        db,
        fetch_one,
        "SELECT COUNT(*) FROM staff WHERE role = 'admin' AND active = TRUE"
    )?;
    Ok(n)
}

/// How many active admins a practice has (a practice must never lose its last one).
pub async fn count_active_admins_in_practice(
    db: impl Into<Exec<'_>>,
    practice_id: &str,
) -> Result<i64> {
    let (n,): (i64,) = fetch!(db, fetch_one,
        "SELECT COUNT(*) FROM staff WHERE practice_id = $1 AND role = 'admin' AND active = TRUE";
        practice_id)?;
    Ok(n)
}

/// Changes role and active flag; answers whether a row of that practice was changed.
pub async fn update_role_and_active(
    db: impl Into<Exec<'_>>,
    practice_id: &str,
    id: &str,
    role: &str,
    active: bool,
    now: i64,
) -> Result<bool> {
    let done = execute!(db,
        "UPDATE staff SET role = $3, active = $4, updated_at = $5 WHERE practice_id = $1 AND id = $2";
        practice_id, id, role, active, now)?;
    Ok(done == 1)
}

/// Replaces a staff member's password hash; answers whether a row of that practice was changed.
pub async fn set_password(
    db: impl Into<Exec<'_>>,
    practice_id: &str,
    id: &str,
    password_hash: &str,
    now: i64,
) -> Result<bool> {
    let done = execute!(db,
        "UPDATE staff SET password_hash = $3, updated_at = $4 WHERE practice_id = $1 AND id = $2";
        practice_id, id, password_hash, now)?;
    Ok(done == 1)
}
