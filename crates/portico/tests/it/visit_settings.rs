//! A provider's visit settings (issue #21): the questions a patient answers with every request to
//! that provider, and a text or an email telling the provider at once that a request waits —
//! through the outbox, to the real SMS provider stand-in and the real SMTP server. Whoever asked
//! hears when the practice answered. Neither message carries the patient's name, reason,
//! answers or the practice's note; the answers are sealed at rest and keep the question as it
//! was asked.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};
use wiremock::MockServer;

use crate::common::responses::Problem;
use crate::common::{Api, Backend, STAFF_PASSWORD, TestApp, csrf_token, provider};
use crate::mailbox::SmtpServer;

const DR_KIM_PHONE: &str = "+14155550188";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_provider_asks_questions_and_is_told_of_each_request_sqlite() {
    run(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_provider_asks_questions_and_is_told_of_each_request_postgres() {
    run(Backend::Postgres).await;
}

async fn run(backend: Backend) {
    let Some(smtp) = SmtpServer::start() else {
        return;
    };
    let sms = MockServer::start().await;
    provider::accept_all(&sms).await;
    let Some(app) = provider::spawn_with_mail(backend, &sms, &smtp).await else {
        return;
    };
    a_provider_asks_questions_and_is_told_of_each_request(&app, &sms, &smtp).await;
    app.stop().await;
}

fn settings_path(provider_id: &str) -> String {
    format!("/providers/{provider_id}/visit-settings")
}

async fn a_provider_asks_questions_and_is_told_of_each_request(
    app: &TestApp,
    sms: &MockServer,
    smtp: &SmtpServer,
) {
    let lakeside = app.practice_with_admin("Lakeside Clinic").await;
    let kim = lakeside.add_provider("Dr. Ana Kim").await;

    // Until saved: no questions, no message.
    let empty = Api::expect(lakeside.get(&settings_path(&kim.id)).await, StatusCode::OK).await;
    assert_eq!(empty["prompts"], json!([]));
    assert!(empty["notify_by"].is_null());

    // Mistakes are named; nothing is saved.
    for (body, field) in [
        (
            json!({ "prompts": ["1", "2", "3", "4", "5", "6"], "notify_by": "none" }),
            "prompts",
        ),
        (
            json!({ "prompts": [], "notify_by": "email", "notify_to": "not an address" }),
            "notify_to",
        ),
        (json!({ "prompts": [], "notify_by": "sms" }), "notify_to"),
        (json!({ "prompts": [], "notify_by": "pigeon" }), "notify_by"),
    ] {
        let refused: Problem = Api::expect_as(
            lakeside.put(&settings_path(&kim.id), &body).await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert_eq!(refused.fields(), [field], "{body}");
    }

    // Two questions (a blank line left out); Dr. Kim is told by text, the number read in the
    // practice's country.
    let saved = Api::expect(
        lakeside
            .put(
                &settings_path(&kim.id),
                &json!({
                    "prompts": ["Which tooth hurts?", "  ", "Since when?"],
                    "notify_by": "sms",
                    "notify_to": "(415) 555-0188",
                }),
            )
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        saved["prompts"],
        json!(["Which tooth hurts?", "Since when?"])
    );
    assert_eq!(saved["notify_by"], "sms");
    assert_eq!(saved["notify_to"], DR_KIM_PHONE);

    // Another practice finds no such provider.
    let harbor = app.practice_with_admin("Harbor Clinic").await;
    assert_eq!(
        harbor.get(&settings_path(&kim.id)).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        harbor
            .put(&settings_path(&kim.id), &json!({ "notify_by": "none" }))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );

    // A front desk reads the settings on the provider's page but cannot change them.
    let admin = lakeside.admin().await;
    admin
        .add_staff("Sam Staff", "sam@lakeside.example", "staff")
        .await;
    let (sam, _) = app.sign_in("sam@lakeside.example", STAFF_PASSWORD).await;
    let page = sam.get(&format!("/staff/providers/{}", kim.id)).await;
    let page = page.text().await.expect("the provider page");
    assert!(page.contains("Which tooth hurts?"), "{page}");
    assert!(page.contains("An admin of the practice can change"));
    let refused = sam
        .post_form(
            &format!("/staff/providers/{}/visit-settings", kim.id),
            &[("csrf_token", &csrf_token(&page)), ("notify_by", "none")],
        )
        .await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);

    // Maria, registered with Dr. Kim's code, is asked both questions on her card.
    let maria = app
        .registered_with_code(sms, &kim.code, "maria@example.org")
        .await;
    let card = maria.me().await.cards[0].id.clone();
    let asked = Api::expect(
        maria
            .get(&format!("/patient/visit-requests/questions?link_id={card}"))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        asked["questions"],
        json!(["Which tooth hurts?", "Since when?"])
    );

    // Each question needs an answer; an answer to a question not asked is refused.
    let ask = |answers: Value| {
        let maria = &maria;
        let card = card.clone();
        async move {
            maria
                .post(
                    "/patient/visit-requests",
                    &json!({ "link_id": card, "when": "now", "reason": "Toothache", "answers": answers }),
                )
                .await
        }
    };
    let unanswered: Problem = Api::expect_as(
        ask(json!(["", " "])).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(unanswered.fields(), ["answer_1", "answer_2"]);
    let too_many: Problem = Api::expect_as(
        ask(json!(["Upper left", "Sunday", "And more"])).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(too_many.fields(), ["answers"]);
    let made = Api::expect(
        ask(json!(["Upper left molar", "Sunday night"])).await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(
        made["answers"],
        json!([
            { "question": "Which tooth hurts?", "answer": "Upper left molar" },
            { "question": "Since when?", "answer": "Sunday night" },
        ])
    );

    // Dr. Kim gets a text at once: where to look, and nothing about Maria.
    app.deliver().await;
    let texts = provider::texts(sms).await;
    let to_kim: Vec<&String> = texts
        .iter()
        .filter(|(to, _)| to == DR_KIM_PHONE)
        .map(|(_, body)| body)
        .collect();
    assert_eq!(to_kim.len(), 1, "one text per request: {texts:?}");
    assert!(
        to_kim[0].contains("Lakeside Clinic") && to_kim[0].contains("/staff/visits"),
        "{}",
        to_kim[0]
    );
    for private in ["Maria", "Lopez", "Toothache", "molar", "Sunday"] {
        assert!(!to_kim[0].contains(private), "{private} in {}", to_kim[0]);
    }

    // The questions change later; the request keeps them as Maria answered them.
    Api::expect(
        lakeside
            .put(
                &settings_path(&kim.id),
                &json!({ "prompts": ["Any allergies?"], "notify_by": "none" }),
            )
            .await,
        StatusCode::OK,
    )
    .await;
    app.advance(Duration::from_secs(60));
    Api::expect(
        ask(json!(["None that I know of"])).await,
        StatusCode::CREATED,
    )
    .await;
    let list = Api::expect(lakeside.get("/visit-requests").await, StatusCode::OK).await;
    assert_eq!(list[0]["answers"][0]["question"], "Which tooth hurts?");
    assert_eq!(list[0]["answers"][1]["answer"], "Sunday night");
    assert_eq!(list[1]["answers"][0]["question"], "Any allergies?");

    // The practice declines with a note; Maria gets an email saying it answered, not how.
    let mails_before = smtp.received().len();
    Api::expect(
        lakeside
            .post(
                &format!("/visit-requests/{}/answer", made["id"].as_str().unwrap()),
                &json!({ "decision": "decline", "note": "Please call the emergency line" }),
            )
            .await,
        StatusCode::OK,
    )
    .await;
    app.deliver().await;
    let mails = smtp.wait_for(mails_before + 1, Duration::from_secs(10));
    let answered = mails
        .iter()
        .find(|m| {
            m.header("subject").as_deref() == Some("Lakeside Clinic answered your visit request")
        })
        .expect("an email to Maria");
    assert!(
        answered
            .header("to")
            .is_some_and(|to| to.contains("maria@example.org"))
    );
    assert!(answered.raw.contains("/portal"));
    for private in ["emergency line", "Toothache", "molar", "declined"] {
        assert!(!answered.raw.contains(private), "{private} in the email");
    }
    // No text to Dr. Kim for the second request: she is no longer told.
    assert_eq!(
        provider::texts(sms)
            .await
            .iter()
            .filter(|(to, _)| to == DR_KIM_PHONE)
            .count(),
        1
    );

    // Answers are sealed at rest.
    let dump = app.dump_all_text().await;
    assert!(!dump.contains("Upper left molar"), "answers are sealed");
}
