//! Accounts: staff and patient sign-in with their sessions, a staff member's own account (changing
//! their password), forgotten passwords, six-digit one-time codes, password hashing and the
//! strength meter, the usernames of patients without email (and the reminder of one by SMS), the
//! allowance of registrations an address may open, and the practice's API tokens.

pub mod api_tokens;
pub mod one_time_codes;
pub mod passwords;
pub mod patient_sessions;
pub mod recovery;
pub(crate) mod registration_limit;
pub mod staff_account;
pub mod staff_sessions;
pub mod username_reminder;
pub(crate) mod usernames;

pub use one_time_codes::{CODE_TTL, MAX_CODE_ATTEMPTS, resend_wait};

use portico_domain::EmailAddress;

use crate::platform::clock::Timestamp;
use crate::{Core, CoreError};

/// Whether a session (staff or patient) is still in force at `now`: before its absolute end and
/// seen within the idle limit. One rule for both kinds, so a change to it changes both.
pub(crate) fn session_in_force(
    core: &Core,
    now: Timestamp,
    expires_at: i64,
    last_seen_at: i64,
) -> bool {
    let idle_cutoff = now.minus(core.settings().session_idle).as_millis();
    expires_at > now.as_millis() && last_seen_at > idle_cutoff
}

/// Removes staff and patient sessions past their limits; run now and then by the server.
pub async fn sweep_sessions(core: &Core) -> Result<u64, CoreError> {
    Ok(staff_sessions::sweep(core).await? + patient_sessions::sweep(core).await?)
}

/// The name an account's failures are counted under, however it was typed (staff and patients
/// share it): the normalised email address, else the trimmed lower-case text (a username, or
/// something that is neither).
pub(crate) fn sign_in_name_key(typed: &str) -> String {
    match EmailAddress::parse(typed) {
        Ok(email) => email.lookup_key(),
        Err(_) => typed.trim().to_lowercase(),
    }
}
