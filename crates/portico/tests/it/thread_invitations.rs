//! Inviting someone into a conversation (issue #21), over the API on both databases with a real
//! SMTP server: Bea invites Ana, who has no account, typing her email address twice (a mismatch
//! is refused beside the second field). The invitation email carries the code and the link, and
//! nothing of the message; Bea's waiting list shows Ana until she registers with that code, and
//! the registration answers the conversation's id, where Ana reads Bea's message. Maria, already
//! a patient of the practice, gets the conversation at once and a "message waiting" email; the
//! same address with another birth date is refused. An API token has no conversations.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use wiremock::MockServer;

use crate::common::responses::Problem;
use crate::common::{Api, BIRTH_DATE, Details, TestApp, provider};
use crate::mailbox::SmtpServer;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_invite_a_person_into_a_conversation_sqlite() {
    run(crate::common::Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_invite_a_person_into_a_conversation_postgres() {
    run(crate::common::Backend::Postgres).await;
}

async fn run(backend: crate::common::Backend) {
    let Some(smtp) = SmtpServer::start() else {
        return;
    };
    let sms = MockServer::start().await;
    provider::accept_all(&sms).await;
    let Some(app) = provider::spawn_with_mail(backend, &sms, &smtp).await else {
        return;
    };
    staff_invite_a_person_into_a_conversation(&app, &sms, &smtp).await;
    app.stop().await;
}

async fn expect(res: reqwest::Response, status: StatusCode) -> Value {
    Api::expect(res, status).await
}

fn ana(confirm_email: &str) -> Value {
    json!({
        "first_name": "Ana", "last_name": "Silva", "birth_date": "1990-04-12",
        "email": "ana.silva@example.org", "confirm_email": confirm_email,
        "subject": "Your referral", "body": "Dr. Rivera asked me to follow up on your referral.",
    })
}

async fn staff_invite_a_person_into_a_conversation(
    app: &TestApp,
    sms: &MockServer,
    smtp: &SmtpServer,
) {
    let lakeside = app.practice_with_admin("Lakeside Clinic").await;
    let bea = lakeside.admin_session().await;

    // The second email address must match the first; the subject and message are needed.
    let refused: Problem = Api::expect_as(
        bea.call(
            Method::POST,
            "/threads/invitations",
            ana("ana.silva@example.com"),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(refused.fields(), ["confirm_email"]);
    let mut blank = ana("ana.silva@example.org");
    blank["subject"] = json!("");
    blank["birth_date"] = json!("");
    let refused: Problem = Api::expect_as(
        bea.call(Method::POST, "/threads/invitations", blank).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(refused.fields(), ["birth_date", "subject"]);
    assert_eq!(
        lakeside
            .post("/threads/invitations", &ana("ana.silva@example.org"))
            .await
            .status(),
        StatusCode::FORBIDDEN,
        "an API token has no conversations"
    );

    // Bea invites Ana (the confirmation typed in capitals still matches).
    let mails_before = smtp.received().len();
    let invited = expect(
        bea.call(
            Method::POST,
            "/threads/invitations",
            ana("Ana.Silva@Example.org"),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(invited["waiting_for_registration"], true);
    let thread_id = invited["thread_id"].as_str().expect("an id").to_owned();
    let waiting = expect(
        bea.call(Method::GET, "/threads/invitations", Value::Null)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(waiting[0]["person_name"], "Ana Silva");
    assert_eq!(waiting[0]["subject"], "Your referral");
    assert_eq!(
        waiting[0]["invitation_id"], invited["invitation_id"],
        "{waiting}"
    );

    // The invitation email has the code and the link, and nothing of the message.
    app.deliver().await;
    let mails = smtp.wait_for(mails_before + 1, Duration::from_secs(10));
    let email = mails
        .iter()
        .find(|m| {
            m.header("to")
                .is_some_and(|to| to.contains("ana.silva@example.org"))
        })
        .expect("an email to Ana");
    for private in ["referral", "Rivera"] {
        assert!(!email.raw.contains(private), "{private} in the email");
    }
    let code = email.invite_code().expect("the invite code in the email");

    // Ana registers with it; the registration answers the conversation, which she reads.
    let registered = app
        .redeem_invitation(&code, "1990-04-12")
        .await
        .finish_with(
            sms,
            &Details::maria("ana.silva@example.org")
                .first_name("Ana")
                .with_last_name("Silva")
                .birth_date("1990-04-12"),
        )
        .await;
    assert_eq!(
        registered.thread_id.as_deref(),
        Some(thread_id.as_str()),
        "she lands on the conversation"
    );
    let ana = app.patient(&registered.session_token);
    let read = expect(
        ana.get(&format!("/patient/threads/{thread_id}")).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(read["subject"], "Your referral");
    assert_eq!(read["staff_name"], "Bea Admin");
    assert_eq!(
        read["messages"][0]["body"],
        "Dr. Rivera asked me to follow up on your referral."
    );
    assert_eq!(read["messages"][0]["from_practice"], true);
    // Bea's conversation is in her inbox now, no longer waiting.
    let inbox = expect(
        bea.call(Method::GET, "/threads", Value::Null).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(inbox["items"][0]["id"], thread_id.as_str());
    assert_eq!(inbox["items"][0]["patient_name"], "Ana Silva");
    let waiting = expect(
        bea.call(Method::GET, "/threads/invitations", Value::Null)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(waiting, json!([]));

    // Maria is a patient already: the conversation is hers at once, and she is told by email.
    lakeside.registered_patient(sms, "maria@example.org").await;
    let maria_invite = json!({
        "first_name": "Maria", "last_name": "Lopez", "birth_date": BIRTH_DATE,
        "email": "maria@example.org", "confirm_email": "maria@example.org",
        "subject": "Your MRI", "body": "The MRI is booked for Tuesday.",
    });
    let mut wrong_birth = maria_invite.clone();
    wrong_birth["birth_date"] = json!("1971-01-01");
    let refused: Problem = Api::expect_as(
        bea.call(Method::POST, "/threads/invitations", wrong_birth)
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(refused.fields(), ["email"]);
    let mails_before = smtp.received().len();
    let started = expect(
        bea.call(Method::POST, "/threads/invitations", maria_invite)
            .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(started["waiting_for_registration"], false);
    assert_eq!(started["invitation_id"], Value::Null);
    let started_id = started["thread_id"].as_str().expect("an id");
    app.deliver().await;
    let mails = smtp.wait_for(mails_before + 1, Duration::from_secs(10));
    assert!(
        mails
            .iter()
            .any(|m| m.raw.contains(&format!("/portal/messages/{started_id}"))),
        "Maria's email leads to the conversation"
    );
}
