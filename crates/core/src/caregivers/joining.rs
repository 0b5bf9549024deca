//! How a caregiver's access begins: when a caregiver invitation is redeemed — by registering a new
//! account with it, or by entering its code (with the caregiver's own birth date) in an account
//! the caregiver already has, so that one person caring for several patients keeps one sign-in
//! — and how it learns its patient, when the patient registers with the invitation it was made
//! with.

use portico_domain::{InvitationState, LinkSource, LinkStatus, Relation, SubjectKind};
use portico_store::Tx;
use portico_store::caregivers::{self as store, NewAccess};
use portico_store::invitations::{self as invitations_store, InvitationRow};
use portico_store::links::{self as links_store, LinkRow};
use portico_store::registration::tickets;

use super::{CaregiverAccess, load};
use crate::PatientActor;
use crate::audit::{self, Action};
use crate::invitations::redemption::{self, RedeemInput};
use crate::invitations::{MovedBy, record_event};
use crate::platform::clock::Timestamp;
use crate::platform::secrets::Purpose;
use crate::{Core, CoreError, FieldErrors, new_id};

/// Registration made an account with `invitation`: a caregiver's gets access waiting for its
/// patient; a patient's is named on the accesses of the caregivers invited with them.
/// `event` is how the registration signs its audit events.
pub(crate) async fn invitation_redeemed(
    tx: &mut Tx,
    invitation: &InvitationRow,
    account_id: &str,
    event: impl FnOnce(Action) -> audit::Entry,
    now: Timestamp,
) -> Result<(), CoreError> {
    match Relation::parse(&invitation.relation) {
        Some(Relation::Caregiver) => {
            begin(tx, invitation, account_id, event, now).await?;
        }
        Some(Relation::Patient | Relation::Household) => {
            store::attach_patient(&mut *tx, &invitation.id, account_id, now.as_millis()).await?;
        }
        None => {
            return Err(CoreError::Internal(format!(
                "unknown relation {:?}",
                invitation.relation
            )));
        }
    }
    Ok(())
}

/// Writes the access of a caregiver invitation's account; answers its id.
async fn begin(
    tx: &mut Tx,
    invitation: &InvitationRow,
    caregiver_id: &str,
    event: impl FnOnce(Action) -> audit::Entry,
    now: Timestamp,
) -> Result<String, CoreError> {
    let patient_invitation = invitation
        .related_to
        .clone()
        .ok_or_else(|| CoreError::Internal("a caregiver invitation names no patient".into()))?;
    let patient_id = store::patient_of_invitation(&mut *tx, &patient_invitation).await?;
    if patient_id.as_deref() == Some(caregiver_id) {
        return Err(CoreError::Conflict(
            "This caregiver invitation is for your own account: a patient cannot be their own \
             caregiver.",
        ));
    }
    let id = new_id();
    store::insert(
        &mut *tx,
        &NewAccess {
            id: id.clone(),
            practice_id: invitation.practice_id.clone(),
            caregiver_invitation_id: invitation.id.clone(),
            patient_invitation_id: patient_invitation,
            caregiver_id: caregiver_id.to_owned(),
            patient_id: patient_id.clone(),
            created_at: now.as_millis(),
        },
    )
    .await?;
    let mut entry = event(Action::CaregiverAccessRequested)
        .practice(&invitation.practice_id)
        .subject(SubjectKind::CaregiverAccess, &id);
    if let Some(patient_id) = &patient_id {
        entry = entry.patient(patient_id);
    }
    entry.append(tx).await?;
    Ok(id)
}

const NOT_WITH_PRACTICE: &str = "This caregiver invitation is from a practice your account does not \
                                  see in the portal. Ask the practice to link your account first.";

const NOT_CAREGIVER: &str = "This code is not a caregiver invitation. To register the account it \
                             is for, sign out and register with the code.";

/// A signed-in account enters a caregiver invitation's code with the caregiver's birth date, as
/// registering would (same guessing guard, same locking): the invitation is redeemed into this
/// account, which gets access waiting for the patient. Only an account the practice already sees
/// (linked, in force, consent given) may add one of its caregiver codes.
pub async fn accept_invitation(
    core: &Core,
    caregiver: &PatientActor,
    input: &RedeemInput,
) -> Result<CaregiverAccess, CoreError> {
    let redeemed = redemption::redeem(core, input, &caregiver.client).await?;
    if Relation::parse(&redeemed.prefill.relation) != Some(Relation::Caregiver) {
        return Err(FieldErrors::single("code", NOT_CAREGIVER).into());
    }
    let now = core.now();
    let hash = redeemed.ticket.lookup_hash(core.keys(), Purpose::Ticket);
    // The account must already be a patient account of that practice, in force and with its
    // consent given: adding a code neither gives consent nor undoes an end the practice set.
    // (At another practice the caregiver registers there, or the practice links them first.)
    let practice_id = tickets::find_live(core.store(), &hash, now.as_millis())
        .await?
        .ok_or(CoreError::RegistrationExpired)?
        .practice_id;
    if crate::links::cards_of(core, &caregiver.patient_id, Some(&practice_id))
        .await?
        .is_empty()
    {
        return Err(CoreError::Conflict(NOT_WITH_PRACTICE));
    }
    let mut tx = core.store().begin().await?;
    let ticket = tickets::consume(&mut tx, &hash, now.as_millis())
        .await?
        .ok_or(CoreError::RegistrationExpired)?;
    let invitation_id = ticket
        .invitation_id
        .ok_or_else(|| CoreError::Internal("an invitation's ticket names none".into()))?;
    let invitation =
        invitations_store::find_in_practice(&mut tx, &ticket.practice_id, &invitation_id)
            .await?
            .ok_or(CoreError::NotFound)?;
    if !invitations_store::redeem(&mut tx, &invitation.id, now.as_millis()).await? {
        return Err(CoreError::Conflict(
            "This invitation has already been used.",
        ));
    }
    record_event(
        &mut tx,
        &invitation.practice_id,
        &invitation.id,
        InvitationState::Redeemed,
        MovedBy::Patient(&caregiver.patient_id),
        now,
    )
    .await?;
    audit::by_patient(caregiver, Action::InvitationRedeemed, now)
        .practice(&invitation.practice_id)
        .subject(SubjectKind::Invitation, &invitation.id)
        .append(&mut tx)
        .await?;
    let link = LinkRow {
        id: new_id(),
        patient_id: caregiver.patient_id.clone(),
        practice_id: invitation.practice_id.clone(),
        provider_id: invitation.provider_id.clone(),
        program_id: invitation.program_id.clone(),
        invitation_id: Some(invitation.id.clone()),
        source: LinkSource::Invitation,
        status: LinkStatus::Active,
        created_at: now.as_millis(),
        decided_at: None,
        decided_by: None,
        ended_at: None,
    };
    // An account already linked to the practice keeps its link; a new one is written like a
    // registration's.
    if links_store::insert_new(&mut tx, &link).await? {
        crate::links::patient_terms::index_in_practice(
            &mut tx,
            &link.practice_id,
            &link.patient_id,
        )
        .await?;
    }
    let id = begin(
        &mut tx,
        &invitation,
        &caregiver.patient_id,
        // The patient may not have registered yet: the event names them only once known.
        |action| {
            audit::by_anonymous(action, now, &caregiver.client).actor(
                "patient",
                &caregiver.patient_id,
                None,
            )
        },
        now,
    )
    .await?;
    tx.commit().await?;
    load(core, &id).await
}
