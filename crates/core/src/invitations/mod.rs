//! Invitations (docs/PRODUCT.md §3), staff side: create (with household, caregiver and no-email
//! variants; a patient without email gets a username, chosen by staff or drawn), list and search
//! (`list`, over the folded terms `search` writes with each invitation), read with history,
//! re-send (one, or many expired and locked ones at once: `bulk`) and revoke. Each invitation carries a personal invite code and a link token,
//! stored only as keyed hashes; the plain code is handed back once, at creation and at each
//! re-send. Every change of state is written to the invitation's history and to the audit log in
//! the same transaction. The public redemption lives in `redemption`.

use portico_domain::SubjectKind;
use portico_domain::{Channel, ConsentMethod, InvitationState, InviteCode, Relation, TimeZone};
use portico_store::invitations::{self as store, EventRow, InvitationRow};
use portico_store::practices::PracticeRow;
use portico_store::{Tx, practices};

use crate::accounts::usernames;
use crate::audit::{self, Action};
use crate::delivery::messages::{self, InviteFacts};
use crate::delivery::outbox::{self, About, MessageKind, MessageStatus, OutgoingMessage};
use crate::delivery::templates::{self, Language};
use crate::platform::actor::StaffActor;
use crate::platform::clock::Timestamp;
use crate::platform::secrets::{Keys, Purpose, SecretToken};
use crate::{Core, CoreError, FieldErrors, new_id};
use portico_store::delivery::outbox::{self as outbox_store, OutboxRow};

pub mod bench;
mod bulk;
mod follow_up;
mod history;
pub(crate) mod imported;
mod input;
mod lifecycle;
mod list;
mod preview;
pub mod redemption;
mod search;
mod stored;
mod view;

pub use bulk::{BulkOutcome, BulkResend, BulkResent, BulkResentItem, MAX_BULK, resend_many};
pub use follow_up::{StateCount, Undelivered, counts, undelivered};
pub(crate) use history::{MovedBy, record_event};
pub use input::{CONTACT_TIME_LIMIT, NOTES_LIMIT, NewInvitationInput, PersonInput};
use input::{Person, USERNAME_TAKEN, blank_to_none, check_new};
pub(crate) use lifecycle::delivery_reported;
pub use lifecycle::{ResendInput, resend, revoke};
pub use list::{DEFAULT_PAGE, InvitationSummary, ListOrder, ListQuery, MAX_PAGE, Page, list};
pub use preview::{
    FIRST_NAME_STAND_IN, InvitePreview, MessagePreview, PersonPreview, SAMPLE_CODE, preview,
};
pub use search::index_unindexed;
pub use view::{HistoryEntry, Invitation, get};

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
    /// Nothing was sent: the invitation has no channels, or this re-send was for a hand-over.
    pub handed_over: bool,
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

/// How many codes an invitation draws before giving up: each is taken with odds of at most one
/// in ten thousand, so a fifth is never needed.
const MAX_DRAWS: u32 = 5;

/// An invitation with channels waits in `draft` for delivery; one with none was handed over
/// (printed or read out) by staff and counts as sent.
fn initial_state(channels: &[Channel]) -> InvitationState {
    if channels.is_empty() {
        InvitationState::Sent
    } else {
        InvitationState::Draft
    }
}

/// Creates an invitation (and its household and caregiver invitations) for the actor's practice.
pub async fn create(
    core: &Core,
    actor: &StaffActor,
    input: &NewInvitationInput,
) -> Result<Created, CoreError> {
    let mut tx = core.store().begin().await?;
    let created = create_in(core, &mut tx, actor, input).await?;
    tx.commit().await?;
    Ok(created)
}

/// Creates the invitations as [`create`] does, in the caller's transaction: a feature that
/// invites someone into something of its own (a conversation) writes both or neither.
pub async fn create_in(
    core: &Core,
    tx: &mut Tx,
    actor: &StaffActor,
    input: &NewInvitationInput,
) -> Result<Created, CoreError> {
    let now = core.now();
    let practice = practice_of(core, actor).await?;
    let checked = check_new(core, &practice, input).await?;
    let time_zone = crate::practices::time_zone(&practice)?;
    let shared = Shared {
        practice_id: &actor.practice_id,
        practice_name: &practice.name,
        time_zone: &time_zone,
        language: checked.choices.language,
        created_by: &actor.staff_id,
        provider_id: checked.choices.provider_id,
        program_id: checked.choices.program_id,
        consent: checked.consent,
        expires_at: expiry(&practice, now),
        now,
    };
    let invitation = insert_one(
        core,
        &mut *tx,
        actor,
        &shared,
        None,
        checked.patient,
        Relation::Patient,
        None,
        (checked.contact_time, checked.notes),
    )
    .await?;
    let mut related = Vec::new();
    for (person, relation) in [
        (checked.household, Relation::Household),
        (checked.caregiver, Relation::Caregiver),
    ] {
        if let Some(person) = person {
            related.push(
                insert_one(
                    core,
                    &mut *tx,
                    actor,
                    &shared,
                    None,
                    person,
                    relation,
                    Some(&invitation.id),
                    (None, None),
                )
                .await?,
            );
        }
    }
    Ok(Created {
        invitation,
        related,
    })
}

/// Checks a new invitation exactly as [`create`] would, writing nothing: the invite form asks
/// staff to confirm a patient without email only once everything else is right.
pub async fn check(
    core: &Core,
    actor: &StaffActor,
    input: &NewInvitationInput,
) -> Result<(), CoreError> {
    let practice = practice_of(core, actor).await?;
    check_new(core, &practice, input).await.map(drop)
}

/// The actor's practice, as stored.
async fn practice_of(core: &Core, actor: &StaffActor) -> Result<PracticeRow, CoreError> {
    practices::find(core.store(), &actor.practice_id)
        .await?
        .ok_or(CoreError::NotFound)
}

/// When an invitation made now stops working: after the practice's expiry days.
fn expiry(practice: &PracticeRow, now: Timestamp) -> Timestamp {
    now.plus(std::time::Duration::from_secs(
        u64::try_from(practice.invite_expiry_days).unwrap_or(14) * 86_400,
    ))
}

/// What the invitations made in one step share.
struct Shared<'a> {
    practice_id: &'a str,
    practice_name: &'a str,
    time_zone: &'a TimeZone,
    language: Language,
    created_by: &'a str,
    provider_id: Option<String>,
    program_id: Option<String>,
    consent: ConsentMethod,
    expires_at: Timestamp,
    now: Timestamp,
}

/// Writes one invitation; `id` is the import's, chosen before (one is drawn when `None`).
#[allow(clippy::too_many_arguments)] // One call site per relation; a struct would only rename these.
async fn insert_one(
    core: &Core,
    tx: &mut Tx,
    actor: &StaffActor,
    shared: &Shared<'_>,
    id: Option<String>,
    person: Person,
    relation: Relation,
    related_to: Option<&str>,
    (contact_time, notes): (Option<String>, Option<String>),
) -> Result<Issued, CoreError> {
    // Patients without email get a username account instead (caregivers always have email).
    // Drawn in this transaction, so a household member cannot draw the patient's name.
    let chosen = person.username.clone();
    let mut username = match (&person.email, person.username) {
        (None, Some(chosen)) => Some(chosen.as_str().to_owned()),
        (None, None) => Some(usernames::draw_free(&mut *tx).await?.as_str().to_owned()),
        (Some(_), _) => None,
    };
    let state = initial_state(&person.channels);
    let mut secrets = draw_secrets(core.keys());
    let mut row = InvitationRow {
        id: id.unwrap_or_else(new_id),
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
        code_hash: Some(secrets.code_hash.clone()),
        link_hash: Some(secrets.link_hash.clone()),
        failed_attempts: 0,
        expires_at: shared.expires_at.as_millis(),
        created_at: shared.now.as_millis(),
        updated_at: shared.now.as_millis(),
    };
    // A unique value may be taken: the username staff chose (said beside its field) or, rarely
    // in a practice with many invitations, the code drawn (1 in 7.6 × 10¹⁰ a draw: after some
    // hundred thousand open invitations, a collision a run is likely) or a drawn username. A
    // taken value writes nothing and leaves the transaction usable, so the code (and a drawn
    // name) is drawn again.
    let mut draws = 1;
    while !store::insert_unless_taken(tx, &row).await? {
        if let Some(chosen) = &chosen
            && !usernames::is_free(&mut *tx, chosen).await?
        {
            return Err(FieldErrors::single("username", USERNAME_TAKEN).into());
        }
        if draws == MAX_DRAWS {
            return Err(CoreError::Internal(format!(
                "no free invite code after {MAX_DRAWS} draws"
            )));
        }
        draws += 1;
        secrets = draw_secrets(core.keys());
        row.code_hash = Some(secrets.code_hash.clone());
        row.link_hash = Some(secrets.link_hash.clone());
        if chosen.is_none() && username.is_some() {
            username = Some(usernames::draw_free(&mut *tx).await?.as_str().to_owned());
            row.username = username.clone();
        }
    }
    search::index(tx, &searchable(&row)).await?;
    record_event(
        tx,
        &row.practice_id,
        &row.id,
        state,
        MovedBy::Staff(actor),
        shared.now,
    )
    .await?;
    let about = About {
        practice_id: shared.practice_id,
        subject: SubjectKind::Invitation,
        id: &row.id,
    };
    let facts = InviteFacts {
        practice_name: shared.practice_name,
        first_name: person.first_name.as_str(),
        code: &secrets.code,
        link: &link(core, &secrets.link),
        expires_at: shared.expires_at,
        time_zone: shared.time_zone,
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
    audit::by_staff(actor, Action::InvitationCreated, shared.now)
        .subject(SubjectKind::Invitation, &row.id)
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
        handed_over: person.channels.is_empty(),
    })
}

/// The invitation on `channel` in the practice's template for its language. Saved templates were
/// trial-rendered; should one still fail, the shipped text goes out.
async fn invite_message(
    core: &Core,
    practice_id: &str,
    channel: Channel,
    to: &str,
    facts: &InviteFacts<'_>,
) -> Result<OutgoingMessage, CoreError> {
    let kind = messages::invite_kind(channel);
    let template = templates::for_sending(core, practice_id, kind, facts.language).await?;
    match messages::invite(channel, to, facts, &template) {
        Ok(message) => Ok(message),
        Err(e) => {
            tracing::warn!(error = %e, kind = kind.as_str(), "practice template failed; using the default");
            messages::invite(
                channel,
                to,
                facts,
                &templates::default_template(kind, facts.language),
            )
            .map_err(|e| CoreError::Internal(format!("default template failed: {e}")))
        }
    }
}

/// What a new invitation is found by in the list's search.
fn searchable(row: &InvitationRow) -> store::search::Searchable {
    store::search::Searchable {
        id: row.id.clone(),
        practice_id: row.practice_id.clone(),
        created_at: row.created_at,
        first_name: row.first_name.clone(),
        last_name: row.last_name.clone(),
        email: row.email.clone(),
        phone: row.phone.clone(),
        username: row.username.clone(),
    }
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
            let message = invite_message(core, about.practice_id, channel, to, facts).await?;
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
