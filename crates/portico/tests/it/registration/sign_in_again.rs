//! Coming back after registration: sessions that time out and end everywhere at once, and a
//! forgotten password reset by a code, with the same answers whether an account exists or not.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};
use wiremock::MockServer;

use crate::common::provider::{MESSAGES, forms_at};
use crate::common::responses::Problem;
use crate::common::{Api, PASSPHRASE, PHONE, PhoneInbox as _, TestApp, set_cookie, with_provider};

with_provider!(
    forgot_password_answers_alike_for_known_and_unknown_accounts,
    sessions_time_out_and_sign_out_everywhere_ends_them_all,
);

async fn forgot_password_answers_alike_for_known_and_unknown_accounts(
    app: &TestApp,
    provider: &MockServer,
) {
    let (_, maria) = app.registered_patient(provider).await;
    let texts_before = forms_at(provider, MESSAGES).await.len();

    let api = app.anonymous_api();
    let ask = |name: &'static str| {
        let api = &api;
        async move {
            api.post(
                "/public/password-recovery",
                &json!({ "name": name, "channel": "sms" }),
            )
            .await
        }
    };
    let known = ask("maria@example.org").await;
    let unknown = ask("nobody@example.org").await;
    assert_eq!(known.status(), StatusCode::ACCEPTED);
    assert_eq!(unknown.status(), StatusCode::ACCEPTED);
    let known: Value = known.json().await.unwrap();
    let unknown: Value = unknown.json().await.unwrap();
    assert_eq!(known["message"], unknown["message"]);
    assert_eq!(
        known.as_object().unwrap().keys().collect::<Vec<_>>(),
        unknown.as_object().unwrap().keys().collect::<Vec<_>>()
    );
    assert_eq!(
        known["recovery_token"].as_str().unwrap().len(),
        unknown["recovery_token"].as_str().unwrap().len()
    );
    // Wrong codes get the same answer for both.
    let finish = |token: &Value, code: &str, password: &str| {
        let body = json!({ "recovery_token": token, "code": code, "password": password });
        let api = &api;
        async move { api.post("/public/password-recovery/finish", &body).await }
    };
    let wrong_code = |token| async move {
        let refused = finish(token, "000000", "brass otter quilt sunrise").await;
        Api::expect_as::<Problem>(refused, StatusCode::UNPROCESSABLE_ENTITY).await
    };
    let a = wrong_code(&known["recovery_token"]).await;
    let b = wrong_code(&unknown["recovery_token"]).await;
    assert_eq!(a.errors, b.errors);

    // Only the real account was sent a code; it resets the password and ends every session.
    let reset_code = provider.code_sent_to(app, PHONE).await;
    assert_eq!(forms_at(provider, MESSAGES).await.len(), texts_before + 1);
    let weak: Problem = Api::expect_as(
        finish(&known["recovery_token"], &reset_code, "short").await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(weak.errors[0].field, "password");
    assert_eq!(
        finish(
            &known["recovery_token"],
            &reset_code,
            "brass otter quilt sunrise"
        )
        .await
        .status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        maria.get("/patient").await.status(),
        StatusCode::UNAUTHORIZED
    );
    let sign_in = |password: &'static str| async move {
        app.sign_in_patient("maria@example.org", password)
            .await
            .status()
    };
    assert_eq!(sign_in(PASSPHRASE).await, StatusCode::UNAUTHORIZED);
    assert_eq!(
        sign_in("brass otter quilt sunrise").await,
        StatusCode::CREATED
    );
    // The code was used once.
    assert_eq!(
        finish(
            &known["recovery_token"],
            &reset_code,
            "another fine passphrase"
        )
        .await
        .status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
}

async fn sessions_time_out_and_sign_out_everywhere_ends_them_all(
    app: &TestApp,
    provider: &MockServer,
) {
    app.registered_patient(provider).await;
    let sign_in = || app.signed_in_patient("maria@example.org", PASSPHRASE);
    // A wrong password and an unknown account get the same answer.
    let wrong = app
        .sign_in_patient("maria@example.org", "not the right one at all")
        .await;
    let unknown = app
        .sign_in_patient("nobody@example.org", "not the right one at all")
        .await;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(unknown.status(), StatusCode::UNAUTHORIZED);
    let wrong: Problem = wrong.json().await.unwrap();
    let unknown: Problem = unknown.json().await.unwrap();
    assert_eq!(wrong.detail, unknown.detail);

    // Idle time-out (30 minutes by default).
    let idle = sign_in().await;
    app.advance(Duration::from_secs(31 * 60));
    assert_eq!(
        idle.get("/patient").await.status(),
        StatusCode::UNAUTHORIZED
    );

    // Sign out everywhere ends the other device's session too.
    let phone = sign_in().await;
    let laptop = sign_in().await;
    let ended = Api::expect(
        laptop
            .post("/patient/sign-out-everywhere", &json!({}))
            .await,
        StatusCode::OK,
    )
    .await;
    // Three: registration signed the patient in too.
    assert_eq!(ended["sessions_ended"], 3);
    assert_eq!(
        phone.get("/patient").await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        laptop.get("/patient").await.status(),
        StatusCode::UNAUTHORIZED
    );

    // The page sign-in sets the session cookie HttpOnly and SameSite (Secure comes with the
    // `security.secure_cookies` setting; see `the_session_cookie_is_secure_behind_tls` in
    // `complete.rs`).
    let browser = app.browser();
    let csrf = browser.csrf_for("/portal/sign-in").await;
    let res = browser
        .post_form(
            "/portal/sign-in",
            &[
                ("csrf_token", &csrf),
                ("name", "maria@example.org"),
                ("password", PASSPHRASE),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let cookie = set_cookie(&res, "portico_patient");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(!cookie.contains("Secure"), "plain HTTP in tests: {cookie}");
}
