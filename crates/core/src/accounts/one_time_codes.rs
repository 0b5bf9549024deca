//! The rules of six-digit one-time codes, shared by phone verification and password recovery:
//! valid for ten minutes, five tries per code, stored only as a keyed hash bound to the code's row
//! and to where it was sent (a code sent to one phone number proves nothing about another), and
//! re-sends spaced out (30 s, then twice as long after each further send).

use std::time::Duration;

use portico_domain::OneTimeCode;
use portico_store::Tx;
use portico_store::accounts::one_time_codes::{self as store, OneTimeCodeRow};

use crate::platform::secrets::{Purpose, from_hex};
use crate::{Core, CoreError, FieldErrors};

/// How long a code stays valid after it was sent.
pub const CODE_TTL: Duration = portico_domain::one_time_code::ONE_TIME_CODE_TTL;
/// Wrong entries that use a code up.
pub const MAX_CODE_ATTEMPTS: i64 = 5;
/// The wait before the first re-send; each further re-send waits twice as long as the last.
const FIRST_RESEND_WAIT: Duration = Duration::from_secs(30);
const LONGEST_RESEND_WAIT: Duration = Duration::from_secs(30 * 60);
/// Sends counted for the growing wait: those of the last hour.
pub(crate) const RESEND_MEMORY: Duration = Duration::from_secs(60 * 60);

/// How long to wait after the newest send, when `sent` codes went out in the last hour.
pub fn resend_wait(sent: i64) -> Duration {
    if sent <= 0 {
        return Duration::ZERO;
    }
    let doublings = u32::try_from(sent - 1).unwrap_or(u32::MAX).min(16);
    FIRST_RESEND_WAIT
        .saturating_mul(1 << doublings)
        .min(LONGEST_RESEND_WAIT)
}

/// What the stored MAC covers: the row, the destination (phone number or email address the code
/// went to) and the digits.
fn mac_input(id: &str, destination: &str, code: &OneTimeCode) -> Vec<u8> {
    format!("{id}\0{destination}\0{}", code.expose_digits()).into_bytes()
}

/// Stores a fresh code for `subject`, bound to `destination`, inside the caller's transaction, and
/// answers it, to be sent there.
pub(crate) async fn issue(
    tx: &mut Tx,
    core: &Core,
    id: String,
    purpose: &str,
    subject: Option<&str>,
    channel: &str,
    destination: &str,
) -> Result<OneTimeCode, CoreError> {
    let now = core.now();
    let code = OneTimeCode::generate(&mut rand::rng());
    store::insert(
        tx,
        &OneTimeCodeRow {
            code_hash: core
                .keys()
                .lookup_hash(Purpose::OneTimeCode, &mac_input(&id, destination, &code)),
            id,
            purpose: purpose.to_owned(),
            subject: subject.map(str::to_owned),
            channel: channel.to_owned(),
            attempts: 0,
            created_at: now.as_millis(),
            expires_at: now.plus(CODE_TTL).as_millis(),
            used_at: None,
        },
    )
    .await?;
    Ok(code)
}

/// The answer for every code that cannot be used, under the form field `code`.
pub(crate) fn refused(message: &str) -> CoreError {
    CoreError::Invalid(FieldErrors::single("code", message))
}

pub(crate) const USED_UP: &str =
    "That code has expired or was tried too many times. Ask for a new code.";

/// A wrong code, with the tries it has left (the one who typed it counted them anyway).
fn wrong(tries_left: i64) -> CoreError {
    let tries = if tries_left == 1 { "try" } else { "tries" };
    refused(&format!(
        "That code is not right. Check the 6 digits and try again: {tries_left} {tries} left \
         with this code."
    ))
}

/// Checks `typed` against `row` for a code that was sent to `destination`. The try is reserved
/// before the comparison (one atomic statement), so parallel guesses get at most five. `Ok(())`
/// means the code matches and may be used: the caller marks it used in its own transaction,
/// where a racing use loses.
pub(crate) async fn check(
    core: &Core,
    row: &OneTimeCodeRow,
    destination: &str,
    typed: &str,
) -> Result<(), CoreError> {
    let now = core.now().as_millis();
    let typed = OneTimeCode::parse(typed).map_err(|e| refused(&e.to_string()))?;
    let Some(tries) = store::reserve_attempt(core.store(), &row.id, MAX_CODE_ATTEMPTS, now).await?
    else {
        return Err(refused(USED_UP));
    };
    let stored = from_hex(&row.code_hash).unwrap_or_default();
    if core.keys().verify_mac(
        Purpose::OneTimeCode,
        &mac_input(&row.id, destination, &typed),
        &stored,
    ) {
        return Ok(());
    }
    if tries >= MAX_CODE_ATTEMPTS {
        return Err(refused(USED_UP));
    }
    Err(wrong(MAX_CODE_ATTEMPTS - tries))
}

/// Where the codes for one subject stand: how many were sent in the last hour, and how long
/// until another may be sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResendStatus {
    pub sent_recently: i64,
    pub wait: Duration,
}

pub(crate) async fn resend_status(
    core: &Core,
    purpose: &str,
    subject: &str,
) -> Result<ResendStatus, CoreError> {
    let now = core.now();
    let sent_recently = store::count_since(
        core.store(),
        purpose,
        subject,
        now.minus(RESEND_MEMORY).as_millis(),
    )
    .await?;
    let wait = match store::newest(core.store(), purpose, subject).await? {
        Some(newest) => {
            let allowed_at = newest.created_at.saturating_add(
                i64::try_from(resend_wait(sent_recently).as_millis()).unwrap_or(i64::MAX),
            );
            Duration::from_millis(u64::try_from(allowed_at - now.as_millis()).unwrap_or(0))
        }
        None => Duration::ZERO,
    };
    Ok(ResendStatus {
        sent_recently,
        wait,
    })
}

/// Refuses a send that comes before the growing wait since the newest code has passed; answers
/// how many codes went out in the last hour.
pub(crate) async fn ensure_resend_allowed(
    core: &Core,
    purpose: &str,
    subject: &str,
) -> Result<i64, CoreError> {
    let status = resend_status(core, purpose, subject).await?;
    if !status.wait.is_zero() {
        return Err(CoreError::Throttled {
            retry_after: status.wait.max(Duration::from_secs(1)),
        });
    }
    Ok(status.sent_recently)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn re_sends_wait_thirty_seconds_then_twice_as_long_each_time() {
        assert_eq!(resend_wait(0), Duration::ZERO);
        assert_eq!(resend_wait(1), Duration::from_secs(30));
        assert_eq!(resend_wait(2), Duration::from_secs(60));
        assert_eq!(resend_wait(3), Duration::from_secs(120));
        assert_eq!(resend_wait(7), Duration::from_secs(30 * 60));
        assert_eq!(resend_wait(1_000), Duration::from_secs(30 * 60));
    }
}
