//! Forgotten passwords (docs/PRODUCT.md §5): a six-digit code by email or SMS, then a new password. The
//! first answer is the same whether or not an account matched — a recovery token and "if an account
//! matches, we sent a code" — and both cases write the same kind of row, so neither the answer nor
//! the database's behaviour tells them apart. A reset ends every session of the account.

use portico_domain::SubjectKind;
use portico_domain::{Channel, Password, PasswordContext};
use portico_store::{
    accounts::one_time_codes, accounts::patient_sessions, accounts::patients, links,
};

use crate::accounts::one_time_codes as one_time;
use crate::accounts::patient_sessions::find_by_name;
use crate::audit::{self, Action};
use crate::delivery::messages;
use crate::delivery::outbox::{self, About, MessageKind};
use crate::platform::actor::ClientInfo;
use crate::platform::secrets::{Purpose, SecretToken};
use crate::platform::throttle::{self, Rule};
use crate::{Core, CoreError, FieldErrors};

/// Forgotten-credential requests (password codes, tries at them and username reminders) per client
/// address: one budget, since each can send a message or guess a code.
pub(crate) fn per_address(core: &Core) -> Rule {
    Rule {
        scope: "recovery-address",
        limit: core.settings().recovery_per_address,
    }
}

/// Recoveries an account may start per day; more are answered alike but send nothing.
fn per_account(core: &Core) -> Rule {
    Rule {
        scope: "recovery-account",
        limit: core.settings().recovery_per_account,
    }
}

/// The answer to a recovery request, identical for known and unknown accounts.
#[derive(Debug)]
pub struct RecoveryStarted {
    /// Names this recovery in the second step (shown once; stored only as a keyed hash).
    pub token: SecretToken,
}

/// Starts a recovery for the account reached by `name` (email address or username): sends a code
/// by `channel` (`email` or `sms`) when there is such an account with that kind of contact.
pub async fn start(
    core: &Core,
    name: &str,
    channel: &str,
    client: &ClientInfo,
) -> Result<RecoveryStarted, CoreError> {
    let channel = match Channel::parse(channel) {
        Ok(c @ (Channel::Email | Channel::Sms)) => c,
        _ => {
            return Err(FieldErrors::single("channel", "Choose email or a text message.").into());
        }
    };
    if name.trim().is_empty() {
        return Err(FieldErrors::single(
            "name",
            "Enter the email address or username you sign in with.",
        )
        .into());
    }
    // Every request counts here (not only failures): each one can send a message.
    throttle::attempt(core, per_address(core), &client.address_key()).await?;

    let now = core.now();
    let found = find_by_name(core, name).await?;
    // Both branches do the same reads and writes (a budget count, a card look-up, voiding older
    // codes, a code row and an audit event), so neither the answer nor its timing tells whether
    // an account matched; only the message itself is sent for a real account.
    let decoy = crate::new_id();
    let subject = found.as_ref().map_or(decoy.as_str(), |row| row.id.as_str());
    let within_budget = match throttle::attempt(core, per_account(core), subject).await {
        Ok(()) => true,
        Err(CoreError::Throttled { .. }) => false,
        Err(other) => return Err(other),
    };
    let practice = links::cards_for_patient(core.store(), subject, now.as_millis())
        .await?
        .into_iter()
        .next();
    let target = match (&found, practice) {
        (Some(row), Some(card)) if within_budget => {
            let to = match channel {
                Channel::Email => row.email.clone(),
                _ => Some(row.phone.clone()),
            };
            to.map(|to| (row, to, card))
        }
        _ => None,
    };

    let token = SecretToken::generate();
    let id = token.lookup_hash(core.keys(), Purpose::Recovery);
    let mut tx = core.store().begin().await?;
    // A new recovery voids the older ones: only the newest code sent can reset the password.
    one_time_codes::void_open(&mut tx, "recovery", subject, now.as_millis()).await?;
    // A row is written either way; for no account it has no subject, and no code can match it.
    let code = one_time::issue(
        &mut tx,
        core,
        id.clone(),
        "recovery",
        target.as_ref().map(|(row, ..)| row.id.as_str()),
        channel.as_str(),
        target.as_ref().map_or("", |(_, to, _)| to.as_str()),
    )
    .await?;
    let mut event = audit::by_anonymous(Action::PatientRecoveryStarted, now, client)
        .detail("channel", channel.as_str());
    if let Some((row, to, card)) = &target {
        let message = messages::recovery_code(channel, to, &card.practice_name, &code);
        outbox::enqueue(
            &mut tx,
            core.keys(),
            About {
                practice_id: &card.practice_id,
                subject: SubjectKind::OneTimeCode,
                id: &id,
            },
            MessageKind::RecoveryCode,
            channel,
            &message,
            now,
        )
        .await?;
        event = event.patient(&row.id);
    } else {
        event = event.outcome(audit::FAILURE);
    }
    event.append(&mut tx).await?;
    tx.commit().await?;
    Ok(RecoveryStarted { token })
}

/// The second step: the code and a new password.
#[derive(Debug, Clone, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecoveryFinish {
    /// The `recovery_token` of the first step (43 characters of base64url); an unknown one
    /// answers 422 like a wrong code.
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 43, max_length = 43, pattern = "^[A-Za-z0-9_-]{43}$")
    )]
    pub recovery_token: String,
    #[cfg_attr(feature = "openapi", schema(value_type = portico_domain::OneTimeCode))]
    pub code: String,
    #[cfg_attr(feature = "openapi", schema(value_type = portico_domain::Password))]
    pub password: String,
}

/// Checks the code and sets the new password; every session of the account ends.
pub async fn finish(
    core: &Core,
    input: &RecoveryFinish,
    client: &ClientInfo,
) -> Result<(), CoreError> {
    let rule = per_address(core);
    let address = client.address_key();
    throttle::attempt(core, rule, &address).await?;
    let row = match SecretToken::parse(&input.recovery_token) {
        Some(token) => {
            one_time_codes::find(
                core.store(),
                &token.lookup_hash(core.keys(), Purpose::Recovery),
            )
            .await?
        }
        None => None,
    };
    let Some(row) = row.filter(|r| r.purpose == "recovery") else {
        return Err(one_time::refused(one_time::USED_UP));
    };
    let patient = match &row.subject {
        Some(patient_id) => patients::find(core.store(), patient_id).await?,
        None => None,
    };
    // The code was bound to where it was sent; a row without an account matches no code.
    let destination = match (&patient, Channel::parse(&row.channel)) {
        (Some(p), Ok(Channel::Email)) => p.email.clone().unwrap_or_default(),
        (Some(p), _) => p.phone.clone(),
        (None, _) => String::new(),
    };
    one_time::check(core, &row, &destination, &input.code).await?;
    let Some(patient) = patient else {
        return Err(one_time::refused(one_time::USED_UP));
    };
    let inputs: Vec<&str> = [
        Some(patient.first_name.as_str()),
        Some(patient.last_name.as_str()),
        patient.email.as_deref(),
        Some(patient.birth_date.as_str()),
        patient.username.as_deref(),
    ]
    .into_iter()
    .flatten()
    .collect();
    let password = Password::parse(&input.password, &PasswordContext::single_factor(&inputs))
        .map_err(|e| CoreError::Invalid(FieldErrors::single("password", e.to_string())))?;
    let hash = core
        .hasher()
        .hash(password.expose_secret().to_owned())
        .await?;
    let now = core.now();
    let mut tx = core.store().begin().await?;
    if !one_time_codes::mark_used(&mut tx, &row.id, now.as_millis()).await? {
        return Err(one_time::refused(one_time::USED_UP));
    }
    patients::set_password(&mut tx, &patient.id, &hash, now.as_millis()).await?;
    let ended = patient_sessions::delete_for_patient(&mut tx, &patient.id).await?;
    audit::by_anonymous(Action::PatientPasswordReset, now, client)
        .patient(&patient.id)
        .detail("sessions_ended", ended)
        .append(&mut tx)
        .await?;
    tx.commit().await?;
    throttle::refund(core, rule, &address).await?;
    // A new password opens an account locked by failed sign-ins.
    crate::accounts::patient_sessions::reset_sign_in_failures(core, &patient).await?;
    Ok(())
}
