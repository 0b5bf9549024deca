//! Building audit events from actors, and reading the trail back. Events are appended in the same
//! transaction as the change they describe (see `portico_store::audit::append`).

use portico_store::audit::{self, NewEvent};
use portico_store::{Store, Tx};
use serde_json::Value;

use crate::actor::{ClientInfo, StaffActor};
use crate::clock::Timestamp;
use crate::{Core, CoreError};

/// Outcome words used in the log.
pub const SUCCESS: &str = "success";
pub const FAILURE: &str = "failure";
pub const DENIED: &str = "denied";

/// An event about to be written; start from [`by_staff`], [`by_system`] or [`by_anonymous`].
pub struct Entry(NewEvent);

pub fn by_staff(actor: &StaffActor, action: &str, at: Timestamp) -> Entry {
    let mut e = base(action, at, &actor.client);
    e.practice_id = Some(actor.practice_id.clone());
    e.actor_kind = actor.kind.as_str().into();
    e.actor_id = Some(actor.staff_id.clone());
    e.actor_role = Some(actor.role.as_str().into());
    Entry(e)
}

/// Done from the command line or by the service itself.
pub fn by_system(kind: &str, action: &str, at: Timestamp) -> Entry {
    let mut e = base(action, at, &ClientInfo::default());
    e.actor_kind = kind.into();
    Entry(e)
}

/// Done by a signed-in patient; the event names them as its patient too.
pub fn by_patient(patient: &crate::patients::PatientActor, action: &str, at: Timestamp) -> Entry {
    let mut e = base(action, at, &patient.client);
    e.actor_kind = "patient".into();
    e.actor_id = Some(patient.patient_id.clone());
    e.patient_id = Some(patient.patient_id.clone());
    Entry(e)
}

pub fn by_anonymous(action: &str, at: Timestamp, client: &ClientInfo) -> Entry {
    let mut e = base(action, at, client);
    e.actor_kind = "anonymous".into();
    Entry(e)
}

fn base(action: &str, at: Timestamp, client: &ClientInfo) -> NewEvent {
    NewEvent {
        at: at.as_millis(),
        action: action.into(),
        outcome: SUCCESS.into(),
        ip: client.ip.clone(),
        user_agent: client.user_agent.clone(),
        details: Value::Object(Default::default()),
        ..NewEvent::default()
    }
}

impl Entry {
    pub fn practice(mut self, practice_id: &str) -> Entry {
        self.0.practice_id = Some(practice_id.into());
        self
    }

    pub fn actor(mut self, kind: &str, id: &str, role: Option<&str>) -> Entry {
        self.0.actor_kind = kind.into();
        self.0.actor_id = Some(id.into());
        self.0.actor_role = role.map(Into::into);
        self
    }

    /// The patient whose data or account the event is about.
    pub fn patient(mut self, patient_id: &str) -> Entry {
        self.0.patient_id = Some(patient_id.into());
        self
    }

    pub fn subject(mut self, kind: &str, id: &str) -> Entry {
        self.0.subject_kind = Some(kind.into());
        self.0.subject_id = Some(id.into());
        self
    }

    pub fn outcome(mut self, outcome: &str) -> Entry {
        self.0.outcome = outcome.into();
        self
    }

    /// Adds an identifier or flag to the details; never personal data.
    pub fn detail(mut self, key: &str, value: impl Into<Value>) -> Entry {
        if let Value::Object(map) = &mut self.0.details {
            map.insert(key.into(), value.into());
        }
        self
    }

    pub async fn append(self, tx: &mut Tx) -> Result<(), CoreError> {
        audit::append(tx, self.0).await?;
        Ok(())
    }

    /// Appends in a transaction of its own, for events with no other change (a failed sign-in).
    pub async fn append_alone(self, store: &Store) -> Result<(), CoreError> {
        let mut tx = store.begin().await?;
        audit::append(&mut tx, self.0).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// One line of a practice's trail, as staff see it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct TrailItem {
    pub seq: i64,
    pub at: String,
    pub actor_kind: String,
    pub actor_id: Option<String>,
    pub action: String,
    pub subject_kind: Option<String>,
    pub subject_id: Option<String>,
    pub outcome: String,
}

pub async fn trail(
    core: &Core,
    actor: &StaffActor,
    limit: i64,
) -> Result<Vec<TrailItem>, CoreError> {
    actor.require_admin()?;
    let events = audit::list_for_practice(core.store(), &actor.practice_id, limit).await?;
    Ok(events
        .into_iter()
        .map(|e| TrailItem {
            seq: e.seq,
            at: Timestamp::from_millis(e.at).to_rfc3339(),
            actor_kind: e.actor_kind,
            actor_id: e.actor_id,
            action: e.action,
            subject_kind: e.subject_kind,
            subject_id: e.subject_id,
            outcome: e.outcome,
        })
        .collect())
}
