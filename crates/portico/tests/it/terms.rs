//! Publishing the terms of use is for a signed-in admin: an integrator's API token is refused.

use reqwest::StatusCode;
use serde_json::json;

use crate::common::{TestApp, on_both};

on_both!(an_api_token_cannot_publish_terms_but_a_signed_in_admin_can);

/// The integrator helper's admin password (`TestApp::integrator`).
const ADMIN_PASSWORD: &str = "quiet meadow lantern river";

/// Publishes terms through the API with an admin's session (and its CSRF header).
pub(crate) async fn publish_as_admin(app: &TestApp, email: &str, body: &str) -> reqwest::Response {
    let (admin, _) = app.sign_in(email, ADMIN_PASSWORD).await;
    let csrf = admin.csrf_for("/staff").await;
    admin
        .api(reqwest::Method::POST, "/terms")
        .header("x-csrf-token", &csrf)
        .json(&json!({ "body": body }))
        .send()
        .await
        .unwrap()
}

async fn an_api_token_cannot_publish_terms_but_a_signed_in_admin_can(app: &TestApp) {
    let token = app
        .integrator("Lakeside Clinic", "admin@lakeside.example")
        .await;
    let refused = token
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
    let current = token
        .get("/terms")
        .await
        .json::<serde_json::Value>()
        .await
        .unwrap();
    assert_eq!(current["version"], 1, "nothing was published: {current}");

    let published = publish_as_admin(app, "admin@lakeside.example", "New terms.").await;
    assert_eq!(published.status(), StatusCode::CREATED);
    let published: serde_json::Value = published.json().await.unwrap();
    assert_eq!(published["version"], 2);
    assert_eq!(
        app.count_rows("audit_events WHERE action = 'terms.published' AND actor_kind = 'staff'")
            .await,
        1
    );
}
