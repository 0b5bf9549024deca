//! Registration tickets: the short-lived, single-use proof that a patient passed a code check.

use crate::platform::db::{execute, fetch};
use crate::{Exec, Result};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TicketRow {
    pub ticket_hash: String,
    pub practice_id: String,
    pub invitation_id: Option<String>,
    pub provider_code_id: Option<String>,
    pub program_id: Option<String>,
    /// The invitation's code hash when the ticket was issued; a re-send changes it.
    pub invitation_code_hash: Option<String>,
    pub created_at: i64,
    pub expires_at: i64,
    pub used_at: Option<i64>,
    /// The staff member who started the registration on the front-desk tablet, if one did.
    pub kiosk_staff_id: Option<String>,
}

/// The columns a [`TicketRow`] is read from, in its order.
macro_rules! columns {
    () => {
        "ticket_hash, practice_id, invitation_id, provider_code_id, program_id, \
         invitation_code_hash, created_at, expires_at, used_at, kiosk_staff_id"
    };
}

pub async fn insert(db: impl Into<Exec<'_>>, row: &TicketRow) -> Result<()> {
    execute!(db,
        "INSERT INTO registration_tickets (ticket_hash, practice_id, invitation_id, provider_code_id, program_id,
                                           invitation_code_hash, created_at, expires_at, kiosk_staff_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";
        &row.ticket_hash, &row.practice_id, &row.invitation_id, &row.provider_code_id,
        &row.program_id, &row.invitation_code_hash, row.created_at, row.expires_at,
        &row.kiosk_staff_id)?;
    Ok(())
}

/// Uses a ticket if it is unused and unexpired; `None` otherwise (of two racing uses, one wins).
pub async fn consume(
    db: impl Into<Exec<'_>>,
    ticket_hash: &str,
    now: i64,
) -> Result<Option<TicketRow>> {
    Ok(fetch!(db, fetch_optional, concat!(
            "UPDATE registration_tickets SET used_at = $2
             WHERE ticket_hash = $1 AND used_at IS NULL AND expires_at > $2 RETURNING ",
            columns!()
        );
        ticket_hash, now)?)
}

/// A ticket that is unused and unexpired.
pub async fn find_live(
    db: impl Into<Exec<'_>>,
    ticket_hash: &str,
    now: i64,
) -> Result<Option<TicketRow>> {
    Ok(fetch!(db, fetch_optional,
        concat!("SELECT ", columns!(), " FROM registration_tickets WHERE ticket_hash = $1 AND used_at IS NULL AND expires_at > $2");
        ticket_hash, now)?)
}

/// Gives a ticket in use more time: a patient moving through the steps keeps their registration.
pub async fn extend(db: impl Into<Exec<'_>>, ticket_hash: &str, expires_at: i64) -> Result<()> {
    execute!(db,
        "UPDATE registration_tickets SET expires_at = $2 WHERE ticket_hash = $1 AND used_at IS NULL";
        ticket_hash, expires_at)?;
    Ok(())
}
