//! The SMS and voice provider's stand-in (wiremock, in Twilio's shape): a service set to send
//! through it, `with_provider!` to run tests against a fresh one, and what it received.

use serde_json::json;
use wiremock::matchers::{basic_auth, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use super::patient::PhoneInbox;
use super::{Backend, TestApp};

pub const SID: &str = "AC0123456789abcdef";
pub const TOKEN: &str = "provider-auth-token";
/// The number texts and calls come from.
pub const FROM: &str = "+15005550006";
pub const MESSAGES: &str = "/2010-04-01/Accounts/AC0123456789abcdef/Messages.json";
pub const CALLS: &str = "/2010-04-01/Accounts/AC0123456789abcdef/Calls.json";

/// Like `on_both!`, with a provider stand-in and the service set to send through it. The
/// stand-in accepts every text and call (`accept_all`) unless a test mounts another answer,
/// which wins: wiremock takes the lowest priority number, and `accept_all`'s is 10.
macro_rules! with_provider {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let provider = wiremock::MockServer::start().await;
                    crate::common::provider::accept_all(&provider).await;
                    let app = crate::common::provider::spawn(crate::common::Backend::Sqlite, &provider).await.expect("sqlite is always available");
                    super::$name(&app, &provider).await;
                    app.stop().await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let provider = wiremock::MockServer::start().await;
                    crate::common::provider::accept_all(&provider).await;
                    let Some(app) = crate::common::provider::spawn(crate::common::Backend::Postgres, &provider).await else { return };
                    super::$name(&app, &provider).await;
                    app.stop().await;
                }
            )*
        }
    };
}
pub(crate) use with_provider;

/// The settings that send texts and calls through `provider`.
pub fn settings(provider: &MockServer) -> Vec<(&'static str, String)> {
    vec![
        ("PORTICO_SMS_TRANSPORT", "http".to_owned()),
        ("PORTICO_SMS_BASE_URL", provider.uri()),
        ("PORTICO_SMS_ACCOUNT_SID", SID.to_owned()),
        ("PORTICO_SMS_AUTH_TOKEN", TOKEN.to_owned()),
        ("PORTICO_SMS_FROM", FROM.to_owned()),
    ]
}

/// The service `with_provider!` starts: sending through `provider`, giving up on an answer after
/// a second, and trusting `X-Forwarded-For` (tests that play several callers name their
/// address; the others share one: none).
pub async fn spawn(backend: Backend, provider: &MockServer) -> Option<TestApp> {
    let mut settings = settings(provider);
    settings.extend([
        ("PORTICO_SMS_TIMEOUT_SECONDS", "1".to_owned()),
        ("PORTICO_CLIENT_IP_HEADER", "x-forwarded-for".to_owned()),
    ]);
    TestApp::spawn_with(backend, &settings).await
}

/// The provider accepts everything sent with the right credentials.
/// A service whose texts go to the stand-in provider `sms` and whose emails to the real SMTP
/// server `smtp`, for stories that read both.
pub async fn spawn_with_mail(
    backend: Backend,
    sms: &MockServer,
    smtp: &crate::mailbox::SmtpServer,
) -> Option<TestApp> {
    let mut settings = smtp.settings();
    settings.extend(self::settings(sms));
    TestApp::spawn_with(backend, &settings).await
}

pub async fn accept_all(provider: &MockServer) {
    for (at, sid) in [
        (MESSAGES, "SM00000000000000000000000000000001"),
        (CALLS, "CA00000000000000000000000000000001"),
    ] {
        Mock::given(method("POST"))
            .and(path(at))
            .and(basic_auth(SID, TOKEN))
            .respond_with(
                ResponseTemplate::new(201).set_body_json(json!({ "sid": sid, "status": "queued" })),
            )
            .with_priority(10)
            .mount(provider)
            .await;
    }
}

/// The form bodies the provider received at `at`, in order.
pub async fn forms_at(provider: &MockServer, at: &str) -> Vec<Vec<(String, String)>> {
    provider
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .filter(|r| r.url.path() == at)
        .map(|r| serde_urlencoded::from_bytes(&r.body).expect("a form body"))
        .collect()
}

/// The value of `key` in one form body.
pub fn field<'a>(form: &'a [(String, String)], key: &str) -> Option<&'a str> {
    form.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
}

/// The texts the provider was asked to send, as (to, body), in order.
pub async fn texts(provider: &MockServer) -> Vec<(String, String)> {
    forms_at(provider, MESSAGES)
        .await
        .iter()
        .filter_map(|f| Some((field(f, "To")?.to_owned(), field(f, "Body")?.to_owned())))
        .collect()
}

/// A patient's phone reads the codes the provider was asked to text it.
impl PhoneInbox for MockServer {
    async fn code_sent_to(&self, app: &TestApp, number: &str) -> String {
        app.deliver().await;
        texts(self)
            .await
            .iter()
            .rev()
            .find(|(to, _)| to == number)
            .map(|(_, body)| body.chars().take(6).collect())
            .expect("a text to that number")
    }
}

/// The provider refuses every text from now on, as Twilio refuses a number it cannot text
/// (error 21211), with `reason` as its message.
pub async fn refuse_texts(provider: &MockServer, reason: &str) {
    Mock::given(method("POST"))
        .and(path(MESSAGES))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({
            "code": 21211, "message": reason,
            "more_info": "https://www.twilio.com/docs/errors/21211", "status": 400,
        })))
        .mount(provider)
        .await;
}
