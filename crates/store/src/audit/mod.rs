//! The audit log: append-only, each event carrying a keyed hash (HMAC-SHA-256) of its content
//! and of the hash before it, so that an edited, inserted or deleted row breaks the chain where it
//! happened, and whoever can edit the database but does not hold the key cannot recompute it.
//! Events written before keying carry a plain SHA-256 (`audit_head.keyed_from_seq` says where
//! keying starts); the first keyed event covers them. This module owns the chain's format,
//! appending and verification; callers decide what is worth an event. Reading a practice's
//! trail back, with the names its events are about, is `trail`.

pub mod trail;

use sha2::{Digest, Sha256};

use crate::platform::chain_key::hex;
use crate::platform::db::{execute, fetch};
use crate::{Backend, ChainKey, Result, Store, StoreError, Tx};

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
    /// The keyed hash this event must carry, from its content and its predecessor's hash.
    pub fn keyed_hash(&self, key: &ChainKey) -> String {
        key.mac(self.canonical("portico-audit-v2").as_bytes())
    }

    /// The plain SHA-256 of events written before the chain was keyed. Anyone can compute it,
    /// which is why new events are keyed.
    pub fn unkeyed_hash(&self) -> String {
        hex(&Sha256::digest(
            self.canonical("portico-audit-v1").as_bytes(),
        ))
    }

    /// The content and the predecessor's hash as a JSON array in a fixed order, so it is
    /// unambiguous and portable; `version` names the hash that covers it.
    fn canonical(&self, version: &str) -> String {
        let e = self;
        serde_json::json!([
            version,
            e.prev_hash,
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
        ])
        .to_string()
    }
}

/// Appends one event inside the caller's transaction, so the event exists exactly when the change
/// it describes does. Claiming the head row serialises appenders on every node.
pub async fn append(tx: &mut Tx, new: NewEvent) -> Result<AuditEvent> {
    let (key, seq, prev_hash) = claim_head(tx, 1).await?;
    let event = write(tx, &key, seq, prev_hash, new).await?;
    release_head(tx, &key, &event.hash).await?;
    Ok(event)
}

/// Appends several events in order, claiming the head once for all of them and writing them in
/// one statement: a staff list audits every record it shows, and two updates of the one head row
/// and a round trip per record (fifty a page) made the list's page cost more than its query.
pub async fn append_all(tx: &mut Tx, news: Vec<NewEvent>) -> Result<()> {
    let count = i64::try_from(news.len()).unwrap_or(i64::MAX);
    if count == 0 {
        return Ok(());
    }
    let (key, last_seq, mut prev_hash) = claim_head(tx, count).await?;
    let mut rows = Vec::with_capacity(news.len());
    for (seq, new) in (last_seq - count + 1..).zip(news) {
        let event = chained(&key, seq, prev_hash, new);
        prev_hash = event.hash.clone();
        rows.push(serde_json::json!([
            event.seq,
            event.at,
            event.practice_id,
            event.actor_kind,
            event.actor_id,
            event.actor_role,
            event.action,
            event.subject_kind,
            event.subject_id,
            event.patient_id,
            event.ip,
            event.user_agent,
            event.outcome,
            event.details,
            event.prev_hash,
            event.hash,
        ]));
    }
    // The events travel as one JSON array (of arrays, in `columns!` order), which each database
    // unpacks its own way: one statement for the page, not one round trip per event.
    let rows = serde_json::Value::Array(rows).to_string();
    let sql = match tx.backend() {
        Backend::Sqlite => concat!(
            "INSERT INTO audit_events (",
            columns!(),
            ") SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'),
                 json_extract(value, '$[2]'), json_extract(value, '$[3]'),
                 json_extract(value, '$[4]'), json_extract(value, '$[5]'),
                 json_extract(value, '$[6]'), json_extract(value, '$[7]'),
                 json_extract(value, '$[8]'), json_extract(value, '$[9]'),
                 json_extract(value, '$[10]'), json_extract(value, '$[11]'),
                 json_extract(value, '$[12]'), json_extract(value, '$[13]'),
                 json_extract(value, '$[14]'), json_extract(value, '$[15]')
               FROM json_each($1) ORDER BY key"
        ),
        Backend::Postgres => concat!(
            "INSERT INTO audit_events (",
            columns!(),
            ") SELECT (e->>0)::bigint, (e->>1)::bigint, e->>2, e->>3, e->>4, e->>5, e->>6,
                 e->>7, e->>8, e->>9, e->>10, e->>11, e->>12, e->>13, e->>14, e->>15
               FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS t(e, n) ORDER BY n"
        ),
    };
    execute!(&mut *tx, sql; &rows)?;
    release_head(tx, &key, &prev_hash).await
}

/// Takes `count` sequence numbers from the head (locking it until the transaction ends):
/// the key, the last number taken and the hash the first new event follows.
async fn claim_head(tx: &mut Tx, count: i64) -> Result<(ChainKey, i64, String)> {
    let key = tx.audit_key.clone().ok_or(StoreError::AuditKeyMissing)?;
    let (last_seq, prev_hash): (i64, String) = fetch!(
        &mut *tx,
        fetch_one,
        "UPDATE audit_head SET last_seq = last_seq + $1 WHERE id = 1 RETURNING last_seq, last_hash";
        count
    )?;
    Ok((key, last_seq, prev_hash))
}

/// `new` as the event numbered `seq` after the one hashed `prev_hash`, with its keyed hash.
fn chained(key: &ChainKey, seq: i64, prev_hash: String, new: NewEvent) -> AuditEvent {
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
    // Always keyed: `keyed_from_seq` is never beyond the next event (see migration 0009).
    event.hash = event.keyed_hash(key);
    event
}

async fn write(
    tx: &mut Tx,
    key: &ChainKey,
    seq: i64,
    prev_hash: String,
    new: NewEvent,
) -> Result<AuditEvent> {
    let event = chained(key, seq, prev_hash, new);
    let sql = concat!(
        "INSERT INTO audit_events (",
        columns!(),
        ")
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)"
    );
    execute!(&mut *tx, sql;
        event.seq, event.at, &event.practice_id, &event.actor_kind, &event.actor_id,
        &event.actor_role, &event.action, &event.subject_kind, &event.subject_id,
        &event.patient_id, &event.ip, &event.user_agent, &event.outcome, &event.details,
        &event.prev_hash, &event.hash)?;
    Ok(event)
}

/// Records the hash the next event will follow.
async fn release_head(tx: &mut Tx, key: &ChainKey, last_hash: &str) -> Result<()> {
    execute!(&mut *tx,
        "UPDATE audit_head SET last_hash = $1, key_check = COALESCE(key_check, $2) WHERE id = 1";
        last_hash, key.check_value())?;
    Ok(())
}

/// Where and why the chain first fails to hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrokenLink {
    pub seq: i64,
    pub reason: String,
}

/// What walking the chain found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Intact,
    /// The first event that does not hold; the ones before it verified.
    Broken(BrokenLink),
    /// The chain was written under another key than the one given: nothing can be checked.
    WrongKey,
}

/// The outcome of walking the whole chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    pub events_checked: u64,
    /// The first event with a keyed hash: 1 unless the database was written before keying.
    pub keyed_from_seq: i64,
    pub verdict: Verdict,
}

/// Walks the chain from the first event, in pages, under `key`, and reports the first broken
/// link: a changed event (its hash no longer matches), a removed or inserted one (sequence or
/// predecessor hash does not follow), or a cut-off tail (the head names a later event than the
/// last one found). Events from `keyed_from_seq` on must carry their keyed hash, so an edit
/// followed by recomputing plain hashes is caught.
pub async fn verify(store: &Store, key: &ChainKey) -> Result<Verification> {
    const PAGE: i64 = 1000;
    let sql = concat!(
        "SELECT ",
        columns!(),
        " FROM audit_events WHERE seq > $1 ORDER BY seq LIMIT $2"
    );
    let (last_seq, last_hash, keyed_from_seq, key_check): (i64, String, i64, Option<String>) = fetch!(
        store,
        fetch_one,
        "SELECT last_seq, last_hash, keyed_from_seq, key_check FROM audit_head WHERE id = 1"
    )?;
    let mut outcome = Verification {
        events_checked: 0,
        keyed_from_seq,
        verdict: Verdict::Intact,
    };
    if key_check.is_some_and(|check| check != key.check_value()) {
        outcome.verdict = Verdict::WrongKey;
        return Ok(outcome);
    }
    let mut expected_seq = 1_i64;
    let mut prev_hash = GENESIS_HASH.to_owned();
    let broken = |mut outcome: Verification, seq, reason: &str| {
        outcome.verdict = Verdict::Broken(BrokenLink {
            seq,
            reason: reason.to_owned(),
        });
        Ok(outcome)
    };
    loop {
        let page: Vec<AuditEvent> = fetch!(store, fetch_all, sql; expected_seq - 1, PAGE)?;
        if page.is_empty() {
            break;
        }
        for event in &page {
            if event.seq != expected_seq {
                return broken(
                    outcome,
                    expected_seq,
                    "event is missing: the sequence jumps here",
                );
            }
            if event.prev_hash != prev_hash {
                return broken(
                    outcome,
                    event.seq,
                    "does not follow the previous event's hash",
                );
            }
            let expected = if event.seq >= keyed_from_seq {
                event.keyed_hash(key)
            } else {
                event.unkeyed_hash()
            };
            if event.hash != expected {
                return broken(
                    outcome,
                    event.seq,
                    "content does not match its hash: the event was changed",
                );
            }
            outcome.events_checked += 1;
            expected_seq += 1;
            prev_hash = event.hash.clone();
        }
    }
    if last_seq != expected_seq - 1 || last_hash != prev_hash {
        let reason = format!("the chain ends early: its head names event {last_seq}");
        return broken(outcome, expected_seq, &reason);
    }
    Ok(outcome)
}
