//! The patient's and staff's decisions on a caregiver's access: approving with a level (the
//! patient in their portal, or staff recording the caregiver's authority), changing the level,
//! and ending it — which the caregiver may do too. Each is one guarded update with its audit
//! event, in one transaction.

use portico_domain::{AccessLevel, CaregiverAuthority, SubjectKind};
use portico_store::caregivers as store;

use super::{AccessState, CaregiverAccess, load};
use crate::PatientActor;
use crate::audit::{self, Action};
use crate::platform::actor::StaffActor;
use crate::{Core, CoreError, FieldErrors};

const ANSWERED: &str = "This request was already answered: the page shows where it stands now.";
const ENDED: &str = "This access has ended. To give access again, the practice invites the \
                     caregiver again.";

fn level(typed: &str) -> Result<AccessLevel, CoreError> {
    AccessLevel::parse(typed.trim())
        .map_err(|_| FieldErrors::single("level", "Choose full access or read only.").into())
}

/// The access, if the signed-in patient is the one cared for; otherwise not found.
async fn as_patient(
    core: &Core,
    patient: &PatientActor,
    id: &str,
) -> Result<CaregiverAccess, CoreError> {
    let access = load(core, id).await?;
    match access.patient_id.as_deref() == Some(patient.patient_id.as_str()) {
        true => Ok(access),
        false => Err(CoreError::NotFound),
    }
}

/// The access, if it belongs to the staff member's practice and names `person_id` (the patient
/// or the caregiver whose record the staff member is on); otherwise not found.
async fn as_staff(
    core: &Core,
    actor: &StaffActor,
    person_id: &str,
    id: &str,
) -> Result<CaregiverAccess, CoreError> {
    let access = load(core, id).await?;
    let names_person =
        access.patient_id.as_deref() == Some(person_id) || access.caregiver_id == person_id;
    match access.practice_id == actor.practice_id && names_person {
        true => Ok(access),
        false => Err(CoreError::NotFound),
    }
}

/// The patient approves a caregiver's request with the level they choose.
pub async fn approve(
    core: &Core,
    patient: &PatientActor,
    id: &str,
    typed_level: &str,
) -> Result<CaregiverAccess, CoreError> {
    let access = as_patient(core, patient, id).await?;
    let level = level(typed_level)?;
    match access.state {
        AccessState::AwaitingApproval => {}
        AccessState::Ended => return Err(CoreError::Conflict(ENDED)),
        _ => return Err(CoreError::Conflict(ANSWERED)),
    }
    let now = core.now();
    let mut tx = core.store().begin().await?;
    if !store::approve(
        &mut tx,
        id,
        "patient",
        &patient.patient_id,
        level,
        None,
        now.as_millis(),
    )
    .await?
    {
        return Err(CoreError::Conflict(ANSWERED));
    }
    audit::by_patient(patient, Action::CaregiverAccessApproved, now)
        .practice(&access.practice_id)
        .subject(SubjectKind::CaregiverAccess, id)
        .detail("level", level.as_str())
        .append(&mut tx)
        .await?;
    tx.commit().await?;
    load(core, id).await
}

/// Staff record that the caregiver has the authority to see the patient's portal (a parent of a
/// minor, a legal guardian), which approves the access without the patient, at the level staff
/// choose.
pub async fn record_authority(
    core: &Core,
    actor: &StaffActor,
    person_id: &str,
    id: &str,
    typed_authority: &str,
    typed_level: &str,
) -> Result<CaregiverAccess, CoreError> {
    let access = as_staff(core, actor, person_id, id).await?;
    let mut errors = FieldErrors::new();
    let authority = errors.take(
        "authority",
        CaregiverAuthority::parse(typed_authority.trim())
            .map_err(|_| "Choose the caregiver's authority."),
    );
    let level = errors.take(
        "level",
        AccessLevel::parse(typed_level.trim()).map_err(|_| "Choose full access or read only."),
    );
    errors.into_result()?;
    let (Some(authority), Some(level)) = (authority, level) else {
        return Err(CoreError::Internal("field errors were not recorded".into()));
    };
    match access.state {
        AccessState::AwaitingApproval => {}
        AccessState::AwaitingPatient => {
            return Err(CoreError::Conflict(
                "The patient has not registered yet: authority can be recorded once they have.",
            ));
        }
        AccessState::Ended => return Err(CoreError::Conflict(ENDED)),
        AccessState::AwaitingBirthDate | AccessState::Active => {
            return Err(CoreError::Conflict(ANSWERED));
        }
    }
    let now = core.now();
    let mut tx = core.store().begin().await?;
    if !store::approve(
        &mut tx,
        id,
        "staff",
        &actor.staff_id,
        level,
        Some(authority.as_str()),
        now.as_millis(),
    )
    .await?
    {
        return Err(CoreError::Conflict(ANSWERED));
    }
    let patient_id = access.patient_id.as_deref().unwrap_or_default();
    audit::by_staff(actor, Action::CaregiverAuthorityRecorded, now)
        .subject(SubjectKind::CaregiverAccess, id)
        .patient(patient_id)
        .detail("authority", authority.as_str())
        .detail("level", level.as_str())
        .append(&mut tx)
        .await?;
    tx.commit().await?;
    load(core, id).await
}

async fn change_level(
    core: &Core,
    access: &CaregiverAccess,
    level: AccessLevel,
    event: audit::Entry,
) -> Result<(), CoreError> {
    if access.is_ended() {
        return Err(CoreError::Conflict(ENDED));
    }
    if access.approved_by.is_none() {
        return Err(CoreError::Conflict(
            "The level is chosen when the access is approved.",
        ));
    }
    let mut tx = core.store().begin().await?;
    if !store::set_level(&mut tx, &access.id, level, core.now().as_millis()).await? {
        return Err(CoreError::Conflict(ENDED));
    }
    event
        .practice(&access.practice_id)
        .subject(SubjectKind::CaregiverAccess, &access.id)
        .detail("level", level.as_str())
        .append(&mut tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// The patient changes what their caregiver may do.
pub async fn set_level_by_patient(
    core: &Core,
    patient: &PatientActor,
    id: &str,
    typed_level: &str,
) -> Result<CaregiverAccess, CoreError> {
    let access = as_patient(core, patient, id).await?;
    let level = level(typed_level)?;
    let event = audit::by_patient(patient, Action::CaregiverAccessLevelChanged, core.now());
    change_level(core, &access, level, event).await?;
    load(core, id).await
}

/// Staff change what a caregiver may do.
pub async fn set_level_by_staff(
    core: &Core,
    actor: &StaffActor,
    person_id: &str,
    id: &str,
    typed_level: &str,
) -> Result<CaregiverAccess, CoreError> {
    let access = as_staff(core, actor, person_id, id).await?;
    let level = level(typed_level)?;
    let mut event = audit::by_staff(actor, Action::CaregiverAccessLevelChanged, core.now());
    if let Some(patient_id) = &access.patient_id {
        event = event.patient(patient_id);
    }
    change_level(core, &access, level, event).await?;
    load(core, id).await
}

async fn end(
    core: &Core,
    access: &CaregiverAccess,
    by_kind: &str,
    by: &str,
    event: audit::Entry,
) -> Result<(), CoreError> {
    if access.is_ended() {
        return Err(CoreError::Conflict(ENDED));
    }
    let now = core.now();
    let mut tx = core.store().begin().await?;
    if !store::end(&mut tx, &access.id, by_kind, Some(by), now.as_millis()).await? {
        return Err(CoreError::Conflict(ENDED));
    }
    event
        .practice(&access.practice_id)
        .subject(SubjectKind::CaregiverAccess, &access.id)
        .detail("ended_by", by_kind)
        .append(&mut tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// The patient withdraws a caregiver's access (or declines their request), at once.
pub async fn end_by_patient(
    core: &Core,
    patient: &PatientActor,
    id: &str,
) -> Result<CaregiverAccess, CoreError> {
    let access = as_patient(core, patient, id).await?;
    let event = audit::by_patient(patient, Action::CaregiverAccessEnded, core.now());
    end(core, &access, "patient", &patient.patient_id, event).await?;
    load(core, id).await
}

/// The caregiver gives up their access to a patient's portal.
pub async fn end_by_caregiver(
    core: &Core,
    caregiver: &PatientActor,
    id: &str,
) -> Result<CaregiverAccess, CoreError> {
    let access = load(core, id).await?;
    if access.caregiver_id != caregiver.patient_id {
        return Err(CoreError::NotFound);
    }
    let event = match &access.patient_id {
        Some(patient_id) => audit::by_caregiver(
            caregiver,
            patient_id,
            Action::CaregiverAccessEnded,
            core.now(),
        ),
        None => audit::by_patient(caregiver, Action::CaregiverAccessEnded, core.now()),
    };
    end(core, &access, "caregiver", &caregiver.patient_id, event).await?;
    load(core, id).await
}

/// Staff withdraw a caregiver's access, at once.
pub async fn end_by_staff(
    core: &Core,
    actor: &StaffActor,
    person_id: &str,
    id: &str,
) -> Result<CaregiverAccess, CoreError> {
    let access = as_staff(core, actor, person_id, id).await?;
    let mut event = audit::by_staff(actor, Action::CaregiverAccessEnded, core.now());
    if let Some(patient_id) = &access.patient_id {
        event = event.patient(patient_id);
    }
    end(core, &access, "staff", &actor.staff_id, event).await?;
    load(core, id).await
}
