//! The audit log: append-only, each event carrying the SHA-256 of the one before it, so that an
//! edited, inserted or deleted row breaks the chain where it happened. This module owns the
//! chain's format, appending and verification; callers decide what is worth an event.

use sha2::{Digest, Sha256};

use crate::db::{execute, run};
use crate::{Exec, Result, Store, Tx};

/// The hash that stands before the first event.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What a caller records. Identifiers only: never names, birth dates, codes or message text.
#[derive(Debug, Clone, Default)]
pub struct NewEvent {
    pub at: i64,
    pub practice_id: Option<String>,
    pub actor_kind: String,
    pub actor_id: Option<String>,
    pub actor_role: Option<String>,
    pub action: String,
    pub subject_kind: Option<String>,
    pub subject_id: Option<String>,
    pub patient_id: Option<String>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub outcome: String,
    /// A JSON object of further identifiers (never personal data).
    pub details: serde_json::Value,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AuditEvent {
    pub seq: i64,
    pub at: i64,
    pub practice_id: Option<String>,
    pub actor_kind: String,
    pub actor_id: Option<String>,
    pub actor_role: Option<String>,
    pub action: String,
    pub subject_kind: Option<String>,
    pub subject_id: Option<String>,
    pub patient_id: Option<String>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub outcome: String,
    pub details: String,
    pub prev_hash: String,
    pub hash: String,
}

macro_rules! columns {
    () => {
        "seq, at, practice_id, actor_kind, actor_id, actor_role, action, subject_kind, \
                       subject_id, patient_id, ip, user_agent, outcome, details, prev_hash, hash"
    };
}

impl AuditEvent {
    /// The hash this event must carry, computed from its content and its predecessor's hash.
    /// The canonical form is a JSON array in a fixed order, so it is unambiguous and portable.
    pub fn expected_hash(&self) -> String {
        chain_hash(&self.prev_hash, self)
    }
}

fn chain_hash(prev_hash: &str, e: &AuditEvent) -> String {
    let canonical = serde_json::json!([
        "portico-audit-v1",
        prev_hash,
        e.seq,
        e.at,
        e.practice_id,
        e.actor_kind,
        e.actor_id,
        e.actor_role,
        e.action,
        e.subject_kind,
        e.subject_id,
        e.patient_id,
        e.ip,
        e.user_agent,
        e.outcome,
        e.details,
    ]);
    let digest = Sha256::digest(canonical.to_string().as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Appends one event inside the caller's transaction, so the event exists exactly when the change
/// it describes does. Claiming the head row serialises appenders on every node.
pub async fn append(tx: &mut Tx, new: NewEvent) -> Result<AuditEvent> {
    let (seq, prev_hash): (i64, String) = run!(&mut *tx, |c| {
        sqlx::query_as(
        "UPDATE audit_head SET last_seq = last_seq + 1 WHERE id = 1 RETURNING last_seq, last_hash"
    )
    .fetch_one(c)
    .await
    })?;
    let mut event = AuditEvent {
        seq,
        at: new.at,
        practice_id: new.practice_id,
        actor_kind: new.actor_kind,
        actor_id: new.actor_id,
        actor_role: new.actor_role,
        action: new.action,
        subject_kind: new.subject_kind,
        subject_id: new.subject_id,
        patient_id: new.patient_id,
        ip: new.ip,
        user_agent: new.user_agent,
        outcome: new.outcome,
        details: new.details.to_string(),
        prev_hash,
        hash: String::new(),
    };
    event.hash = event.expected_hash();
    let sql = concat!(
        "INSERT INTO audit_events (",
        columns!(),
        ")
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)"
    );
    execute!(
        &mut *tx,
        sqlx::query(sql)
            .bind(event.seq)
            .bind(event.at)
            .bind(&event.practice_id)
            .bind(&event.actor_kind)
            .bind(&event.actor_id)
            .bind(&event.actor_role)
            .bind(&event.action)
            .bind(&event.subject_kind)
            .bind(&event.subject_id)
            .bind(&event.patient_id)
            .bind(&event.ip)
            .bind(&event.user_agent)
            .bind(&event.outcome)
            .bind(&event.details)
            .bind(&event.prev_hash)
            .bind(&event.hash)
    )?;
    execute!(
        &mut *tx,
        sqlx::query("UPDATE audit_head SET last_hash = $1 WHERE id = 1").bind(&event.hash)
    )?;
    Ok(event)
}

/// The newest events of one practice, newest first (what its staff may see).
pub async fn list_for_practice(
    db: impl Into<Exec<'_>>,
    practice_id: &str,
    limit: i64,
) -> Result<Vec<AuditEvent>> {
    let sql = concat!(
        "SELECT ",
        columns!(),
        " FROM audit_events WHERE practice_id = $1 ORDER BY seq DESC LIMIT $2"
    );
    Ok(run!(db, |c| sqlx::query_as(sql)
        .bind(practice_id)
        .bind(limit)
        .fetch_all(c)
        .await)?)
}

/// Where and why the chain first fails to hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrokenLink {
    pub seq: i64,
    pub reason: String,
}

/// The outcome of walking the whole chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    pub events_checked: u64,
    pub broken: Option<BrokenLink>,
}

/// Walks the chain from the first event, in pages, and reports the first broken link: a changed
/// event (its hash no longer matches), a removed or inserted one (sequence or predecessor hash
/// does not follow), or a cut-off tail (the head names a later event than the last one found).
pub async fn verify(store: &Store) -> Result<Verification> {
    const PAGE: i64 = 1000;
    let sql = concat!(
        "SELECT ",
        columns!(),
        " FROM audit_events WHERE seq > $1 ORDER BY seq LIMIT $2"
    );
    let mut expected_seq = 1_i64;
    let mut prev_hash = GENESIS_HASH.to_owned();
    let mut checked = 0_u64;
    let broken = |seq, reason: &str| Verification {
        events_checked: 0,
        broken: Some(BrokenLink {
            seq,
            reason: reason.to_owned(),
        }),
    };
    loop {
        let page: Vec<AuditEvent> = run!(store, |c| sqlx::query_as(sql)
            .bind(expected_seq - 1)
            .bind(PAGE)
            .fetch_all(c)
            .await)?;
        if page.is_empty() {
            break;
        }
        for event in &page {
            let found = |mut v: Verification| {
                v.events_checked = checked;
                v
            };
            if event.seq != expected_seq {
                return Ok(found(broken(
                    expected_seq,
                    "event is missing: the sequence jumps here",
                )));
            }
            if event.prev_hash != prev_hash {
                return Ok(found(broken(
                    event.seq,
                    "does not follow the previous event's hash",
                )));
            }
            if event.hash != event.expected_hash() {
                return Ok(found(broken(
                    event.seq,
                    "content does not match its hash: the event was changed",
                )));
            }
            checked += 1;
            expected_seq += 1;
            prev_hash = event.hash.clone();
        }
    }
    let (last_seq, last_hash): (i64, String) = run!(store, |c| sqlx::query_as(
        "SELECT last_seq, last_hash FROM audit_head WHERE id = 1"
    )
    .fetch_one(c)
    .await)?;
    if last_seq != expected_seq - 1 || last_hash != prev_hash {
        return Ok(Verification {
            events_checked: checked,
            broken: Some(BrokenLink {
                seq: expected_seq,
                reason: format!("the chain ends early: its head names event {last_seq}"),
            }),
        });
    }
    Ok(Verification {
        events_checked: checked,
        broken: None,
    })
}
