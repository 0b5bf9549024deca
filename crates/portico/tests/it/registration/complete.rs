//! The last step: the account is made and signed in, and behind TLS the session cookie the last
//! registration page sets is `Secure`, `HttpOnly` and `SameSite`.

use reqwest::StatusCode;
use wiremock::MockServer;

use crate::common::provider::{self, accept_all};
use crate::common::{Backend, Details, TestApp, csrf_token, set_cookie};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_the_session_cookie_is_secure_behind_tls() {
    the_session_cookie_is_secure_behind_tls(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_the_session_cookie_is_secure_behind_tls() {
    the_session_cookie_is_secure_behind_tls(Backend::Postgres).await;
}

/// With `security.secure_cookies` on (the service behind TLS), the session cookie that the last
/// registration page sets is `Secure`, `HttpOnly` and `SameSite`. The client sends its cookies by
/// hand, as a TLS-terminating proxy in front of the service would pass them on.
async fn the_session_cookie_is_secure_behind_tls(backend: Backend) {
    let provider = MockServer::start().await;
    accept_all(&provider).await;
    let mut settings = provider::settings(&provider);
    settings.push(("PORTICO_SECURE_COOKIES", "true".to_owned()));
    let Some(app) = TestApp::spawn_with(backend, &settings).await else {
        return;
    };
    let lakeside = app.practice_with_admin("Lakeside Clinic").await;
    let registration = lakeside.start_registration().await;
    registration
        .enter_details(&Details::maria("maria@example.org"))
        .await;
    registration.verify_phone(&provider).await;
    let ticket = &registration.ticket;

    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let page = client
        .get(format!("{}/register", app.url))
        .send()
        .await
        .unwrap();
    let anon = set_cookie(&page, "__Host-portico_csrf");
    assert!(
        anon.contains("Secure") && anon.contains("HttpOnly"),
        "{anon}"
    );
    let anon_value = anon.split(';').next().unwrap().to_owned();
    let csrf = csrf_token(&page.text().await.unwrap());
    let res = client
        .post(format!("{}/register/terms", app.url))
        .header(
            "cookie",
            format!("{anon_value}; __Host-portico_registration={ticket}"),
        )
        .form(&[("csrf_token", csrf.as_str()), ("version", "1")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], "/portal?welcome=1");
    let session = set_cookie(&res, "__Host-portico_patient");
    for attribute in ["Secure", "HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(
            session.contains(attribute),
            "{attribute} missing: {session}"
        );
    }
    app.stop().await;
}
