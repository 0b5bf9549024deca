//! Ending a patient's access to the practice (docs/PRODUCT.md §7): staff choose the day it ends,
//! today or later on the practice's calendar. From the first moment of that day the patient no
//! longer sees the practice in the portal, while its history stays readable to staff; a patient
//! left with no link in force anywhere cannot sign in, and their open sessions end at once when
//! the end is today. Staff may move the day or lift the end. Both are audited.

use portico_domain::SubjectKind;
use portico_store::accounts::patient_sessions;
use portico_store::{links, patients as store, practices};

use super::read_day;
use crate::audit::{self, Action};
use crate::platform::actor::StaffActor;
use crate::{Core, CoreError, FieldErrors};

/// The day a patient's access ends, as typed.
#[derive(Debug, Clone, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EndDateInput {
    /// The first day without access, on the practice's calendar (`2026-12-31`): today or later.
    #[cfg_attr(feature = "openapi", schema(format = Date, max_length = 32))]
    pub date: String,
}

/// Sets (or moves) the day the patient's access to the actor's practice ends.
pub async fn set_end_date(
    core: &Core,
    actor: &StaffActor,
    patient_id: &str,
    input: &EndDateInput,
) -> Result<(), CoreError> {
    if !store::is_of_practice(core.store(), &actor.practice_id, patient_id).await? {
        return Err(CoreError::NotFound);
    }
    let practice = practices::find(core.store(), &actor.practice_id)
        .await?
        .ok_or(CoreError::NotFound)?;
    let zone = crate::practices::time_zone(&practice)?;
    let now = core.now();
    let today = zone.date_at(now.as_millis());
    let Some(day) = read_day(&input.date) else {
        return Err(CoreError::Invalid(FieldErrors::single(
            "date",
            "Enter the day access ends as year, month and day, such as 2026-12-31.",
        )));
    };
    if day < today {
        return Err(CoreError::Invalid(FieldErrors::single(
            "date",
            "Choose today or a later day: access cannot end in the past.",
        )));
    }
    // Today's end takes effect now, even where midnight was skipped by a clock change.
    let at = zone.start_of_day(day).min(if day == today {
        now.as_millis()
    } else {
        i64::MAX
    });
    let mut tx = core.store().begin().await?;
    let moved = store::set_end(
        &mut tx,
        &actor.practice_id,
        patient_id,
        at,
        &actor.staff_id,
        now.as_millis(),
    )
    .await?;
    if moved == 0 {
        return Err(CoreError::Conflict(
            "This patient's access has already ended. Lift the end date first to give it back.",
        ));
    }
    // Nothing left to see anywhere: the patient's open sessions end with their access.
    let ended_now = at <= now.as_millis()
        && links::cards_for_patient(&mut tx, patient_id, now.as_millis())
            .await?
            .is_empty();
    let sessions_ended = if ended_now {
        patient_sessions::delete_for_patient(&mut tx, patient_id).await?
    } else {
        0
    };
    audit::by_staff(actor, Action::PatientAccessEnded, now)
        .subject(SubjectKind::Patient, patient_id)
        .patient(patient_id)
        .detail(
            "ends_on",
            format!(
                "{:04}-{:02}-{:02}",
                day.year(),
                u8::from(day.month()),
                day.day()
            ),
        )
        .detail("sessions_ended", sessions_ended)
        .append(&mut tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Lifts the end staff set on the patient's access to the actor's practice.
pub async fn restore_access(
    core: &Core,
    actor: &StaffActor,
    patient_id: &str,
) -> Result<(), CoreError> {
    if !store::is_of_practice(core.store(), &actor.practice_id, patient_id).await? {
        return Err(CoreError::NotFound);
    }
    let now = core.now();
    let mut tx = core.store().begin().await?;
    if store::lift_end(&mut tx, &actor.practice_id, patient_id).await? == 0 {
        return Err(CoreError::Conflict(
            "This patient's access has no end date to lift.",
        ));
    }
    audit::by_staff(actor, Action::PatientAccessRestored, now)
        .subject(SubjectKind::Patient, patient_id)
        .patient(patient_id)
        .append(&mut tx)
        .await?;
    tx.commit().await?;
    Ok(())
}
