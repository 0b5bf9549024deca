//! Who reads a thread: its staff member (any time, read-only once the patient's access ended),
//! its patient and the patient's caregivers at that practice (while the access is in force).
//! Everyone else gets "not found", the answer for an id that does not exist.

use portico_store::threads::{self as store, ThreadRow};

use crate::PatientActor;
use crate::links;
use crate::platform::actor::{ActorKind, StaffActor};
use crate::{Core, CoreError};

/// Which side reads: the unread count shown is that side's.
#[derive(Debug, Clone, Copy)]
pub(super) enum Reader {
    Staff,
    PatientSide,
}

/// A thread its reader may see.
pub(super) struct Seen {
    pub thread: ThreadRow,
    /// The patient's access to the practice ended: history only.
    pub read_only: bool,
}

/// Conversations are between people: an API token has none.
pub(super) fn require_person(actor: &StaffActor) -> Result<(), CoreError> {
    match actor.kind {
        ActorKind::Staff => Ok(()),
        ActorKind::ApiToken | ActorKind::Operator => Err(CoreError::Forbidden),
    }
}

/// Whether the patient has access to the practice now (a card in force there, not waiting for
/// a consent form): a conversation starts only then.
pub(super) async fn patient_in_force(
    core: &Core,
    patient_id: &str,
    practice_id: &str,
) -> Result<bool, CoreError> {
    Ok(!links::cards_of(core, patient_id, Some(practice_id))
        .await?
        .is_empty())
}

pub(super) async fn as_staff(core: &Core, actor: &StaffActor, id: &str) -> Result<Seen, CoreError> {
    require_person(actor)?;
    let thread = store::find(core.store(), id, core.now().as_millis())
        .await?
        .filter(|t| t.practice_id == actor.practice_id && t.staff_id == actor.staff_id)
        .ok_or(CoreError::NotFound)?;
    let read_only = !thread.in_force;
    Ok(Seen { thread, read_only })
}

pub(super) async fn as_patient(
    core: &Core,
    patient: &PatientActor,
    id: &str,
) -> Result<Seen, CoreError> {
    let thread = store::find(core.store(), id, core.now().as_millis())
        .await?
        .filter(|t| t.patient_id == patient.patient_id && t.in_force)
        .ok_or(CoreError::NotFound)?;
    Ok(Seen {
        thread,
        read_only: false,
    })
}

/// The thread, and whether the caregiver's access is read-only. Withdrawn access, another
/// patient's thread or another practice's: not found (checked on every request).
pub(super) async fn as_caregiver(
    core: &Core,
    caregiver: &PatientActor,
    access_id: &str,
    id: &str,
) -> Result<(Seen, bool), CoreError> {
    let acting = crate::caregivers::acting_for(core, caregiver, access_id).await?;
    let thread = store::find(core.store(), id, core.now().as_millis())
        .await?
        .filter(|t| t.patient_id == acting.patient_id && t.practice_id == acting.access.practice_id)
        .ok_or(CoreError::NotFound)?;
    Ok((
        Seen {
            thread,
            read_only: false,
        },
        acting.access.is_read_only(),
    ))
}
