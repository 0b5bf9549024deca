//! Six-digit one-time codes (phone verification, password recovery), stored as keyed hashes.

use crate::platform::db::{execute, fetch};
use crate::{Exec, Result};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OneTimeCodeRow {
    pub id: String,
    pub purpose: String,
    pub subject: Option<String>,
    pub code_hash: String,
    pub channel: String,
    pub attempts: i64,
    pub created_at: i64,
    pub expires_at: i64,
    pub used_at: Option<i64>,
}

macro_rules! columns {
    () => {
        "id, purpose, subject, code_hash, channel, attempts, created_at, expires_at, used_at"
    };
}

pub async fn insert(db: impl Into<Exec<'_>>, row: &OneTimeCodeRow) -> Result<()> {
    execute!(db, concat!(
            "INSERT INTO one_time_codes (",
            columns!(),
            ") VALUES ($1, $2, $3, $4, $5, 0, $6, $7, NULL)"
        );
        &row.id, &row.purpose, &row.subject, &row.code_hash, &row.channel, row.created_at,
        row.expires_at)?;
    Ok(())
}

pub async fn find(db: impl Into<Exec<'_>>, id: &str) -> Result<Option<OneTimeCodeRow>> {
    Ok(fetch!(db, fetch_optional,
        concat!("SELECT ", columns!(), " FROM one_time_codes WHERE id = $1");
        id)?)
}

/// The newest code of a subject: the only one that counts.
pub async fn newest(
    db: impl Into<Exec<'_>>,
    purpose: &str,
    subject: &str,
) -> Result<Option<OneTimeCodeRow>> {
    Ok(fetch!(db, fetch_optional, concat!(
        "SELECT ",
        columns!(),
        " FROM one_time_codes WHERE purpose = $1 AND subject = $2
         ORDER BY created_at DESC, id DESC LIMIT 1"
    );
        purpose, subject)?)
}

/// How many codes a subject was sent since `since`, for the growing wait between re-sends.
pub async fn count_since(
    db: impl Into<Exec<'_>>,
    purpose: &str,
    subject: &str,
    since: i64,
) -> Result<i64> {
    let (n,): (i64,) = fetch!(db, fetch_one,
        "SELECT COUNT(*) FROM one_time_codes WHERE purpose = $1 AND subject = $2 AND created_at > $3";
        purpose, subject, since)?;
    Ok(n)
}

/// Reserves one try of a live code before it is compared: `Some(tries)` counting this one,
/// `None` when the code is used, expired or out of tries. One statement, so a parallel burst of
/// guesses gets at most `limit` comparisons.
pub async fn reserve_attempt(
    db: impl Into<Exec<'_>>,
    id: &str,
    limit: i64,
    now: i64,
) -> Result<Option<i64>> {
    let row: Option<(i64,)> = fetch!(db, fetch_optional,
        "UPDATE one_time_codes SET attempts = attempts + 1
         WHERE id = $1 AND used_at IS NULL AND attempts < $2 AND expires_at > $3
         RETURNING attempts";
        id, limit, now)?;
    Ok(row.map(|(n,)| n))
}

/// Voids every unused code of a subject (a changed phone number, a newer recovery).
pub async fn void_open(
    db: impl Into<Exec<'_>>,
    purpose: &str,
    subject: &str,
    now: i64,
) -> Result<u64> {
    Ok(execute!(db, "UPDATE one_time_codes SET used_at = $3
             WHERE purpose = $1 AND subject = $2 AND used_at IS NULL";
        purpose, subject, now)?)
}

/// Uses a code once; of two racing uses, one wins.
pub async fn mark_used(db: impl Into<Exec<'_>>, id: &str, now: i64) -> Result<bool> {
    let done = execute!(db,
        "UPDATE one_time_codes SET used_at = $2 WHERE id = $1 AND used_at IS NULL";
        id, now)?;
    Ok(done == 1)
}
