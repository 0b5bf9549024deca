//! The OpenAPI document at `/api/openapi.json`: it lists exactly the routes of the JSON API, each
//! with an operation id and its responses, and every route it lists is one the service answers.

use std::collections::BTreeSet;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::{TestApp, on_both};

on_both!(
    the_openapi_document_lists_every_route,
    the_patient_terms_body_is_the_one_the_server_reads,
    required_fields_are_required_and_bounded_without_an_empty_default,
    every_operation_documents_the_errors_it_can_answer,
);

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
    ("POST", "/api/v1/invitations/preview"),
    ("GET", "/api/v1/invitations/{id}"),
    ("POST", "/api/v1/invitations/{id}/resend"),
    ("POST", "/api/v1/invitations/{id}/revoke"),
    ("POST", "/api/v1/invitations/resend"),
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
    ("POST", "/api/v1/public/username-reminder"),
    ("GET", "/api/v1/tokens"),
    ("POST", "/api/v1/tokens"),
    ("POST", "/api/v1/tokens/{id}/revoke"),
    ("GET", "/api/v1/patient"),
    ("POST", "/api/v1/patient/terms"),
    ("POST", "/api/v1/patient/provider-codes"),
    ("POST", "/api/v1/patient/sign-out"),
    ("POST", "/api/v1/patient/sign-out-everywhere"),
    ("GET", "/api/v1/terms"),
    ("POST", "/api/v1/terms"),
    ("GET", "/api/v1/terms/versions"),
    ("GET", "/api/v1/consent-text"),
    ("POST", "/api/v1/consent-text"),
    ("GET", "/api/v1/consent-text/versions"),
    ("GET", "/api/v1/patient-links/pending"),
    ("POST", "/api/v1/patient-links/{id}/approve"),
    ("POST", "/api/v1/patient-links/{id}/decline"),
    ("GET", "/api/v1/notifications"),
    ("GET", "/api/v1/patients"),
    ("GET", "/api/v1/patients/{id}"),
    ("PUT", "/api/v1/patients/{id}/access-end"),
    ("DELETE", "/api/v1/patients/{id}/access-end"),
    ("POST", "/api/v1/patients/{id}/consent-scans"),
    (
        "POST",
        "/api/v1/patients/{id}/caregivers/{access}/authority",
    ),
    ("PUT", "/api/v1/patients/{id}/caregivers/{access}/level"),
    ("DELETE", "/api/v1/patients/{id}/caregivers/{access}"),
    ("GET", "/api/v1/patient/caregivers"),
    ("POST", "/api/v1/patient/caregivers/{id}/approval"),
    ("PUT", "/api/v1/patient/caregivers/{id}/level"),
    ("DELETE", "/api/v1/patient/caregivers/{id}"),
    ("POST", "/api/v1/patient/caregiver-invitations"),
    ("GET", "/api/v1/patient/cared-for/{id}"),
    ("DELETE", "/api/v1/patient/cared-for/{id}"),
    ("POST", "/api/v1/patient/cared-for/{id}/birth-date"),
    ("POST", "/api/v1/patient/cared-for/{id}/provider-codes"),
    ("POST", "/api/v1/patient/cared-for/{id}/visit-requests"),
    ("GET", "/api/v1/patient/visit-requests"),
    ("POST", "/api/v1/patient/visit-requests"),
    ("GET", "/api/v1/visit-requests"),
    ("POST", "/api/v1/visit-requests/{id}/answer"),
    ("GET", "/api/v1/patient/visit-requests/questions"),
    (
        "GET",
        "/api/v1/patient/cared-for/{id}/visit-requests/questions",
    ),
    ("GET", "/api/v1/providers/{id}/visit-settings"),
    ("PUT", "/api/v1/providers/{id}/visit-settings"),
    ("POST", "/api/v1/threads"),
    ("GET", "/api/v1/threads"),
    ("POST", "/api/v1/threads/invitations"),
    ("GET", "/api/v1/threads/invitations"),
    ("GET", "/api/v1/threads/{id}"),
    ("POST", "/api/v1/threads/{id}/messages"),
    ("GET", "/api/v1/patient/threads"),
    ("POST", "/api/v1/patient/threads"),
    ("GET", "/api/v1/patient/threads/recipients"),
    ("GET", "/api/v1/patient/threads/{id}"),
    ("POST", "/api/v1/patient/threads/{id}/messages"),
    ("GET", "/api/v1/patient/cared-for/{id}/threads"),
    ("GET", "/api/v1/patient/cared-for/{id}/threads/{thread}"),
    (
        "POST",
        "/api/v1/patient/cared-for/{id}/threads/{thread}/messages",
    ),
    ("GET", "/api/v1/threads/{id}/attachments/{file}"),
    ("GET", "/api/v1/forms"),
    ("POST", "/api/v1/forms"),
    ("GET", "/api/v1/forms/{id}"),
    ("PUT", "/api/v1/forms/{id}"),
    ("POST", "/api/v1/threads/{id}/forms"),
    ("GET", "/api/v1/threads/{id}/forms/{form}"),
    ("GET", "/api/v1/patient/threads/{id}/forms/{form}"),
    ("PUT", "/api/v1/patient/threads/{id}/forms/{form}/draft"),
    (
        "POST",
        "/api/v1/patient/threads/{id}/forms/{form}/submission",
    ),
    (
        "GET",
        "/api/v1/patient/cared-for/{id}/threads/{thread}/forms/{form}",
    ),
    (
        "PUT",
        "/api/v1/patient/cared-for/{id}/threads/{thread}/forms/{form}/draft",
    ),
    (
        "POST",
        "/api/v1/patient/cared-for/{id}/threads/{thread}/forms/{form}/submission",
    ),
    ("GET", "/api/v1/patient/threads/{id}/attachments/{file}"),
    (
        "GET",
        "/api/v1/patient/cared-for/{id}/threads/{thread}/attachments/{file}",
    ),
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

/// The document, as a client reads it.
async fn document(app: &TestApp) -> Value {
    reqwest::get(format!("{}/api/openapi.json", app.url))
        .await
        .expect("GET")
        .json()
        .await
        .expect("the document is JSON")
}

/// The schema a `$ref` names, or the schema itself.
fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    match schema["$ref"].as_str() {
        Some(reference) => {
            let name = reference
                .strip_prefix("#/components/schemas/")
                .expect("a schema reference");
            &doc["components"]["schemas"][name]
        }
        None => schema,
    }
}

/// The JSON schema of an operation's request body.
fn request_schema<'a>(doc: &'a Value, method: &str, path: &str) -> &'a Value {
    let body = &doc["paths"][path][method]["requestBody"]["content"]["application/json"]["schema"];
    assert!(body.is_object(), "{method} {path} documents a JSON body");
    resolve(doc, body)
}

fn required(schema: &Value) -> BTreeSet<&str> {
    schema["required"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect()
}

async fn the_patient_terms_body_is_the_one_the_server_reads(app: &TestApp) {
    let doc = document(app).await;
    let patient = request_schema(&doc, "post", "/api/v1/patient/terms");
    assert!(
        patient["properties"]["practice_id"].is_object(),
        "{patient}"
    );
    assert!(
        patient["properties"]["ticket"].is_null(),
        "the registration's body is not the patient's: {patient}"
    );
    assert_eq!(
        required(patient),
        BTreeSet::from(["practice_id", "version"])
    );

    let registration = request_schema(&doc, "post", "/api/v1/public/registrations/terms");
    assert_eq!(
        required(registration),
        BTreeSet::from(["ticket", "version"])
    );
    assert!(registration["properties"]["practice_id"].is_null());
}

async fn required_fields_are_required_and_bounded_without_an_empty_default(app: &TestApp) {
    let doc = document(app).await;
    let expected: &[(&str, &str, &[&str])] = &[
        (
            "post",
            "/api/v1/staff",
            &["display_name", "email", "role", "password"],
        ),
        ("post", "/api/v1/providers", &["display_name"]),
        (
            "post",
            "/api/v1/programs",
            &["name", "signup_code", "policy"],
        ),
        (
            "put",
            "/api/v1/programs/{id}",
            &["name", "signup_code", "policy"],
        ),
        ("post", "/api/v1/public/invitations/redeem", &["birth_date"]),
        (
            "post",
            "/api/v1/public/patient-sessions",
            &["name", "password"],
        ),
        (
            "post",
            "/api/v1/public/registrations/phone/send",
            &["ticket", "channel"],
        ),
        (
            "post",
            "/api/v1/public/password-recovery/finish",
            &["recovery_token", "code", "password"],
        ),
        ("post", "/api/v1/public/username-reminder", &["phone"]),
    ];
    for (method, path, fields) in expected {
        let schema = request_schema(&doc, method, path);
        assert_eq!(
            required(schema),
            fields.iter().copied().collect(),
            "{method} {path}: {schema}"
        );
    }
    // The patient's own details, flattened into the invitation.
    let person = &doc["components"]["schemas"]["PersonInput"];
    assert_eq!(
        required(person),
        BTreeSet::from(["first_name", "last_name", "birth_date"])
    );

    // The constraints come from the domain types that parse the fields.
    let schemas = &doc["components"]["schemas"];
    assert_eq!(schemas["PersonName"]["maxLength"], 100);
    assert_eq!(schemas["PersonName"]["minLength"], 1);
    assert_eq!(schemas["DisplayName"]["maxLength"], 120);
    assert_eq!(schemas["EmailAddress"]["maxLength"], 254);
    assert_eq!(schemas["Password"]["minLength"], 15);
    assert_eq!(schemas["Password"]["maxLength"], 128);
    assert_eq!(schemas["Username"]["minLength"], 5);
    assert!(
        schemas["NewInvitationInput"]
            .to_string()
            .contains("#/components/schemas/OrBlank_Username"),
        "staff may choose the username: {}",
        schemas["NewInvitationInput"]
    );
    assert_eq!(
        schemas["StaffRole"]["enum"],
        json!(["admin", "staff", "provider"])
    );
    assert_eq!(
        schemas["ProgramPolicy"]["enum"],
        json!(["notify", "silent", "approval"])
    );
    let send = request_schema(&doc, "post", "/api/v1/public/registrations/phone/send");
    assert_eq!(
        send["properties"]["channel"]["enum"],
        json!(["sms", "voice"])
    );
    let settings = request_schema(&doc, "patch", "/api/v1/practice");
    assert_eq!(settings["properties"]["invite_expiry_days"]["minimum"], 1);
    assert_eq!(settings["properties"]["invite_expiry_days"]["maximum"], 90);
    let limit = doc["paths"]["/api/v1/invitations"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "limit")
        .expect("the limit parameter");
    assert_eq!(limit["schema"]["maximum"], 200);

    // No required field claims a default: a client leaving it out gets 422, not the default.
    for (name, schema) in schemas.as_object().unwrap() {
        let Some(properties) = schema["properties"].as_object() else {
            continue;
        };
        for field in required(schema) {
            assert!(
                properties[field].get("default").is_none(),
                "{name}.{field} is required but documents a default: {}",
                properties[field]
            );
        }
        for (field, property) in properties {
            assert_ne!(
                property.get("default"),
                Some(&json!("")),
                "{name}.{field} documents an empty default"
            );
        }
    }
}

async fn every_operation_documents_the_errors_it_can_answer(app: &TestApp) {
    let doc = document(app).await;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let responses = operation["responses"].as_object().unwrap();
            let has = |status: &str| responses.contains_key(status);
            let route = format!("{method} {path}");
            if operation.get("requestBody").is_some() {
                for status in ["400", "408", "413", "415"] {
                    assert!(
                        has(status),
                        "{route} takes a body but documents no {status}"
                    );
                }
            }
            if path.contains('{') {
                assert!(
                    has("400"),
                    "{route} takes a path parameter but documents no 400"
                );
            }
            if operation["security"] != json!([{}]) {
                assert!(has("401"), "{route} needs a caller but documents no 401");
            }
            for (status, response) in responses {
                if status.starts_with('4') {
                    let reference = response["$ref"].as_str().unwrap_or_default();
                    let name = reference.trim_start_matches("#/components/responses/");
                    let response = if reference.is_empty() {
                        response
                    } else {
                        &doc["components"]["responses"][name]
                    };
                    assert!(
                        response["content"]["application/problem+json"].is_object(),
                        "{route} {status} is not a problem document: {response}"
                    );
                }
            }
        }
    }
    let not_allowed = &doc["components"]["responses"]["MethodNotAllowed"];
    assert!(not_allowed["headers"]["Allow"].is_object(), "{not_allowed}");
}
