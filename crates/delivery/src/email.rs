//! Email over SMTP (lettre, rustls): plain text and HTML alternatives, and a `Message-ID` made
//! from the outbox id, so that a message sent again after a crash is recognisable as the same one.

use std::time::Duration;

use lettre::message::header::ContentType;
use lettre::message::{Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::PoolConfig;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use portico_core::delivery::email_html;
use portico_core::delivery::outbox::OutgoingMessage;

use crate::send_error::SendError;

/// How the connection to the SMTP server is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpSecurity {
    /// Plain text: only for a test server on the same machine.
    None,
    StartTls,
    /// Implicit TLS (usually port 465).
    Tls,
}

/// Where and as whom to send.
#[derive(Clone)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    pub security: SmtpSecurity,
    pub credentials: Option<(String, String)>,
    pub from: String,
}

/// A pool of SMTP connections and the sender's address.
#[derive(Clone)]
pub struct SmtpSender {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    /// The domain part of `Message-ID`s.
    id_domain: String,
}

impl SmtpSender {
    /// Checks the settings; connections are made when sending.
    pub fn new(settings: &SmtpSettings) -> Result<SmtpSender, String> {
        let from: Mailbox = settings
            .from
            .parse()
            .map_err(|e| format!("email.from is not an address: {e}"))?;
        let builder = match settings.security {
            SmtpSecurity::None => {
                AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(settings.host.as_str())
            }
            SmtpSecurity::StartTls => {
                AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&settings.host)
                    .map_err(|e| format!("email.smtp_host: {e}"))?
            }
            SmtpSecurity::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&settings.host)
                .map_err(|e| format!("email.smtp_host: {e}"))?,
        };
        // A pool of connections: the worker sends several messages at once, each on its own connection.
        let mut builder = builder
            .port(settings.port)
            .timeout(Some(Duration::from_secs(20)))
            .pool_config(PoolConfig::new().max_size(32));
        if let Some((user, password)) = &settings.credentials {
            builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
        }
        let id_domain = from.email.domain().to_owned();
        Ok(SmtpSender {
            transport: builder.build(),
            from,
            id_domain,
        })
    }

    /// The `Message-ID` of an outbox message: the same on every attempt.
    pub fn message_id(&self, outbox_id: &str) -> String {
        format!("<{outbox_id}@{}>", self.id_domain)
    }

    pub async fn send(
        &self,
        outbox_id: &str,
        message: &OutgoingMessage,
    ) -> Result<String, SendError> {
        let to: Mailbox = message
            .to
            .parse()
            .map_err(|_| SendError::Permanent("the recipient address is not valid".into()))?;
        let html = message
            .html
            .clone()
            .unwrap_or_else(|| email_html::from_text(&message.text));
        let body = MultiPart::alternative()
            .singlepart(
                SinglePart::builder()
                    .header(ContentType::TEXT_PLAIN)
                    .body(message.text.clone()),
            )
            .singlepart(
                SinglePart::builder()
                    .header(ContentType::TEXT_HTML)
                    .body(html),
            );
        let email = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(message.subject.clone().unwrap_or_default())
            .message_id(Some(self.message_id(outbox_id)))
            .multipart(body)
            .map_err(|e| SendError::Permanent(format!("the message could not be built: {e}")))?;
        match self.transport.send(email).await {
            Ok(_) => Ok(self.message_id(outbox_id)),
            // A 5xx answer (unknown mailbox, refused sender) will not change on retry.
            Err(e) if e.is_permanent() => Err(SendError::Permanent(format!(
                "the mail server refused the message: {e}"
            ))),
            Err(e) => Err(SendError::Retryable(format!(
                "the mail server could not take the message now: {e}"
            ))),
        }
    }
}
