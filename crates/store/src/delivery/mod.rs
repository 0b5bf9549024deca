//! What is sent: the outbox of messages waiting for a worker, and the templates a practice has
//! written over the shipped defaults.

pub mod outbox;
pub mod templates;
