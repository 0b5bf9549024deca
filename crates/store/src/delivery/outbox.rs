//! The outbox: messages waiting to be delivered, claimed by workers with a lease. A worker that
//! dies leaves its claim to run out; the message is then claimed again. On PostgreSQL several
//! workers claim side by side (`FOR UPDATE SKIP LOCKED`); SQLite has a single writer, so its
//! claim is one atomic statement inside an immediate transaction.

use portico_domain::OutboxState;

use crate::platform::db::{execute, fetch};
use crate::{Backend, Exec, Result, Store, Tx};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OutboxRow {
    pub id: String,
    pub practice_id: Option<String>,
    pub kind: String,
    pub channel: String,
    pub subject_kind: Option<String>,
    pub subject_id: Option<String>,
    pub payload_sealed: Option<String>,
    #[sqlx(try_from = "String")]
    pub state: OutboxState,
    pub attempts: i64,
    pub next_attempt_at: i64,
    pub lease_until: Option<i64>,
    pub claimed_by: Option<String>,
    pub last_error: Option<String>,
    pub provider_ref: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

macro_rules! columns {
    () => {
        "id, practice_id, kind, channel, subject_kind, subject_id, payload_sealed, state, attempts, \
         next_attempt_at, lease_until, claimed_by, last_error, provider_ref, created_at, updated_at"
    };
}

pub async fn insert(tx: &mut Tx, row: &OutboxRow) -> Result<()> {
    execute!(&mut *tx, concat!(
            "INSERT INTO outbox (",
            columns!(),
            ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)"
        );
        &row.id, &row.practice_id, &row.kind, &row.channel, &row.subject_kind, &row.subject_id,
        &row.payload_sealed, row.state.as_str(), row.attempts, row.next_attempt_at,
        row.lease_until, &row.claimed_by, &row.last_error, &row.provider_ref, row.created_at,
        row.updated_at)?;
    Ok(())
}

const CLAIM_POSTGRES: &str = concat!(
    "UPDATE outbox SET state = 'sending', claimed_by = $1, lease_until = $2, attempts = attempts + 1, updated_at = $3
     WHERE id IN (SELECT id FROM outbox
                  WHERE (state = 'pending' AND next_attempt_at <= $3) OR (state = 'sending' AND lease_until <= $3)
                  ORDER BY next_attempt_at LIMIT $4
                  FOR UPDATE SKIP LOCKED)
     RETURNING ",
    columns!()
);

const CLAIM_SQLITE: &str = concat!(
    "UPDATE outbox SET state = 'sending', claimed_by = $1, lease_until = $2, attempts = attempts + 1, updated_at = $3
     WHERE id IN (SELECT id FROM outbox
                  WHERE (state = 'pending' AND next_attempt_at <= $3) OR (state = 'sending' AND lease_until <= $3)
                  ORDER BY next_attempt_at LIMIT $4)
     RETURNING ",
    columns!()
);

/// Claims up to `limit` due messages (or ones whose lease ran out) for `worker` until `lease_until`.
pub async fn claim(
    store: &Store,
    worker: &str,
    now: i64,
    lease_until: i64,
    limit: i64,
) -> Result<Vec<OutboxRow>> {
    let sql = match store.backend() {
        Backend::Postgres => CLAIM_POSTGRES,
        Backend::Sqlite => CLAIM_SQLITE,
    };
    let mut tx = store.begin().await?;
    let rows = fetch!(&mut tx, fetch_all, sql; worker, lease_until, now, limit)?;
    tx.commit().await?;
    Ok(rows)
}

/// Records that the provider accepted the message. `keep_payload` keeps the sealed message (the
/// development `log` transport shows it); otherwise it is dropped, leaving only metadata.
pub async fn mark_sent(
    db: impl Into<Exec<'_>>,
    id: &str,
    worker: &str,
    provider_ref: &str,
    keep_payload: bool,
    now: i64,
) -> Result<bool> {
    let done = execute!(db,
        "UPDATE outbox SET state = 'sent', provider_ref = $3, lease_until = NULL, last_error = NULL, updated_at = $4,
                payload_sealed = CASE WHEN $5 THEN payload_sealed ELSE NULL END
         WHERE id = $1 AND state = 'sending' AND claimed_by = $2";
        id, worker, provider_ref, now, keep_payload)?;
    Ok(done == 1)
}

/// Puts a message back in the queue for another attempt at `next_attempt_at`.
pub async fn schedule_retry(
    db: impl Into<Exec<'_>>,
    id: &str,
    worker: &str,
    error: &str,
    next_attempt_at: i64,
    now: i64,
) -> Result<bool> {
    let done = execute!(db,
        "UPDATE outbox SET state = 'pending', next_attempt_at = $4, lease_until = NULL, last_error = $3, updated_at = $5
         WHERE id = $1 AND state = 'sending' AND claimed_by = $2";
        id, worker, error, next_attempt_at, now)?;
    Ok(done == 1)
}

/// Gives up on a message (dead letter): the reason stays for staff, the sealed payload goes.
pub async fn mark_dead(
    db: impl Into<Exec<'_>>,
    id: &str,
    worker: &str,
    error: &str,
    now: i64,
) -> Result<bool> {
    let done = execute!(db,
        "UPDATE outbox SET state = 'dead', lease_until = NULL, last_error = $3, payload_sealed = NULL, updated_at = $4
         WHERE id = $1 AND state = 'sending' AND claimed_by = $2";
        id, worker, error, now)?;
    Ok(done == 1)
}

/// The messages sent about one record (e.g. an invitation), oldest first.
pub async fn list_for_subject(
    db: impl Into<Exec<'_>>,
    practice_id: &str,
    subject_kind: &str,
    subject_id: &str,
) -> Result<Vec<OutboxRow>> {
    Ok(fetch!(db, fetch_all, concat!(
            "SELECT ",
            columns!(),
            " FROM outbox WHERE practice_id = $1 AND subject_kind = $2 AND subject_id = $3
         ORDER BY created_at, CASE channel WHEN 'email' THEN 1 WHEN 'sms' THEN 2 ELSE 3 END, id"
        );
        practice_id, subject_kind, subject_id)?)
}

/// The newest messages of a practice (the development outbox page).
pub async fn list_recent(
    db: impl Into<Exec<'_>>,
    practice_id: &str,
    limit: i64,
) -> Result<Vec<OutboxRow>> {
    Ok(fetch!(db, fetch_all,
        concat!("SELECT ", columns!(), " FROM outbox WHERE practice_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2");
        practice_id, limit)?)
}

/// The message a provider knows by `provider_ref` (its message or call id), for its status reports.
pub async fn find_by_provider_ref(
    db: impl Into<Exec<'_>>,
    provider_ref: &str,
) -> Result<Option<OutboxRow>> {
    Ok(fetch!(db, fetch_optional,
        concat!("SELECT ", columns!(), " FROM outbox WHERE provider_ref = $1");
        provider_ref)?)
}

/// Records the provider's report that a sent message arrived; answers whether it was `sent`.
pub async fn mark_delivered(db: impl Into<Exec<'_>>, id: &str, now: i64) -> Result<bool> {
    let done = execute!(db,
        "UPDATE outbox SET state = 'delivered', updated_at = $2 WHERE id = $1 AND state = 'sent'";
        id, now)?;
    Ok(done == 1)
}

/// Records the provider's report that a sent message did not arrive, with its status as the
/// reason; answers whether it was `sent`.
pub async fn mark_failed(db: impl Into<Exec<'_>>, id: &str, error: &str, now: i64) -> Result<bool> {
    let done = execute!(db,
        "UPDATE outbox SET state = 'failed', last_error = $2, updated_at = $3 WHERE id = $1 AND state = 'sent'";
        id, error, now)?;
    Ok(done == 1)
}
