//! SMS and voice through the HTTP provider (Twilio's shape), with wiremock standing in for the
//! provider: the exact requests it receives, its signed delivery reports, and how its answers
//! (5xx, 429, 4xx) become retries or a dead letter the staff can read.

use std::time::Duration;

use base64::Engine as _;
use hmac::{Hmac, KeyInit, Mac};
use reqwest::StatusCode;
use serde_json::{Value, json};
use wiremock::matchers::{basic_auth, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::{Api, Backend, TestApp};

const SID: &str = "AC0123456789abcdef";
const TOKEN: &str = "provider-auth-token";
const FROM: &str = "+15005550006";
const TO: &str = "+14155550123";
const ADMIN: &str = "admin@lakeside.example";
pub(crate) const MESSAGES: &str = "/2010-04-01/Accounts/AC0123456789abcdef/Messages.json";
pub(crate) const CALLS: &str = "/2010-04-01/Accounts/AC0123456789abcdef/Calls.json";

/// Like `on_both!`, with a provider stand-in and the service set to send through it.
macro_rules! with_provider {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let provider = wiremock::MockServer::start().await;
                    let app = crate::sms::spawn(crate::common::Backend::Sqlite, &provider).await.expect("sqlite is always available");
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
                    let Some(app) = crate::sms::spawn(crate::common::Backend::Postgres, &provider).await else { return };
                    super::$name(&app, &provider).await;
                    app.stop().await;
                }
            )*
        }
    };
}

pub(crate) use with_provider;

with_provider!(
    an_invite_by_sms_and_voice_reaches_the_provider_as_expected,
    only_signed_status_reports_move_the_invitation_to_delivered,
    a_server_error_is_retried_after_the_back_off,
    a_refusal_is_a_dead_letter_with_the_providers_reason,
    a_rate_limit_is_retried,
    a_provider_that_does_not_answer_in_time_is_retried,
);

pub(crate) async fn spawn(backend: Backend, provider: &MockServer) -> Option<TestApp> {
    let base = provider.uri();
    TestApp::spawn_with(
        backend,
        &[
            ("PORTICO_SMS_TRANSPORT", "http"),
            ("PORTICO_SMS_BASE_URL", &base),
            ("PORTICO_SMS_ACCOUNT_SID", SID),
            ("PORTICO_SMS_AUTH_TOKEN", TOKEN),
            ("PORTICO_SMS_FROM", FROM),
            ("PORTICO_SMS_TIMEOUT_SECONDS", "1"),
            // Tests that play several callers name their address; the others share one (none).
            ("PORTICO_CLIENT_IP_HEADER", "x-forwarded-for"),
        ],
    )
    .await
}

/// The provider accepts everything sent with the right credentials.
pub(crate) async fn accept_all(provider: &MockServer) {
    Mock::given(method("POST"))
        .and(path(MESSAGES))
        .and(basic_auth(SID, TOKEN))
        .respond_with(ResponseTemplate::new(201).set_body_json(
            json!({ "sid": "SM00000000000000000000000000000001", "status": "queued" }),
        ))
        .with_priority(10)
        .mount(provider)
        .await;
    Mock::given(method("POST"))
        .and(path(CALLS))
        .and(basic_auth(SID, TOKEN))
        .respond_with(ResponseTemplate::new(201).set_body_json(
            json!({ "sid": "CA00000000000000000000000000000001", "status": "queued" }),
        ))
        .with_priority(10)
        .mount(provider)
        .await;
}

async fn invite(api: &Api, channels: &[&str]) -> Value {
    let body = json!({
        "first_name": "Maria", "last_name": "Lopez", "birth_date": "1980-02-03",
        "phone": TO, "channels": channels,
    });
    Api::expect(api.post("/invitations", &body).await, StatusCode::CREATED).await
}

async fn read(api: &Api, id: &str) -> Value {
    Api::expect(api.get(&format!("/invitations/{id}")).await, StatusCode::OK).await
}

fn message<'a>(invitation: &'a Value, channel: &str) -> &'a Value {
    invitation["messages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["channel"] == channel)
        .unwrap_or_else(|| panic!("a {channel} message in {invitation}"))
}

/// The form bodies the provider received at `at`, in order.
pub(crate) async fn forms_at(provider: &MockServer, at: &str) -> Vec<Vec<(String, String)>> {
    provider
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .filter(|r| r.url.path() == at)
        .map(|r| serde_urlencoded::from_bytes(&r.body).expect("a form body"))
        .collect()
}

fn sign(token: &str, url: &str, params: &[(&str, &str)]) -> String {
    let mut sorted = params.to_vec();
    sorted.sort();
    let mut mac = Hmac::<sha1::Sha1>::new_from_slice(token.as_bytes()).unwrap();
    mac.update(url.as_bytes());
    for (k, v) in sorted {
        mac.update(k.as_bytes());
        mac.update(v.as_bytes());
    }
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

async fn report(app: &TestApp, params: &[(&str, &str)], signature: Option<&str>) -> StatusCode {
    let mut req = reqwest::Client::new()
        .post(format!("{}/hooks/sms/status", app.url))
        .form(params);
    if let Some(sig) = signature {
        req = req.header("X-Twilio-Signature", sig);
    }
    req.send().await.expect("POST").status()
}

fn spoken(code: &str) -> String {
    code.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(String::from)
        .collect::<Vec<_>>()
        .join(", ")
}

async fn an_invite_by_sms_and_voice_reaches_the_provider_as_expected(
    app: &TestApp,
    provider: &MockServer,
) {
    accept_all(provider).await;
    let api = app.integrator("Lakeside Clinic", ADMIN).await;
    let created = invite(&api, &["sms", "voice"]).await;
    let (id, code, link) = (
        created["id"].as_str().unwrap(),
        created["code"].as_str().unwrap(),
        created["link"].as_str().unwrap(),
    );
    assert_eq!(app.deliver().await, 2);
    let callback = format!("{}/hooks/sms/status", app.url);

    let sms = forms_at(provider, MESSAGES).await;
    assert_eq!(sms.len(), 1, "one SMS");
    let keys: Vec<&str> = sms[0].iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(keys, ["To", "From", "Body", "StatusCallback"]);
    assert_eq!(sms[0][0].1, TO);
    assert_eq!(sms[0][1].1, FROM);
    let body = &sms[0][2].1;
    assert!(
        body.starts_with("Lakeside Clinic invites you to its patient portal: ")
            && body.contains(code)
            && body.contains(link),
        "{body}"
    );
    assert_eq!(sms[0][3].1, callback);

    let calls = forms_at(provider, CALLS).await;
    assert_eq!(calls.len(), 1, "one call");
    let keys: Vec<&str> = calls[0].iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(keys, ["To", "From", "Twiml", "StatusCallback"]);
    assert_eq!((calls[0][0].1.as_str(), calls[0][1].1.as_str()), (TO, FROM));
    let twiml = &calls[0][2].1;
    assert!(
        twiml.starts_with(
            "<Response><Say voice=\"alice\" language=\"en-US\"><prosody rate=\"slow\">Hello Maria. This is Lakeside Clinic."
        ) && twiml.contains("</prosody></Say><Pause length=\"1\"/><Say")
            && twiml.ends_with("</Say></Response>"),
        "{twiml}"
    );
    assert_eq!(
        twiml.matches(&spoken(code)).count(),
        2,
        "the code is read out character by character, twice: {twiml}"
    );
    assert!(!twiml.contains(link), "no link read aloud");
    assert_eq!(calls[0][3].1, callback);

    let read = read(&api, id).await;
    assert_eq!(read["state"], "sent");
    for channel in ["sms", "voice"] {
        assert_eq!(message(&read, channel)["state"], "sent");
    }
}

async fn only_signed_status_reports_move_the_invitation_to_delivered(
    app: &TestApp,
    provider: &MockServer,
) {
    accept_all(provider).await;
    let api = app.integrator("Lakeside Clinic", ADMIN).await;
    let created = invite(&api, &["sms", "voice"]).await;
    let id = created["id"].as_str().unwrap();
    assert_eq!(app.deliver().await, 2);
    let url = format!("{}/hooks/sms/status", app.url);
    let delivered = [
        ("MessageSid", "SM00000000000000000000000000000001"),
        ("MessageStatus", "delivered"),
        ("AccountSid", SID),
    ];

    assert_eq!(report(app, &delivered, None).await, StatusCode::FORBIDDEN);
    let wrong_key = sign("not-the-token", &url, &delivered);
    assert_eq!(
        report(app, &delivered, Some(&wrong_key)).await,
        StatusCode::FORBIDDEN
    );
    let other_status = sign(
        TOKEN,
        &url,
        &[delivered[0], ("MessageStatus", "queued"), delivered[2]],
    );
    assert_eq!(
        report(app, &delivered, Some(&other_status)).await,
        StatusCode::FORBIDDEN,
        "a signature over other values does not fit"
    );
    let before = read(&api, id).await;
    assert_eq!(before["state"], "sent", "refused reports change nothing");
    assert_eq!(message(&before, "sms")["state"], "sent");

    let good = sign(TOKEN, &url, &delivered);
    assert_eq!(
        report(app, &delivered, Some(&good)).await,
        StatusCode::NO_CONTENT
    );
    let after = read(&api, id).await;
    assert_eq!(after["state"], "delivered");
    assert_eq!(message(&after, "sms")["state"], "delivered");
    let last = after["history"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        (&last["state"], &last["actor"]),
        (&json!("delivered"), &json!("system"))
    );
    let audited = "audit_events WHERE action = 'invitation.delivered'";
    assert_eq!(app.count_rows(audited).await, 1, "the move is audited");
    assert_eq!(
        report(app, &delivered, Some(&good)).await,
        StatusCode::NO_CONTENT,
        "a repeated report is accepted"
    );
    assert_eq!(
        read(&api, id).await["history"].as_array().unwrap().len(),
        after["history"].as_array().unwrap().len(),
        "and changes nothing"
    );
    assert_eq!(app.count_rows(audited).await, 1);

    // The call failed: its message is marked so, with the provider's status as the reason.
    let failed = [
        ("CallSid", "CA00000000000000000000000000000001"),
        ("CallStatus", "failed"),
    ];
    let sig = sign(TOKEN, &url, &failed);
    assert_eq!(
        report(app, &failed, Some(&sig)).await,
        StatusCode::NO_CONTENT
    );
    let after = read(&api, id).await;
    let voice = message(&after, "voice");
    assert_eq!(
        (&voice["state"], &voice["last_error"]),
        (&json!("failed"), &json!("failed"))
    );
    assert_eq!(after["state"], "delivered", "the SMS arrived all the same");
}

async fn a_server_error_is_retried_after_the_back_off(app: &TestApp, provider: &MockServer) {
    Mock::given(method("POST"))
        .and(path(MESSAGES))
        .respond_with(ResponseTemplate::new(500))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(provider)
        .await;
    accept_all(provider).await;
    let api = app.integrator("Lakeside Clinic", ADMIN).await;
    let id = invite(&api, &["sms"]).await["id"]
        .as_str()
        .unwrap()
        .to_owned();

    assert_eq!(app.deliver().await, 1);
    let first = read(&api, &id).await;
    assert_eq!(first["state"], "draft");
    let sms = message(&first, "sms");
    assert_eq!(
        (&sms["state"], &sms["attempts"]),
        (&json!("pending"), &json!(1))
    );
    assert_eq!(app.deliver().await, 0, "not before the back-off");

    app.advance(Duration::from_secs(21));
    assert_eq!(app.deliver().await, 1);
    let second = read(&api, &id).await;
    assert_eq!(second["state"], "sent");
    let sms = message(&second, "sms");
    assert_eq!(
        (&sms["state"], &sms["attempts"]),
        (&json!("sent"), &json!(2))
    );
    assert_eq!(forms_at(provider, MESSAGES).await.len(), 2);
}

async fn a_refusal_is_a_dead_letter_with_the_providers_reason(
    app: &TestApp,
    provider: &MockServer,
) {
    let reason = "The 'To' number +14155550123 is not a valid phone number.";
    Mock::given(method("POST"))
        .and(path(MESSAGES))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({
            "code": 21211, "message": reason,
            "more_info": "https://www.twilio.com/docs/errors/21211", "status": 400,
        })))
        .mount(provider)
        .await;
    let api = app.integrator("Lakeside Clinic", ADMIN).await;
    let id = invite(&api, &["sms"]).await["id"]
        .as_str()
        .unwrap()
        .to_owned();

    assert_eq!(app.deliver().await, 1);
    let read = read(&api, &id).await;
    let sms = message(&read, "sms");
    assert_eq!(sms["state"], "dead");
    assert_eq!(sms["attempts"], 1, "a refusal is not retried");
    let last_error = sms["last_error"].as_str().unwrap();
    // Staff read the provider's reason, without the patient's number it echoed (issue 15).
    assert!(
        last_error.contains("The 'To' number [number] is not a valid phone number."),
        "{last_error}"
    );
    assert!(!last_error.contains("4155550123"), "{last_error}");
    assert_eq!(read["state"], "draft");
    app.advance(Duration::from_secs(3600));
    assert_eq!(app.deliver().await, 0);
}

async fn a_rate_limit_is_retried(app: &TestApp, provider: &MockServer) {
    Mock::given(method("POST"))
        .and(path(CALLS))
        .respond_with(ResponseTemplate::new(429).set_body_json(json!({
            "code": 20429, "message": "Too Many Requests", "status": 429,
        })))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(provider)
        .await;
    accept_all(provider).await;
    let api = app.integrator("Lakeside Clinic", ADMIN).await;
    let id = invite(&api, &["voice"]).await["id"]
        .as_str()
        .unwrap()
        .to_owned();

    assert_eq!(app.deliver().await, 1);
    let first = read(&api, &id).await;
    let call = message(&first, "voice");
    assert_eq!(call["state"], "pending");
    assert!(
        call["last_error"]
            .as_str()
            .unwrap()
            .contains("Too Many Requests")
    );
    app.advance(Duration::from_secs(21));
    assert_eq!(app.deliver().await, 1);
    let second = read(&api, &id).await;
    let call = message(&second, "voice");
    assert_eq!(
        (&call["state"], &call["attempts"]),
        (&json!("sent"), &json!(2))
    );
    assert_eq!(second["state"], "sent");
}

async fn a_provider_that_does_not_answer_in_time_is_retried(app: &TestApp, provider: &MockServer) {
    // The provider takes 3 s to answer; the service waits 1 s (sms.timeout_seconds).
    Mock::given(method("POST"))
        .and(path(MESSAGES))
        .respond_with(
            ResponseTemplate::new(201)
                .set_body_json(json!({ "sid": "SM_slow" }))
                .set_delay(std::time::Duration::from_secs(3)),
        )
        .mount(provider)
        .await;
    let api = app.integrator("Lakeside Clinic", ADMIN).await;
    let created = invite(&api, &["sms"]).await;
    let id = created["id"].as_str().unwrap();
    let started = std::time::Instant::now();
    assert_eq!(app.deliver().await, 1);
    assert!(
        started.elapsed() < std::time::Duration::from_millis(2900),
        "the worker did not wait for the slow answer"
    );
    let first = read(&api, id).await;
    let m = message(&first, "sms");
    assert_eq!(
        (m["state"].as_str(), m["attempts"].as_i64()),
        (Some("pending"), Some(1)),
        "{m}"
    );
    assert!(
        m["last_error"].as_str().unwrap().contains("timed out"),
        "{m}"
    );
    assert_eq!(first["state"], "draft");

    provider.reset().await;
    accept_all(provider).await;
    app.advance(std::time::Duration::from_secs(60));
    assert_eq!(app.deliver().await, 1);
    let second = read(&api, id).await;
    let m = message(&second, "sms");
    assert_eq!(
        (m["state"].as_str(), m["attempts"].as_i64()),
        (Some("sent"), Some(2)),
        "{m}"
    );
    assert_eq!(second["state"], "sent");
}
