//! Patient accounts.

use crate::platform::db::{execute, fetch};
use crate::{Exec, Result};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PatientRow {
    pub id: String,
    pub email: Option<String>,
    pub email_key: Option<String>,
    pub username: Option<String>,
    pub first_name: String,
    pub last_name: String,
    pub birth_date: String,
    pub phone: String,
    pub phone_verified_at: i64,
    pub password_hash: String,
    pub created_at: i64,
    pub updated_at: i64,
}

macro_rules! columns {
    () => {
        "id, email, email_key, username, first_name, last_name, birth_date, phone, phone_verified_at, \
         password_hash, created_at, updated_at"
    };
}

pub async fn insert(db: impl Into<Exec<'_>>, row: &PatientRow) -> Result<()> {
    execute!(db, concat!(
            "INSERT INTO patients (",
            columns!(),
            ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"
        );
        &row.id, &row.email, &row.email_key, &row.username, &row.first_name, &row.last_name,
        &row.birth_date, &row.phone, row.phone_verified_at, &row.password_hash, row.created_at,
        row.updated_at)?;
    Ok(())
}

pub async fn find(db: impl Into<Exec<'_>>, id: &str) -> Result<Option<PatientRow>> {
    Ok(
        fetch!(db, fetch_optional, concat!("SELECT ", columns!(), " FROM patients WHERE id = $1");
        id)?,
    )
}

/// The account a sign-in name reaches: an email key or a (lower-case) username.
pub async fn find_by_sign_in_name(
    db: impl Into<Exec<'_>>,
    email_key: Option<&str>,
    username: Option<&str>,
) -> Result<Option<PatientRow>> {
    Ok(fetch!(db, fetch_optional,
        concat!("SELECT ", columns!(), " FROM patients WHERE email_key = $1 OR username = $2");
        email_key, username)?)
}

/// The accounts that sign in by username and have `phone` (E.164) as their verified number.
pub async fn with_username_and_phone(
    db: impl Into<Exec<'_>>,
    phone: &str,
) -> Result<Vec<PatientRow>> {
    Ok(fetch!(db, fetch_all,
        concat!("SELECT ", columns!(), " FROM patients WHERE phone = $1 AND username IS NOT NULL \
                 ORDER BY created_at, id");
        phone)?)
}

/// Whether an account already uses this email key or username.
pub async fn exists(
    db: impl Into<Exec<'_>>,
    email_key: Option<&str>,
    username: Option<&str>,
) -> Result<bool> {
    let (n,): (i64,) = fetch!(db, fetch_one,
        "SELECT COUNT(*) FROM patients WHERE email_key = $1 OR username = $2";
        email_key, username)?;
    Ok(n > 0)
}

pub async fn set_password(
    db: impl Into<Exec<'_>>,
    id: &str,
    password_hash: &str,
    now: i64,
) -> Result<bool> {
    let done = execute!(db, "UPDATE patients SET password_hash = $2, updated_at = $3 WHERE id = $1";
        id, password_hash, now)?;
    Ok(done == 1)
}
