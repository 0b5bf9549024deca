//! The OpenAPI document at `/api/openapi.json`: it lists exactly the routes of the JSON API, each
//! with an operation id and its responses, and every route it lists is one the service answers.

use std::collections::BTreeSet;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::{TestApp, on_both};

on_both!(the_openapi_document_lists_every_route);

/// Every route of the JSON API, as clients write it. A route added to the service without being
/// added here (or to the document) fails the test.
const ROUTES: &[(&str, &str)] = &[
    ("GET", "/api/v1/practice"),
    ("PATCH", "/api/v1/practice"),
    ("GET", "/api/v1/staff"),
    ("POST", "/api/v1/staff"),
    ("GET", "/api/v1/staff/{id}"),
    ("GET", "/api/v1/providers"),
    ("POST", "/api/v1/providers"),
    ("GET", "/api/v1/providers/{id}"),
    ("GET", "/api/v1/invitations"),
    ("POST", "/api/v1/invitations"),
    ("GET", "/api/v1/invitations/{id}"),
    ("POST", "/api/v1/invitations/{id}/resend"),
    ("POST", "/api/v1/invitations/{id}/revoke"),
    ("GET", "/api/v1/provider-codes"),
    ("POST", "/api/v1/provider-codes/practice/rotate"),
    ("POST", "/api/v1/provider-codes/practice/disable"),
    (
        "POST",
        "/api/v1/provider-codes/providers/{provider_id}/rotate",
    ),
    (
        "POST",
        "/api/v1/provider-codes/providers/{provider_id}/disable",
    ),
    ("GET", "/api/v1/programs"),
    ("POST", "/api/v1/programs"),
    ("GET", "/api/v1/programs/{id}"),
    ("PUT", "/api/v1/programs/{id}"),
    ("DELETE", "/api/v1/programs/{id}"),
    ("POST", "/api/v1/public/invitations/redeem"),
    ("POST", "/api/v1/public/provider-codes/lookup"),
    ("POST", "/api/v1/public/signup-codes/lookup"),
    ("POST", "/api/v1/public/registrations"),
    ("POST", "/api/v1/public/registrations/status"),
    ("POST", "/api/v1/public/registrations/details"),
    ("POST", "/api/v1/public/registrations/phone/send"),
    ("POST", "/api/v1/public/registrations/phone/verify"),
    ("POST", "/api/v1/public/registrations/terms"),
    ("POST", "/api/v1/public/registrations/consent"),
    ("POST", "/api/v1/public/registrations/complete"),
    ("POST", "/api/v1/public/password-check"),
    ("GET", "/api/v1/public/passphrase"),
    ("POST", "/api/v1/public/patient-sessions"),
    ("POST", "/api/v1/public/password-recovery"),
    ("POST", "/api/v1/public/password-recovery/finish"),
    ("GET", "/api/v1/patient"),
    ("POST", "/api/v1/patient/terms"),
    ("POST", "/api/v1/patient/provider-codes"),
    ("POST", "/api/v1/patient/sign-out"),
    ("POST", "/api/v1/patient/sign-out-everywhere"),
    ("GET", "/api/v1/terms"),
    ("POST", "/api/v1/terms"),
    ("GET", "/api/v1/patient-links/pending"),
    ("POST", "/api/v1/patient-links/{id}/approve"),
    ("POST", "/api/v1/patient-links/{id}/decline"),
    ("GET", "/api/v1/notifications"),
    ("GET", "/api/v1/templates"),
    ("PUT", "/api/v1/templates/{kind}/{language}"),
    ("DELETE", "/api/v1/templates/{kind}/{language}"),
    ("POST", "/api/v1/templates/{kind}/{language}/preview"),
];

const OPERATION_KEYS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

async fn the_openapi_document_lists_every_route(app: &TestApp) {
    let client = reqwest::Client::new();
    let res = client
        .get(format!("{}/api/openapi.json", app.url))
        .send()
        .await
        .expect("GET");
    assert_eq!(res.status(), StatusCode::OK);
    let content_type = res
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(
        content_type.starts_with("application/json"),
        "{content_type}"
    );
    let doc: Value = res.json().await.expect("the document is JSON");
    let version = doc["openapi"].as_str().unwrap_or_default();
    assert!(version.starts_with("3."), "openapi: {version:?}");
    assert_eq!(doc["info"]["title"], "Portico API");
    assert!(
        doc["components"]["securitySchemes"]["api_token"].is_object(),
        "the bearer scheme is declared"
    );

    let mut documented = BTreeSet::new();
    let mut operation_ids = BTreeSet::new();
    let paths = doc["paths"].as_object().expect("paths is an object");
    for (path, item) in paths {
        let item = item.as_object().expect("a path item is an object");
        for (key, operation) in item {
            if !OPERATION_KEYS.contains(&key.as_str()) {
                continue; // path-level `parameters`, `summary` and the like
            }
            let route = format!("{} {path}", key.to_uppercase());
            let id = operation["operationId"].as_str().unwrap_or_default();
            assert!(!id.is_empty(), "{route} has no operationId");
            assert!(
                operation_ids.insert(id.to_owned()),
                "{route}: operationId {id} is used twice"
            );
            let responses = operation["responses"].as_object();
            assert!(
                responses.is_some_and(|r| !r.is_empty()),
                "{route} documents no response"
            );
            for (status, response) in responses.into_iter().flatten() {
                assert!(
                    response["$ref"].is_string() || response["description"].is_string(),
                    "{route} {status}: a response needs a description"
                );
            }
            documented.insert((key.to_uppercase(), path.clone()));
        }
    }
    let expected: BTreeSet<(String, String)> = ROUTES
        .iter()
        .map(|(m, p)| ((*m).to_owned(), (*p).to_owned()))
        .collect();
    let missing: Vec<_> = expected.difference(&documented).collect();
    let extra: Vec<_> = documented.difference(&expected).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "not documented: {missing:?}; documented but not expected: {extra:?}"
    );

    // An address no route answers gets the fallback's 404 (a 405 for a known path and the wrong
    // method), so a documented route that is not routed could not pass the checks below.
    let unrouted = client
        .get(format!("{}/api/v1/no-such-route", app.url))
        .send()
        .await
        .expect("GET");
    assert_eq!(unrouted.status(), StatusCode::NOT_FOUND);

    // Every documented route is routed: without credentials, the practice API answers 401 (the
    // caller is checked before the id is looked at) and the public endpoints refuse an empty body
    // as a problem (400 or 422) — never the fallback's 404 or a 405.
    let id = uuid::Uuid::new_v4().to_string();
    for (method, path) in &documented {
        let url = format!("{}{}", app.url, with_ids(path, &id));
        let method = Method::from_bytes(method.as_bytes()).expect("an HTTP method");
        let mut req = client.request(method.clone(), &url);
        if method == Method::POST || method == Method::PUT {
            req = req.json(&json!({}));
        }
        let res = req.send().await.expect("request");
        let status = res.status();
        let body: Value = res.json().await.unwrap_or(Value::Null);
        if *path == "/api/v1/public/passphrase" {
            // The one public read: nothing to send, nothing to get wrong.
            assert_eq!(status, StatusCode::OK, "{method} {path}: {body}");
        } else if path.starts_with("/api/v1/public/") {
            assert!(
                status == StatusCode::BAD_REQUEST || status == StatusCode::UNPROCESSABLE_ENTITY,
                "{method} {path}: {status} {body}"
            );
        } else {
            assert_eq!(status, StatusCode::UNAUTHORIZED, "{method} {path}: {body}");
            assert_eq!(body["type"], "/problems/unauthenticated", "{method} {path}");
        }
    }
}

/// A path template with every `{parameter}` replaced by `id`.
fn with_ids(template: &str, id: &str) -> String {
    template
        .split('/')
        .map(|segment| {
            if segment.starts_with('{') && segment.ends_with('}') {
                id
            } else {
                segment
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}
