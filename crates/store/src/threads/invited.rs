//! Conversations waiting for the person invited into them to register.

use crate::platform::db::{execute, fetch};
use crate::{Exec, Result};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct InvitedThreadRow {
    pub invitation_id: String,
    pub thread_id: String,
    pub practice_id: String,
    pub staff_id: String,
    pub subject_sealed: String,
    pub body_sealed: String,
    pub created_at: i64,
}

/// A waiting conversation as the staff member's inbox lists it, with whom it waits for.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct WaitingRow {
    pub invitation_id: String,
    pub first_name: String,
    pub last_name: String,
    pub state: String,
    pub expires_at: i64,
    pub subject_sealed: String,
    pub created_at: i64,
}

pub async fn insert(db: impl Into<Exec<'_>>, row: &InvitedThreadRow) -> Result<()> {
    execute!(db,
        "INSERT INTO invited_threads
            (invitation_id, thread_id, practice_id, staff_id, subject_sealed, body_sealed,
             created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)";
        &row.invitation_id, &row.thread_id, &row.practice_id, &row.staff_id,
        &row.subject_sealed, &row.body_sealed, row.created_at)?;
    Ok(())
}

/// Takes the conversation waiting for this invitation, once: the registration that redeems the
/// invitation opens it (a second taker gets nothing).
pub async fn take(
    db: impl Into<Exec<'_>>,
    invitation_id: &str,
    at: i64,
) -> Result<Option<InvitedThreadRow>> {
    Ok(fetch!(db, fetch_optional,
        "UPDATE invited_threads SET opened_at = $2
         WHERE invitation_id = $1 AND opened_at IS NULL
         RETURNING invitation_id, thread_id, practice_id, staff_id, subject_sealed, body_sealed,
                   created_at";
        invitation_id, at)?)
}

/// The staff member's conversations still waiting for their patient, newest first (a revoked
/// invitation's aside: it will never be redeemed).
pub async fn waiting_for_staff(
    db: impl Into<Exec<'_>>,
    practice_id: &str,
    staff_id: &str,
    limit: i64,
) -> Result<Vec<WaitingRow>> {
    Ok(fetch!(db, fetch_all,
        "SELECT w.invitation_id, i.first_name, i.last_name, i.state, i.expires_at,
                w.subject_sealed, w.created_at
         FROM invited_threads w JOIN invitations i ON i.id = w.invitation_id
         WHERE w.staff_id = $1 AND w.practice_id = $2 AND w.opened_at IS NULL
           AND i.state <> 'revoked'
         ORDER BY w.created_at DESC, w.invitation_id LIMIT $3";
        staff_id, practice_id, limit)?)
}
