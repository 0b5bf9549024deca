//! Inviting someone into a conversation (docs/PRODUCT.md §7): a staff member writes to a person
//! who has no account yet, by email typed twice. An ordinary invitation goes by email (its link
//! and code, the registration as for any invitation); the conversation's subject and first
//! message wait, sealed, until that invitation's registration creates the account, which opens
//! the thread and lands the new patient on it. A patient of the practice who already has that
//! email address and birth date gets the conversation at once, and the usual "a message is
//! waiting" email whose link leads to it after signing in.

use portico_domain::{
    BirthDate, EmailAddress, InvitationState, MessageAuthor, MessageText, SubjectKind,
    ThreadSubject,
};
use portico_store::Tx;
use portico_store::accounts::patients;
use portico_store::invitations::InvitationRow;
use portico_store::threads::invited::{self as store, InvitedThreadRow};
use portico_store::threads::{self as threads_store, NewThread};

use super::{NewThreadInput, access};
use crate::audit::{self, Action};
use crate::invitations::{self, NewInvitationInput, PersonInput};
use crate::platform::actor::StaffActor;
use crate::platform::clock::Timestamp;
use crate::platform::secrets::Purpose;
use crate::{Core, CoreError, FieldErrors, new_id};

/// At most this many waiting conversations listed.
const WAITING_LIMIT: i64 = 100;

/// A person to invite into a conversation, and its first words.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct ThreadInvitationInput {
    #[cfg_attr(feature = "openapi", schema(required = true, default))]
    pub first_name: String,
    #[cfg_attr(feature = "openapi", schema(required = true, default))]
    pub last_name: String,
    /// `YYYY-MM-DD`: the person proves it when they use the invitation.
    #[cfg_attr(feature = "openapi", schema(required = true, default))]
    pub birth_date: String,
    #[cfg_attr(feature = "openapi", schema(required = true, default))]
    pub email: String,
    /// The email address typed a second time: the invitation goes only where both agree.
    #[cfg_attr(feature = "openapi", schema(required = true, default))]
    pub confirm_email: String,
    /// What the conversation is about (one line, at most 120 characters).
    #[cfg_attr(feature = "openapi", schema(required = true, default))]
    pub subject: String,
    /// The first message (at most 5000 characters).
    #[cfg_attr(feature = "openapi", schema(required = true, default))]
    pub body: String,
}

/// What inviting did.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ThreadInvitation {
    /// The conversation's id: readable at once when `waiting_for_registration` is false, else
    /// once the person has registered.
    pub thread_id: String,
    /// The invitation sent by email (when the person had no account at the practice).
    pub invitation_id: Option<String>,
    /// True when the conversation waits for the person to register with the invitation.
    pub waiting_for_registration: bool,
}

/// A conversation waiting for its person to register, as the staff member's inbox lists it.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WaitingThread {
    pub invitation_id: String,
    pub person_name: String,
    pub subject: String,
    /// The invitation's state now (`sent`, `delivered`, `expired`…): an expired or locked one
    /// must be re-sent before the person can register.
    #[cfg_attr(feature = "openapi", schema(value_type = InvitationState))]
    pub invitation_state: String,
    pub invited_at: String,
    /// The state as the front desk reads it ("Delivered").
    #[serde(skip)]
    pub state_words: &'static str,
}

/// Invites the person into a new conversation with the actor (a signed-in staff member).
pub async fn invite(
    core: &Core,
    actor: &StaffActor,
    input: &ThreadInvitationInput,
) -> Result<ThreadInvitation, CoreError> {
    access::require_person(actor)?;
    let invitation = NewInvitationInput {
        patient: PersonInput {
            first_name: input.first_name.clone(),
            last_name: input.last_name.clone(),
            birth_date: input.birth_date.clone(),
            email: Some(input.email.clone()),
            phone: None,
            channels: vec!["email".to_owned()],
        },
        ..NewInvitationInput::default()
    };
    let mut errors = match invitations::check(core, actor, &invitation).await {
        Ok(()) => FieldErrors::new(),
        Err(CoreError::Invalid(errors)) => errors,
        Err(e) => return Err(e),
    };
    let email = EmailAddress::parse(input.email.trim()).ok();
    let confirmed = EmailAddress::parse(input.confirm_email.trim())
        .ok()
        .map(|e| e.lookup_key());
    if let Some(email) = &email
        && confirmed.as_deref() != Some(email.lookup_key().as_str())
    {
        errors.add(
            "confirm_email",
            "Type the same email address again: the two differ.",
        );
    }
    let subject = errors.take("subject", ThreadSubject::parse(&input.subject));
    let body = errors.take("body", MessageText::parse(&input.body));
    errors.into_result()?;
    let (Some(email), Some(subject), Some(body)) = (email, subject, body) else {
        return Err(CoreError::Internal("field errors were not recorded".into()));
    };

    // A patient of the practice with this address: the conversation starts with them now.
    if let Some(patient_id) = practice_patient(core, actor, &email, &input.birth_date).await? {
        let started = super::start(
            core,
            actor,
            &NewThreadInput {
                patient_id,
                subject: input.subject.clone(),
                body: input.body.clone(),
            },
        )
        .await?;
        return Ok(ThreadInvitation {
            thread_id: started.summary.id,
            invitation_id: None,
            waiting_for_registration: false,
        });
    }

    let now = core.now();
    let thread_id = new_id();
    let mut tx = core.store().begin().await?;
    let created = invitations::create_in(core, &mut tx, actor, &invitation).await?;
    let invitation_id = created.invitation.id;
    store::insert(
        &mut tx,
        &InvitedThreadRow {
            invitation_id: invitation_id.clone(),
            thread_id: thread_id.clone(),
            practice_id: actor.practice_id.clone(),
            staff_id: actor.staff_id.clone(),
            subject_sealed: core.keys().seal(Purpose::ThreadText, subject.expose()),
            body_sealed: core.keys().seal(Purpose::ThreadText, body.expose()),
            created_at: now.as_millis(),
        },
    )
    .await?;
    audit::by_staff(actor, Action::ThreadInvited, now)
        .subject(SubjectKind::Invitation, &invitation_id)
        .append(&mut tx)
        .await?;
    tx.commit().await?;
    Ok(ThreadInvitation {
        thread_id,
        invitation_id: Some(invitation_id),
        waiting_for_registration: true,
    })
}

/// The patient of the actor's practice whose account has this email address, if any. One with
/// another birth date is refused under `email`: the conversation must not reach the wrong person.
async fn practice_patient(
    core: &Core,
    actor: &StaffActor,
    email: &EmailAddress,
    birth_date: &str,
) -> Result<Option<String>, CoreError> {
    let key = email.lookup_key();
    let Some(account) = patients::find_by_sign_in_name(core.store(), Some(&key), None).await?
    else {
        return Ok(None);
    };
    if !portico_store::patients::is_of_practice(core.store(), &actor.practice_id, &account.id)
        .await?
    {
        // An account elsewhere is not this practice's to know of: the invitation goes as usual.
        return Ok(None);
    }
    let typed = BirthDate::parse(birth_date, core.now().date()).ok();
    match typed.is_some_and(|d| d.expose_iso() == account.birth_date) {
        true => Ok(Some(account.id)),
        false => Err(FieldErrors::single(
            "email",
            "A patient of your practice with another date of birth has this email address. \
             Check both, or write to that patient from their record.",
        )
        .into()),
    }
}

/// The staff member's conversations still waiting for their person to register, newest first.
pub async fn waiting(core: &Core, actor: &StaffActor) -> Result<Vec<WaitingThread>, CoreError> {
    access::require_person(actor)?;
    let rows = store::waiting_for_staff(
        core.store(),
        &actor.practice_id,
        &actor.staff_id,
        WAITING_LIMIT,
    )
    .await?;
    let now = core.now().as_millis();
    rows.into_iter()
        .map(|row| {
            let state = InvitationState::parse(&row.state)
                .map_err(|_| CoreError::Internal(format!("unknown state {:?}", row.state)))?
                .effective(row.expires_at, now);
            Ok(WaitingThread {
                subject: super::open(core, &row.subject_sealed)?,
                person_name: format!("{} {}", row.first_name, row.last_name),
                invitation_id: row.invitation_id,
                invitation_state: state.as_str().to_owned(),
                state_words: state.label(),
                invited_at: Timestamp::from_millis(row.created_at).to_rfc3339(),
            })
        })
        .collect()
}

/// The registration that redeemed `invitation` opens the conversation waiting for it, if any,
/// with the staff member's first message: answers its id, where the new patient lands.
pub(crate) async fn invitation_redeemed(
    tx: &mut Tx,
    invitation: &InvitationRow,
    patient_id: &str,
    event: impl FnOnce(Action) -> audit::Entry,
    now: Timestamp,
) -> Result<Option<String>, CoreError> {
    let Some(waiting) = store::take(&mut *tx, &invitation.id, now.as_millis()).await? else {
        return Ok(None);
    };
    threads_store::insert(
        &mut *tx,
        &NewThread {
            id: waiting.thread_id.clone(),
            practice_id: waiting.practice_id.clone(),
            staff_id: waiting.staff_id.clone(),
            patient_id: patient_id.to_owned(),
            subject_sealed: waiting.subject_sealed,
            created_at: now.as_millis(),
        },
    )
    .await?;
    // The message is dated when the staff member wrote it.
    threads_store::post(
        tx,
        &waiting.thread_id,
        &new_id(),
        MessageAuthor::Staff,
        &waiting.staff_id,
        &waiting.body_sealed,
        waiting.created_at,
    )
    .await?;
    event(Action::ThreadStarted)
        .practice(&waiting.practice_id)
        .subject(SubjectKind::Thread, &waiting.thread_id)
        .patient(patient_id)
        .detail("invitation", true)
        .append(&mut *tx)
        .await?;
    Ok(Some(waiting.thread_id))
}
