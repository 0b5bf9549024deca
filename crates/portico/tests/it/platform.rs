//! What every client relies on: health and readiness, metrics, request ids, RFC 9457 problems,
//! validation listing each bad field, and secure cookies behind TLS.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::responses::Problem;
use crate::common::{ADMIN_EMAIL, ADMIN_PASSWORD, Backend, TestApp, on_both};

on_both!(
    health_readiness_and_metrics_answer,
    invented_methods_share_one_metrics_label,
    an_unknown_api_address_is_a_problem_document_carrying_the_request_id,
    api_validation_lists_every_bad_field,
    api_changes_by_session_cookie_need_the_csrf_header,
    the_api_without_a_session_answers_401_as_a_problem,
    a_malformed_json_body_is_a_400_problem,
    an_unknown_page_is_a_friendly_404,
);

async fn health_readiness_and_metrics_answer(app: &TestApp) {
    let b = app.browser();
    let health = b.get("/healthz").await;
    assert_eq!(health.status(), StatusCode::OK);
    assert_eq!(health.json::<Value>().await.unwrap()["status"], "ok");
    let ready = b.get("/readyz").await.json::<Value>().await.unwrap();
    let expected = if app.backend == Backend::Sqlite {
        "sqlite"
    } else {
        "postgres"
    };
    assert_eq!(ready, json!({ "status": "ready", "database": expected }));
    let metrics = b.get("/metrics").await.text().await.unwrap();
    assert!(metrics.contains("http_requests_total"), "{metrics}");
    assert!(
        metrics.contains("route=\"/readyz\""),
        "requests are counted by route template"
    );
}

async fn an_unknown_api_address_is_a_problem_document_carrying_the_request_id(app: &TestApp) {
    let res = app
        .browser()
        .api(Method::GET, "/no-such-thing")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert_eq!(res.headers()["content-type"], "application/problem+json");
    let request_id = res.headers()["x-request-id"].to_str().unwrap().to_owned();
    assert_ne!(request_id, "jane-doe-1985");
    assert_eq!(request_id.len(), 36, "a UUID: {request_id}");
    let problem: Problem = res.json().await.unwrap();
    assert_eq!(problem.status, 404);
    assert_eq!(problem.kind, "about:blank");
    assert_eq!(problem.title, "Not Found");
    assert_eq!(problem.instance.as_deref(), Some("/api/v1/no-such-thing"));
    assert_eq!(problem.request_id, Some(request_id));
}

async fn api_validation_lists_every_bad_field(app: &TestApp) {
    let admin = app.set_up_practice("API Clinic").await;
    let csrf = admin.csrf_for("/staff").await;
    let res = admin
        .api(Method::POST, "/staff")
        .header("x-csrf-token", &csrf)
        .json(&json!({ "display_name": "", "email": "not an email", "role": "boss", "password": "short" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(res.headers()["content-type"], "application/problem+json");
    let problem: Problem = res.json().await.unwrap();
    assert_eq!(
        problem.fields(),
        ["display_name", "email", "role", "password"]
    );
    assert!(problem.errors[3].message.contains("15"));

    // A good one is created (201) and listed.
    let res = admin
        .api(Method::POST, "/staff")
        .header("x-csrf-token", &csrf)
        .json(&json!({ "display_name": "Nia Nurse", "email": "nia@clinic.example", "role": "staff", "password": "velvet summit paper crane" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let created: Value = res.json().await.unwrap();
    assert_eq!(created["role"], "staff");
    assert!(
        created.get("password_hash").is_none(),
        "hashes never leave the service"
    );
    let res = admin
        .api(Method::POST, "/staff")
        .header("x-csrf-token", &csrf)
        .json(&json!({ "display_name": "Nia Again", "email": "NIA@clinic.example", "role": "staff", "password": "velvet summit paper crane" }))
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "emails are unique regardless of case"
    );
}

async fn api_changes_by_session_cookie_need_the_csrf_header(app: &TestApp) {
    let admin = app.set_up_practice("API Clinic").await;
    let res = admin
        .api(Method::POST, "/providers")
        .json(&json!({ "display_name": "Dr. No Token" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(res.headers()["content-type"], "application/problem+json");
    let list: Value = admin
        .api(Method::GET, "/providers")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list, json!([]));
}

async fn the_api_without_a_session_answers_401_as_a_problem(app: &TestApp) {
    app.set_up_practice("API Clinic").await;
    let res = app
        .browser()
        .api(Method::GET, "/staff")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let problem: Problem = res.json().await.unwrap();
    assert_eq!(problem.status, 401);
    let (signed_in, _) = app.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(
        signed_in
            .api(Method::GET, "/practice")
            .send()
            .await
            .unwrap()
            .json::<Value>()
            .await
            .unwrap()["name"],
        "API Clinic"
    );
}

async fn a_malformed_json_body_is_a_400_problem(app: &TestApp) {
    let admin = app.set_up_practice("API Clinic").await;
    let csrf = admin.csrf_for("/staff").await;
    let res = admin
        .api(Method::POST, "/providers")
        .header("x-csrf-token", &csrf)
        .header("content-type", "application/json")
        .body("{\"display_name\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert_eq!(res.headers()["content-type"], "application/problem+json");
}

async fn invented_methods_share_one_metrics_label(app: &TestApp) {
    let b = app.browser();
    for method in ["FOOBAR", "XYZZY"] {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        b.client
            .request(method, format!("{}/healthz", app.url))
            .send()
            .await
            .expect("an answer");
    }
    let metrics = b.get("/metrics").await.text().await.unwrap();
    assert!(metrics.contains("method=\"other\""), "{metrics}");
    assert!(
        !metrics.contains("FOOBAR") && !metrics.contains("XYZZY"),
        "{metrics}"
    );
}

async fn an_unknown_page_is_a_friendly_404(app: &TestApp) {
    let res = app.browser().get("/no/such/page").await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let request_id = res.headers()["x-request-id"].to_str().unwrap().to_owned();
    let html = res.text().await.unwrap();
    assert!(html.contains("Page not found") && html.contains(&request_id));
}

/// Cookie attributes depend on configuration only, so one database suffices.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cookies_are_secure_when_the_public_address_is_https() {
    let app = TestApp::spawn_with(
        Backend::Sqlite,
        &[("PORTICO_PUBLIC_URL", "https://portal.example.org")],
    )
    .await
    .unwrap();
    assert!(
        app.setup_link
            .as_deref()
            .unwrap()
            .starts_with("https://portal.example.org/setup/"),
        "links use the public address"
    );
    let res = app.browser().get("/staff/sign-in").await;
    let cookie = res.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(
        cookie.contains("Secure") && cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    app.stop().await;
}
