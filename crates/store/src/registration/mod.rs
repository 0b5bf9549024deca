//! Registrations in progress, one per ticket: what the patient typed and which steps are done.
//!
//! Below them: the tickets that carry a patient from a redeemed code into the form, the terms of
//! use and their acceptances, the consent texts and the consent records.

pub mod consent_texts;
pub mod consents;
pub mod terms;
pub mod tickets;

use crate::platform::db::{execute, fetch};
use crate::{Exec, Result};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RegistrationRow {
    pub ticket_hash: String,
    pub first_name: String,
    pub last_name: String,
    pub birth_date: String,
    pub email: Option<String>,
    pub username: Option<String>,
    pub phone: String,
    pub password_hash: String,
    pub phone_verified_at: Option<i64>,
    pub terms_version: Option<i64>,
    pub terms_accepted_at: Option<i64>,
    pub terms_ip: Option<String>,
    pub consent_version: Option<i64>,
    pub consent_signature: Option<String>,
    pub consent_signed_at: Option<i64>,
    pub consent_ip: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

macro_rules! columns {
    () => {
        "ticket_hash, first_name, last_name, birth_date, email, username, phone, password_hash, \
         phone_verified_at, terms_version, terms_accepted_at, terms_ip, consent_version, \
         consent_signature, consent_signed_at, consent_ip, created_at, updated_at"
    };
}

/// Records the typed details. Sending them again replaces them and undoes the later steps, since
/// a changed phone number needs verifying again and the rest follows it.
pub async fn save_details(db: impl Into<Exec<'_>>, row: &RegistrationRow) -> Result<()> {
    execute!(db, concat!(
            "INSERT INTO registrations (",
            columns!(),
            ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, $9, $9)
             ON CONFLICT (ticket_hash) DO UPDATE SET
                first_name = excluded.first_name, last_name = excluded.last_name,
                birth_date = excluded.birth_date, email = excluded.email, username = excluded.username,
                phone = excluded.phone, password_hash = excluded.password_hash,
                phone_verified_at = NULL, terms_version = NULL, terms_accepted_at = NULL, terms_ip = NULL,
                consent_version = NULL, consent_signature = NULL, consent_signed_at = NULL,
                consent_ip = NULL, updated_at = excluded.updated_at"
        );
        &row.ticket_hash, &row.first_name, &row.last_name, &row.birth_date, &row.email,
        &row.username, &row.phone, &row.password_hash, row.created_at)?;
    Ok(())
}

pub async fn find(db: impl Into<Exec<'_>>, ticket_hash: &str) -> Result<Option<RegistrationRow>> {
    Ok(fetch!(db, fetch_optional,
        concat!("SELECT ", columns!(), " FROM registrations WHERE ticket_hash = $1");
        ticket_hash)?)
}

pub async fn mark_phone_verified(
    db: impl Into<Exec<'_>>,
    ticket_hash: &str,
    now: i64,
) -> Result<()> {
    execute!(db,
        "UPDATE registrations SET phone_verified_at = $2, updated_at = $2 WHERE ticket_hash = $1";
        ticket_hash, now)?;
    Ok(())
}

pub async fn accept_terms(
    db: impl Into<Exec<'_>>,
    ticket_hash: &str,
    version: i64,
    now: i64,
    ip: Option<&str>,
) -> Result<()> {
    execute!(db,
        "UPDATE registrations SET terms_version = $2, terms_accepted_at = $3, terms_ip = $4,
                 updated_at = $3
             WHERE ticket_hash = $1";
        ticket_hash, version, now, ip)?;
    Ok(())
}

pub async fn sign_consent(
    db: impl Into<Exec<'_>>,
    ticket_hash: &str,
    version: i64,
    signature: &str,
    now: i64,
    ip: Option<&str>,
) -> Result<()> {
    execute!(db, "UPDATE registrations SET consent_version = $2, consent_signature = $3,
                 consent_signed_at = $4, consent_ip = $5, updated_at = $4
             WHERE ticket_hash = $1";
        ticket_hash, version, signature, now, ip)?;
    Ok(())
}

/// Removes the draft once the account exists: what was typed now lives in the account.
pub async fn delete(db: impl Into<Exec<'_>>, ticket_hash: &str) -> Result<()> {
    execute!(db, "DELETE FROM registrations WHERE ticket_hash = $1"; ticket_hash)?;
    Ok(())
}
