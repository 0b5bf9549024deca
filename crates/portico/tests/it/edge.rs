//! What an anonymous caller can make the service do (issue #15): every public field has a length
//! limit checked before any work, the password meter is throttled, a body declared too large is
//! refused before it is read, and slow headers and bodies are cut off.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::responses::Problem;
use crate::common::{Api, TestApp, csrf_token, on_both, raw_exchange};

on_both!(
    an_enormous_password_check_is_refused_at_once_naming_the_field,
    a_password_check_at_the_largest_accepted_size_is_answered,
    over_long_fields_are_refused_on_every_public_endpoint,
    over_long_fields_on_sign_in_and_registration_pages_are_field_errors,
    a_body_declared_over_the_limit_is_refused_without_being_read,
);

/// `n` distinct words separated by spaces: what makes a personal-details check quadratic.
fn distinct_words(bytes: usize) -> String {
    let mut out = String::with_capacity(bytes + 16);
    let mut i = 0_u64;
    while out.len() < bytes {
        out.push_str(&format!("w{i}x "));
        i += 1;
    }
    out.truncate(bytes);
    out
}

/// Exactly `chars` characters of distinct words.
fn words_of(chars: usize) -> String {
    distinct_words(chars)
}

async fn problem(res: reqwest::Response, status: StatusCode) -> Problem {
    assert_eq!(
        res.headers()["content-type"],
        "application/problem+json",
        "a problem document"
    );
    Api::expect_as(res, status).await
}

async fn an_enormous_password_check_is_refused_at_once_naming_the_field(app: &TestApp) {
    // 1.8 MB, under the 2 MB body limit: today this name keeps a core busy for minutes.
    let name = distinct_words(1_800_000);
    let res = app
        .anonymous_api()
        .post(
            "/public/password-check",
            &json!({ "password": "copper lantern orbit meadow", "first_name": name }),
        )
        .await;
    let problem = problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(problem.kind, "/problems/invalid-fields");
    assert_eq!(problem.fields(), ["first_name"]);
    assert_eq!(problem.errors[0].message, "Use at most 100 characters.");
}

async fn a_password_check_at_the_largest_accepted_size_is_answered(app: &TestApp) {
    // Every field at the longest length accepted as typed (BENCHMARKS.md times it).
    let body = largest_password_check();
    let res = app
        .anonymous_api()
        .post("/public/password-check", &body)
        .await;
    let rating = Api::expect(res, StatusCode::OK).await;
    assert!(rating["score"].is_u64(), "{rating}");
    assert_eq!(rating["acceptable"], false, "512 characters is over 128");
}

/// The largest password-check request the service accepts.
pub fn largest_password_check() -> Value {
    json!({
        "password": words_of(512),
        "first_name": words_of(400),
        "last_name": words_of(400),
        "email": words_of(508),
        "birth_date": words_of(32),
    })
}

async fn over_long_fields_are_refused_on_every_public_endpoint(app: &TestApp) {
    let api = app.anonymous_api();
    let long = distinct_words(10_000);
    let cases: Vec<(&str, Value, &str)> = vec![
        (
            "/public/invitations/redeem",
            json!({ "code": long, "birth_date": "1980-02-03" }),
            "code",
        ),
        (
            "/public/invitations/redeem",
            json!({ "code": "ABC-234-DEF", "birth_date": long }),
            "birth_date",
        ),
        (
            "/public/provider-codes/lookup",
            json!({ "code": long }),
            "code",
        ),
        (
            "/public/signup-codes/lookup",
            json!({ "code": long }),
            "code",
        ),
        ("/public/registrations", json!({ "code": long }), "code"),
        (
            "/public/registrations/status",
            json!({ "ticket": long }),
            "ticket",
        ),
        (
            "/public/registrations/phone/verify",
            json!({ "ticket": "t", "code": long }),
            "code",
        ),
        (
            "/public/registrations/consent",
            json!({ "ticket": "t", "signature": long }),
            "signature",
        ),
        (
            "/public/patient-sessions",
            json!({ "name": long, "password": "x" }),
            "name",
        ),
        (
            "/public/patient-sessions",
            json!({ "name": "maria@example.org", "password": long }),
            "password",
        ),
        (
            "/public/password-recovery",
            json!({ "name": long, "channel": "email" }),
            "name",
        ),
        (
            "/public/password-recovery/finish",
            json!({ "recovery_token": "t", "code": "123456", "password": long }),
            "password",
        ),
    ];
    for (path, body, field) in cases {
        let res = api.post(path, &body).await;
        let problem = problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(problem.fields(), [field], "{path}");
    }
}

async fn over_long_fields_on_sign_in_and_registration_pages_are_field_errors(app: &TestApp) {
    let long = distinct_words(10_000);
    let browser = app.browser();

    let csrf = browser.csrf_for("/portal/sign-in").await;
    let res = browser
        .post_form(
            "/portal/sign-in",
            &[("csrf_token", &csrf), ("name", &long), ("password", "x")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    assert!(html.contains("Use at most 254 characters."), "{html}");
    assert!(
        !html.contains(&long[..200]),
        "the long name is not sent back"
    );

    let csrf = browser.csrf_for("/staff/sign-in").await;
    let res = browser
        .post_form(
            "/staff/sign-in",
            &[
                ("csrf_token", &csrf),
                ("email", "ada@clinic.example"),
                ("password", &long),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("Use at most 128 characters.")
    );

    let page = browser.get("/register").await;
    let csrf = csrf_token(&page.text().await.unwrap());
    let res = browser
        .post_form("/register/self", &[("csrf_token", &csrf), ("code", &long)])
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("Use at most 128 characters.")
    );

    let res = browser
        .post_form(
            "/portal/forgot",
            &[("csrf_token", &csrf), ("name", &long), ("channel", "email")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("Use at most 254 characters.")
    );
}

async fn a_body_declared_over_the_limit_is_refused_without_being_read(app: &TestApp) {
    // The headers promise 3 MB; not one byte of it is sent.
    let request = "POST /api/v1/public/password-check HTTP/1.1\r\nHost: portico\r\n\
                   Content-Type: application/json\r\nContent-Length: 3000000\r\n\r\n";
    let answer = raw_exchange(app, request.as_bytes().to_vec()).await;
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.contains("application/problem+json"), "{answer}");
    assert!(answer.contains("/problems/body-too-large"), "{answer}");
}

mod throttled {
    use super::*;

    on_both!(settings: &[("PORTICO_LIMIT_PASSWORD_CHECKS", "3")]; password_checks_are_throttled_per_address);

    async fn password_checks_are_throttled_per_address(app: &TestApp) {
        let api = app.anonymous_api();
        let body = json!({ "password": "copper lantern orbit meadow" });
        for _ in 0..3 {
            Api::expect(
                api.post("/public/password-check", &body).await,
                StatusCode::OK,
            )
            .await;
        }
        let res = api.post("/public/password-check", &body).await;
        assert!(res.headers().contains_key("retry-after"));
        let problem = problem(res, StatusCode::TOO_MANY_REQUESTS).await;
        assert_eq!(problem.kind, "/problems/too-many-attempts");
    }
}

mod slow_clients {
    use super::*;

    on_both!(
        settings: &[("PORTICO_HEADER_TIMEOUT_SECONDS", "1"), ("PORTICO_BODY_TIMEOUT_SECONDS", "1")];
        headers_that_never_finish_are_cut_off,
        a_body_that_never_finishes_gets_408,
    );

    async fn headers_that_never_finish_are_cut_off(app: &TestApp) {
        // Half a request line and one header, then silence: the server closes the connection
        // (with at most a 408) instead of waiting for ever.
        let answer = raw_exchange(app, b"GET /healthz HTTP/1.1\r\nHost: por".to_vec()).await;
        assert!(
            answer.is_empty() || answer.starts_with("HTTP/1.1 408"),
            "{answer}"
        );
        // The service itself is fine.
        let ok = app.browser().get("/healthz").await;
        assert_eq!(ok.status(), StatusCode::OK);
    }

    async fn a_body_that_never_finishes_gets_408(app: &TestApp) {
        let request = "POST /api/v1/public/password-check HTTP/1.1\r\nHost: portico\r\n\
                       Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"passw";
        let answer = raw_exchange(app, request.as_bytes().to_vec()).await;
        assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
        assert!(answer.contains("/problems/body-timeout"), "{answer}");
    }
}
