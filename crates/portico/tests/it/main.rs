//! Integration tests: each one starts the real service on a random port with a fresh database
//! (a temporary SQLite file, or a new PostgreSQL database dropped afterwards) and speaks HTTP to
//! it like a browser or an integrator would. `on_both!` runs every test on both databases.

mod common;

mod api_errors;
mod audit;
mod axe;
mod browser;
mod cli;
mod codes;
mod cookies;
mod delivery;
mod dev_outbox;
mod edge;
mod email;
mod hardening;
mod invitations;
mod invite_form;
mod invite_form_browser;
mod invite_link_browser;
mod mailbox;
mod openapi;
mod patient_browser;
mod phone_code_browser;
mod platform;
mod programs;
mod recovery_browser;
mod registration;
mod setup;
mod shared_network_browser;
mod shared_networks;
mod sign_in;
mod sign_ups_browser;
mod sms;
mod snapshots;
mod staff_console;
mod staff_console_browser;
mod staff_reads;
mod templates;
mod tenancy;
mod terms;
