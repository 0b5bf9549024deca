//! An invitation's history: one event for each state it entered, with who moved it there. Staff
//! read it on the invitation; every change of state writes exactly one event through
//! [`record_event`], in the transaction of the change.

use portico_domain::InvitationState;
use portico_store::Tx;
use portico_store::invitations::{self as store, EventRow};

use crate::platform::actor::StaffActor;
use crate::{CoreError, Timestamp};

/// Who moved an invitation along.
#[derive(Debug, Clone, Copy)]
pub(crate) enum MovedBy<'a> {
    /// A staff member or an API token of the practice.
    Staff(&'a StaffActor),
    /// The patient whose account the invitation became (by the new patient's id).
    Patient(&'a str),
    /// Someone not signed in (a redemption attempt).
    Anonymous,
    /// The service itself (a delivery report).
    System,
}

impl MovedBy<'_> {
    fn kind(&self) -> &'static str {
        match self {
            MovedBy::Staff(actor) => actor.kind.as_str(),
            MovedBy::Patient(_) => "patient",
            MovedBy::Anonymous => "anonymous",
            MovedBy::System => "system",
        }
    }

    fn id(&self) -> Option<String> {
        match self {
            MovedBy::Staff(actor) => Some(actor.staff_id.clone()),
            MovedBy::Patient(id) => Some((*id).to_owned()),
            MovedBy::Anonymous | MovedBy::System => None,
        }
    }
}

/// Appends the event "invitation `invitation_id` of `practice_id` entered `state` at `at`".
pub(crate) async fn record_event(
    tx: &mut Tx,
    practice_id: &str,
    invitation_id: &str,
    state: InvitationState,
    by: MovedBy<'_>,
    at: Timestamp,
) -> Result<(), CoreError> {
    store::add_event(
        tx,
        &EventRow {
            invitation_id: invitation_id.to_owned(),
            seq: 0,
            practice_id: practice_id.to_owned(),
            state: state.as_str().to_owned(),
            at: at.as_millis(),
            actor_kind: by.kind().to_owned(),
            actor_id: by.id(),
        },
    )
    .await?;
    Ok(())
}
