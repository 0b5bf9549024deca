//! A staff member's inbox is read fifty conversations a page (issue #21: each one shown is an
//! audited read, so a page is kept to what a person looks at), over the API on both databases.
//! Bea has 52 conversations with Maria, 51 of them started in the same instant: the first page
//! holds the 50 newest, the next page the other 2, each conversation exactly once; a page link
//! that is not one the service gave out is refused under `cursor`; each conversation shown is
//! one audit event.

use std::collections::HashSet;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use wiremock::MockServer;

use crate::audit::audit_events;
use crate::common::responses::Problem;
use crate::common::{Api, TestApp, with_provider};

with_provider!(a_staff_inbox_is_read_fifty_conversations_a_page);

async fn a_staff_inbox_is_read_fifty_conversations_a_page(app: &TestApp, sms: &MockServer) {
    let lakeside = app.practice_with_admin("Lakeside Clinic").await;
    lakeside.registered_patient(sms, "maria@example.org").await;
    let found = Api::expect(lakeside.get("/patients?q=maria").await, StatusCode::OK).await;
    let maria_id = found["items"][0]["id"].as_str().expect("Maria").to_owned();
    let bea = lakeside.admin_session().await;
    let start = |subject: String| json!({ "patient_id": maria_id, "subject": subject, "body": "Hello Maria." });
    let first = Api::expect(
        bea.call(Method::POST, "/threads", start("The oldest".to_owned()))
            .await,
        StatusCode::CREATED,
    )
    .await;
    // The others all in one instant of the service's clock: the page order must still be
    // total (ties settled by id), or a page boundary would skip or repeat one.
    app.advance(std::time::Duration::from_secs(60));
    for n in 1..=51 {
        Api::expect(
            bea.call(Method::POST, "/threads", start(format!("Question {n}")))
                .await,
            StatusCode::CREATED,
        )
        .await;
    }
    let listed_before = listed(app).await;

    let page = Api::expect(
        bea.call(Method::GET, "/threads", Value::Null).await,
        StatusCode::OK,
    )
    .await;
    let items = page["items"].as_array().expect("a page");
    assert_eq!(items.len(), 50);
    let cursor = page["next_cursor"]
        .as_str()
        .expect("a next page")
        .to_owned();
    let next = Api::expect(
        bea.call(
            Method::GET,
            &format!("/threads?cursor={cursor}"),
            Value::Null,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let rest = next["items"].as_array().expect("a page");
    assert_eq!(rest.len(), 2);
    assert_eq!(next["next_cursor"], Value::Null);
    assert_eq!(rest[1]["id"], first["id"], "the oldest comes last");
    let ids: HashSet<&str> = items
        .iter()
        .chain(rest)
        .filter_map(|t| t["id"].as_str())
        .collect();
    assert_eq!(ids.len(), 52, "each conversation once");

    let refused: Problem = Api::expect_as(
        bea.call(Method::GET, "/threads?cursor=not-ours", Value::Null)
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(refused.fields(), ["cursor"]);
    assert_eq!(
        listed(app).await - listed_before,
        52,
        "one read per conversation shown"
    );
}

async fn listed(app: &TestApp) -> usize {
    audit_events(app)
        .await
        .into_iter()
        .filter(|e| e.action == "thread.listed")
        .count()
}
