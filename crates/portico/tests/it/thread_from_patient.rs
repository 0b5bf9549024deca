//! A patient starting a conversation (issue #21), over the API on both databases. Maria can
//! write first only to someone at her practice who has written with her: before Bea writes, she
//! has nobody to write to; after, she starts "Prescription refill" with Bea, which arrives in
//! Bea's inbox as new. Anyone else is refused under `to`. Ana, enrolled through a program whose
//! online messaging is off, cannot start one even after Bea wrote to her; and once the practice
//! ends Maria's access, neither can she.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use wiremock::MockServer;

use crate::audit::audit_events;
use crate::common::responses::Problem;
use crate::common::{Api, TestApp, with_provider};

with_provider!(a_patient_writes_first_to_someone_who_wrote_with_her);

async fn expect(res: reqwest::Response, status: StatusCode) -> Value {
    Api::expect(res, status).await
}

async fn a_patient_writes_first_to_someone_who_wrote_with_her(app: &TestApp, sms: &MockServer) {
    let lakeside = app.practice_with_admin("Lakeside Clinic").await;
    let maria = lakeside.registered_patient(sms, "maria@example.org").await;
    let found = expect(lakeside.get("/patients?q=maria").await, StatusCode::OK).await;
    let maria_id = found["items"][0]["id"].as_str().expect("Maria").to_owned();
    let bea = lakeside.admin_session().await;
    let refill = |to: &str| {
        json!({ "to": to, "subject": "Prescription refill",
                "body": "Could I get a refill of my blood pressure pills?" })
    };

    // Nobody has written with Maria yet: nobody to write to.
    assert_eq!(
        expect(
            maria.get("/patient/threads/recipients").await,
            StatusCode::OK
        )
        .await,
        json!([])
    );
    let refused: Problem = Api::expect_as(
        maria.post("/patient/threads", &refill("anyone")).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(refused.fields(), ["to"]);

    // Bea writes; now Maria may write to her.
    bea.start_thread(&maria_id, "Welcome", "Hello Maria.").await;
    let recipients = expect(
        maria.get("/patient/threads/recipients").await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(recipients[0]["staff_name"], "Bea Admin");
    assert_eq!(recipients[0]["practice_name"], "Lakeside Clinic");
    assert_eq!(recipients.as_array().map(Vec::len), Some(1));
    let bea_id = recipients[0]["staff_id"]
        .as_str()
        .expect("an id")
        .to_owned();
    let mut blank = refill(&bea_id);
    blank["subject"] = json!(" ");
    let refused: Problem = Api::expect_as(
        maria.post("/patient/threads", &blank).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(refused.fields(), ["subject"]);
    app.advance(std::time::Duration::from_secs(60));
    let started = expect(
        maria.post("/patient/threads", &refill(&bea_id)).await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(started["subject"], "Prescription refill");
    assert_eq!(started["messages"][0]["author_name"], "Maria Lopez");
    assert_eq!(started["messages"][0]["from_practice"], false);
    let inbox = expect(
        bea.call(Method::GET, "/threads", Value::Null).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        inbox["items"][0]["subject"], "Prescription refill",
        "{inbox}"
    );
    assert_eq!(inbox["items"][0]["unread"], 1);
    let started_by = audit_events(app)
        .await
        .into_iter()
        .filter(|e| e.action == "thread.started_by_patient")
        .count();
    assert_eq!(started_by, 1);

    // Ana came in through a program with online messaging off: Bea's message does not open
    // the way to write first.
    let program = expect(
        lakeside
            .post(
                "/programs",
                &json!({ "name": "Quiet plan", "signup_code": "Quiet2026", "policy": "silent",
                         "messaging_allowed": false }),
            )
            .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(program["messaging_allowed"], false);
    let ana = app
        .registered_with_code(sms, "Quiet2026", "ana@example.org")
        .await;
    let found = expect(lakeside.get("/patients?q=ana").await, StatusCode::OK).await;
    let ana_id = found["items"][0]["id"].as_str().expect("Ana").to_owned();
    bea.start_thread(&ana_id, "Welcome", "Hello Ana.").await;
    assert_eq!(
        expect(ana.get("/patient/threads/recipients").await, StatusCode::OK).await,
        json!([])
    );
    assert_eq!(
        ana.post("/patient/threads", &refill(&bea_id))
            .await
            .status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );

    // Once Lakeside ends Maria's access, she has nobody to write to there (she is a patient of
    // Harbor Clinic too, so her account stays open).
    let harbor = app.practice_with_admin("Harbor Clinic").await;
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
    assert_eq!(
        expect(
            maria.get("/patient/threads/recipients").await,
            StatusCode::OK
        )
        .await,
        json!([])
    );
}
