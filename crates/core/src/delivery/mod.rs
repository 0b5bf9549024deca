//! Delivery: the outbox (messages queued in the transaction of the change that caused them), the
//! words of each message through the practice's templates, and what a delivery report means for
//! the record a message is about (`reports`). The sending itself is `portico_delivery`'s.

pub mod messages;
pub mod outbox;
pub mod templates;
