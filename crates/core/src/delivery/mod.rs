//! Delivery: the outbox (messages queued in the transaction of the change that caused them), the
//! words of each message through the practice's templates, the HTML part of emails, and what a
//! delivery means for the record a message is about (`reports`: features register a listener,
//! the worker and the provider callback report through it). The sending itself is
//! `portico_delivery`'s. Nothing here imports a feature.

pub mod email_html;
pub mod messages;
pub mod outbox;
pub mod reports;
pub mod templates;
