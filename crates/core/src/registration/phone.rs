//! The phone step: a six-digit code sent by text or voice call to the number the account will
//! have, then typed back. Codes cost the practice money and reach a stranger's phone when the
//! number is wrong, so they go only to the practice's phone countries and are counted per number,
//! per address and per practice.

use portico_domain::{Channel, PhoneNumber, SubjectKind};
use portico_store::practices::PracticeRow;
use portico_store::{
    accounts::one_time_codes, registration as registrations, registration::tickets,
};

use super::draft;
use super::{RegistrationView, Step, render_after_step};
use crate::accounts::one_time_codes as one_time;
use crate::audit::{self, Action};
use crate::delivery::messages;
use crate::delivery::outbox::{self, About, MessageKind};
use crate::platform::actor::ClientInfo;
use crate::platform::throttle::{self, Rule};
use crate::{Core, CoreError, FieldErrors, new_id};

/// A verification code on its way.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CodeSent {
    #[cfg_attr(feature = "openapi", schema(value_type = portico_domain::Channel))]
    pub channel: String,
    pub phone_masked: String,
    /// How long until another code may be asked for.
    pub resend_after_seconds: u64,
    /// How long the code is valid.
    pub valid_for_seconds: u64,
}

/// Sends a six-digit code to the registration's phone by SMS or voice call. Re-sends wait 30 s,
/// then twice as long each time; a new code replaces the previous one.
pub async fn send_phone_code(
    core: &Core,
    ticket: &str,
    channel: &str,
    client: &ClientInfo,
) -> Result<CodeSent, CoreError> {
    let draft = draft::load(core, ticket).await?;
    let saved = draft.require(Step::Phone)?;
    if saved.phone_verified_at.is_some() {
        return Err(CoreError::Conflict(
            "Your phone number is already verified.",
        ));
    }
    let channel = match Channel::parse(channel) {
        Ok(c @ (Channel::Sms | Channel::Voice)) => c,
        _ => {
            return Err(
                FieldErrors::single("channel", "Choose a text message or a voice call.").into(),
            );
        }
    };
    let phone = PhoneNumber::parse(&saved.phone, None)
        .map_err(|_| CoreError::Internal("a saved phone number does not parse".into()))?;
    if let Err(message) = phone_country_allowed(&draft.practice, &phone) {
        return Err(FieldErrors::single("phone", message).into());
    }
    let sent = one_time::ensure_resend_allowed(core, "phone", &draft.ticket_hash).await?;
    count_phone_code(core, &draft.practice.id, &phone, client).await?;
    let now = core.now();
    let id = new_id();
    let mut tx = core.store().begin().await?;
    let code = one_time::issue(
        &mut tx,
        core,
        id.clone(),
        "phone",
        Some(&draft.ticket_hash),
        channel.as_str(),
        phone.as_e164(),
    )
    .await?;
    let message = messages::verification_code(channel, &saved.phone, &draft.practice.name, &code);
    outbox::enqueue(
        &mut tx,
        core.keys(),
        About {
            practice_id: &draft.practice.id,
            subject: SubjectKind::OneTimeCode,
            id: &id,
        },
        MessageKind::VerificationCode,
        channel,
        &message,
        now,
    )
    .await?;
    // A patient moving through the steps keeps their registration.
    tickets::extend(
        &mut tx,
        &draft.ticket_hash,
        now.plus(core.settings().ticket_ttl).as_millis(),
    )
    .await?;
    audit::by_anonymous(Action::RegistrationPhoneCodeSent, now, client)
        .practice(&draft.practice.id)
        .detail("channel", channel.as_str())
        .append(&mut tx)
        .await?;
    tx.commit().await?;
    Ok(CodeSent {
        channel: channel.as_str().to_owned(),
        phone_masked: phone.expose_masked(),
        resend_after_seconds: one_time::resend_wait(sent + 1).as_secs(),
        valid_for_seconds: one_time::CODE_TTL.as_secs(),
    })
}

/// Where the registration's phone codes stand, for the page that asks for one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PhoneCodeStatus {
    /// Codes sent in the last hour: one means the first, more means a new one replaced it.
    pub codes_sent: i64,
    /// How long until another code may be asked for.
    pub resend_wait_seconds: u64,
}

/// Where the registration behind `ticket` stands, and where its phone codes stand (one read of
/// the registration for the page of the phone step).
pub async fn phone_step(
    core: &Core,
    ticket: &str,
) -> Result<(RegistrationView, PhoneCodeStatus), CoreError> {
    let draft = draft::load(core, ticket).await?;
    let status = one_time::resend_status(core, "phone", &draft.ticket_hash).await?;
    let codes = PhoneCodeStatus {
        codes_sent: status.sent_recently,
        // Rounded up: the page must never offer a re-send the server still refuses.
        resend_wait_seconds: status
            .wait
            .as_millis()
            .div_ceil(1000)
            .try_into()
            .unwrap_or(u64::MAX),
    };
    Ok((super::render(core, &draft).await?, codes))
}

/// Whether the practice pays for codes to `phone`'s country: its own country unless it chose a
/// list. Answers the message for the phone field when not.
pub(super) fn phone_country_allowed(
    practice: &PracticeRow,
    phone: &PhoneNumber,
) -> Result<(), String> {
    let allowed: Vec<&str> = match practice.phone_countries.as_deref() {
        Some(list) => list
            .split(',')
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .collect(),
        None => vec![practice.country.as_str()],
    };
    match phone.region() {
        Some(region) if allowed.iter().any(|c| c.eq_ignore_ascii_case(region)) => Ok(()),
        _ => Err(format!(
            "{} can send codes only to mobile numbers from {}. Enter a number from there, or \
             ask the practice to help you register.",
            practice.name,
            allowed.join(", ")
        )),
    }
}

/// Counts one text or call against the destination number, the caller's address and the
/// practice (each per day), refusing with `Throttled` once any is spent: codes cost the practice
/// money and reach a stranger's phone, so a script holding a printed code must not send many.
async fn count_phone_code(
    core: &Core,
    practice_id: &str,
    phone: &PhoneNumber,
    client: &ClientInfo,
) -> Result<(), CoreError> {
    let settings = core.settings();
    let rules = [
        (
            Rule {
                scope: "phone-code-number",
                limit: settings.phone_codes_per_number,
            },
            phone.as_e164().to_owned(),
        ),
        (
            Rule {
                scope: "phone-code-address",
                limit: settings.phone_codes_per_address,
            },
            client.address_key(),
        ),
        (
            Rule {
                scope: "phone-code-practice",
                limit: settings.phone_codes_per_practice,
            },
            practice_id.to_owned(),
        ),
    ];
    for (rule, subject) in rules {
        throttle::attempt(core, rule, &subject).await?;
    }
    Ok(())
}

/// Checks the code sent to the phone; five wrong entries use a code up.
pub async fn verify_phone(
    core: &Core,
    ticket: &str,
    typed: &str,
    client: &ClientInfo,
) -> Result<RegistrationView, CoreError> {
    let draft = draft::load(core, ticket).await?;
    let saved = draft.require(Step::Phone)?;
    let Some(row) = one_time_codes::newest(core.store(), "phone", &draft.ticket_hash).await? else {
        return Err(one_time::refused("Ask for a code first."));
    };
    let now = core.now();
    // The code proves the number it was sent to: checked against the number the account will get.
    if let Err(e) = one_time::check(core, &row, &saved.phone, typed).await {
        audit::by_anonymous(Action::RegistrationPhoneVerified, now, client)
            .practice(&draft.practice.id)
            .outcome(audit::FAILURE)
            .append_alone(core.store())
            .await?;
        return Err(e);
    }
    let mut tx = core.store().begin().await?;
    if !one_time_codes::mark_used(&mut tx, &row.id, now.as_millis()).await? {
        return Err(one_time::refused(one_time::USED_UP));
    }
    registrations::mark_phone_verified(&mut tx, &draft.ticket_hash, now.as_millis()).await?;
    audit::by_anonymous(Action::RegistrationPhoneVerified, now, client)
        .practice(&draft.practice.id)
        .append(&mut tx)
        .await?;
    tx.commit().await?;
    render_after_step(core, draft).await
}
