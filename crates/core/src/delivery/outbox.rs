//! Messages on their way out (docs/PRODUCT.md §4): written to the outbox in the same transaction as the
//! change that caused them — a web request never talks to a mail server or SMS provider — and
//! delivered later by a worker (`portico_delivery`). The recipient and the rendered message are
//! sealed, because they may carry a code or a link; the outbox keeps only metadata in the clear.
//! This module also holds the delivery rules: how long to wait before another attempt, and when
//! to give up.

use std::fmt;
use std::time::Duration;

use portico_domain::{Channel, OutboxState, SubjectKind};
use portico_store::Tx;
use portico_store::delivery::outbox::{self as store, OutboxRow};

use crate::platform::clock::Timestamp;
use crate::platform::secrets::{Keys, Purpose};
use crate::{CoreError, new_id};

/// A rendered message: where it goes and what it says.
#[derive(Clone, serde::Serialize, serde::Deserialize)]
pub struct OutgoingMessage {
    /// An email address, or a phone number in E.164.
    pub to: String,
    /// Email only.
    pub subject: Option<String>,
    /// The email's text part, the SMS body, or what a voice call reads out.
    pub text: String,
    /// Email only: the HTML part.
    pub html: Option<String>,
}

// By hand: a message can hold a code and a link, so it never reaches a log.
impl fmt::Debug for OutgoingMessage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("OutgoingMessage(***)")
    }
}

/// What a message is for; also names its template.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageKind {
    Invite,
    /// A six-digit code proving a phone number during registration.
    VerificationCode,
    /// A six-digit code for resetting a forgotten password.
    RecoveryCode,
    /// Someone tried to register with an email address that already has an account: its owner is
    /// told, and the registration form says nothing about it.
    AccountExists,
    /// The usernames of the accounts with a phone number, texted to it on request.
    UsernameReminder,
    /// A provider is told that a patient asked them for a visit.
    VisitRequested,
    /// Whoever asked for a visit is told that the practice answered.
    VisitAnswered,
    /// The other side of a secure thread is told that a message waits.
    ThreadMessage,
}

impl MessageKind {
    const ALL: [MessageKind; 8] = [
        MessageKind::Invite,
        MessageKind::VerificationCode,
        MessageKind::RecoveryCode,
        MessageKind::AccountExists,
        MessageKind::UsernameReminder,
        MessageKind::VisitRequested,
        MessageKind::VisitAnswered,
        MessageKind::ThreadMessage,
    ];

    /// Reads a stored kind; a word no kind has is corrupt data, refused rather than guessed.
    pub fn parse(stored: &str) -> Result<MessageKind, CoreError> {
        MessageKind::ALL
            .into_iter()
            .find(|kind| kind.as_str() == stored)
            .ok_or_else(|| CoreError::Internal(format!("unknown message kind {stored:?}")))
    }

    pub fn as_str(self) -> &'static str {
        match self {
            MessageKind::Invite => "invite",
            MessageKind::VerificationCode => "verification_code",
            MessageKind::RecoveryCode => "recovery_code",
            MessageKind::AccountExists => "account_exists",
            MessageKind::UsernameReminder => "username_reminder",
            MessageKind::VisitRequested => "visit_requested",
            MessageKind::VisitAnswered => "visit_answered",
            MessageKind::ThreadMessage => "thread_message",
        }
    }
}

/// The record a message is about, so its delivery can move that record along (see `reports`).
#[derive(Debug, Clone, Copy)]
pub struct About<'a> {
    pub practice_id: &'a str,
    pub subject: SubjectKind,
    pub id: &'a str,
}

/// Queues a message inside the caller's transaction; it exists exactly when the change does.
pub async fn enqueue(
    tx: &mut Tx,
    keys: &Keys,
    about: About<'_>,
    kind: MessageKind,
    channel: Channel,
    message: &OutgoingMessage,
    now: Timestamp,
) -> Result<String, CoreError> {
    let payload = serde_json::to_string(message)
        .map_err(|e| CoreError::Internal(format!("message encoding: {e}")))?;
    let row = OutboxRow {
        id: new_id(),
        practice_id: Some(about.practice_id.to_owned()),
        kind: kind.as_str().to_owned(),
        channel: channel.as_str().to_owned(),
        subject_kind: Some(about.subject.as_str().to_owned()),
        subject_id: Some(about.id.to_owned()),
        payload_sealed: Some(keys.seal(Purpose::Outbox, &payload)),
        state: OutboxState::Pending,
        attempts: 0,
        next_attempt_at: now.as_millis(),
        lease_until: None,
        claimed_by: None,
        last_error: None,
        provider_ref: None,
        created_at: now.as_millis(),
        updated_at: now.as_millis(),
    };
    store::insert(tx, &row).await?;
    Ok(row.id)
}

/// Opens a queued message's sealed payload (`None` once delivered, or if it was tampered with).
pub fn open(keys: &Keys, row: &OutboxRow) -> Option<OutgoingMessage> {
    let sealed = row.payload_sealed.as_deref()?;
    serde_json::from_str(&keys.open(Purpose::Outbox, sealed)?).ok()
}

/// The first retry waits this long; each further one twice as long, up to [`MAX_DELAY`].
pub const BASE_DELAY: Duration = Duration::from_secs(10);
pub const MAX_DELAY: Duration = Duration::from_secs(30 * 60);
/// A message still undelivered this long after it was queued is given up (dead letter).
pub const MAX_AGE: Duration = Duration::from_secs(24 * 60 * 60);

/// How long to wait after the `attempts`-th failed attempt: exponential back-off, capped, plus
/// `jitter` (a fraction in 0..1 chosen by the caller) of the base, so that a provider coming back
/// is not hit by every worker at the same instant.
pub fn retry_delay(attempts: i64, jitter: f64) -> Duration {
    let exponent = u32::try_from(attempts.clamp(1, 20) - 1).unwrap_or(0);
    let backoff = BASE_DELAY
        .saturating_mul(2_u32.saturating_pow(exponent))
        .min(MAX_DELAY);
    backoff + BASE_DELAY.mul_f64(jitter.clamp(0.0, 1.0))
}

/// A message as staff see it on the record it is about: never its content.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MessageStatus {
    pub id: String,
    pub kind: String,
    pub channel: String,
    pub state: OutboxState,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

impl From<OutboxRow> for MessageStatus {
    fn from(row: OutboxRow) -> Self {
        MessageStatus {
            id: row.id,
            kind: row.kind,
            channel: row.channel,
            state: row.state,
            attempts: row.attempts,
            last_error: row.last_error,
            created_at: Timestamp::from_millis(row.created_at).to_rfc3339(),
            updated_at: Timestamp::from_millis(row.updated_at).to_rfc3339(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_exponentially_up_to_a_cap() {
        assert_eq!(retry_delay(1, 0.0), Duration::from_secs(10));
        assert_eq!(retry_delay(2, 0.0), Duration::from_secs(20));
        assert_eq!(retry_delay(4, 0.0), Duration::from_secs(80));
        assert_eq!(retry_delay(50, 0.0), MAX_DELAY);
        assert_eq!(
            retry_delay(1, 0.5),
            Duration::from_secs(15),
            "jitter adds up to one base delay"
        );
    }

    #[test]
    fn a_message_never_shows_in_debug_output() {
        let m = OutgoingMessage {
            to: "pat@example.org".into(),
            subject: None,
            text: "code XYZ-234-ABC".into(),
            html: None,
        };
        assert_eq!(format!("{m:?}"), "OutgoingMessage(***)");
    }
}

/// A message as the development outbox page shows it: with its content, decrypted.
#[derive(Debug, Clone)]
pub struct LoggedMessage {
    pub status: MessageStatus,
    pub subject_id: Option<String>,
    /// `None` once the content was dropped (delivered by a real transport, or dead), or when it
    /// is withheld (see `withheld`).
    pub message: Option<OutgoingMessage>,
    /// The content is an account-recovery code of a patient also linked to another practice:
    /// whoever read it could take over an account this practice does not alone look after.
    pub withheld: bool,
}

/// The newest messages of the actor's practice with their content (development `log` transport),
/// for admins only; every look is audited.
pub async fn recent_with_content(
    core: &crate::Core,
    actor: &crate::StaffActor,
    limit: i64,
) -> Result<Vec<LoggedMessage>, CoreError> {
    actor.require_staff_admin()?;
    let rows = store::list_recent(core.store(), &actor.practice_id, limit).await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let withheld = row.kind == MessageKind::RecoveryCode.as_str()
            && !recovery_is_ours_alone(core, &actor.practice_id, &row).await?;
        out.push(LoggedMessage {
            message: if withheld {
                None
            } else {
                open(core.keys(), &row)
            },
            subject_id: row.subject_id.clone(),
            status: MessageStatus::from(row),
            withheld,
        });
    }
    crate::audit::by_staff(actor, crate::audit::Action::DevOutboxViewed, core.now())
        .detail("messages", out.len())
        .append_alone(core.store())
        .await?;
    Ok(out)
}

/// Whether the patient a recovery-code message is for is linked to `practice_id` and to no other
/// practice. Unknown patients count as not ours.
async fn recovery_is_ours_alone(
    core: &crate::Core,
    practice_id: &str,
    row: &store::OutboxRow,
) -> Result<bool, CoreError> {
    let Some(code_id) = &row.subject_id else {
        return Ok(false);
    };
    let Some(patient_id) = portico_store::accounts::one_time_codes::find(core.store(), code_id)
        .await?
        .and_then(|code| code.subject)
    else {
        return Ok(false);
    };
    let practices = portico_store::links::practices_ever(core.store(), &patient_id).await?;
    Ok(practices == [practice_id])
}

/// What a provider's or SMTP server's error text may keep in `last_error`: staff read it, and
/// servers like to echo the recipient ("550 5.1.1 <maria@…>: user unknown", "+14155550123 is not
/// a mobile number"). Words with an `@` become `[email]`, runs of seven or more digits
/// (spaces, dashes, dots and brackets between them allowed) become `[number]`; the text is cut to
/// 500 characters.
pub fn scrub_error(reason: &str) -> String {
    let words: Vec<String> = reason
        .split(' ')
        .map(|word| {
            if word.contains('@') {
                "[email]".to_owned()
            } else {
                word.to_owned()
            }
        })
        .collect();
    let text = words.join(" ");
    let mut out = String::with_capacity(text.len());
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_ascii_digit()
            || (chars[i] == '+' && chars.get(i + 1).is_some_and(char::is_ascii_digit))
        {
            // A run of digits and the separators people write numbers with.
            let mut j = i;
            let mut digits = 0;
            while j < chars.len()
                && (chars[j].is_ascii_digit()
                    || matches!(chars[j], '+' | ' ' | '-' | '.' | '(' | ')'))
            {
                if chars[j].is_ascii_digit() {
                    digits += 1;
                }
                j += 1;
            }
            // Keep trailing separators outside the run.
            while j > i && !chars[j - 1].is_ascii_digit() {
                j -= 1;
            }
            if digits >= 7 {
                out.push_str("[number]");
            } else {
                out.extend(&chars[i..j]);
            }
            i = j.max(i + 1);
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out.chars().take(500).collect()
}

#[cfg(test)]
mod scrub_tests {
    use super::scrub_error;

    #[test]
    fn errors_keep_no_phone_number_or_email_address() {
        assert_eq!(
            scrub_error("550 5.1.1 <maria.lopez@example.org>: user unknown"),
            "550 5.1.1 [email] user unknown"
        );
        assert_eq!(
            scrub_error("HTTP 400: The 'To' number +1 (415) 555-0123 is not a valid phone number."),
            "HTTP 400: The 'To' number [number] is not a valid phone number."
        );
        assert_eq!(
            scrub_error("HTTP 429 after 30 s (code 21610)"),
            "HTTP 429 after 30 s (code 21610)"
        );
    }
}
