//! The plumbing every feature stands on: time, secrets and keyed hashes, guessing limits, who is
//! asking, the core's error type and its tunable settings. Nothing here knows a feature.

pub mod actor;
pub mod clock;
pub(crate) mod cursor;
pub mod error;
pub mod secrets;
pub mod settings;
pub mod throttle;
pub mod upload;

/// A fresh random identifier for a new row.
pub(crate) fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}
