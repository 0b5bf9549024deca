//! Signals that something changed, for pages that show it live (the practice's waiting list). A
//! transaction raises a signal with [`crate::Tx::signal`]; everyone subscribed, on any node, hears
//! it once the transaction commits, and never when it rolls back. On PostgreSQL the signal is a
//! `NOTIFY` on one channel, which PostgreSQL delivers at commit to every node listening; on SQLite
//! (one node) it waits with the transaction and is sent in-process after the commit.
//!
//! A signal is a topic (`visits:<practice id>`), never data: listeners read what changed through
//! the usual, tenant-scoped queries.

use std::sync::Arc;
use std::time::Duration;

use sqlx::PgPool;
use sqlx::postgres::PgListener;
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::{OnceCell, broadcast, watch};

/// PostgreSQL's channel for every signal.
pub(crate) const CHANNEL: &str = "portico_signals";

/// How many signals a slow subscriber may fall behind before it misses some (it is then told it
/// lagged, and reloads what it shows).
const BACKLOG: usize = 256;

/// What travels from the database (or a SQLite commit) to this node's subscribers.
#[derive(Clone, Debug)]
enum Note {
    /// A committed transaction raised this topic.
    Topic(String),
    /// This node's PostgreSQL listener lost its connection and made a new one: signals sent in
    /// between were missed.
    Lost,
}

/// The signals of one store, shared by its clones.
#[derive(Clone)]
pub(crate) struct Signals {
    sender: broadcast::Sender<Note>,
    /// Turned on when the service stops: every subscriber's stream ends, so that open pages'
    /// event streams do not hold the shutdown.
    stopping: Arc<watch::Sender<bool>>,
    /// Set once this node's PostgreSQL listener runs.
    listening: Arc<OnceCell<()>>,
}

impl Default for Signals {
    fn default() -> Self {
        Signals {
            sender: broadcast::channel(BACKLOG).0,
            stopping: Arc::new(watch::channel(false).0),
            listening: Arc::default(),
        }
    }
}

impl Signals {
    /// Sends in-process (SQLite, after a commit); nobody listening is not an error.
    pub(crate) fn send(&self, topic: String) {
        let _ = self.sender.send(Note::Topic(topic));
    }

    pub(crate) fn subscribe(&self) -> Subscription {
        Subscription {
            signals: self.sender.subscribe(),
            stopping: self.stopping.subscribe(),
        }
    }

    pub(crate) fn stop(&self) {
        // `send_replace`, not `send`: the value must change even when nobody subscribes yet.
        self.stopping.send_replace(true);
    }

    /// Starts, once per node, the task that hands PostgreSQL's notifications to this node's
    /// subscribers, and returns once it listens: a subscriber that has been answered hears
    /// every signal committed after that. The task reconnects after a lost connection (signals
    /// sent meanwhile are missed, and subscribers are told so, so pages reload) and ends when
    /// the pool closes, giving its connection back: the pool's `close` waits for every
    /// connection, so a listener that held on to one would hold the shutdown forever.
    pub(crate) async fn listen_postgres(&self, pool: &PgPool) -> Result<(), sqlx::Error> {
        let pool = pool.clone();
        let sender = self.sender.clone();
        self.listening
            .get_or_try_init(|| async move {
                let listener = listening(&pool).await?;
                tokio::spawn(forward(pool, listener, sender));
                Ok::<(), sqlx::Error>(())
            })
            .await?;
        Ok(())
    }
}

/// What one subscriber hears.
pub struct Subscription {
    signals: broadcast::Receiver<Note>,
    stopping: watch::Receiver<bool>,
}

/// The next thing a subscriber hears.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Heard {
    /// A committed transaction raised this topic.
    Signal(String),
    /// The subscriber fell behind, or the node's listener lost its connection, and some signals
    /// were missed: reload everything.
    Missed,
    /// The service is stopping: the subscription is over.
    Stopped,
}

impl Subscription {
    pub async fn next(&mut self) -> Heard {
        if *self.stopping.borrow() {
            return Heard::Stopped;
        }
        tokio::select! {
            heard = self.signals.recv() => match heard {
                Ok(Note::Topic(topic)) => Heard::Signal(topic),
                Ok(Note::Lost) | Err(RecvError::Lagged(_)) => Heard::Missed,
                Err(RecvError::Closed) => Heard::Stopped,
            },
            _ = self.stopping.wait_for(|stopping| *stopping) => Heard::Stopped,
        }
    }
}

async fn listening(pool: &PgPool) -> Result<PgListener, sqlx::Error> {
    let mut listener = PgListener::connect_with(pool).await?;
    listener.listen(CHANNEL).await?;
    Ok(listener)
}

/// Hands notifications on until the pool closes.
async fn forward(pool: PgPool, mut listener: PgListener, sender: broadcast::Sender<Note>) {
    loop {
        match listener.try_recv().await {
            Ok(Some(note)) => {
                let _ = sender.send(Note::Topic(note.payload().to_owned()));
            }
            // sqlx made a new connection (and listens again) after losing the old one.
            Ok(None) => {
                tracing::warn!("signals: connection lost and made again; some may be missed");
                let _ = sender.send(Note::Lost);
            }
            Err(e) => {
                // Dropped first: it holds a connection of the pool.
                drop(listener);
                if pool.is_closed() {
                    return;
                }
                tracing::warn!(error = %e, "signals: the listener failed; listening again");
                listener = match listen_again(&pool).await {
                    Some(listener) => listener,
                    None => return,
                };
                let _ = sender.send(Note::Lost);
            }
        }
    }
}

/// A new listener, retried every second; `None` once the pool closes.
async fn listen_again(pool: &PgPool) -> Option<PgListener> {
    loop {
        if pool.is_closed() {
            return None;
        }
        match listening(pool).await {
            Ok(listener) => return Some(listener),
            Err(e) => {
                tracing::warn!(error = %e, "signals: cannot listen; retrying");
                tokio::select! {
                    _ = tokio::time::sleep(Duration::from_secs(1)) => {}
                    _ = pool.close_event() => return None,
                }
            }
        }
    }
}
