//! Moving an invitation along after creation: re-send, revoke, and the delivery reports that
//! mark it sent and delivered.

use super::stored::{stored_language, stored_relation, stored_state};
use super::view::detail;
use super::*;
use crate::delivery::reports::{DeliveryEvent, Heard, Report};

/// What a delivery report on an invitation's message means for the invitation: accepted by a
/// transport moves a draft to `sent`, arrived moves a sent one to `delivered`. Other messages
/// and events leave it alone. Registered in `Core::new`; runs in the outbox change's transaction.
pub(crate) fn delivery_reported<'a>(tx: &'a mut Tx, report: &'a Report) -> Heard<'a> {
    Box::pin(async move {
        if report.message != MessageKind::Invite {
            return Ok(());
        }
        let (practice_id, id, at) = (&report.practice_id, &report.subject_id, report.at);
        match report.event {
            DeliveryEvent::Sent => mark_sent(tx, practice_id, id, at).await,
            DeliveryEvent::Delivered => mark_delivered(tx, practice_id, id, at).await,
            DeliveryEvent::Failed | DeliveryEvent::GaveUp => Ok(()),
        }
    })
}

/// Moves a draft invitation to `sent` (a transport accepted its message), with a history event
/// by `system` and an audit event. Any other state is left alone.
async fn mark_sent(
    tx: &mut Tx,
    practice_id: &str,
    id: &str,
    now: Timestamp,
) -> Result<(), CoreError> {
    if store::mark_sent(tx, id, now.as_millis()).await? {
        record_event(
            tx,
            practice_id,
            id,
            InvitationState::Sent,
            MovedBy::System,
            now,
        )
        .await?;
        audit::by_system("worker", Action::InvitationSent, now)
            .practice(practice_id)
            .subject(SubjectKind::Invitation, id)
            .append(tx)
            .await?;
    }
    Ok(())
}

/// How to send an invitation again; left empty, it goes as before, in its own language, on its
/// own channels.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct ResendInput {
    /// The language of the messages (and so which of the practice's templates is used) from now
    /// on: `en` or `es`; blank keeps the invitation's.
    #[cfg_attr(
        feature = "openapi",
        schema(value_type = Option<portico_domain::schema::OrBlank<crate::delivery::templates::Language>>)
    )]
    pub language: Option<String>,
    /// Send nothing this time: staff hand the new code over in person (a printed sheet). The
    /// invitation keeps its channels for later re-sends.
    pub hand_over: bool,
}

/// Issues a new code and link (killing the old ones), resets the attempts and the expiry.
/// Refused for redeemed invitations (link the existing account instead) and revoked ones.
pub async fn resend(
    core: &Core,
    actor: &StaffActor,
    id: &str,
    input: &ResendInput,
) -> Result<Issued, CoreError> {
    let language =
        match blank_to_none(&input.language) {
            Some(l) => Some(Language::parse(l).ok_or_else(|| {
                CoreError::from(FieldErrors::single("language", "Choose en or es."))
            })?),
            None => None,
        };
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
    let channels = if input.hand_over {
        Vec::new()
    } else {
        Channel::split(&row.channels)
    };
    let state = initial_state(&channels);
    let language = match language {
        Some(language) => language,
        None => stored_language(&row.language)?,
    };
    let secrets = draw_secrets(core.keys());
    let expires_at = now.plus(std::time::Duration::from_secs(
        u64::try_from(practice.invite_expiry_days).unwrap_or(14) * 86_400,
    ));
    let reissue = store::Reissue {
        code_hash: secrets.code_hash,
        link_hash: secrets.link_hash,
        state: state.as_str().to_owned(),
        expires_at: expires_at.as_millis(),
        language: language.as_str().to_owned(),
    };
    if !store::reissue(&mut tx, &actor.practice_id, id, &reissue, now.as_millis()).await? {
        return Err(refused_after_race(&mut tx, actor, id, now).await);
    }
    record_event(
        &mut tx,
        &actor.practice_id,
        id,
        state,
        MovedBy::Staff(actor),
        now,
    )
    .await?;
    let time_zone = crate::practices::time_zone(&practice)?;
    let facts = InviteFacts {
        practice_name: &practice.name,
        first_name: &row.first_name,
        code: &secrets.code,
        link: &link(core, &secrets.link),
        expires_at,
        time_zone: &time_zone,
        language,
    };
    let about = About {
        practice_id: &actor.practice_id,
        subject: SubjectKind::Invitation,
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
    audit::by_staff(actor, Action::InvitationResent, now)
        .subject(SubjectKind::Invitation, id)
        .detail("from_state", current.as_str())
        .detail("handed_over", channels.is_empty())
        .append(&mut tx)
        .await?;
    tx.commit().await?;
    Ok(Issued {
        id: row.id,
        relation: stored_relation(&row.relation)?,
        code: secrets.code,
        link_token: secrets.link,
        state,
        expires_at,
        username: row.username,
        handed_over: channels.is_empty(),
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
    record_event(
        &mut tx,
        &actor.practice_id,
        id,
        InvitationState::Revoked,
        MovedBy::Staff(actor),
        now,
    )
    .await?;
    audit::by_staff(actor, Action::InvitationRevoked, now)
        .subject(SubjectKind::Invitation, id)
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

/// Moves a sent invitation to `delivered` (the provider reported its message arrived), with a
/// history event by `system` and an audit event. Any other state is left alone.
async fn mark_delivered(
    tx: &mut Tx,
    practice_id: &str,
    id: &str,
    now: Timestamp,
) -> Result<(), CoreError> {
    if !store::mark_delivered(tx, id, now.as_millis()).await? {
        return Ok(());
    }
    record_event(
        tx,
        practice_id,
        id,
        InvitationState::Delivered,
        MovedBy::System,
        now,
    )
    .await?;
    audit::by_system("system", Action::InvitationDelivered, now)
        .practice(practice_id)
        .subject(SubjectKind::Invitation, id)
        .append(tx)
        .await?;
    Ok(())
}
