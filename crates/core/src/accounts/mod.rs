//! Accounts: staff and patient sign-in with their sessions, forgotten passwords, six-digit
//! one-time codes, password hashing and the strength meter, and the practice's API tokens.

pub mod api_tokens;
pub mod one_time_codes;
pub mod passwords;
pub mod patient_sessions;
pub mod recovery;
pub mod staff_sessions;

pub use one_time_codes::{CODE_TTL, MAX_CODE_ATTEMPTS, resend_wait};
