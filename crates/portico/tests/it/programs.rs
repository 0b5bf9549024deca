//! Sign-up codes are unique across the deployment. A practice that picks one another program
//! holds gets a refusal that does not say whose it is, audited in its own trail and throttled
//! per staff member or token.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::json;

use crate::audit::audit_events;
use crate::common::responses::Program;
use crate::common::{Api, TestApp, on_both};

on_both!(a_taken_sign_up_code_is_refused_alike_audited_and_throttled);

const REFUSAL: &str = "This sign-up code cannot be used; choose another.";

fn program(name: &str, code: &str) -> serde_json::Value {
    json!({ "name": name, "signup_code": code, "policy": "notify" })
}

async fn refused(res: reqwest::Response) -> serde_json::Value {
    let problem = Api::expect(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    problem["errors"].clone()
}

async fn a_taken_sign_up_code_is_refused_alike_audited_and_throttled(app: &TestApp) {
    let hillside = app.practice_with_admin("Hillside Clinic").await;
    let theirs: Program = Api::expect_as(
        hillside
            .post("/programs", &program("Diabetes Care", "Welcome123"))
            .await,
        StatusCode::CREATED,
    )
    .await;
    let theirs_id = theirs.id;
    let lakeside = app.practice_with_admin("Lakeside Clinic").await;
    let ours: Program = Api::expect_as(
        lakeside
            .post("/programs", &program("Heart Health", "Heart2026"))
            .await,
        StatusCode::CREATED,
    )
    .await;
    let ours_id = ours.id;

    // Another practice's code (a look-alike of it), and the practice's own: the same answer.
    let expected = json!([{ "field": "signup_code", "message": REFUSAL }]);
    let clash = lakeside
        .post("/programs", &program("Wellness", "WELCOME-I23"))
        .await;
    assert_eq!(refused(clash).await, expected);
    let own = lakeside
        .post("/programs", &program("Wellness", "heart 2026"))
        .await;
    assert_eq!(refused(own).await, expected);
    // Changing a program to a taken code is refused the same way.
    let change = lakeside
        .put(
            &format!("/programs/{ours_id}"),
            &program("Heart Health", "welcome123"),
        )
        .await;
    assert_eq!(refused(change).await, expected);

    // Lakeside's trail has the refusals, and nothing that points at Hillside.
    let events = audit_events(app).await;
    let trail: Vec<_> = events
        .iter()
        .filter(|e| e.practice_id.as_deref() == Some(lakeside.practice_id.as_str()))
        .collect();
    let refusals: Vec<_> = trail
        .iter()
        .filter(|e| e.action == "program.signup_code_collision")
        .collect();
    assert_eq!(refusals.len(), 3);
    assert!(refusals.iter().all(|e| e.outcome == "denied"));
    assert_eq!(refusals[2].subject_id.as_deref(), Some(ours_id.as_str()));
    for e in &trail {
        let text = format!("{e:?}");
        assert!(
            !text.contains(&hillside.practice_id) && !text.contains(&theirs_id),
            "Lakeside's trail names Hillside: {text}"
        );
    }

    // Ten refusals an hour per token; then even a free code waits, so codes cannot be probed.
    for n in 4..=10 {
        let res = lakeside
            .post("/programs", &program("Wellness", "Welcome123"))
            .await;
        assert_eq!(
            res.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "refusal {n}"
        );
    }
    for code in ["Welcome123", "Fresh2026"] {
        let res = lakeside.post("/programs", &program("Wellness", code)).await;
        assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS, "{code}");
        assert_eq!(res.headers()["content-type"], "application/problem+json");
    }
    // Hillside's token is not held back by Lakeside's refusals.
    Api::expect(
        hillside
            .post("/programs", &program("Eye Care", "Eyes2026"))
            .await,
        StatusCode::CREATED,
    )
    .await;
    app.advance(Duration::from_secs(60 * 60));
    Api::expect(
        lakeside
            .post("/programs", &program("Wellness", "Fresh2026"))
            .await,
        StatusCode::CREATED,
    )
    .await;
}
