//! The `portico` binary's library half: configuration, start-up and the CLI commands, kept out of
//! `main.rs` so integration tests start the very same server in-process.

pub mod cli;
pub mod config;
mod import;
pub mod server;
