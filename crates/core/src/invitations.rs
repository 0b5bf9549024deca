//! Invitations (DESIGN §3), staff side: create (with household, caregiver and no-email
//! variants), list, read with history, re-send and revoke. Each invitation carries a personal
//! invite code and a link token, stored only as keyed hashes; the plain code is handed back once,
//! at creation and at each re-send. Every change of state is written to the invitation's history
//! and to the audit log in the same transaction. The public redemption lives in `redemption`.

use portico_domain::{
    BirthDate, Channel, ConsentMethod, EmailAddress, InvitationState, InviteCode, PersonName,
    PhoneNumber, Relation, Username,
};
use portico_store::invitations::{self as store, EventRow, InvitationRow, ListFilter};
use portico_store::{Tx, practices, programs, providers};

use crate::actor::StaffActor;
use crate::audit;
use crate::clock::Timestamp;
use crate::messages::{self, InviteFacts};
use crate::outbox::{self, About, MessageKind, MessageStatus};
use crate::secrets::{self, Keys, Purpose, SecretToken};
use crate::templates::{self, Language};
use crate::{Core, CoreError, FieldErrors, new_id};
use portico_store::outbox::{self as outbox_store, OutboxRow};

/// One person's details as typed: the patient, a household member or a caregiver.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct PersonInput {
    pub first_name: String,
    pub last_name: String,
    pub birth_date: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Channel>))]
    pub channels: Vec<String>,
}

/// A new invitation as posted to `POST /api/v1/invitations`.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct NewInvitationInput {
    #[serde(flatten)]
    #[cfg_attr(feature = "openapi", schema(default))]
    pub patient: PersonInput,
    pub provider_id: Option<String>,
    pub program_id: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<ConsentMethod>))]
    pub consent_method: Option<String>,
    /// The language of the invitation's messages: `en` (default) or `es`.
    pub language: Option<String>,
    pub contact_time: Option<String>,
    pub notes: Option<String>,
    /// A spouse or family member invited in the same step (a second, linked invitation).
    #[cfg_attr(feature = "openapi", schema(default))]
    pub household: Option<PersonInput>,
    /// A caregiver invited with the patient (email required), for proxy access once approved.
    #[cfg_attr(feature = "openapi", schema(default))]
    pub caregiver: Option<PersonInput>,
}

/// One person's details after every check.
struct Person {
    first_name: PersonName,
    last_name: PersonName,
    birth_date: BirthDate,
    email: Option<EmailAddress>,
    phone: Option<PhoneNumber>,
    channels: Vec<Channel>,
}

const MAX_CONTACT_TIME: usize = 100;
const MAX_NOTES: usize = 2000;

fn blank_to_none(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// Checks one person's fields, recording errors under `prefix` (e.g. `household.`).
fn check_person(
    p: &PersonInput,
    prefix: &str,
    today: time::Date,
    country: &str,
    errors: &mut FieldErrors,
) -> Option<Person> {
    let f = |name: &str| format!("{prefix}{name}");
    let first_name = errors.take(f("first_name"), PersonName::parse(&p.first_name));
    let last_name = errors.take(f("last_name"), PersonName::parse(&p.last_name));
    let birth_date = errors.take(f("birth_date"), BirthDate::parse(&p.birth_date, today));
    // Each field is checked even when an earlier one failed, so every error is reported at once.
    let email = blank_to_none(&p.email).map(|e| errors.take(f("email"), EmailAddress::parse(e)));
    let phone = blank_to_none(&p.phone)
        .map(|ph| errors.take(f("phone"), PhoneNumber::parse(ph, Some(country))));
    let mut channels = Vec::new();
    for c in &p.channels {
        if let Some(c) = errors.take(f("channels"), Channel::parse(c)) {
            channels.push(c);
        }
    }
    if channels.contains(&Channel::Email) && email.is_none() {
        errors.add(
            f("email"),
            "Enter an email address to send the invitation by email.",
        );
    }
    if (channels.contains(&Channel::Sms) || channels.contains(&Channel::Voice)) && phone.is_none() {
        errors.add(
            f("phone"),
            "Enter a mobile phone number to send the invitation by text or voice call.",
        );
    }
    // A typed but invalid email or phone was recorded above; it makes the whole person invalid.
    let email = match email {
        Some(parsed) => Some(parsed?),
        None => None,
    };
    let phone = match phone {
        Some(parsed) => Some(parsed?),
        None => None,
    };
    Some(Person {
        first_name: first_name?,
        last_name: last_name?,
        birth_date: birth_date?,
        email,
        phone,
        channels,
    })
}

/// An invitation just issued: the only moment its plain code and link token exist.
#[derive(Debug)]
pub struct Issued {
    pub id: String,
    pub relation: Relation,
    pub code: InviteCode,
    pub link_token: SecretToken,
    pub state: InvitationState,
    pub expires_at: Timestamp,
    pub username: Option<String>,
}

/// The result of creating: the patient's invitation and those made with it.
#[derive(Debug)]
pub struct Created {
    pub invitation: Issued,
    pub related: Vec<Issued>,
}

/// A fresh code and link, with their keyed hashes.
struct Secrets {
    code: InviteCode,
    link: SecretToken,
    code_hash: String,
    link_hash: String,
}

fn draw_secrets(keys: &Keys) -> Secrets {
    let code = InviteCode::generate(&mut rand::rng());
    let link = SecretToken::generate();
    Secrets {
        code_hash: keys.lookup_hash(Purpose::InviteCode, code.expose_normalized().as_bytes()),
        link_hash: link.lookup_hash(keys, Purpose::InviteLink),
        code,
        link,
    }
}

/// An invitation with channels waits in `draft` for delivery; one with none was handed over
/// (printed or read out) by staff and counts as sent.
fn initial_state(channels: &[Channel]) -> InvitationState {
    if channels.is_empty() {
        InvitationState::Sent
    } else {
        InvitationState::Draft
    }
}

async fn reserve_username(core: &Core, tx: &mut Tx) -> Result<String, CoreError> {
    for _ in 0..20 {
        let candidate = Username::generate(&mut rand::rng());
        if !store::username_taken(&mut *tx, candidate.as_str()).await? {
            return Ok(candidate.as_str().to_owned());
        }
    }
    let _ = core;
    Err(CoreError::Internal("could not find a free username".into()))
}

/// Creates an invitation (and its household and caregiver invitations) for the actor's practice.
pub async fn create(
    core: &Core,
    actor: &StaffActor,
    input: &NewInvitationInput,
) -> Result<Created, CoreError> {
    let now = core.now();
    let practice = practices::find(core.store(), &actor.practice_id)
        .await?
        .ok_or(CoreError::NotFound)?;
    let today = now.date();
    let mut errors = FieldErrors::new();
    let patient = check_person(&input.patient, "", today, &practice.country, &mut errors);
    let household = input
        .household
        .as_ref()
        .and_then(|p| check_person(p, "household.", today, &practice.country, &mut errors));
    let caregiver = input
        .caregiver
        .as_ref()
        .and_then(|p| check_person(p, "caregiver.", today, &practice.country, &mut errors));
    if let Some(c) = &input.caregiver
        && blank_to_none(&c.email).is_none()
    {
        errors.add(
            "caregiver.email",
            "A caregiver needs an email address for their own sign-in.",
        );
    }
    let consent = match blank_to_none(&input.consent_method) {
        Some(m) => errors.take("consent_method", ConsentMethod::parse(m)),
        None => Some(ConsentMethod::InApp),
    };
    let language = match blank_to_none(&input.language) {
        Some(l) => errors.take("language", Language::parse(l).ok_or("Choose en or es.")),
        None => Some(Language::En),
    };
    let contact_time = blank_to_none(&input.contact_time).map(str::to_owned);
    if contact_time
        .as_ref()
        .is_some_and(|t| t.chars().count() > MAX_CONTACT_TIME)
    {
        errors.add(
            "contact_time",
            format!("Keep the preferred contact time under {MAX_CONTACT_TIME} characters."),
        );
    }
    let notes = blank_to_none(&input.notes).map(str::to_owned);
    if notes
        .as_ref()
        .is_some_and(|n| n.chars().count() > MAX_NOTES)
    {
        errors.add(
            "notes",
            format!("Keep the notes under {MAX_NOTES} characters."),
        );
    }
    let provider_id = blank_to_none(&input.provider_id).map(str::to_owned);
    if let Some(id) = &provider_id
        && providers::find_in_practice(core.store(), &actor.practice_id, id)
            .await?
            .is_none()
    {
        errors.add("provider_id", "Choose a provider of this practice.");
    }
    let program_id = blank_to_none(&input.program_id).map(str::to_owned);
    if let Some(id) = &program_id
        && programs::find_in_practice(core.store(), &actor.practice_id, id)
            .await?
            .is_none()
    {
        errors.add("program_id", "Choose a program of this practice.");
    }
    errors.into_result()?;
    let (Some(patient), Some(consent), Some(language)) = (patient, consent, language) else {
        return Err(CoreError::Internal("field errors were not recorded".into()));
    };

    let expires_at = now.plus(std::time::Duration::from_secs(
        u64::try_from(practice.invite_expiry_days).unwrap_or(14) * 86_400,
    ));
    let shared = Shared {
        practice_id: &actor.practice_id,
        practice_name: &practice.name,
        language,
        created_by: &actor.staff_id,
        provider_id,
        program_id,
        consent,
        expires_at,
        now,
    };
    let mut tx = core.store().begin().await?;
    let invitation = insert_one(
        core,
        &mut tx,
        actor,
        &shared,
        patient,
        Relation::Patient,
        None,
        contact_time,
        notes,
    )
    .await?;
    let mut related = Vec::new();
    for (person, relation) in [
        (household, Relation::Household),
        (caregiver, Relation::Caregiver),
    ] {
        if let Some(person) = person {
            related.push(
                insert_one(
                    core,
                    &mut tx,
                    actor,
                    &shared,
                    person,
                    relation,
                    Some(&invitation.id),
                    None,
                    None,
                )
                .await?,
            );
        }
    }
    tx.commit().await?;
    Ok(Created {
        invitation,
        related,
    })
}

/// What the invitations made in one step share.
struct Shared<'a> {
    practice_id: &'a str,
    practice_name: &'a str,
    language: Language,
    created_by: &'a str,
    provider_id: Option<String>,
    program_id: Option<String>,
    consent: ConsentMethod,
    expires_at: Timestamp,
    now: Timestamp,
}

#[allow(clippy::too_many_arguments)] // One call site per relation; a struct would only rename these.
async fn insert_one(
    core: &Core,
    tx: &mut Tx,
    actor: &StaffActor,
    shared: &Shared<'_>,
    person: Person,
    relation: Relation,
    related_to: Option<&str>,
    contact_time: Option<String>,
    notes: Option<String>,
) -> Result<Issued, CoreError> {
    // Patients without email get a username account instead (caregivers always have email).
    let username = match person.email {
        None => Some(reserve_username(core, tx).await?),
        Some(_) => None,
    };
    let state = initial_state(&person.channels);
    let secrets = draw_secrets(core.keys());
    let row = InvitationRow {
        id: new_id(),
        practice_id: shared.practice_id.to_owned(),
        created_by: shared.created_by.to_owned(),
        provider_id: shared.provider_id.clone(),
        program_id: shared.program_id.clone(),
        related_to: related_to.map(str::to_owned),
        relation: relation.as_str().to_owned(),
        first_name: person.first_name.as_str().to_owned(),
        last_name: person.last_name.as_str().to_owned(),
        birth_date: person.birth_date.expose_iso(),
        email: person.email.as_ref().map(|e| e.as_str().to_owned()),
        phone: person.phone.as_ref().map(|p| p.as_e164().to_owned()),
        username: username.clone(),
        contact_time,
        notes,
        channels: Channel::join(&person.channels),
        consent_method: shared.consent.as_str().to_owned(),
        language: shared.language.as_str().to_owned(),
        state: state.as_str().to_owned(),
        code_hash: Some(secrets.code_hash),
        link_hash: Some(secrets.link_hash),
        failed_attempts: 0,
        expires_at: shared.expires_at.as_millis(),
        created_at: shared.now.as_millis(),
        updated_at: shared.now.as_millis(),
    };
    store::insert(tx, &row).await?;
    record_state(tx, actor, &row.id, state, shared.now).await?;
    let about = About {
        practice_id: shared.practice_id,
        kind: "invitation",
        id: &row.id,
    };
    let facts = InviteFacts {
        practice_name: shared.practice_name,
        first_name: person.first_name.as_str(),
        code: &secrets.code,
        link: &link(core, &secrets.link),
        expires_at: shared.expires_at,
        language: shared.language,
    };
    queue_invites(
        core,
        tx,
        about,
        &person.channels,
        row.email.as_deref(),
        row.phone.as_deref(),
        &facts,
        shared.now,
    )
    .await?;
    audit::by_staff(actor, "invitation.created", shared.now)
        .subject("invitation", &row.id)
        .detail("relation", relation.as_str())
        .detail("state", state.as_str())
        .append(tx)
        .await?;
    Ok(Issued {
        id: row.id,
        relation,
        code: secrets.code,
        link_token: secrets.link,
        state,
        expires_at: shared.expires_at,
        username,
    })
}

fn link(core: &Core, token: &SecretToken) -> String {
    format!("{}/i/{}", core.settings().public_url, token.expose())
}

/// Queues the invitation on each of its channels, to the matching address.
#[allow(clippy::too_many_arguments)] // The pieces of one message; both call sites have them loose.
async fn queue_invites(
    core: &Core,
    tx: &mut Tx,
    about: About<'_>,
    channels: &[Channel],
    email: Option<&str>,
    phone: Option<&str>,
    facts: &InviteFacts<'_>,
    now: Timestamp,
) -> Result<(), CoreError> {
    for &channel in channels {
        let to = match channel {
            Channel::Email => email,
            Channel::Sms | Channel::Voice => phone,
        };
        // Validation made sure each channel has its address; a stored row without one is skipped.
        if let Some(to) = to {
            let kind = messages::invite_kind(channel);
            let template =
                templates::for_sending(core, about.practice_id, kind, facts.language).await?;
            // Saved templates were trial-rendered; should one still fail, the shipped text goes out.
            let message = match messages::invite(channel, to, facts, &template) {
                Ok(message) => message,
                Err(e) => {
                    tracing::warn!(error = %e, kind = kind.as_str(), "practice template failed; using the default");
                    messages::invite(
                        channel,
                        to,
                        facts,
                        &templates::default_template(kind, facts.language),
                    )
                    .map_err(|e| CoreError::Internal(format!("default template failed: {e}")))?
                }
            };
            outbox::enqueue(
                tx,
                core.keys(),
                about,
                MessageKind::Invite,
                channel,
                &message,
                now,
            )
            .await?;
        }
    }
    Ok(())
}

/// Marks a draft invitation sent once a provider accepted its message (called by the worker).
pub async fn mark_sent(core: &Core, practice_id: &str, id: &str) -> Result<(), CoreError> {
    let now = core.now();
    let mut tx = core.store().begin().await?;
    if store::mark_sent(&mut tx, id, now.as_millis()).await? {
        store::add_event(
            &mut tx,
            &EventRow {
                invitation_id: id.to_owned(),
                seq: 0,
                practice_id: practice_id.to_owned(),
                state: InvitationState::Sent.as_str().to_owned(),
                at: now.as_millis(),
                actor_kind: "system".into(),
                actor_id: None,
            },
        )
        .await?;
        audit::by_system("worker", "invitation.sent", now)
            .practice(practice_id)
            .subject("invitation", id)
            .append(&mut tx)
            .await?;
    }
    tx.commit().await?;
    Ok(())
}

async fn record_state(
    tx: &mut Tx,
    actor: &StaffActor,
    id: &str,
    state: InvitationState,
    at: Timestamp,
) -> Result<(), CoreError> {
    store::add_event(
        tx,
        &EventRow {
            invitation_id: id.to_owned(),
            seq: 0,
            practice_id: actor.practice_id.clone(),
            state: state.as_str().to_owned(),
            at: at.as_millis(),
            actor_kind: actor.kind.as_str().to_owned(),
            actor_id: Some(actor.staff_id.clone()),
        },
    )
    .await?;
    Ok(())
}

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
}

fn stored_state(s: &str) -> Result<InvitationState, CoreError> {
    InvitationState::parse(s).map_err(|_| CoreError::Internal("stored state is unknown".into()))
}

fn detail(
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
        relation: Relation::parse(&row.relation)
            .ok_or_else(|| CoreError::Internal("stored relation is unknown".into()))?,
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
        language: Language::parse(&row.language).unwrap_or(Language::En),
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
    audit::by_staff(actor, "invitation.viewed", now)
        .subject("invitation", id)
        .append_alone(core.store())
        .await?;
    detail(row, events, messages, now)
}

/// Filters for the list, as typed in the query string.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
#[serde(default)]
pub struct ListQuery {
    #[cfg_attr(feature = "openapi", param(value_type = Option<InvitationState>))]
    pub state: Option<String>,
    /// Part of the patient's name.
    pub q: Option<String>,
    pub limit: Option<i64>,
    /// The `next_cursor` of the previous page.
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
    audit::by_staff(actor, "invitation.listed", now)
        .detail("count", rows.len())
        .append_alone(core.store())
        .await?;
    let items = rows
        .into_iter()
        .map(|r| {
            Ok(InvitationSummary {
                state: stored_state(&r.state)?.effective(r.expires_at, now.as_millis()),
                relation: Relation::parse(&r.relation).unwrap_or(Relation::Patient),
                id: r.id,
                first_name: r.first_name,
                last_name: r.last_name,
                expires_at: Timestamp::from_millis(r.expires_at).to_rfc3339(),
                created_at: Timestamp::from_millis(r.created_at).to_rfc3339(),
            })
        })
        .collect::<Result<_, CoreError>>()?;
    Ok(Page { items, next_cursor })
}

/// Issues a new code and link (killing the old ones), resets the attempts and the expiry.
/// Refused for redeemed invitations (link the existing account instead) and revoked ones.
pub async fn resend(core: &Core, actor: &StaffActor, id: &str) -> Result<Issued, CoreError> {
    let now = core.now();
    let practice = practices::find(core.store(), &actor.practice_id)
        .await?
        .ok_or(CoreError::NotFound)?;
    let mut tx = core.store().begin().await?;
    let row = store::find_in_practice(&mut tx, &actor.practice_id, id)
        .await?
        .ok_or(CoreError::NotFound)?;
    let current = stored_state(&row.state)?.effective(row.expires_at, now.as_millis());
    refuse_unless(current.can_resend(), current)?;
    let channels = Channel::split(&row.channels);
    let state = initial_state(&channels);
    let secrets = draw_secrets(core.keys());
    let expires_at = now.plus(std::time::Duration::from_secs(
        u64::try_from(practice.invite_expiry_days).unwrap_or(14) * 86_400,
    ));
    let reissue = store::Reissue {
        code_hash: secrets.code_hash,
        link_hash: secrets.link_hash,
        state: state.as_str().to_owned(),
        expires_at: expires_at.as_millis(),
    };
    if !store::reissue(&mut tx, &actor.practice_id, id, &reissue, now.as_millis()).await? {
        return Err(refused_after_race(&mut tx, actor, id, now).await);
    }
    record_state(&mut tx, actor, id, state, now).await?;
    let facts = InviteFacts {
        practice_name: &practice.name,
        first_name: &row.first_name,
        code: &secrets.code,
        link: &link(core, &secrets.link),
        expires_at,
        language: Language::parse(&row.language).unwrap_or(Language::En),
    };
    let about = About {
        practice_id: &actor.practice_id,
        kind: "invitation",
        id,
    };
    queue_invites(
        core,
        &mut tx,
        about,
        &channels,
        row.email.as_deref(),
        row.phone.as_deref(),
        &facts,
        now,
    )
    .await?;
    audit::by_staff(actor, "invitation.resent", now)
        .subject("invitation", id)
        .detail("from_state", current.as_str())
        .append(&mut tx)
        .await?;
    tx.commit().await?;
    Ok(Issued {
        id: row.id,
        relation: Relation::parse(&row.relation).unwrap_or(Relation::Patient),
        code: secrets.code,
        link_token: secrets.link,
        state,
        expires_at,
        username: row.username,
    })
}

/// Revokes an invitation: its code and link stop working at once.
pub async fn revoke(core: &Core, actor: &StaffActor, id: &str) -> Result<Invitation, CoreError> {
    let now = core.now();
    let mut tx = core.store().begin().await?;
    let row = store::find_in_practice(&mut tx, &actor.practice_id, id)
        .await?
        .ok_or(CoreError::NotFound)?;
    let current = stored_state(&row.state)?.effective(row.expires_at, now.as_millis());
    refuse_unless(current.can_revoke(), current)?;
    if !store::revoke(&mut tx, &actor.practice_id, id, now.as_millis()).await? {
        return Err(refused_after_race(&mut tx, actor, id, now).await);
    }
    record_state(&mut tx, actor, id, InvitationState::Revoked, now).await?;
    audit::by_staff(actor, "invitation.revoked", now)
        .subject("invitation", id)
        .append(&mut tx)
        .await?;
    let row = store::find_in_practice(&mut tx, &actor.practice_id, id)
        .await?
        .ok_or(CoreError::NotFound)?;
    let events = store::events(&mut tx, id).await?;
    let messages =
        outbox_store::list_for_subject(&mut tx, &actor.practice_id, "invitation", id).await?;
    tx.commit().await?;
    detail(row, events, messages, now)
}

fn refusal(state: InvitationState) -> CoreError {
    match state {
        InvitationState::Redeemed => CoreError::Conflict(
            "This invitation was already redeemed, so it cannot be re-sent or revoked. Link the patient's existing account instead.",
        ),
        _ => CoreError::Conflict("This invitation was revoked. Create a new invitation instead."),
    }
}

/// The refusal when a guarded update lost a race (e.g. the patient redeemed meanwhile): says
/// what the invitation is now, not what it was when we first looked.
async fn refused_after_race(
    tx: &mut Tx,
    actor: &StaffActor,
    id: &str,
    now: Timestamp,
) -> CoreError {
    match store::find_in_practice(&mut *tx, &actor.practice_id, id).await {
        Ok(Some(row)) => match stored_state(&row.state) {
            Ok(state) => refusal(state.effective(row.expires_at, now.as_millis())),
            Err(e) => e,
        },
        Ok(None) => CoreError::NotFound,
        Err(e) => e.into(),
    }
}

fn refuse_unless(allowed: bool, state: InvitationState) -> Result<(), CoreError> {
    if allowed { Ok(()) } else { Err(refusal(state)) }
}

/// Moves a sent invitation to `delivered` inside the caller's transaction (the provider reported
/// its message arrived), with a history event by `system` and an audit event; answers whether it
/// moved. Any other state is left alone.
pub async fn mark_delivered(
    tx: &mut Tx,
    practice_id: &str,
    id: &str,
    now: Timestamp,
) -> Result<bool, CoreError> {
    if !store::mark_delivered(tx, id, now.as_millis()).await? {
        return Ok(false);
    }
    store::add_event(
        tx,
        &EventRow {
            invitation_id: id.to_owned(),
            seq: 0,
            practice_id: practice_id.to_owned(),
            state: InvitationState::Delivered.as_str().to_owned(),
            at: now.as_millis(),
            actor_kind: "system".into(),
            actor_id: None,
        },
    )
    .await?;
    audit::by_system("system", "invitation.delivered", now)
        .practice(practice_id)
        .subject("invitation", id)
        .append(tx)
        .await?;
    Ok(true)
}
