//! Portico's delivery (DESIGN §4): the worker that takes due messages from the outbox, hands
//! them to a transport, and records what happened — sent, retried later with back-off, or given
//! up (dead letter) with the reason staff will see. Claims carry a lease, so a message held by a
//! worker that died is claimed again once the lease runs out; delivery is at least once.
//!
//! This crate never decides what a message says (`portico_core::delivery::messages`) and never writes SQL
//! (`portico_store::outbox`).

mod email;
mod phone;
mod transport;
mod worker;

pub use email::{SmtpSecurity, SmtpSender, SmtpSettings};
pub use phone::{PhoneApi, PhoneApiSettings};
pub use transport::{EmailTransport, PhoneTransport, SendError, Transports};
pub use worker::{Worker, WorkerSettings};
