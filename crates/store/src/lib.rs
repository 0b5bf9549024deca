//! Portico's storage: one API over SQLite (the embedded default) and PostgreSQL (production,
//! several nodes). This crate is the only place that holds SQL. It knows rows and
//! transactions, never business rules: callers decide what a row means.
//!
//! Every statement is written once with `$1` placeholders, which both databases accept, and run
//! through [`run!`], which expands it once per backend so each is type-checked against its own
//! driver (sqlx's `Any` driver is avoided: it loses types and breaks placeholders).

mod db;
mod error;

pub mod api_tokens;
pub mod audit;
pub mod backoffs;
pub mod consents;
pub mod invitations;
pub mod notifications;
pub mod one_time_codes;
pub mod outbox;
pub mod patient_links;
pub mod patient_sessions;
pub mod patients;
pub mod practices;
pub mod programs;
pub mod provider_codes;
pub mod providers;
pub mod registrations;
pub mod sessions;
pub mod setup_tokens;
pub mod staff;
pub mod templates;
pub mod terms;
pub mod throttles;
pub mod tickets;
pub mod usernames;

pub use db::{Backend, ConnectOptions, Exec, Store, Tx};
pub use error::StoreError;

pub type Result<T, E = StoreError> = std::result::Result<T, E>;
