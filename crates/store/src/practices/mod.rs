//! Practices: the tenants. Every row holding patient data hangs off one of these.
//!
//! Below them: their providers, their staff accounts, and the one-time tokens that set up a new
//! practice's first administrator.

pub mod providers;
pub mod setup_tokens;
pub mod staff;

use crate::platform::db::{execute, fetch};
use crate::{Exec, Result};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PracticeRow {
    pub id: String,
    pub name: String,
    pub country: String,
    pub invite_expiry_days: i64,
    /// Countries (comma-separated ISO codes) whose numbers may get codes; `None`: `country` only.
    pub phone_countries: Option<String>,
    /// IANA name; the dates in the practice's messages are on its clock.
    pub time_zone: String,
    /// `in_app`, `tablet` or `paper`: what an invitation that names no consent method takes.
    pub default_consent_method: String,
    pub created_at: i64,
    pub updated_at: i64,
}

macro_rules! columns {
    () => {
        "id, name, country, invite_expiry_days, phone_countries, time_zone, default_consent_method, \
         created_at, updated_at"
    };
}

pub async fn insert(db: impl Into<Exec<'_>>, row: &PracticeRow) -> Result<()> {
    execute!(db,
        "INSERT INTO practices (id, name, country, invite_expiry_days, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6)";
        &row.id, &row.name, &row.country, row.invite_expiry_days, row.created_at, row.updated_at)?;
    Ok(())
}

pub async fn find(db: impl Into<Exec<'_>>, id: &str) -> Result<Option<PracticeRow>> {
    let sql = concat!("SELECT ", columns!(), " FROM practices WHERE id = $1");
    Ok(fetch!(db, fetch_optional, sql; id)?)
}

/// The names of at most `limit` practices (the patients' door names the practice when there is
/// only one).
pub async fn some_names(db: impl Into<Exec<'_>>, limit: i64) -> Result<Vec<String>> {
    let rows: Vec<(String,)> =
        fetch!(db, fetch_all, "SELECT name FROM practices ORDER BY created_at LIMIT $1"; limit)?;
    Ok(rows.into_iter().map(|(name,)| name).collect())
}

/// Practice names are unique regardless of case, so `admin create` can find an existing one.
pub async fn find_by_name(db: impl Into<Exec<'_>>, name: &str) -> Result<Option<PracticeRow>> {
    let sql = concat!(
        "SELECT ",
        columns!(),
        " FROM practices WHERE lower(name) = lower($1)"
    );
    Ok(fetch!(db, fetch_optional, sql; name)?)
}

/// A change of a practice's settings; `None` keeps a setting as it is.
#[derive(Debug, Default)]
pub struct SettingsChange<'a> {
    /// Unique regardless of case: another practice's name is a `StoreError::Conflict`.
    pub name: Option<&'a str>,
    pub invite_expiry_days: Option<i64>,
    /// The default phone country.
    pub country: Option<&'a str>,
    /// The countries its verification codes may go to.
    pub phone_countries: Option<&'a str>,
    pub time_zone: Option<&'a str>,
    pub default_consent_method: Option<&'a str>,
}

/// Changes a practice's settings.
pub async fn update_settings(
    db: impl Into<Exec<'_>>,
    id: &str,
    change: &SettingsChange<'_>,
    now: i64,
) -> Result<()> {
    execute!(db,
        "UPDATE practices SET invite_expiry_days = COALESCE($2, invite_expiry_days), country = COALESCE($3, country),
                phone_countries = COALESCE($5, phone_countries), time_zone = COALESCE($6, time_zone),
                default_consent_method = COALESCE($7, default_consent_method),
                name = COALESCE($8, name), updated_at = $4
         WHERE id = $1";
        id, change.invite_expiry_days, change.country, now, change.phone_countries, change.time_zone,
        change.default_consent_method, change.name)?;
    Ok(())
}

/// Takes the practice's row lock for the rest of the transaction (PostgreSQL; SQLite's write
/// transactions are already exclusive), so checks like "is this the last admin?" cannot race.
pub async fn lock(tx: &mut crate::Tx, id: &str) -> Result<()> {
    execute!(&mut *tx, "UPDATE practices SET updated_at = updated_at WHERE id = $1"; id)?;
    Ok(())
}
