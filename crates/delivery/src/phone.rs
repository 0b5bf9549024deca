//! SMS and voice calls through a provider's HTTP API in Twilio's shape: `Messages.json` for an
//! SMS, `Calls.json` with inline TwiML for a call that reads the text slowly. The provider's
//! answer decides the outcome: accepted (its message id), worth another attempt (a rate limit, a
//! 5xx, a time-out) or refused for good (any other 4xx, with the provider's reason for staff).

use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use http_body_util::{BodyExt as _, Full};
use hyper::body::Bytes;
use hyper::header::{AUTHORIZATION, CONTENT_TYPE, HeaderValue};
use hyper::{Request, StatusCode, Uri};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use portico_core::delivery::outbox::OutgoingMessage;

use crate::send_error::SendError;

const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// How to reach the provider.
#[derive(Clone)]
pub struct PhoneApiSettings {
    /// e.g. `https://api.twilio.com`, or a compatible gateway.
    pub base_url: String,
    pub account_sid: String,
    pub auth_token: String,
    /// The sending number, E.164.
    pub from: String,
    /// Where the provider reports delivery (`{public_url}/hooks/sms/status`); `None` asks for no reports.
    pub status_callback: Option<String>,
    /// How long to wait for the provider's answer before trying again later.
    pub request_timeout: Duration,
}

/// A client of the provider's API (cheap to clone).
#[derive(Clone)]
pub struct PhoneApi(Arc<Inner>);

struct Inner {
    client: Client<HttpsConnector<HttpConnector>, Full<Bytes>>,
    messages_url: Uri,
    calls_url: Uri,
    authorization: HeaderValue,
    from: String,
    status_callback: Option<String>,
    request_timeout: Duration,
}

// By hand: the auth token never reaches a log.
impl std::fmt::Debug for PhoneApi {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PhoneApi")
            .field("messages_url", &self.0.messages_url)
            .field("from", &self.0.from)
            .finish_non_exhaustive()
    }
}

/// `Messages.json` / `Calls.json` under the account.
fn endpoint(base_url: &str, account_sid: &str, resource: &str) -> Result<Uri, String> {
    if account_sid.is_empty() || !account_sid.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err("sms.account_sid must be letters and digits".into());
    }
    format!(
        "{}/2010-04-01/Accounts/{account_sid}/{resource}",
        base_url.trim_end_matches('/')
    )
    .parse()
    .map_err(|e| format!("sms.base_url: {e}"))
}

impl PhoneApi {
    pub fn new(settings: &PhoneApiSettings) -> Result<PhoneApi, String> {
        // rustls on ring with the Mozilla roots: no aws-lc, no OpenSSL, no process-wide state.
        let tls = rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS set-up: {e}"))?
        .with_root_certificates(rustls::RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        })
        .with_no_client_auth();
        let mut http = HttpConnector::new();
        http.enforce_http(false);
        http.set_connect_timeout(Some(CONNECT_TIMEOUT));
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls)
            .https_or_http()
            .enable_http1()
            .wrap_connector(http);
        let credentials = base64::engine::general_purpose::STANDARD
            .encode(format!("{}:{}", settings.account_sid, settings.auth_token));
        let mut authorization = HeaderValue::from_str(&format!("Basic {credentials}"))
            .map_err(|_| "sms.auth_token holds characters a header cannot".to_owned())?;
        authorization.set_sensitive(true);
        Ok(PhoneApi(Arc::new(Inner {
            client: Client::builder(TokioExecutor::new()).build(https),
            messages_url: endpoint(&settings.base_url, &settings.account_sid, "Messages.json")?,
            calls_url: endpoint(&settings.base_url, &settings.account_sid, "Calls.json")?,
            authorization,
            from: settings.from.clone(),
            status_callback: settings.status_callback.clone(),
            request_timeout: settings.request_timeout,
        })))
    }

    /// Sends an SMS; answers the provider's message id.
    pub async fn send_sms(&self, message: &OutgoingMessage) -> Result<String, SendError> {
        let mut form = vec![
            ("To", message.to.as_str()),
            ("From", self.0.from.as_str()),
            ("Body", message.text.as_str()),
        ];
        if let Some(url) = &self.0.status_callback {
            form.push(("StatusCallback", url));
        }
        self.post(&self.0.messages_url, &form).await
    }

    /// Places a call that reads the message out; answers the provider's call id.
    pub async fn call(&self, message: &OutgoingMessage) -> Result<String, SendError> {
        let twiml = twiml(&message.text);
        let mut form = vec![
            ("To", message.to.as_str()),
            ("From", self.0.from.as_str()),
            ("Twiml", twiml.as_str()),
        ];
        if let Some(url) = &self.0.status_callback {
            form.push(("StatusCallback", url));
        }
        self.post(&self.0.calls_url, &form).await
    }

    async fn post(&self, url: &Uri, form: &[(&str, &str)]) -> Result<String, SendError> {
        let body = serde_urlencoded::to_string(form)
            .map_err(|e| SendError::Permanent(format!("the message cannot be encoded: {e}")))?;
        let request = Request::post(url.clone())
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(AUTHORIZATION, self.0.authorization.clone())
            .body(Full::new(Bytes::from(body)))
            .map_err(|e| SendError::Permanent(format!("the request cannot be built: {e}")))?;
        let exchange = async {
            let res = self.0.client.request(request).await.map_err(|e| {
                let what = if e.is_connect() {
                    "could not connect"
                } else {
                    "request failed"
                };
                SendError::Retryable(format!("SMS provider {what}: {e}"))
            })?;
            let status = res.status();
            match res.into_body().collect().await {
                Ok(body) => Ok((status, body.to_bytes())),
                // Accepted, but the answer broke off: sending again could reach the patient twice.
                Err(e) if status.is_success() => Err(SendError::Permanent(format!(
                    "the SMS provider accepted the message but its answer broke off: {e}"
                ))),
                Err(_) => Ok((status, Bytes::new())),
            }
        };
        let (status, body) = tokio::time::timeout(self.0.request_timeout, exchange)
            .await
            .map_err(|_| SendError::Retryable("SMS provider timed out".into()))??;
        let answer: Answer = serde_json::from_slice(&body).unwrap_or_default();
        classify(status, answer)
    }
}

/// The parts of the provider's JSON answer we read.
#[derive(Debug, Default, serde::Deserialize)]
struct Answer {
    sid: Option<String>,
    message: Option<String>,
    code: Option<serde_json::Value>,
}

fn classify(status: StatusCode, answer: Answer) -> Result<String, SendError> {
    if status.is_success() {
        return answer.sid.filter(|s| !s.is_empty()).ok_or_else(|| {
            SendError::Permanent(format!(
                "the SMS provider answered {} without a message id",
                status.as_u16()
            ))
        });
    }
    let mut reason = answer
        .message
        .map(|m| m.chars().take(500).collect::<String>())
        .unwrap_or_else(|| format!("the SMS provider answered {}", status.as_u16()));
    if let Some(code) = answer.code {
        reason.push_str(&format!(" (error {code})"));
    }
    if status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error() {
        Err(SendError::Retryable(reason))
    } else {
        Err(SendError::Permanent(reason))
    }
}

fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

/// The call's script: the text read slowly (it already repeats the code), a pause, a goodbye.
pub fn twiml(text: &str) -> String {
    format!(
        "<Response><Say voice=\"alice\" language=\"en-US\"><prosody rate=\"slow\">{}</prosody></Say>\
         <Pause length=\"1\"/><Say voice=\"alice\" language=\"en-US\">Goodbye.</Say></Response>",
        xml_escape(text)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_script_escapes_the_text() {
        assert_eq!(
            twiml("A & <B>"),
            "<Response><Say voice=\"alice\" language=\"en-US\"><prosody rate=\"slow\">A &amp; &lt;B&gt;</prosody></Say>\
             <Pause length=\"1\"/><Say voice=\"alice\" language=\"en-US\">Goodbye.</Say></Response>"
        );
    }

    #[test]
    fn answers_map_to_outcomes() {
        let ok = Answer {
            sid: Some("SM1".into()),
            ..Answer::default()
        };
        assert_eq!(classify(StatusCode::CREATED, ok), Ok("SM1".into()));
        for status in [StatusCode::TOO_MANY_REQUESTS, StatusCode::BAD_GATEWAY] {
            assert!(matches!(
                classify(status, Answer::default()),
                Err(SendError::Retryable(_))
            ));
        }
        let refused = Answer {
            message: Some("The 'To' number is not valid.".into()),
            code: Some(21211.into()),
            ..Answer::default()
        };
        assert_eq!(
            classify(StatusCode::BAD_REQUEST, refused),
            Err(SendError::Permanent(
                "The 'To' number is not valid. (error 21211)".into()
            ))
        );
    }

    #[test]
    fn endpoints_sit_under_the_account() {
        assert_eq!(
            endpoint("https://gw.example/twilio/", "AC1", "Calls.json")
                .unwrap()
                .to_string(),
            "https://gw.example/twilio/2010-04-01/Accounts/AC1/Calls.json"
        );
        assert!(endpoint("https://gw.example", "AC/../x", "Calls.json").is_err());
    }
}
