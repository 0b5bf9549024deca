//! Transports: how a message leaves. `Log` is the zero-configuration default: it keeps the
//! rendered message (sealed) in the outbox for the development page `/dev/outbox`, so a newcomer
//! can follow an invitation without any mail server or SMS account.

use portico_core::outbox::OutgoingMessage;
use portico_domain::Channel;

/// Why a send did not go through.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendError {
    /// Worth another attempt later (a time-out, a 5xx, a rate limit).
    Retryable(String),
    /// Will never succeed as it is (a refused address, a 4xx): dead-letter it.
    Permanent(String),
}

/// Where messages go.
#[derive(Debug, Clone)]
pub enum Transport {
    Log,
}

impl Transport {
    /// Whether the sealed message is kept after sending (only for the development page).
    pub fn keeps_payload(&self) -> bool {
        matches!(self, Transport::Log)
    }

    pub fn name(&self) -> &'static str {
        match self {
            Transport::Log => "log",
        }
    }

    /// Sends one message; answers the provider's reference for it.
    pub async fn send(
        &self,
        outbox_id: &str,
        channel: Channel,
        message: &OutgoingMessage,
    ) -> Result<String, SendError> {
        match self {
            Transport::Log => {
                // Ids only: the message itself stays sealed in the outbox.
                tracing::info!(
                    outbox_id,
                    channel = channel.as_str(),
                    "message kept for /dev/outbox"
                );
                let _ = message;
                Ok(format!("log:{outbox_id}"))
            }
        }
    }
}
