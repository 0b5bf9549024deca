//! Publishing the terms of use is for a signed-in admin: an integrator's API token is refused.

use reqwest::StatusCode;
use serde_json::json;

use crate::common::{TestApp, on_both};

on_both!(an_api_token_cannot_publish_terms_but_a_signed_in_admin_can);

async fn an_api_token_cannot_publish_terms_but_a_signed_in_admin_can(app: &TestApp) {
    let lakeside = app.practice_with_admin("Lakeside Clinic").await;
    let refused = lakeside
        .post(
            "/terms",
            &json!({ "body": "Terms written by an integrator." }),
        )
        .await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        refused.headers()["content-type"],
        "application/problem+json"
    );
    let current = lakeside
        .get("/terms")
        .await
        .json::<serde_json::Value>()
        .await
        .unwrap();
    assert_eq!(current["version"], 1, "nothing was published: {current}");

    let published = lakeside.publish_terms("New terms.").await;
    assert_eq!(published.status(), StatusCode::CREATED);
    let published: serde_json::Value = published.json().await.unwrap();
    assert_eq!(published["version"], 2);
    assert_eq!(
        app.count_rows("audit_events WHERE action = 'terms.published' AND actor_kind = 'staff'")
            .await,
        1
    );
}
