//! Portico's storage: one API over SQLite (the embedded default) and PostgreSQL (production,
//! several nodes). This crate is the only place that holds SQL. It knows rows and
//! transactions, never business rules: callers decide what a row means.
//!
//! Every statement is written once with `$1` placeholders, which both databases accept, and run
//! through [`run!`], which expands it once per backend so each is type-checked against its own
//! driver (sqlx's `Any` driver is avoided: it loses types and breaks placeholders).
//!
//! The modules are the product's features, named as in the core: `accounts` (patients, sessions,
//! one-time codes, API tokens), `codes` (provider codes), `delivery` (outbox, templates),
//! `invitations`, `registration` (drafts, tickets, terms, consents), `practices` (providers,
//! staff, setup tokens), `programs`, `links` (patient links, sign-up notices), `patients` (staff's list and record of a practice's
//! patients, end-dating) and `audit`;
//! `platform` holds the pools and transactions, errors and throttle counters.

pub mod platform;

pub mod accounts;
pub mod audit;
pub mod caregivers;
pub mod codes;
pub mod delivery;
pub mod imports;
pub mod intake_forms;
pub mod invitations;
pub mod links;
pub mod patients;
pub mod practices;
pub mod programs;
pub mod registration;
pub mod threads;
pub mod visits;

pub use platform::chain_key::ChainKey;
pub use platform::db::{Backend, ConnectOptions, Exec, Store, Tx};
pub use platform::error::StoreError;

pub type Result<T, E = StoreError> = std::result::Result<T, E>;
