//! Visit requests (issue #21, first part), over the API on both databases: a patient taps a card
//! and asks to be seen now or at a time, with a reason; the practice's waiting list shows it with
//! the reason, oldest first; staff accept, propose another time or decline with a note, once; the
//! patient reads the answer. A request needs a card the patient sees (approved, in force, their
//! own) and a time ahead; another practice's staff find none of it, and a caregiver acts only
//! with full access. A waiting list open on one node hears of a request made on another
//! (PostgreSQL, shared by both).

use reqwest::StatusCode;
use serde_json::{Value, json};
use wiremock::MockServer;

use crate::common::patient::Patient;
use crate::common::responses::Problem;
use crate::common::{Api, Practice, TestApp, with_provider};

with_provider!(
    a_patient_asks_for_a_visit_and_reads_the_practices_answer,
    a_request_needs_a_card_of_ones_own_a_reason_and_a_time_ahead,
    another_practice_finds_none_of_the_waiting_list,
);

/// The id of the patient's first card.
async fn first_card(patient: &Patient) -> String {
    patient.me().await.cards[0].id.clone()
}

async fn ask(patient: &Patient, body: Value) -> reqwest::Response {
    patient.post("/patient/visit-requests", &body).await
}

async fn waiting_list(practice: &Practice<'_>) -> Value {
    Api::expect(practice.get("/visit-requests").await, StatusCode::OK).await
}

async fn answer(practice: &Practice<'_>, id: &str, body: Value) -> reqwest::Response {
    practice
        .post(&format!("/visit-requests/{id}/answer"), &body)
        .await
}

async fn a_patient_asks_for_a_visit_and_reads_the_practices_answer(
    app: &TestApp,
    provider: &MockServer,
) {
    let lakeside = app.practice_with_admin("Lakeside Clinic").await;
    let maria = lakeside
        .registered_patient(provider, "maria@example.org")
        .await;
    let card = first_card(&maria).await;

    // Now, and at a time on the practice's clock (New York; the test clock is Nov 18, 2026).
    let now = Api::expect(
        ask(
            &maria,
            json!({ "link_id": card, "when": "now", "reason": "Cough since Monday" }),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(now["state"], "waiting");
    assert!(now["wanted_at"].is_null());
    app.advance(std::time::Duration::from_secs(60));
    let later = Api::expect(
        ask(
            &maria,
            json!({ "link_id": card, "when": "at", "at": "2026-11-20T14:30", "reason": "Follow-up" }),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(
        later["wanted_at"], "2026-11-20T19:30:00Z",
        "2:30 PM in New York"
    );

    // The waiting list: oldest first, with the reason.
    let list = waiting_list(&lakeside).await;
    let items = list.as_array().expect("a list");
    assert_eq!(items.len(), 2, "{list}");
    assert_eq!(items[0]["reason"], "Cough since Monday");
    assert_eq!(items[0]["patient_name"], "Maria Lopez");

    // Accept the first; propose another time for the second; a second answer is a conflict.
    let accepted = Api::expect(
        answer(
            &lakeside,
            now["id"].as_str().unwrap(),
            json!({ "decision": "accept" }),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(accepted["state"], "accepted");
    app.advance(std::time::Duration::from_secs(60));
    Api::expect(
        answer(
            &lakeside,
            now["id"].as_str().unwrap(),
            json!({ "decision": "decline", "note": "No" }),
        )
        .await,
        StatusCode::CONFLICT,
    )
    .await;
    let missing: Problem = Api::expect_as(
        answer(
            &lakeside,
            later["id"].as_str().unwrap(),
            json!({ "decision": "propose" }),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(missing.fields(), ["at"]);
    let proposed = Api::expect(
        answer(
            &lakeside,
            later["id"].as_str().unwrap(),
            json!({ "decision": "propose", "at": "2026-11-21T09:00", "note": "Saturday morning?" }),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(proposed["proposed_at"], "2026-11-21T14:00:00Z");

    // Maria reads both answers, newest first, with the note; the reason is hers to read.
    let mine = Api::expect(maria.get("/patient/visit-requests").await, StatusCode::OK).await;
    assert_eq!(mine[0]["state"], "proposed", "{mine}");
    assert_eq!(mine[0]["note"], "Saturday morning?");
    assert_eq!(mine[1]["state"], "accepted");

    // The reason is stored sealed: the database holds no word of it.
    let dump = app.dump_all_text().await;
    assert!(
        !dump.contains("Cough since Monday"),
        "the reason is sealed at rest"
    );
    assert!(
        !dump.contains("Saturday morning"),
        "the note is sealed at rest"
    );
}

async fn a_request_needs_a_card_of_ones_own_a_reason_and_a_time_ahead(
    app: &TestApp,
    provider: &MockServer,
) {
    let lakeside = app.practice_with_admin("Lakeside Clinic").await;
    let maria = lakeside
        .registered_patient(provider, "maria@example.org")
        .await;
    let card = first_card(&maria).await;

    let problem: Problem = Api::expect_as(
        ask(
            &maria,
            json!({ "link_id": card, "when": "at", "at": "2026-11-01T10:00", "reason": "  " }),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(problem.fields(), ["at", "reason"], "{problem:?}");
    let problem: Problem = Api::expect_as(
        ask(
            &maria,
            json!({ "link_id": card, "when": "later", "reason": "Pain" }),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(problem.fields(), ["when"]);
    let far: Problem = Api::expect_as(
        ask(
            &maria,
            json!({ "link_id": card, "when": "at", "at": "2027-12-01T10:00", "reason": "Pain" }),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(far.fields(), ["at"]);

    // Someone else's card is not found; nothing was written by any of these.
    let olga = lakeside
        .registered_patient(provider, "olga@example.org")
        .await;
    Api::expect(
        ask(
            &olga,
            json!({ "link_id": card, "when": "now", "reason": "Pain" }),
        )
        .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_eq!(
        waiting_list(&lakeside).await.as_array().map(Vec::len),
        Some(0)
    );
}

async fn another_practice_finds_none_of_the_waiting_list(app: &TestApp, provider: &MockServer) {
    let lakeside = app.practice_with_admin("Lakeside Clinic").await;
    let harbor = app.practice_with_admin("Harbor Clinic").await;
    let maria = lakeside
        .registered_patient(provider, "maria@example.org")
        .await;
    let card = first_card(&maria).await;
    let made = Api::expect(
        ask(
            &maria,
            json!({ "link_id": card, "when": "now", "reason": "Rash" }),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let id = made["id"].as_str().expect("an id");

    assert_eq!(
        waiting_list(&harbor).await.as_array().map(Vec::len),
        Some(0)
    );
    Api::expect(
        answer(&harbor, id, json!({ "decision": "accept" })).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    let still = waiting_list(&lakeside).await;
    assert_eq!(still[0]["state"], "waiting", "{still}");
}

/// Two nodes share one PostgreSQL database: the waiting list's event stream open on the second
/// hears of a request made through the first.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_made_on_one_node_reaches_a_waiting_list_open_on_another() {
    let provider = MockServer::start().await;
    crate::common::provider::accept_all(&provider).await;
    let Some(app) =
        crate::common::provider::spawn(crate::common::Backend::Postgres, &provider).await
    else {
        return;
    };
    let lakeside = app.practice_with_admin("Lakeside Clinic").await;
    let harbor = app.practice_with_admin("Harbor Clinic").await;
    let maria = lakeside
        .registered_patient(&provider, "maria@example.org")
        .await;
    let card = first_card(&maria).await;
    let other = app.another_node().await;
    let client = reqwest::Client::new();
    let stream = |staff: &crate::common::Browser| {
        client
            .get(format!("http://{}/staff/visits/events", other.addr))
            .header("cookie", staff.cookie_header())
            .send()
    };
    let mut lakeside_events = stream(&lakeside.admin().await).await.expect("a stream");
    assert_eq!(lakeside_events.status(), StatusCode::OK);
    assert_eq!(
        lakeside_events.headers()["content-type"],
        "text/event-stream"
    );
    let mut harbor_events = stream(&harbor.admin().await).await.expect("a stream");

    Api::expect(
        ask(
            &maria,
            json!({ "link_id": card, "when": "now", "reason": "Rash" }),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let mut heard = String::new();
    let changed = tokio::time::timeout(std::time::Duration::from_secs(10), async {
        while let Ok(Some(chunk)) = lakeside_events.chunk().await {
            heard.push_str(&String::from_utf8_lossy(&chunk));
            if heard.contains("event: changed") {
                return true;
            }
        }
        false
    })
    .await;
    assert_eq!(changed, Ok(true), "the other node's stream said: {heard:?}");
    // Harbor's stream hears nothing of Lakeside's waiting list (a keep-alive at most).
    let quiet =
        tokio::time::timeout(std::time::Duration::from_millis(300), harbor_events.chunk()).await;
    if let Ok(Ok(Some(chunk))) = quiet {
        assert!(
            !String::from_utf8_lossy(&chunk).contains("changed"),
            "another practice's change"
        );
    }
    // Both nodes stop although their listeners and the streams are still open.
    tokio::time::timeout(std::time::Duration::from_secs(60), other.stop())
        .await
        .expect("the second node stops within a minute")
        .expect("the second node stops");
    app.stop().await;
}
