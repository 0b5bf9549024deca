//! Invitations and their history. Every write that changes state is guarded in its `WHERE`
//! clause by the states it may leave, so two racing requests cannot both win (one redemption,
//! one re-send) on either database. The staff list with its search is `list`; the folded terms
//! it searches are written by `search`.

use crate::platform::db::{execute, fetch};
use crate::{Exec, Result, Tx};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct InvitationRow {
    pub id: String,
    pub practice_id: String,
    pub created_by: String,
    pub provider_id: Option<String>,
    pub program_id: Option<String>,
    pub related_to: Option<String>,
    pub relation: String,
    pub first_name: String,
    pub last_name: String,
    pub birth_date: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub username: Option<String>,
    pub contact_time: Option<String>,
    pub notes: Option<String>,
    pub channels: String,
    pub consent_method: String,
    pub language: String,
    pub state: String,
    pub code_hash: Option<String>,
    pub link_hash: Option<String>,
    pub failed_attempts: i64,
    pub expires_at: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

macro_rules! columns {
    () => {
        "id, practice_id, created_by, provider_id, program_id, related_to, relation, first_name, last_name, \
         birth_date, email, phone, username, contact_time, notes, channels, consent_method, state, code_hash, \
         link_hash, failed_attempts, expires_at, created_at, updated_at, language"
    };
}

// After `columns!`, which they use.
pub mod list;
pub mod search;

pub use list::{ListFilter, ListRow, Walk};

pub async fn insert(tx: &mut Tx, row: &InvitationRow) -> Result<()> {
    execute!(&mut *tx, concat!(
        "INSERT INTO invitations (",
        columns!(),
        ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25)"
    );
        &row.id, &row.practice_id, &row.created_by, &row.provider_id, &row.program_id,
        &row.related_to, &row.relation, &row.first_name, &row.last_name, &row.birth_date,
        &row.email, &row.phone, &row.username, &row.contact_time, &row.notes, &row.channels,
        &row.consent_method, &row.state, &row.code_hash, &row.link_hash, row.failed_attempts,
        row.expires_at, row.created_at, row.updated_at, &row.language)?;
    Ok(())
}

/// Writes the invitation unless one of its unique values (code, link, username) is taken;
/// answers whether it was written. Nothing is written otherwise, and the transaction goes on
/// (on PostgreSQL a failed insert would abort it), so the caller can draw again.
pub async fn insert_unless_taken(tx: &mut Tx, row: &InvitationRow) -> Result<bool> {
    let written = execute!(&mut *tx, concat!(
        "INSERT INTO invitations (",
        columns!(),
        ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25)
         ON CONFLICT DO NOTHING"
    );
        &row.id, &row.practice_id, &row.created_by, &row.provider_id, &row.program_id,
        &row.related_to, &row.relation, &row.first_name, &row.last_name, &row.birth_date,
        &row.email, &row.phone, &row.username, &row.contact_time, &row.notes, &row.channels,
        &row.consent_method, &row.state, &row.code_hash, &row.link_hash, row.failed_attempts,
        row.expires_at, row.created_at, row.updated_at, &row.language)?;
    Ok(written == 1)
}

pub async fn find_in_practice(
    db: impl Into<Exec<'_>>,
    practice_id: &str,
    id: &str,
) -> Result<Option<InvitationRow>> {
    Ok(fetch!(db, fetch_optional,
        concat!("SELECT ", columns!(), " FROM invitations WHERE practice_id = $1 AND id = $2");
        practice_id, id)?)
}

pub async fn find_by_code_hash(
    db: impl Into<Exec<'_>>,
    code_hash: &str,
) -> Result<Option<InvitationRow>> {
    Ok(fetch!(db, fetch_optional,
        concat!("SELECT ", columns!(), " FROM invitations WHERE code_hash = $1");
        code_hash)?)
}

pub async fn find_by_link_hash(
    db: impl Into<Exec<'_>>,
    link_hash: &str,
) -> Result<Option<InvitationRow>> {
    Ok(fetch!(db, fetch_optional,
        concat!("SELECT ", columns!(), " FROM invitations WHERE link_hash = $1");
        link_hash)?)
}

/// The other invitations made in the same step as `id` (the patient's, the household member's,
/// the caregiver's): those sharing its root, the patient's invitation (`root`).
pub async fn made_with(
    db: impl Into<Exec<'_>>,
    practice_id: &str,
    root: &str,
    id: &str,
) -> Result<Vec<InvitationRow>> {
    Ok(fetch!(db, fetch_all, concat!(
        "SELECT ", columns!(), " FROM invitations
         WHERE practice_id = $1 AND id <> $3 AND (id = $2 OR related_to = $2)
         ORDER BY created_at, id");
        practice_id, root, id)?)
}

/// How many of a practice's invitations are in each state as people see it (`expired` counted
/// apart from the open ones past their expiry at `now`).
pub async fn count_by_state(
    db: impl Into<Exec<'_>>,
    practice_id: &str,
    now: i64,
) -> Result<Vec<(String, i64)>> {
    Ok(fetch!(db, fetch_all,
        "SELECT CASE WHEN state IN ('draft', 'sent', 'delivered') AND expires_at <= $2
                     THEN 'expired' ELSE state END AS seen, COUNT(*)
         FROM invitations WHERE practice_id = $1 GROUP BY 1";
        practice_id, now)?)
}

/// An invitation whose latest message on a channel failed or was given up on, while the
/// invitation could still be used: staff should re-send or reach the patient another way.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UndeliveredRow {
    pub id: String,
    pub first_name: String,
    pub last_name: String,
    pub channel: String,
    pub last_error: Option<String>,
    pub updated_at: i64,
}

pub async fn undelivered(
    db: impl Into<Exec<'_>>,
    practice_id: &str,
    limit: i64,
) -> Result<Vec<UndeliveredRow>> {
    Ok(fetch!(db, fetch_all,
        "SELECT i.id, i.first_name, i.last_name, o.channel, o.last_error, o.updated_at
         FROM outbox o JOIN invitations i ON i.id = o.subject_id AND i.practice_id = o.practice_id
         WHERE o.practice_id = $1 AND o.subject_kind = 'invitation' AND o.state IN ('dead', 'failed')
           AND i.state NOT IN ('redeemed', 'revoked')
           AND NOT EXISTS (SELECT 1 FROM outbox n
                           WHERE n.practice_id = o.practice_id AND n.subject_kind = 'invitation'
                             AND n.subject_id = o.subject_id AND n.channel = o.channel
                             AND n.id <> o.id
                             AND (n.created_at > o.created_at
                                  OR (n.created_at = o.created_at AND n.state NOT IN ('dead', 'failed'))))
         ORDER BY o.updated_at DESC, o.id DESC LIMIT $2";
        practice_id, limit)?)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EventRow {
    pub invitation_id: String,
    pub seq: i64,
    pub practice_id: String,
    pub state: String,
    pub at: i64,
    pub actor_kind: String,
    pub actor_id: Option<String>,
}

/// Appends a state change to an invitation's history (its `seq` follows the last one).
pub async fn add_event(tx: &mut Tx, e: &EventRow) -> Result<()> {
    execute!(&mut *tx,
        "INSERT INTO invitation_events (invitation_id, seq, practice_id, state, at, actor_kind, actor_id)
         VALUES ($1, (SELECT COALESCE(MAX(seq), 0) + 1 FROM invitation_events WHERE invitation_id = $1),
                 $2, $3, $4, $5, $6)";
        &e.invitation_id, &e.practice_id, &e.state, e.at, &e.actor_kind, &e.actor_id)?;
    Ok(())
}

pub async fn events(db: impl Into<Exec<'_>>, invitation_id: &str) -> Result<Vec<EventRow>> {
    Ok(fetch!(db, fetch_all,
            "SELECT invitation_id, seq, practice_id, state, at, actor_kind, actor_id
         FROM invitation_events WHERE invitation_id = $1 ORDER BY seq";
        invitation_id)?)
}

/// Marks an open, unexpired invitation redeemed and forgets its code (short codes are reused);
/// answers whether this call did it (of two racing redemptions exactly one gets `true`). The
/// link's hash stays, so that the link can say it was used: its token is never issued again.
pub async fn redeem(tx: &mut Tx, id: &str, now: i64) -> Result<bool> {
    let done = execute!(&mut *tx, concat!(
        "UPDATE invitations SET state = 'redeemed', code_hash = NULL, updated_at = $2
         WHERE id = $1 AND expires_at > $2 AND state IN ",
        "('draft', 'sent', 'delivered')"
    );
        id, now)?;
    Ok(done == 1)
}

/// Reserves one birth-date attempt on an open, unexpired invitation whose code is still
/// `code_hash`, before the date is compared: `Some(attempts)` counting this one, `None` when the
/// invitation has used up its `limit` (or is no longer open). One statement, so a parallel burst
/// gets exactly `limit` attempts.
pub async fn reserve_attempt(
    db: impl Into<Exec<'_>>,
    id: &str,
    code_hash: &str,
    limit: i64,
    now: i64,
) -> Result<Option<i64>> {
    let row: Option<(i64,)> = fetch!(db, fetch_optional, concat!(
            "UPDATE invitations SET failed_attempts = failed_attempts + 1, updated_at = $4
             WHERE id = $1 AND code_hash = $2 AND failed_attempts < $3 AND expires_at > $4
               AND state IN ",
            "('draft', 'sent', 'delivered') RETURNING failed_attempts"
        );
        id, code_hash, limit, now)?;
    Ok(row.map(|(n,)| n))
}

/// Gives back the attempt reserved for a right birth date, re-checking inside the caller's
/// transaction that the invitation is still open with the same code: `false` when it was
/// re-sent, revoked, locked or used meanwhile.
pub async fn release_attempt(tx: &mut Tx, id: &str, code_hash: &str, now: i64) -> Result<bool> {
    let done = execute!(&mut *tx, concat!(
        "UPDATE invitations SET failed_attempts = failed_attempts - 1
         WHERE id = $1 AND code_hash = $2 AND failed_attempts > 0 AND expires_at > $3 AND state IN ",
        "('draft', 'sent', 'delivered')"
    );
        id, code_hash, now)?;
    Ok(done == 1)
}

/// Locks an open invitation (too many wrong birth dates); answers whether it was open.
pub async fn lock(tx: &mut Tx, id: &str, now: i64) -> Result<bool> {
    let done = execute!(&mut *tx, "UPDATE invitations SET state = 'locked', updated_at = $2
         WHERE id = $1 AND state IN ('draft', 'sent', 'delivered')";
        id, now)?;
    Ok(done == 1)
}

/// New code and link for a re-send: resets attempts and expiry, kills the old code and link.
/// Refused (false) for redeemed and revoked invitations.
/// What a re-send writes: the new code's and link's hashes, the state and the new expiry.
#[derive(Debug, Clone)]
pub struct Reissue {
    pub code_hash: String,
    pub link_hash: String,
    pub state: String,
    pub expires_at: i64,
    pub language: String,
}

pub async fn reissue(
    tx: &mut Tx,
    practice_id: &str,
    id: &str,
    new: &Reissue,
    now: i64,
) -> Result<bool> {
    let done = execute!(&mut *tx,
        "UPDATE invitations SET code_hash = $3, link_hash = $4, state = $5, failed_attempts = 0,
                expires_at = $6, updated_at = $7, language = $8
         WHERE practice_id = $1 AND id = $2 AND state NOT IN ('redeemed', 'revoked')";
        practice_id, id, &new.code_hash, &new.link_hash, &new.state, new.expires_at, now,
        &new.language)?;
    Ok(done == 1)
}

/// Revokes an invitation that is neither redeemed nor revoked, killing its code and link.
pub async fn revoke(tx: &mut Tx, practice_id: &str, id: &str, now: i64) -> Result<bool> {
    let done = execute!(&mut *tx,
        "UPDATE invitations SET state = 'revoked', code_hash = NULL, link_hash = NULL, updated_at = $3
         WHERE practice_id = $1 AND id = $2 AND state NOT IN ('redeemed', 'revoked')";
        practice_id, id, now)?;
    Ok(done == 1)
}

/// Moves a draft invitation to `sent` (its message was accepted for delivery); answers whether
/// it was a draft. Later states (redeemed, revoked, locked) are left alone.
pub async fn mark_sent(tx: &mut Tx, id: &str, now: i64) -> Result<bool> {
    let done = execute!(&mut *tx,
        "UPDATE invitations SET state = 'sent', updated_at = $2 WHERE id = $1 AND state = 'draft'";
        id, now)?;
    Ok(done == 1)
}

/// Moves a sent invitation to `delivered` (the provider reported its message arrived); answers
/// whether it was `sent`. Other states are left alone.
pub async fn mark_delivered(tx: &mut Tx, id: &str, now: i64) -> Result<bool> {
    let done = execute!(&mut *tx,
        "UPDATE invitations SET state = 'delivered', updated_at = $2 WHERE id = $1 AND state = 'sent'";
        id, now)?;
    Ok(done == 1)
}
