//! "Forgot your username?": the usernames of a phone number's accounts without email go to that
//! number by SMS, and nothing else does; every number gets the same answer, and one number gets
//! a few a day at most.

use reqwest::StatusCode;
use serde_json::json;
use wiremock::MockServer;

use crate::common::provider::texts;
use crate::common::responses::Problem;
use crate::common::{Api, Details, PHONE, TestApp, with_provider};

with_provider!(forgot_username_texts_the_usernames_of_the_number_and_answers_alike);

async fn forgot_username_texts_the_usernames_of_the_number_and_answers_alike(
    app: &TestApp,
    provider: &MockServer,
) {
    let lakeside = app.practice_with_admin("Lakeside Clinic").await;
    let registered = lakeside
        .start_registration()
        .await
        .finish_with(provider, &Details::maria("").without_email())
        .await;
    let username = registered.username.expect("a username");
    // An account with email on the same phone signs in by email: its name is not texted.
    lakeside
        .registered_patient(provider, "maria@example.org")
        .await;
    app.deliver().await;
    let texts_before = texts(provider).await.len();

    let api = app.anonymous_api();
    let ask = |phone: &'static str| {
        let api = &api;
        async move {
            api.post("/public/username-reminder", &json!({ "phone": phone }))
                .await
        }
    };
    let known = Api::expect(ask("(415) 555-0123").await, StatusCode::ACCEPTED).await;
    let unknown = Api::expect(ask("(415) 555-0199").await, StatusCode::ACCEPTED).await;
    assert_eq!(known, unknown);
    assert!(known["message"].as_str().is_some_and(|m| !m.is_empty()));

    app.deliver().await;
    let sent: Vec<(String, String)> = texts(provider).await.split_off(texts_before);
    assert_eq!(
        sent,
        [(
            PHONE.to_owned(),
            format!("Your Lakeside Clinic patient portal username is {username}")
        )],
        "one text, to the known number only, naming only the username"
    );
    crate::snapshots::snapshot(
        "message_username_reminder_sms",
        &sent[0].1.replace(&username, "[username]"),
    );

    // One number gets at most the recovery codes' daily budget of reminders (5); more asks are
    // answered alike and send nothing.
    for _ in 0..5 {
        let again = Api::expect(ask("+1 415 555 0123").await, StatusCode::ACCEPTED).await;
        assert_eq!(again, unknown);
    }
    app.deliver().await;
    assert_eq!(
        texts(provider).await.len(),
        texts_before + 5,
        "five reminders in a day, not six"
    );

    let refused: Problem =
        Api::expect_as(ask("not a phone").await, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(refused.fields(), ["phone"]);
}
