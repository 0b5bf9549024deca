//! The outbox worker: claim a batch, send each message, record the outcome, repeat.

use std::time::Duration;

use portico_core::delivery::outbox::{self as rules, MAX_AGE, scrub_error};
use portico_core::delivery::reports;
use portico_core::{Core, CoreError};
use portico_domain::Channel;
use portico_store::delivery::outbox::{self as store, OutboxRow};
use rand::Rng;
use std::sync::Arc;

use tokio::sync::{Semaphore, watch};
use tokio::task::JoinSet;

use crate::transport::{SendError, Transports};

#[derive(Debug, Clone)]
pub struct WorkerSettings {
    /// Messages claimed at once.
    pub batch: i64,
    /// How long a claim holds before another worker may take the message over.
    pub lease: Duration,
    /// How long to wait when the outbox is empty.
    pub idle_poll: Duration,
    /// Messages of a batch sent at once. Sending is mostly waiting on the network (an SMTP
    /// exchange, a provider's answer), so a few in flight multiply throughput.
    pub concurrency: usize,
}

impl Default for WorkerSettings {
    fn default() -> Self {
        WorkerSettings {
            batch: 50,
            lease: Duration::from_secs(60),
            idle_poll: Duration::from_millis(500),
            concurrency: 32,
        }
    }
}

pub struct Worker {
    core: Core,
    transports: Transports,
    settings: WorkerSettings,
    /// Names this worker's claims.
    id: String,
}

impl Worker {
    pub fn new(core: Core, transports: Transports, settings: WorkerSettings) -> Worker {
        Worker {
            core,
            transports,
            settings,
            id: format!("worker-{}", uuid::Uuid::new_v4()),
        }
    }

    /// Claims one batch of due messages and delivers it; answers how many were claimed.
    pub async fn run_once(&self) -> Result<usize, CoreError> {
        let now = self.core.now();
        let lease_until = now.plus(self.settings.lease).as_millis();
        let claimed = store::claim(
            self.core.store(),
            &self.id,
            now.as_millis(),
            lease_until,
            self.settings.batch,
        )
        .await?;
        let count = claimed.len();
        let permits = Arc::new(Semaphore::new(self.settings.concurrency.max(1)));
        let mut sending = JoinSet::new();
        for row in claimed {
            let permit = Arc::clone(&permits)
                .acquire_owned()
                .await
                .map_err(|_| CoreError::Internal("worker closed".into()))?;
            let (core, transports, id) =
                (self.core.clone(), self.transports.clone(), self.id.clone());
            sending.spawn(async move {
                let outcome = deliver(&core, &transports, &id, row).await;
                drop(permit);
                outcome
            });
        }
        while let Some(done) = sending.join_next().await {
            done.map_err(|e| CoreError::Internal(format!("delivery task failed: {e}")))??;
        }
        Ok(count)
    }

    /// Delivers until `stop` turns true, pausing while the outbox is empty.
    pub async fn run(self, mut stop: watch::Receiver<bool>) {
        loop {
            if *stop.borrow() {
                return;
            }
            let pause = match self.run_once().await {
                Ok(0) => self.settings.idle_poll,
                Ok(_) => Duration::ZERO,
                Err(e) => {
                    tracing::warn!(error = %e, worker = %self.id, "delivery round failed");
                    self.settings.idle_poll
                }
            };
            if !pause.is_zero() {
                tokio::select! {
                    _ = tokio::time::sleep(pause) => {}
                    _ = stop.changed() => {}
                }
            }
        }
    }
}

/// Sends one claimed message and records the outcome.
async fn deliver(
    core: &Core,
    transports: &Transports,
    worker: &str,
    row: OutboxRow,
) -> Result<(), CoreError> {
    let store = core.store();
    let now = core.now();
    let (Some(message), Ok(channel)) =
        (rules::open(core.keys(), &row), Channel::parse(&row.channel))
    else {
        reports::gave_up(core, &row, worker, "the message could not be opened").await?;
        return Ok(());
    };
    match transports.send(&row.id, channel, &message).await {
        Ok(provider_ref) => {
            reports::sent(
                core,
                &row,
                worker,
                &provider_ref,
                transports.keeps_payload(channel),
            )
            .await?;
            tracing::info!(outbox_id = %row.id, channel = %row.channel, attempts = row.attempts, "message sent");
        }
        Err(SendError::Retryable(reason)) => {
            let age =
                Duration::from_millis(u64::try_from(now.as_millis() - row.created_at).unwrap_or(0));
            if age >= MAX_AGE {
                let reason = format!("gave up after {} attempts: {reason}", row.attempts);
                reports::gave_up(core, &row, worker, &reason).await?;
            } else {
                let next = now.plus(rules::retry_delay(
                    row.attempts,
                    rand::rng().random::<f64>(),
                ));
                store::schedule_retry(
                    store,
                    &row.id,
                    worker,
                    &scrub_error(&reason),
                    next.as_millis(),
                    now.as_millis(),
                )
                .await?;
            }
            tracing::warn!(outbox_id = %row.id, attempts = row.attempts, "send failed; will retry");
        }
        Err(SendError::Permanent(reason)) => {
            reports::gave_up(core, &row, worker, &reason).await?;
            tracing::warn!(outbox_id = %row.id, "send refused; dead-lettered");
        }
    }
    Ok(())
}
