//! One invitation as staff read it, with its history and messages; and the one reading of a
//! stored invitation's words (state, relation, language). The list is `list`.

use portico_domain::SubjectKind;

use portico_store::accounts::patients as patients_store;
use portico_store::links;

use super::stored::{stored_language, stored_relation, stored_state};
use super::*;
use crate::audit::Shown;

/// One change in an invitation's history.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HistoryEntry {
    pub state: InvitationState,
    pub at: String,
    /// `staff:<id>`, `api_token:<id>`, `anonymous` or `system`.
    pub actor: String,
}

/// An invitation as its practice's staff see it.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Invitation {
    pub id: String,
    pub state: InvitationState,
    pub relation: Relation,
    pub related_to: Option<String>,
    pub first_name: String,
    pub last_name: String,
    pub birth_date: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub username: Option<String>,
    pub contact_time: Option<String>,
    pub notes: Option<String>,
    pub channels: Vec<Channel>,
    pub consent_method: ConsentMethod,
    pub language: Language,
    pub provider_id: Option<String>,
    pub program_id: Option<String>,
    pub failed_attempts: i64,
    pub expires_at: String,
    pub created_at: String,
    pub updated_at: String,
    pub history: Vec<HistoryEntry>,
    /// The messages sent for this invitation, with their delivery state (never their content).
    pub messages: Vec<MessageStatus>,
    /// For a redeemed invitation whose patient corrected their name while registering: the name
    /// the account has (the birth date cannot be changed). Absent otherwise.
    pub name_corrected_to: Option<NameOnAccount>,
    /// The invitations made in the same step: the patient's, a household member's, a caregiver's.
    pub made_with: Vec<InvitationSummary>,
}

/// The first and last name a patient's account has.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NameOnAccount {
    pub first_name: String,
    pub last_name: String,
}

pub(super) fn detail(
    row: InvitationRow,
    events: Vec<EventRow>,
    sent: Vec<OutboxRow>,
    now: Timestamp,
) -> Result<Invitation, CoreError> {
    let stored = stored_state(&row.state)?;
    let state = stored.effective(row.expires_at, now.as_millis());
    let mut history: Vec<HistoryEntry> = events
        .into_iter()
        .map(|e| {
            Ok(HistoryEntry {
                state: stored_state(&e.state)?,
                at: Timestamp::from_millis(e.at).to_rfc3339(),
                actor: match e.actor_id {
                    Some(id) => format!("{}:{id}", e.actor_kind),
                    None => e.actor_kind,
                },
            })
        })
        .collect::<Result<_, CoreError>>()?;
    if state == InvitationState::Expired && stored != InvitationState::Expired {
        // Expiry is not a write: it happened when the time passed.
        history.push(HistoryEntry {
            state,
            at: Timestamp::from_millis(row.expires_at).to_rfc3339(),
            actor: "system".into(),
        });
    }
    Ok(Invitation {
        id: row.id,
        state,
        relation: stored_relation(&row.relation)?,
        related_to: row.related_to,
        first_name: row.first_name,
        last_name: row.last_name,
        birth_date: row.birth_date,
        email: row.email,
        phone: row.phone,
        username: row.username,
        contact_time: row.contact_time,
        notes: row.notes,
        channels: Channel::split(&row.channels),
        language: stored_language(&row.language)?,
        consent_method: ConsentMethod::parse(&row.consent_method)
            .map_err(|_| CoreError::Internal("stored consent method is unknown".into()))?,
        provider_id: row.provider_id,
        program_id: row.program_id,
        failed_attempts: row.failed_attempts,
        expires_at: Timestamp::from_millis(row.expires_at).to_rfc3339(),
        created_at: Timestamp::from_millis(row.created_at).to_rfc3339(),
        updated_at: Timestamp::from_millis(row.updated_at).to_rfc3339(),
        history,
        messages: sent.into_iter().map(MessageStatus::from).collect(),
        name_corrected_to: None,
        made_with: Vec::new(),
    })
}

/// One invitation of the actor's practice with its history; the read is audited (it shows
/// patient data). `NotFound` for any other practice's id.
pub async fn get(core: &Core, actor: &StaffActor, id: &str) -> Result<Invitation, CoreError> {
    let now = core.now();
    let row = store::find_in_practice(core.store(), &actor.practice_id, id)
        .await?
        .ok_or(CoreError::NotFound)?;
    let events = store::events(core.store(), id).await?;
    let messages =
        outbox_store::list_for_subject(core.store(), &actor.practice_id, "invitation", id).await?;
    let patients = links::patients_of_invitations(core.store(), &actor.practice_id, &[id]).await?;
    let shown = Shown {
        kind: SubjectKind::Invitation,
        id,
        patient_id: patients.first().map(|(_, patient)| patient.as_str()),
    };
    audit::staff_saw(core, actor, Action::InvitationViewed, &[shown]).await?;
    let patient = match patients.first() {
        Some((_, patient_id)) => patients_store::find(core.store(), patient_id).await?,
        None => None,
    };
    let root = row.related_to.clone().unwrap_or_else(|| row.id.clone());
    let made_with = store::made_with(core.store(), &actor.practice_id, &root, id)
        .await?
        .into_iter()
        .map(|r| super::list::summary(r, now))
        .collect::<Result<_, CoreError>>()?;
    let mut invitation = detail(row, events, messages, now)?;
    invitation.made_with = made_with;
    invitation.name_corrected_to = patient
        .filter(|p| p.first_name != invitation.first_name || p.last_name != invitation.last_name)
        .map(|p| NameOnAccount {
            first_name: p.first_name,
            last_name: p.last_name,
        });
    Ok(invitation)
}
