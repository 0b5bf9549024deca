//! What happens when a message's delivery moves on. The outbox row changes here, and in the same
//! transaction every listener registered for the kind of record the message is about hears of
//! it: an invitation moves from draft to sent when its message was accepted, and to delivered
//! when the provider reports it arrived. Both the worker (`portico_delivery`) and the provider's
//! status callback report through this module, so a delivery means the same thing whichever way
//! it is learnt. Features register their listener in `Core::new` (see `crate::listeners`); this
//! module imports none of them.

use std::future::Future;
use std::pin::Pin;

use portico_domain::SubjectKind;
use portico_store::Tx;
use portico_store::delivery::outbox::{self as store, OutboxRow};

use super::outbox::{MessageKind, scrub_error};
use crate::platform::clock::Timestamp;
use crate::{Core, CoreError};

/// How a message's delivery moved on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryEvent {
    /// A transport accepted the message (an SMTP server took it, a provider queued it).
    Sent,
    /// The provider reports it arrived.
    Delivered,
    /// The provider reports it did not arrive.
    Failed,
    /// The worker gave up on it (dead letter).
    GaveUp,
}

/// What a listener hears: which message, about which record, and what happened.
#[derive(Debug, Clone)]
pub struct Report {
    pub message_id: String,
    pub message: MessageKind,
    pub practice_id: String,
    pub subject: SubjectKind,
    pub subject_id: String,
    pub event: DeliveryEvent,
    pub at: Timestamp,
}

/// The future a listener answers with: its work inside the caller's transaction.
pub type Heard<'a> = Pin<Box<dyn Future<Output = Result<(), CoreError>> + Send + 'a>>;

/// A feature's reaction to a delivery report, run inside the transaction that changed the
/// outbox row (an error rolls both back).
pub type Listener = for<'a> fn(&'a mut Tx, &'a Report) -> Heard<'a>;

/// The listeners, by the kind of record they care about.
#[derive(Default, Clone)]
pub struct Listeners(Vec<(SubjectKind, Listener)>);

impl Listeners {
    /// Registers `listener` for messages about records of kind `subject`.
    pub fn on(&mut self, subject: SubjectKind, listener: Listener) {
        self.0.push((subject, listener));
    }

    async fn tell(&self, tx: &mut Tx, report: &Report) -> Result<(), CoreError> {
        for (subject, listener) in &self.0 {
            if *subject == report.subject {
                listener(tx, report).await?;
            }
        }
        Ok(())
    }
}

/// Tells the listeners about `row`'s new event, when the row names the record it is about.
async fn tell(
    core: &Core,
    tx: &mut Tx,
    row: &OutboxRow,
    event: DeliveryEvent,
    at: Timestamp,
) -> Result<(), CoreError> {
    let (Some(practice_id), Some(subject), Some(subject_id)) =
        (&row.practice_id, &row.subject_kind, &row.subject_id)
    else {
        return Ok(());
    };
    let subject = SubjectKind::parse(subject)
        .map_err(|e| CoreError::Internal(format!("outbox row {}: {e}", row.id)))?;
    let report = Report {
        message_id: row.id.clone(),
        message: MessageKind::parse(&row.kind)?,
        practice_id: practice_id.clone(),
        subject,
        subject_id: subject_id.clone(),
        event,
        at,
    };
    core.delivery_listeners().tell(tx, &report).await
}

/// The worker's report that a transport accepted `row` under `provider_ref`. `keep_payload`
/// keeps the sealed content (the development `log` transport shows it). Answers whether the
/// claim still held (another worker may have taken the message over after the lease ran out).
pub async fn sent(
    core: &Core,
    row: &OutboxRow,
    worker: &str,
    provider_ref: &str,
    keep_payload: bool,
) -> Result<bool, CoreError> {
    let now = core.now();
    let mut tx = core.store().begin().await?;
    let recorded = store::mark_sent(
        &mut tx,
        &row.id,
        worker,
        provider_ref,
        keep_payload,
        now.as_millis(),
    )
    .await?;
    if recorded {
        tell(core, &mut tx, row, DeliveryEvent::Sent, now).await?;
    }
    tx.commit().await?;
    Ok(recorded)
}

/// The worker's report that it gave up on `row` (dead letter) for `reason` (scrubbed here).
pub async fn gave_up(
    core: &Core,
    row: &OutboxRow,
    worker: &str,
    reason: &str,
) -> Result<(), CoreError> {
    let now = core.now();
    let mut tx = core.store().begin().await?;
    if store::mark_dead(
        &mut tx,
        &row.id,
        worker,
        &scrub_error(reason),
        now.as_millis(),
    )
    .await?
    {
        tell(core, &mut tx, row, DeliveryEvent::GaveUp, now).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// A provider's report on a message it accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProviderStatus {
    Delivered,
    /// Did not arrive; holds the provider's status word (`failed`, `undelivered`, …).
    Failed(String),
    /// On its way (`queued`, `sent`, `ringing`, …): nothing to record.
    Underway,
}

impl ProviderStatus {
    /// Reads Twilio's `MessageStatus` / `CallStatus` words.
    pub fn parse(status: &str) -> ProviderStatus {
        match status.trim().to_ascii_lowercase().as_str() {
            // A call answered and played through has been delivered.
            "delivered" | "completed" => ProviderStatus::Delivered,
            s @ ("failed" | "undelivered" | "busy" | "no-answer" | "canceled") => {
                ProviderStatus::Failed(s.to_owned())
            }
            _ => ProviderStatus::Underway,
        }
    }
}

/// Records a provider's status report for the message it knows as `provider_ref`: `delivered`
/// marks the message delivered, a failure marks it `failed` with the status as its reason, and
/// the listeners of the record it is about hear of either. Answers whether anything changed;
/// unknown references and repeated reports change nothing.
pub async fn provider_reported(
    core: &Core,
    provider_ref: &str,
    status: &ProviderStatus,
) -> Result<bool, CoreError> {
    let now = core.now();
    let mut tx = core.store().begin().await?;
    let Some(row) = store::find_by_provider_ref(&mut tx, provider_ref).await? else {
        return Ok(false);
    };
    let (changed, event) = match status {
        ProviderStatus::Underway => (false, DeliveryEvent::Sent),
        ProviderStatus::Failed(reason) => (
            store::mark_failed(&mut tx, &row.id, &scrub_error(reason), now.as_millis()).await?,
            DeliveryEvent::Failed,
        ),
        ProviderStatus::Delivered => (
            store::mark_delivered(&mut tx, &row.id, now.as_millis()).await?,
            DeliveryEvent::Delivered,
        ),
    };
    if changed {
        tell(core, &mut tx, &row, event, now).await?;
    }
    tx.commit().await?;
    Ok(changed)
}
