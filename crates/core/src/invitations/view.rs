//! Invitations as staff read them: one with its history and messages, or a filtered page.

use portico_domain::SubjectKind;
use std::collections::HashMap;

use portico_store::accounts::patients as patients_store;
use portico_store::links;

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

pub(super) fn stored_state(s: &str) -> Result<InvitationState, CoreError> {
    InvitationState::parse(s).map_err(|_| CoreError::Internal("stored state is unknown".into()))
}

/// The relation of a stored invitation; a word this version does not know is a corrupt row,
/// never read as some default.
pub(super) fn stored_relation(s: &str) -> Result<Relation, CoreError> {
    Relation::parse(s).ok_or_else(|| CoreError::Internal("stored relation is unknown".into()))
}

/// The language of a stored invitation, refused like [`stored_relation`] when unknown.
pub(super) fn stored_language(s: &str) -> Result<Language, CoreError> {
    Language::parse(s).ok_or_else(|| CoreError::Internal("stored language is unknown".into()))
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
        .map(|r| summary(r, now))
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

/// Filters for the list, as typed in the query string.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
#[serde(default)]
pub struct ListQuery {
    /// Only invitations in this state (as people see it: an open invitation past its expiry is
    /// `expired`); blank for all.
    #[cfg_attr(
        feature = "openapi",
        param(value_type = Option<portico_domain::schema::OrBlank<InvitationState>>, inline)
    )]
    pub state: Option<String>,
    /// Part of the patient's name.
    pub q: Option<String>,
    /// Invitations a page, 1 to 200 (default 50).
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 200))]
    pub limit: Option<i64>,
    /// The `next_cursor` of the previous page; any other text answers 422.
    pub cursor: Option<String>,
}

/// One line of the list.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InvitationSummary {
    pub id: String,
    pub state: InvitationState,
    pub relation: Relation,
    pub first_name: String,
    pub last_name: String,
    pub expires_at: String,
    pub created_at: String,
}

#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = InvitationPage))]
pub struct Page {
    pub items: Vec<InvitationSummary>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

pub const DEFAULT_PAGE: i64 = 50;
pub const MAX_PAGE: i64 = 200;

fn encode_cursor(created_at: i64, id: &str) -> String {
    secrets::base64url(format!("{created_at}:{id}").as_bytes())
}

fn decode_cursor(text: &str) -> Option<(i64, String)> {
    let raw = String::from_utf8(secrets::from_base64url(text)?).ok()?;
    let (at, id) = raw.split_once(':')?;
    Some((at.parse().ok()?, id.to_owned()))
}

/// A page of the practice's invitations, newest first; the read is audited.
pub async fn list(core: &Core, actor: &StaffActor, query: &ListQuery) -> Result<Page, CoreError> {
    let now = core.now();
    let mut errors = FieldErrors::new();
    let state = match blank_to_none(&query.state) {
        Some(s) => errors
            .take("state", InvitationState::parse(s))
            .map(|s| s.as_str().to_owned()),
        None => None,
    };
    let limit = query.limit.unwrap_or(DEFAULT_PAGE);
    if !(1..=MAX_PAGE).contains(&limit) {
        errors.add(
            "limit",
            format!("Ask for 1 to {MAX_PAGE} invitations a page."),
        );
    }
    let after = match blank_to_none(&query.cursor) {
        Some(c) => errors.take(
            "cursor",
            decode_cursor(c)
                .ok_or("This cursor is not one we gave out; start from the first page."),
        ),
        None => None,
    };
    errors.into_result()?;
    let name_pattern = blank_to_none(&query.q).map(|q| {
        let escaped: String = q
            .to_lowercase()
            .chars()
            .flat_map(|c| {
                if matches!(c, '\\' | '%' | '_') {
                    vec!['\\', c]
                } else {
                    vec![c]
                }
            })
            .collect();
        format!("%{escaped}%")
    });
    // One extra row tells whether another page follows.
    let filter = ListFilter {
        state,
        name_pattern,
        after,
        limit: limit + 1,
    };
    let mut rows = store::list(core.store(), &actor.practice_id, &filter, now.as_millis()).await?;
    let next_cursor = if rows.len() as i64 > limit {
        rows.truncate(limit as usize);
        rows.last().map(|r| encode_cursor(r.created_at, &r.id))
    } else {
        None
    };
    let ids: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
    let patients: HashMap<String, String> =
        links::patients_of_invitations(core.store(), &actor.practice_id, &ids)
            .await?
            .into_iter()
            .collect();
    let shown: Vec<Shown> = ids
        .iter()
        .map(|id| Shown {
            kind: SubjectKind::Invitation,
            id,
            patient_id: patients.get(*id).map(String::as_str),
        })
        .collect();
    audit::staff_saw(core, actor, Action::InvitationsListed, &shown).await?;
    let items = rows
        .into_iter()
        .map(|r| summary(r, now))
        .collect::<Result<_, CoreError>>()?;
    Ok(Page { items, next_cursor })
}

fn summary(r: InvitationRow, now: Timestamp) -> Result<InvitationSummary, CoreError> {
    Ok(InvitationSummary {
        state: stored_state(&r.state)?.effective(r.expires_at, now.as_millis()),
        relation: stored_relation(&r.relation)?,
        id: r.id,
        first_name: r.first_name,
        last_name: r.last_name,
        expires_at: Timestamp::from_millis(r.expires_at).to_rfc3339(),
        created_at: Timestamp::from_millis(r.created_at).to_rfc3339(),
    })
}
