//! Transports: how a message leaves, chosen per medium by configuration — email by `log` or SMTP,
//! SMS and voice calls by `log` or an HTTP provider. `log` is the zero-configuration default: it
//! keeps the rendered message (sealed) in the outbox for the development page `/dev/outbox`, so a
//! newcomer can follow an invitation without any mail server or SMS account.

use portico_core::delivery::outbox::OutgoingMessage;

use crate::email::SmtpSender;
use crate::phone::PhoneApi;
use portico_domain::Channel;

pub use crate::send_error::SendError;

/// How email leaves.
#[derive(Clone)]
pub enum EmailTransport {
    Log,
    Smtp(Box<SmtpSender>),
}

/// How SMS and voice calls leave.
#[derive(Clone)]
pub enum PhoneTransport {
    Log,
    Http(PhoneApi),
}

/// The transports of one deployment.
#[derive(Clone)]
pub struct Transports {
    pub email: EmailTransport,
    pub phone: PhoneTransport,
}

impl Transports {
    /// Everything to the development log.
    pub fn log() -> Transports {
        Transports {
            email: EmailTransport::Log,
            phone: PhoneTransport::Log,
        }
    }

    /// Whether any medium goes to the development log.
    pub fn any_log(&self) -> bool {
        matches!(self.email, EmailTransport::Log) || matches!(self.phone, PhoneTransport::Log)
    }

    /// Whether every medium goes to the development log: a development set-up, where `/dev/outbox`
    /// is served. With one real transport the outbox holds messages people really receive.
    pub fn all_log(&self) -> bool {
        matches!(self.email, EmailTransport::Log) && matches!(self.phone, PhoneTransport::Log)
    }

    /// Whether the sealed message is kept after sending (only for the development page).
    pub fn keeps_payload(&self, channel: Channel) -> bool {
        match channel {
            Channel::Email => matches!(self.email, EmailTransport::Log),
            Channel::Sms | Channel::Voice => matches!(self.phone, PhoneTransport::Log),
        }
    }

    /// Sends one message; answers the provider's reference for it.
    pub async fn send(
        &self,
        outbox_id: &str,
        channel: Channel,
        message: &OutgoingMessage,
    ) -> Result<String, SendError> {
        let logged = match channel {
            Channel::Email => match &self.email {
                EmailTransport::Log => true,
                EmailTransport::Smtp(smtp) => return smtp.send(outbox_id, message).await,
            },
            Channel::Sms | Channel::Voice => match &self.phone {
                PhoneTransport::Log => true,
                PhoneTransport::Http(api) if channel == Channel::Voice => {
                    return api.call(message).await;
                }
                PhoneTransport::Http(api) => return api.send_sms(message).await,
            },
        };
        if logged {
            // Ids only: the message itself stays sealed in the outbox for /dev/outbox.
            tracing::info!(
                outbox_id,
                channel = channel.as_str(),
                "message kept for /dev/outbox"
            );
            let _ = message;
        }
        Ok(format!("log:{outbox_id}"))
    }
}
