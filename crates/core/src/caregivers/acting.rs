//! What a caregiver does for the patient they care for: confirming the patient's birth date
//! (which opens an approved access), opening the patient's portal at the practice, and — with
//! full access — adding one of that practice's provider codes for them. Each request checks the
//! access afresh ([`acting_for`]), so a withdrawal takes effect with the caregiver's next click,
//! and each is audited as the caregiver acting for the patient.

use portico_domain::{BirthDate, SubjectKind};
use portico_store::accounts::patients;
use portico_store::caregivers as store;

use super::{AccessState, BIRTH_DATE_TRIES, CaregiverAccess, load};
use crate::PatientActor;
use crate::audit::{self, Action, FAILURE};
use crate::links::{self, Card, CodeAdded, Linker};
use crate::{Core, CoreError, FieldErrors};

/// An open access, checked for this request.
#[derive(Debug, Clone)]
pub struct ActingFor {
    pub access: CaregiverAccess,
    pub patient_id: String,
}

/// The access `id` if the signed-in account is its caregiver, it is open, and the patient still
/// has access to the practice (a practice that end-dated the patient is closed to their
/// caregiver too); otherwise not found — withdrawn, never approved and someone else's look
/// the same.
pub async fn acting_for(
    core: &Core,
    caregiver: &PatientActor,
    id: &str,
) -> Result<ActingFor, CoreError> {
    let access = load(core, id).await?;
    if access.caregiver_id != caregiver.patient_id || !access.is_active() {
        return Err(CoreError::NotFound);
    }
    let patient_id = access.patient_id.clone().ok_or(CoreError::NotFound)?;
    let practice = Some(access.practice_id.as_str());
    let seen = !links::cards_of(core, &patient_id, practice)
        .await?
        .is_empty()
        || !links::consent_awaited_of(core, &patient_id, practice)
            .await?
            .is_empty();
    if !seen {
        return Err(CoreError::NotFound);
    }
    Ok(ActingFor { access, patient_id })
}

/// The patient's portal at the practice, as their caregiver sees it.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaredForView {
    pub access: CaregiverAccess,
    pub cards: Vec<Card>,
    /// The practice, when it waits for the patient's signed paper consent form.
    pub consent_awaited: Vec<String>,
}

/// Opens the portal of a patient the signed-in account cares for (audited).
pub async fn cared_for(
    core: &Core,
    caregiver: &PatientActor,
    id: &str,
) -> Result<CaredForView, CoreError> {
    let acting = acting_for(core, caregiver, id).await?;
    let practice = Some(acting.access.practice_id.as_str());
    let cards = links::cards_of(core, &acting.patient_id, practice).await?;
    let consent_awaited = links::consent_awaited_of(core, &acting.patient_id, practice).await?;
    audit::by_caregiver(
        caregiver,
        &acting.patient_id,
        Action::CaregiverPortalViewed,
        core.now(),
    )
    .practice(&acting.access.practice_id)
    .subject(SubjectKind::CaregiverAccess, id)
    .append_alone(core.store())
    .await?;
    Ok(CaredForView {
        access: acting.access,
        cards,
        consent_awaited,
    })
}

/// A caregiver with full access links the patient to another provider of the same practice.
/// Read-only access is refused.
pub async fn add_provider_code_for(
    core: &Core,
    caregiver: &PatientActor,
    id: &str,
    typed: &str,
) -> Result<(Card, CodeAdded), CoreError> {
    let acting = acting_for(core, caregiver, id).await?;
    if acting.access.is_read_only() {
        return Err(CoreError::Forbidden);
    }
    let linker = Linker::Caregiver {
        caregiver,
        patient_id: &acting.patient_id,
        practice_id: &acting.access.practice_id,
    };
    links::add_provider_code_as(core, linker, typed).await
}

const WRONG_DATE: &str = "That is not their date of birth as the practice has it.";

/// The caregiver confirms the patient's birth date, as the practice has it on the patient's
/// account. Wrong dates count: the fifth ends the access (staff can invite the caregiver again).
pub async fn confirm_birth_date(
    core: &Core,
    caregiver: &PatientActor,
    id: &str,
    typed: &str,
) -> Result<CaregiverAccess, CoreError> {
    let access = load(core, id).await?;
    if access.caregiver_id != caregiver.patient_id {
        return Err(CoreError::NotFound);
    }
    let Some(patient_id) = access.patient_id.clone() else {
        return Err(CoreError::Conflict(
            "They have not registered yet: their birth date can be confirmed once they have.",
        ));
    };
    if access.state == AccessState::Ended {
        return Err(CoreError::Conflict("Your access has ended."));
    }
    if access.birth_date_confirmed {
        return Ok(access);
    }
    if access.approved_by.is_none() {
        return Err(CoreError::Conflict(
            "They have not approved your access yet: their birth date is asked for once they have.",
        ));
    }
    let now = core.now();
    let date = BirthDate::parse(typed, now.date())
        .map_err(|e| CoreError::from(FieldErrors::single("birth_date", e.to_string())))?;
    let patient = patients::find(core.store(), &patient_id)
        .await?
        .ok_or_else(|| CoreError::Internal("an access names a missing patient".into()))?;
    // The try is counted, checked and (the fifth wrong one) the access ended in one
    // transaction: the row stays locked from the count to the commit, so parallel tries queue
    // and each sees the one before it.
    let mut tx = core.store().begin().await?;
    let Some(tries) =
        store::reserve_birth_date_try(&mut tx, id, BIRTH_DATE_TRIES, now.as_millis()).await?
    else {
        drop(tx);
        // No try left, or answered meanwhile: say where it stands now.
        let now_stands = load(core, id).await?;
        return match now_stands.birth_date_confirmed && !now_stands.is_ended() {
            true => Ok(now_stands),
            false => Err(CoreError::Conflict("Your access has ended.")),
        };
    };
    let event = audit::by_caregiver(
        caregiver,
        &patient_id,
        Action::CaregiverBirthDateChecked,
        now,
    )
    .practice(&access.practice_id)
    .subject(SubjectKind::CaregiverAccess, id);
    if patient.birth_date == date.expose_iso() {
        if !store::confirm_birth_date(&mut tx, id, now.as_millis()).await? {
            return Err(CoreError::Conflict("Your access has ended."));
        }
        event.append(&mut tx).await?;
        tx.commit().await?;
        return load(core, id).await;
    }
    event
        .outcome(FAILURE)
        .detail("tries", tries)
        .append(&mut tx)
        .await?;
    if tries >= BIRTH_DATE_TRIES {
        if store::end(&mut tx, id, "system", None, now.as_millis()).await? {
            audit::by_system("system", Action::CaregiverAccessEnded, now)
                .practice(&access.practice_id)
                .subject(SubjectKind::CaregiverAccess, id)
                .patient(&patient_id)
                .detail("ended_by", "system")
                .detail("reason", "birth_date_tries")
                .append(&mut tx)
                .await?;
        }
        tx.commit().await?;
        return Err(CoreError::Conflict(
            "That date was wrong too many times, so this access has ended. Ask the practice to \
             invite you again.",
        ));
    }
    tx.commit().await?;
    let left = BIRTH_DATE_TRIES - tries;
    Err(FieldErrors::single(
        "birth_date",
        format!(
            "{WRONG_DATE} {left} {} left.",
            if left == 1 { "try" } else { "tries" }
        ),
    )
    .into())
}
