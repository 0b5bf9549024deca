//! Patient accounts.

use crate::platform::db::{execute, run};
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
    execute!(
        db,
        sqlx::query(concat!(
            "INSERT INTO patients (",
            columns!(),
            ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"
        ))
        .bind(&row.id)
        .bind(&row.email)
        .bind(&row.email_key)
        .bind(&row.username)
        .bind(&row.first_name)
        .bind(&row.last_name)
        .bind(&row.birth_date)
        .bind(&row.phone)
        .bind(row.phone_verified_at)
        .bind(&row.password_hash)
        .bind(row.created_at)
        .bind(row.updated_at)
    )?;
    Ok(())
}

pub async fn find(db: impl Into<Exec<'_>>, id: &str) -> Result<Option<PatientRow>> {
    Ok(run!(db, |c| sqlx::query_as(concat!(
        "SELECT ",
        columns!(),
        " FROM patients WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(c)
    .await)?)
}

/// The account a sign-in name reaches: an email key or a (lower-case) username.
pub async fn find_by_sign_in_name(
    db: impl Into<Exec<'_>>,
    email_key: Option<&str>,
    username: Option<&str>,
) -> Result<Option<PatientRow>> {
    Ok(run!(db, |c| sqlx::query_as(concat!(
        "SELECT ",
        columns!(),
        " FROM patients WHERE email_key = $1 OR username = $2"
    ))
    .bind(email_key)
    .bind(username)
    .fetch_optional(c)
    .await)?)
}

/// Whether an account already uses this email key or username.
pub async fn exists(
    db: impl Into<Exec<'_>>,
    email_key: Option<&str>,
    username: Option<&str>,
) -> Result<bool> {
    let (n,): (i64,) = run!(db, |c| sqlx::query_as(
        "SELECT COUNT(*) FROM patients WHERE email_key = $1 OR username = $2"
    )
    .bind(email_key)
    .bind(username)
    .fetch_one(c)
    .await)?;
    Ok(n > 0)
}

pub async fn set_password(
    db: impl Into<Exec<'_>>,
    id: &str,
    password_hash: &str,
    now: i64,
) -> Result<bool> {
    let done = execute!(
        db,
        sqlx::query("UPDATE patients SET password_hash = $2, updated_at = $3 WHERE id = $1")
            .bind(id)
            .bind(password_hash)
            .bind(now)
    )?;
    Ok(done == 1)
}
