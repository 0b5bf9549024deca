//! A staff member's own account: changing their own password. The current password is asked
//! first and counts against the sign-in limits exactly as a sign-in would (a stolen session must
//! not become a way to guess it, nor to lock its owner out by changing it); the new one follows
//! the same rules as every password (NIST SP 800-63B). A change signs out every other session of
//! the member, keeping the one it was made from, and is audited, as is a wrong current password.

use portico_domain::{Password, PasswordContext, SubjectKind};
use portico_store::{accounts::staff_sessions, practices::staff};

use super::staff_sessions::PasswordAttempt;
use crate::audit::{self, Action, FAILURE};
use crate::platform::actor::{ActorKind, StaffActor};
use crate::platform::secrets::{Purpose, SecretToken};
use crate::{Core, CoreError, FieldErrors};

/// A change of password as typed into the form.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct PasswordChangeInput {
    pub current_password: String,
    /// The new password.
    pub password: String,
}

/// What a change did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PasswordChanged {
    /// How many other sessions were signed out.
    pub sessions_ended: u64,
}

/// Changes the signed-in staff member's own password, keeping the session `current` (the one
/// the change is made from) and ending every other. Every field's problem is reported at once;
/// nothing changes unless both fields are right.
pub async fn change_password(
    core: &Core,
    actor: &StaffActor,
    current: &SecretToken,
    input: &PasswordChangeInput,
) -> Result<PasswordChanged, CoreError> {
    // An API token has no password of its own.
    if actor.kind != ActorKind::Staff {
        return Err(CoreError::Forbidden);
    }
    let row = staff::find_in_practice(core.store(), &actor.practice_id, &actor.staff_id)
        .await?
        .ok_or(CoreError::NotFound)?;
    let mut errors = FieldErrors::new();
    let context = [row.display_name.as_str(), row.email.as_str()];
    let new = errors.take(
        "password",
        Password::parse(&input.password, &PasswordContext::single_factor(&context)),
    );
    if input.current_password.is_empty() {
        errors.add("current_password", "Enter your current password.");
        return Err(CoreError::Invalid(errors));
    }
    let attempt = PasswordAttempt::count(core, &row.email, &actor.client).await?;
    let matches = core
        .hasher()
        .verify(
            input.current_password.clone(),
            Some(row.password_hash.clone()),
        )
        .await?;
    if !matches {
        audit::by_staff(actor, Action::StaffPasswordChanged, core.now())
            .subject(SubjectKind::Staff, &actor.staff_id)
            .outcome(FAILURE)
            .append_alone(core.store())
            .await?;
        // First in the list: it is the one to fix before the other means anything.
        let mut first = FieldErrors::single(
            "current_password",
            "That is not your current password. Check it and try again.",
        );
        for e in errors.iter() {
            first.add(e.field.clone(), e.message.clone());
        }
        return Err(CoreError::Invalid(first));
    }
    attempt.succeeded(core).await?;
    let Some(new) = new else {
        return Err(CoreError::Invalid(errors));
    };
    if new.expose_secret() == input.current_password {
        return Err(CoreError::Invalid(FieldErrors::single(
            "password",
            "Choose a new password, not the one you have now.",
        )));
    }
    let hash = core.hasher().hash(new.expose_secret().to_owned()).await?;
    let now = core.now();
    let mut tx = core.store().begin().await?;
    if !staff::set_password(
        &mut tx,
        &actor.practice_id,
        &actor.staff_id,
        &hash,
        now.as_millis(),
    )
    .await?
    {
        return Err(CoreError::NotFound);
    }
    let keep = current.lookup_hash(core.keys(), Purpose::Session);
    let ended = staff_sessions::delete_for_staff_except(&mut tx, &actor.staff_id, &keep).await?;
    audit::by_staff(actor, Action::StaffPasswordChanged, now)
        .subject(SubjectKind::Staff, &actor.staff_id)
        .detail("sessions_ended", ended)
        .append(&mut tx)
        .await?;
    tx.commit().await?;
    Ok(PasswordChanged {
        sessions_ended: ended,
    })
}
