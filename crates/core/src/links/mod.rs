//! What a patient is linked to (the cards of the visit screen), linking another practice or
//! provider with a provider code, and the staff side: sign-ups waiting for approval and the
//! notifications programs ask for (docs/PRODUCT.md §6). `patient_terms` writes what staff find a
//! linked patient by, in the transaction that links them.

pub(crate) mod patient_terms;

use portico_domain::SubjectKind;
use portico_domain::{LinkSource, LinkStatus};
use portico_store::links::notifications::{self, NotificationRow};
use portico_store::links::{self as store, LinkCard, LinkRow};
use portico_store::registration::consents;

use crate::PatientActor;
use crate::audit::{self, Action};
use crate::codes::guessing::{CodeGuess, CodeUse};
use crate::platform::actor::StaffActor;
use crate::platform::clock::Timestamp;

use crate::{CodeKind, Core, CoreError, FieldErrors, new_id};

/// One card of the visit screen: a practice, and the provider and program when there are.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Card {
    pub id: String,
    pub practice_name: String,
    pub provider_name: Option<String>,
    pub program_name: Option<String>,
    /// `active`, or `pending` while the practice has not approved a sign-up.
    pub status: LinkStatus,
}

impl Card {
    /// Whether the practice has yet to approve this sign-up.
    pub fn is_pending(&self) -> bool {
        self.status == LinkStatus::Pending
    }
}

impl From<LinkCard> for Card {
    fn from(c: LinkCard) -> Card {
        Card {
            id: c.id,
            practice_name: c.practice_name,
            provider_name: c.provider_name,
            program_name: c.program_name,
            status: c.status,
        }
    }
}

/// The patient's cards, oldest first. A practice still waiting for the patient's signed paper
/// consent form shows no card: [`consent_awaited`] names it instead.
pub async fn cards(core: &Core, patient: &PatientActor) -> Result<Vec<Card>, CoreError> {
    cards_of(core, &patient.patient_id, None).await
}

/// The cards of a patient, all of them or those of one practice (what a caregiver sees).
pub(crate) async fn cards_of(
    core: &Core,
    patient_id: &str,
    practice_id: Option<&str>,
) -> Result<Vec<Card>, CoreError> {
    let now = core.now().as_millis();
    let waiting = consents::awaited_by(core.store(), patient_id, now).await?;
    Ok(store::cards_for_patient(core.store(), patient_id, now)
        .await?
        .into_iter()
        .filter(|c| practice_id.is_none_or(|p| p == c.practice_id))
        .filter(|c| {
            !waiting
                .iter()
                .any(|(practice, _)| *practice == c.practice_id)
        })
        .map(Card::from)
        .collect())
}

/// The names of the practices waiting for the patient's signed paper consent form: until staff
/// upload its scan, the patient sees "waiting for your signed consent form" instead of the card.
pub async fn consent_awaited(
    core: &Core,
    patient: &PatientActor,
) -> Result<Vec<String>, CoreError> {
    consent_awaited_of(core, &patient.patient_id, None).await
}

/// The practices waiting for a patient's signed consent form, all or one.
pub(crate) async fn consent_awaited_of(
    core: &Core,
    patient_id: &str,
    practice_id: Option<&str>,
) -> Result<Vec<String>, CoreError> {
    Ok(
        consents::awaited_by(core.store(), patient_id, core.now().as_millis())
            .await?
            .into_iter()
            .filter(|(practice, _)| practice_id.is_none_or(|p| p == practice))
            .map(|(_, name)| name)
            .collect(),
    )
}

/// What "Add provider code" did: the card is new, or the patient already had it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeAdded {
    Linked,
    AlreadyLinked,
}

/// Who adds a provider code: the patient, or a caregiver with full access acting for them,
/// who may link them only to providers of the practice the access belongs to.
#[derive(Debug, Clone, Copy)]
pub enum Linker<'a> {
    Patient(&'a PatientActor),
    Caregiver {
        caregiver: &'a PatientActor,
        patient_id: &'a str,
        practice_id: &'a str,
    },
}

impl Linker<'_> {
    fn patient_id(&self) -> &str {
        match self {
            Linker::Patient(p) => &p.patient_id,
            Linker::Caregiver { patient_id, .. } => patient_id,
        }
    }

    fn client(&self) -> &crate::platform::actor::ClientInfo {
        match self {
            Linker::Patient(p) => &p.client,
            Linker::Caregiver { caregiver, .. } => &caregiver.client,
        }
    }

    /// The event, signed by whoever acts; a caregiver's names the practice of their access
    /// even when nothing was linked, so that the practice's log shows every try.
    fn event(&self, action: Action, at: Timestamp) -> audit::Entry {
        match self {
            Linker::Patient(p) => audit::by_patient(p, action, at),
            Linker::Caregiver {
                caregiver,
                patient_id,
                practice_id,
            } => audit::by_caregiver(caregiver, patient_id, action, at).practice(practice_id),
        }
    }
}

/// Links the signed-in patient to the practice (and provider) of a provider code ("Add provider
/// code"). Wrong codes get the one fixed answer and count against the caller's browser and
/// address, apart from registering's; an empty entry is not a guess and only asks for the code.
pub async fn add_provider_code(
    core: &Core,
    patient: &PatientActor,
    typed: &str,
) -> Result<(Card, CodeAdded), CoreError> {
    add_provider_code_as(core, Linker::Patient(patient), typed).await
}

/// Links a patient with a provider code, as the patient or as their caregiver.
pub(crate) async fn add_provider_code_as(
    core: &Core,
    linker: Linker<'_>,
    typed: &str,
) -> Result<(Card, CodeAdded), CoreError> {
    if typed.trim().is_empty() {
        return Err(CoreError::Invalid(FieldErrors::single(
            "code",
            "Enter the provider code from your doctor's office.",
        )));
    }
    let patient_id = linker.patient_id().to_owned();
    let guess = CodeGuess::begin(core, linker.client(), CodeUse::AddProviderCode).await?;
    let Some(code) = crate::codes::provider_codes::find_active(core, typed).await? else {
        linker
            .event(Action::PatientLinked, core.now())
            .outcome(audit::FAILURE)
            .append_alone(core.store())
            .await?;
        return Err(CoreError::CodeNotAccepted(CodeKind::Provider));
    };
    guess.found(core).await?;
    if let Linker::Caregiver { practice_id, .. } = linker
        && code.practice_id != practice_id
    {
        linker
            .event(Action::PatientLinked, core.now())
            .outcome(audit::FAILURE)
            .detail("reason", "another_practice")
            .append_alone(core.store())
            .await?;
        return Err(FieldErrors::single(
            "code",
            "This code is not one of this practice's. A caregiver can add only codes of the \
             practice that gave them access.",
        )
        .into());
    }
    // A practice that ended the patient's access is not joined again with one of its codes.
    if store::ended_by_practice(core.store(), &code.practice_id, &patient_id).await? {
        return Err(CoreError::Conflict(
            "This practice has ended your access to its patient portal. If you think this is a \
             mistake, contact the practice.",
        ));
    }
    let now = core.now();
    let link = LinkRow {
        id: new_id(),
        patient_id: patient_id.clone(),
        practice_id: code.practice_id.clone(),
        provider_id: code.provider_id.clone(),
        program_id: None,
        invitation_id: None,
        source: LinkSource::ProviderCode,
        status: LinkStatus::Active,
        created_at: now.as_millis(),
        decided_at: None,
        decided_by: None,
        ended_at: None,
    };
    let mut tx = core.store().begin().await?;
    // Entering a code one is already linked by is harmless: the card is simply there.
    let added = if store::insert_new(&mut tx, &link).await? {
        patient_terms::index_in_practice(&mut tx, &link.practice_id, &link.patient_id).await?;
        linker
            .event(Action::PatientLinked, now)
            .practice(&link.practice_id)
            .subject(SubjectKind::PatientLink, &link.id)
            .detail("source", "provider_code")
            .append(&mut tx)
            .await?;
        CodeAdded::Linked
    } else {
        CodeAdded::AlreadyLinked
    };
    tx.commit().await?;
    let card = store::cards_for_patient(core.store(), &patient_id, now.as_millis())
        .await?
        .into_iter()
        .find(|c| {
            c.practice_id == code.practice_id
                && c.provider_id == code.provider_id
                && c.program_id.is_none()
        })
        .map(Card::from)
        // Linked before, and that link has ended since: the practice is not joined again.
        .ok_or(CoreError::Conflict(
            "This practice has ended your access to its patient portal. If you think this is a \
             mistake, contact the practice.",
        ))?;
    Ok((card, added))
}

/// A link as staff see it in the approval list.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PracticeLink {
    pub id: String,
    pub patient_id: String,
    pub first_name: String,
    pub last_name: String,
    pub provider_name: Option<String>,
    pub program_name: Option<String>,
    pub status: LinkStatus,
    pub source: LinkSource,
    pub created_at: String,
}

/// The practice's sign-ups waiting for approval, newest first.
pub async fn pending(core: &Core, actor: &StaffActor) -> Result<Vec<PracticeLink>, CoreError> {
    // A practice approves as they come; a few hundred waiting is already a backlog to page.
    links_in_practice(
        core,
        actor,
        LinkStatus::Pending,
        500,
        Action::PendingSignUpsListed,
    )
    .await
}

/// The practice's newest registered patients (active links), newest first, at most `limit`.
pub async fn recently_linked(
    core: &Core,
    actor: &StaffActor,
    limit: i64,
) -> Result<Vec<PracticeLink>, CoreError> {
    links_in_practice(
        core,
        actor,
        LinkStatus::Active,
        limit,
        Action::PatientsListed,
    )
    .await
}

async fn links_in_practice(
    core: &Core,
    actor: &StaffActor,
    status: LinkStatus,
    limit: i64,
    action: Action,
) -> Result<Vec<PracticeLink>, CoreError> {
    let now = core.now().as_millis();
    let cards =
        store::cards_in_practice(core.store(), &actor.practice_id, status, limit, now).await?;
    let out: Vec<PracticeLink> = cards
        .into_iter()
        .map(|card| PracticeLink {
            id: card.id,
            patient_id: card.patient_id,
            first_name: card.first_name,
            last_name: card.last_name,
            provider_name: card.provider_name,
            program_name: card.program_name,
            status: card.status,
            source: card.source,
            created_at: Timestamp::from_millis(card.created_at).to_rfc3339(),
        })
        .collect();
    let shown: Vec<audit::Shown> = (out.iter())
        .map(|l| audit::Shown {
            kind: SubjectKind::PatientLink,
            id: &l.id,
            patient_id: Some(&l.patient_id),
        })
        .collect();
    audit::staff_saw(core, actor, action, &shown).await?;
    Ok(out)
}

/// Approves (or declines) a pending sign-up of the staff member's practice.
pub async fn decide(
    core: &Core,
    actor: &StaffActor,
    link_id: &str,
    approve: bool,
) -> Result<(), CoreError> {
    let now = core.now();
    let mut tx = core.store().begin().await?;
    let Some(patient_id) = store::decide(
        &mut tx,
        &actor.practice_id,
        link_id,
        approve,
        &actor.staff_id,
        now.as_millis(),
    )
    .await?
    else {
        return Err(CoreError::NotFound);
    };
    let action = if approve {
        Action::PatientLinkApproved
    } else {
        Action::PatientLinkDeclined
    };
    audit::by_staff(actor, action, now)
        .subject(SubjectKind::PatientLink, link_id)
        .patient(&patient_id)
        .append(&mut tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// A notification for the practice's staff.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Notification {
    pub id: String,
    /// `patient.signed_up` (a program that notifies) or `patient.awaits_approval`.
    pub kind: String,
    pub patient_id: String,
    pub patient_name: String,
    pub program_name: Option<String>,
    pub link_id: Option<String>,
    /// For a sign-up that awaited approval: what staff decided since, if anything.
    pub decision: Option<SignUpDecision>,
    pub created_at: String,
}

/// What staff decided about a sign-up that awaited approval.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum SignUpDecision {
    Approved,
    Declined,
}

/// The practice's newest notifications (reading them is audited: they name patients).
pub async fn notifications(
    core: &Core,
    actor: &StaffActor,
) -> Result<Vec<Notification>, CoreError> {
    let rows = notifications::recent(core.store(), &actor.practice_id, 100).await?;
    let shown: Vec<audit::Shown> = (rows.iter())
        .map(|n| audit::Shown {
            kind: SubjectKind::Notification,
            id: &n.id,
            patient_id: Some(&n.patient_id),
        })
        .collect();
    audit::staff_saw(core, actor, Action::NotificationsListed, &shown).await?;
    Ok(rows
        .into_iter()
        .map(|n| Notification {
            id: n.id,
            kind: n.kind,
            patient_id: n.patient_id,
            patient_name: format!("{} {}", n.first_name, n.last_name),
            program_name: n.program_name,
            link_id: n.link_id,
            // A decided link is active when approved; a declined one stays pending, ended.
            decision: n.link_decided_at.map(|_| {
                match n.link_status.as_deref().map(LinkStatus::parse) {
                    Some(Ok(LinkStatus::Active)) => SignUpDecision::Approved,
                    _ => SignUpDecision::Declined,
                }
            }),
            created_at: Timestamp::from_millis(n.created_at).to_rfc3339(),
        })
        .collect())
}

/// Tells the practice's staff about a new patient link (inside the caller's transaction).
pub(crate) async fn notify(
    tx: &mut portico_store::Tx,
    link: &LinkRow,
    kind: &str,
    now: Timestamp,
) -> Result<(), CoreError> {
    notifications::insert(
        tx,
        &NotificationRow {
            id: new_id(),
            practice_id: link.practice_id.clone(),
            kind: kind.to_owned(),
            patient_id: link.patient_id.clone(),
            link_id: Some(link.id.clone()),
            created_at: now.as_millis(),
            read_at: None,
        },
    )
    .await?;
    Ok(())
}
