//! SMS and voice through the HTTP provider (Twilio's shape), with wiremock standing in for the
//! provider: the exact requests it receives, its signed delivery reports, and how its answers
//! (5xx, 429, 4xx) become retries or a dead letter the staff can read.

use std::time::Duration;

use base64::Engine as _;
use hmac::{Hmac, KeyInit, Mac};
use reqwest::StatusCode;
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::provider::{
    CALLS, FROM, MESSAGES, SID, TOKEN, accept_all, forms_at, refuse_texts,
};
use crate::common::responses::IssuedInvitation;
use crate::common::{Invitee, PHONE, Practice, TestApp, with_provider};

with_provider!(
    an_invite_by_sms_and_voice_reaches_the_provider_as_expected,
    only_signed_status_reports_move_the_invitation_to_delivered,
    a_server_error_is_retried_after_the_back_off,
    a_refusal_is_a_dead_letter_with_the_providers_reason,
    a_rate_limit_is_retried,
    a_provider_that_does_not_answer_in_time_is_retried,
);

/// Lakeside invites Maria by `channels` to her phone; answers the practice and the invitation.
async fn invite<'a>(app: &'a TestApp, channels: &[&str]) -> (Practice<'a>, IssuedInvitation) {
    let lakeside = app.practice_with_admin("Lakeside Clinic").await;
    let invitation = lakeside
        .invite(&Invitee::maria().phone(PHONE).by(channels))
        .await;
    (lakeside, invitation)
}

/// The provider answers the next request at `at` with `answer`, and accepts the ones after it.
async fn answers_once(provider: &MockServer, at: &str, answer: ResponseTemplate) {
    Mock::given(method("POST"))
        .and(path(at))
        .respond_with(answer)
        .up_to_n_times(1)
        .with_priority(1)
        .mount(provider)
        .await;
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
    let (lakeside, created) = invite(app, &["sms", "voice"]).await;
    let (code, link) = (created.code.as_str(), created.link.as_str());
    assert_eq!(app.deliver().await, 2);
    let callback = format!("{}/hooks/sms/status", app.url);

    let sms = forms_at(provider, MESSAGES).await;
    assert_eq!(sms.len(), 1, "one SMS");
    let keys: Vec<&str> = sms[0].iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(keys, ["To", "From", "Body", "StatusCallback"]);
    assert_eq!(sms[0][0].1, PHONE);
    assert_eq!(sms[0][1].1, FROM);
    let body = &sms[0][2].1;
    assert!(
        body.starts_with("Join Lakeside Clinic's patient portal: ")
            && body.contains(code)
            && body.contains(link),
        "{body}"
    );
    assert_eq!(sms[0][3].1, callback);

    let calls = forms_at(provider, CALLS).await;
    assert_eq!(calls.len(), 1, "one call");
    let keys: Vec<&str> = calls[0].iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(keys, ["To", "From", "Twiml", "StatusCallback"]);
    assert_eq!(
        (calls[0][0].1.as_str(), calls[0][1].1.as_str()),
        (PHONE, FROM)
    );
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

    let read = lakeside.invitation(&created.id).await;
    assert_eq!(read.state, "sent");
    for channel in ["sms", "voice"] {
        assert_eq!(read.message(channel).state, "sent");
    }
}

async fn only_signed_status_reports_move_the_invitation_to_delivered(
    app: &TestApp,
    _provider: &MockServer,
) {
    let (lakeside, created) = invite(app, &["sms", "voice"]).await;
    let id = created.id.as_str();
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
    let before = lakeside.invitation(id).await;
    assert_eq!(before.state, "sent", "refused reports change nothing");
    assert_eq!(before.message("sms").state, "sent");

    let good = sign(TOKEN, &url, &delivered);
    assert_eq!(
        report(app, &delivered, Some(&good)).await,
        StatusCode::NO_CONTENT
    );
    let after = lakeside.invitation(id).await;
    assert_eq!(after.state, "delivered");
    assert_eq!(after.message("sms").state, "delivered");
    let last = after.history.last().unwrap();
    assert_eq!(
        (last.state.as_str(), last.actor.as_str()),
        ("delivered", "system")
    );
    let audited = "audit_events WHERE action = 'invitation.delivered'";
    assert_eq!(app.count_rows(audited).await, 1, "the move is audited");
    assert_eq!(
        report(app, &delivered, Some(&good)).await,
        StatusCode::NO_CONTENT,
        "a repeated report is accepted"
    );
    assert_eq!(
        lakeside.invitation(id).await.history.len(),
        after.history.len(),
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
    let after = lakeside.invitation(id).await;
    let voice = after.message("voice");
    assert_eq!(
        (voice.state.as_str(), voice.last_error()),
        ("failed", "failed")
    );
    assert_eq!(after.state, "delivered", "the SMS arrived all the same");
}

async fn a_server_error_is_retried_after_the_back_off(app: &TestApp, provider: &MockServer) {
    answers_once(provider, MESSAGES, ResponseTemplate::new(500)).await;
    let (lakeside, created) = invite(app, &["sms"]).await;

    assert_eq!(app.deliver().await, 1);
    let first = lakeside.invitation(&created.id).await;
    assert_eq!(first.state, "draft");
    let sms = first.message("sms");
    assert_eq!((sms.state.as_str(), sms.attempts), ("pending", 1));
    assert_eq!(app.deliver().await, 0, "not before the back-off");

    app.advance(Duration::from_secs(21));
    assert_eq!(app.deliver().await, 1);
    let second = lakeside.invitation(&created.id).await;
    assert_eq!(second.state, "sent");
    let sms = second.message("sms");
    assert_eq!((sms.state.as_str(), sms.attempts), ("sent", 2));
    assert_eq!(forms_at(provider, MESSAGES).await.len(), 2);
}

async fn a_refusal_is_a_dead_letter_with_the_providers_reason(
    app: &TestApp,
    provider: &MockServer,
) {
    let reason = "The 'To' number +14155550123 is not a valid phone number.";
    refuse_texts(provider, reason).await;
    let (lakeside, created) = invite(app, &["sms"]).await;

    assert_eq!(app.deliver().await, 1);
    let read = lakeside.invitation(&created.id).await;
    let sms = read.message("sms");
    assert_eq!(sms.state, "dead");
    assert_eq!(sms.attempts, 1, "a refusal is not retried");
    let last_error = sms.last_error();
    // Staff read the provider's reason, without the patient's number it echoed (issue 15).
    assert!(
        last_error.contains("The 'To' number [number] is not a valid phone number."),
        "{last_error}"
    );
    assert!(!last_error.contains("4155550123"), "{last_error}");
    assert_eq!(read.state, "draft");
    app.advance(Duration::from_secs(3600));
    assert_eq!(app.deliver().await, 0);
}

async fn a_rate_limit_is_retried(app: &TestApp, provider: &MockServer) {
    let too_many = ResponseTemplate::new(429).set_body_json(json!({
        "code": 20429, "message": "Too Many Requests", "status": 429,
    }));
    answers_once(provider, CALLS, too_many).await;
    let (lakeside, created) = invite(app, &["voice"]).await;

    assert_eq!(app.deliver().await, 1);
    let first = lakeside.invitation(&created.id).await;
    let call = first.message("voice");
    assert_eq!(call.state, "pending");
    assert!(call.last_error().contains("Too Many Requests"));
    app.advance(Duration::from_secs(21));
    assert_eq!(app.deliver().await, 1);
    let second = lakeside.invitation(&created.id).await;
    let call = second.message("voice");
    assert_eq!((call.state.as_str(), call.attempts), ("sent", 2));
    assert_eq!(second.state, "sent");
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
    let (lakeside, created) = invite(app, &["sms"]).await;
    let id = created.id.as_str();
    let started = std::time::Instant::now();
    assert_eq!(app.deliver().await, 1);
    assert!(
        started.elapsed() < std::time::Duration::from_millis(2900),
        "the worker did not wait for the slow answer"
    );
    let first = lakeside.invitation(id).await;
    let m = first.message("sms");
    assert_eq!((m.state.as_str(), m.attempts), ("pending", 1), "{m:?}");
    assert!(m.last_error().contains("timed out"), "{m:?}");
    assert_eq!(first.state, "draft");

    provider.reset().await;
    accept_all(provider).await;
    app.advance(std::time::Duration::from_secs(60));
    assert_eq!(app.deliver().await, 1);
    let second = lakeside.invitation(id).await;
    let m = second.message("sms");
    assert_eq!((m.state.as_str(), m.attempts), ("sent", 2), "{m:?}");
    assert_eq!(second.state, "sent");
}
