//! Portico's delivery: the worker that takes due messages from the outbox, hands them to a
//! transport (SMTP, an SMS and voice provider's HTTP API, or the development `log`), and records
//! what happened — sent, retried later with back-off, or given up (dead letter) with the reason
//! staff will see. Claims carry a lease, so a message held by a worker that died is claimed again
//! once the lease runs out; delivery is at least once.
//!
//! What a delivery means for the record a message is about (an invitation becomes sent, then
//! delivered) is the core's business: the worker reports each outcome through
//! `portico_core::delivery::reports`, which changes the outbox row and tells the features in one
//! transaction. This crate never decides what a message says (`portico_core::delivery::messages`)
//! and never writes SQL (`portico_store`).

mod email;
mod phone;
mod send_error;
mod transport;
mod worker;

pub use email::{SmtpSecurity, SmtpSender, SmtpSettings};
pub use phone::{PhoneApi, PhoneApiSettings};
pub use transport::{EmailTransport, PhoneTransport, SendError, Transports};
pub use worker::{Worker, WorkerSettings};
