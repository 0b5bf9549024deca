//! Secure threads, "patient talk" (issue #21), over the API on both databases: Bea, a staff
//! member, starts a private conversation with Maria; each side sees its unread count, reads
//! and answers, and Maria sees when Bea has read her message. Each side is told by email that a
//! message waits, with a link and nothing of the conversation. Sam, another staff member of the
//! same practice, another practice, another patient and an API token find none of it. Once the
//! practice ends Maria's access, the thread is Bea's read-only history and gone for Maria. The subject and the messages are sealed at rest.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use wiremock::MockServer;

use crate::common::practice::StaffSession;
use crate::common::responses::Problem;
use crate::common::{Api, Backend, STAFF_PASSWORD, TestApp, provider};
use crate::mailbox::SmtpServer;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_staff_member_and_a_patient_talk_privately_sqlite() {
    run(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_staff_member_and_a_patient_talk_privately_postgres() {
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
    a_staff_member_and_a_patient_talk_privately(&app, &sms, &smtp).await;
    app.stop().await;
}

async fn expect(res: reqwest::Response, status: StatusCode) -> Value {
    Api::expect(res, status).await
}

async fn a_staff_member_and_a_patient_talk_privately(
    app: &TestApp,
    sms: &MockServer,
    smtp: &SmtpServer,
) {
    let lakeside = app.practice_with_admin("Lakeside Clinic").await;
    let maria = lakeside.registered_patient(sms, "maria@example.org").await;
    let found = expect(lakeside.get("/patients?q=maria").await, StatusCode::OK).await;
    let maria_id = found["items"][0]["id"].as_str().expect("Maria").to_owned();
    let bea = lakeside.admin_session().await;

    // Mistakes are named; a patient of another practice is not found.
    let refused: Problem = Api::expect_as(
        bea.call(
            Method::POST,
            "/threads",
            json!({ "patient_id": maria_id, "subject": " ", "body": "" }),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(refused.fields(), ["subject", "body"]);
    let harbor = app.practice_with_admin("Harbor Clinic").await;
    let harbor_admin = harbor.admin_session().await;
    expect(
        harbor_admin
            .call(
                Method::POST,
                "/threads",
                json!({ "patient_id": maria_id, "subject": "Hello", "body": "Hi" }),
            )
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;

    // Bea starts the conversation; an API token has no conversations.
    let mails_before = smtp.received().len();
    let started = bea
        .start_thread(
            &maria_id,
            "Knee surgery",
            "Your MRI results are in. Can you come Tuesday?",
        )
        .await;
    let id = started["id"].as_str().expect("an id").to_owned();
    assert_eq!(started["subject"], "Knee surgery");
    assert_eq!(started["patient_name"], "Maria Lopez");
    assert_eq!(started["messages"][0]["from_practice"], true);
    assert_eq!(
        lakeside.get("/threads").await.status(),
        StatusCode::FORBIDDEN
    );

    // Maria is told by email that a message waits, and nothing of it.
    app.deliver().await;
    let mails = smtp.wait_for(mails_before + 1, Duration::from_secs(10));
    let told = mails
        .iter()
        .find(|m| {
            m.header("subject").as_deref() == Some("A secure message is waiting at Lakeside Clinic")
        })
        .expect("an email to Maria");
    assert!(told.raw.contains(&format!("/portal/messages/{id}")));
    for private in ["MRI", "Knee", "Tuesday"] {
        assert!(!told.raw.contains(private), "{private} in the email");
    }

    // Maria's inbox: one unread; reading it clears the count; she answers.
    let inbox = expect(maria.get("/patient/threads").await, StatusCode::OK).await;
    assert_eq!(inbox[0]["id"], id.as_str());
    assert_eq!(inbox[0]["unread"], 1);
    assert_eq!(inbox[0]["staff_name"], "Bea Admin");
    let read = expect(
        maria.get(&format!("/patient/threads/{id}")).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        read["messages"][0]["body"],
        "Your MRI results are in. Can you come Tuesday?"
    );
    let inbox = expect(maria.get("/patient/threads").await, StatusCode::OK).await;
    assert_eq!(inbox[0]["unread"], 0);
    let empty: Problem = Api::expect_as(
        maria
            .post(
                &format!("/patient/threads/{id}/messages"),
                &json!({ "body": "  " }),
            )
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(empty.fields(), ["body"]);
    app.advance(Duration::from_secs(60));
    let answered = expect(
        maria
            .post(
                &format!("/patient/threads/{id}/messages"),
                &json!({ "body": "Tuesday at 10 works for me." }),
            )
            .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(answered["messages"][1]["author_name"], "Maria Lopez");
    assert_eq!(answered["messages"][1]["read_by_practice"], false);

    // Bea's inbox counts Maria's message; opening the thread reads it, and Maria sees "read".
    let inbox = expect(
        bea.call(Method::GET, "/threads", Value::Null).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(inbox["items"][0]["unread"], 1, "{inbox}");
    app.advance(Duration::from_secs(60));
    expect(
        bea.call(Method::GET, &format!("/threads/{id}"), Value::Null)
            .await,
        StatusCode::OK,
    )
    .await;
    let inbox = expect(
        bea.call(Method::GET, "/threads", Value::Null).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(inbox["items"][0]["unread"], 0);
    let mine = expect(
        maria.get(&format!("/patient/threads/{id}")).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(mine["messages"][1]["read_by_practice"], true);

    // Bea is told by email of Maria's message, and nothing of it.
    app.deliver().await;
    let mails = smtp.wait_for(mails_before + 2, Duration::from_secs(10));
    let to_bea = mails
        .iter()
        .find(|m| m.raw.contains(&format!("/staff/messages/{id}")))
        .expect("an email to Bea");
    assert!(!to_bea.raw.contains("10 works"), "the message is not in it");

    // Sam, of the same practice, finds nothing: not in his inbox, 404 for the thread.
    let admin = lakeside.admin().await;
    admin
        .add_staff("Sam Staff", "sam@lakeside.example", "staff")
        .await;
    let (sam, _) = app.sign_in("sam@lakeside.example", STAFF_PASSWORD).await;
    let sam = StaffSession::of(sam).await;
    let sams = expect(
        sam.call(Method::GET, "/threads", Value::Null).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(sams, json!({ "items": [], "next_cursor": null }));
    for (method, path, body) in [
        (Method::GET, format!("/threads/{id}"), Value::Null),
        (
            Method::POST,
            format!("/threads/{id}/messages"),
            json!({ "body": "Hi" }),
        ),
    ] {
        for who in [&sam, &harbor_admin] {
            assert_eq!(
                who.call(method.clone(), &path, body.clone()).await.status(),
                StatusCode::NOT_FOUND,
                "{path}"
            );
        }
    }
    // Another patient of the practice finds nothing either.
    let ana = lakeside.registered_patient(sms, "ana@example.org").await;
    assert_eq!(
        ana.get(&format!("/patient/threads/{id}")).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        expect(ana.get("/patient/threads").await, StatusCode::OK).await,
        json!([])
    );

    // Sealed at rest: neither the subject nor a message is in the database as written.
    let dump = app.dump_all_text().await;
    for private in ["Knee surgery", "MRI results", "10 works"] {
        assert!(!dump.contains(private), "{private} is sealed");
    }

    // Maria is a patient of Harbor Clinic too, so her account stays open below.
    expect(
        maria
            .post(
                "/patient/provider-codes",
                &json!({ "code": harbor.provider_code().await }),
            )
            .await,
        StatusCode::OK,
    )
    .await;

    // Lakeside ends Maria's access today: Bea keeps the history, read only; Maria's inbox
    // no longer has it, and nobody writes.
    expect(
        lakeside
            .put(
                &format!("/patients/{maria_id}/access-end"),
                &json!({ "date": "2026-11-18" }),
            )
            .await,
        StatusCode::NO_CONTENT,
    )
    .await;
    let history = expect(
        bea.call(Method::GET, &format!("/threads/{id}"), Value::Null)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(history["read_only"], true);
    assert!(
        history["read_only_why"]
            .as_str()
            .is_some_and(|why| why.contains("ended this patient's access")),
        "{history}"
    );
    assert_eq!(history["messages"].as_array().map(Vec::len), Some(2));
    assert_eq!(
        maria.get(&format!("/patient/threads/{id}")).await.status(),
        StatusCode::NOT_FOUND,
        "gone for Maria"
    );
    assert_eq!(
        expect(maria.get("/patient/threads").await, StatusCode::OK).await,
        json!([])
    );
    assert_eq!(
        maria
            .post(
                &format!("/patient/threads/{id}/messages"),
                &json!({ "body": "Hello?" }),
            )
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    expect(
        bea.call(
            Method::POST,
            &format!("/threads/{id}/messages"),
            json!({ "body": "Are you still there?" }),
        )
        .await,
        StatusCode::CONFLICT,
    )
    .await;
    expect(
        bea.call(
            Method::POST,
            "/threads",
            json!({ "patient_id": maria_id, "subject": "Again", "body": "Hello" }),
        )
        .await,
        StatusCode::CONFLICT,
    )
    .await;
}
