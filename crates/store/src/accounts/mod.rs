//! Accounts and signing in: patient accounts, the sessions of patients and of staff (kept in the
//! database so any node serves any request), the one-time codes of phone verification and password
//! recovery, and the API tokens integrators sign in with. Staff accounts themselves belong to their
//! practice (`crate::practices::staff`).

pub mod api_tokens;
pub mod one_time_codes;
pub mod patient_sessions;
pub mod patients;
pub mod staff_sessions;
pub mod usernames;
