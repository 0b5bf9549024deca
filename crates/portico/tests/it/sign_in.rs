//! Staff sign-in, sessions, sign-out, CSRF and throttling.

use std::time::Duration;

use reqwest::StatusCode;

use crate::common::{
    ADMIN_EMAIL, ADMIN_PASSWORD, STAFF_PASSWORD, TestApp, location, on_both, retry_after,
    set_cookie,
};

on_both!(
    signing_in_with_the_right_password_opens_the_staff_pages,
    unknown_email_and_wrong_password_get_the_same_answer,
    a_form_without_its_csrf_token_is_refused_with_403,
    a_form_posted_from_another_site_is_refused,
    signing_out_ends_the_session_for_good,
    sign_out_everywhere_ends_every_session_of_that_person,
    an_idle_session_ends_after_thirty_minutes,
    repeated_wrong_passwords_are_throttled_with_retry_after,
    the_session_cookie_is_http_only_and_same_site,
    a_deactivated_staff_member_is_signed_out_at_once,
);

async fn signing_in_with_the_right_password_opens_the_staff_pages(app: &TestApp) {
    app.set_up_practice("North Clinic").await;
    let (browser, res) = app.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res), "/staff");
    let home = browser.get("/staff").await;
    assert_eq!(home.status(), StatusCode::OK);
    assert!(home.text().await.unwrap().contains("North Clinic"));
    // The email is case-insensitive at sign-in.
    let (_, res) = app
        .sign_in(&ADMIN_EMAIL.to_uppercase(), ADMIN_PASSWORD)
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
}

async fn unknown_email_and_wrong_password_get_the_same_answer(app: &TestApp) {
    app.set_up_practice("North Clinic").await;
    let (_, wrong_password) = app.sign_in(ADMIN_EMAIL, "maple orbit candle drifts").await;
    let (_, unknown_user) = app
        .sign_in("nobody@clinic.example", "maple orbit candle drifts")
        .await;
    assert_eq!(wrong_password.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(unknown_user.status(), StatusCode::UNAUTHORIZED);
    let a = wrong_password
        .text()
        .await
        .unwrap()
        .replace(ADMIN_EMAIL, "EMAIL");
    let b = unknown_user
        .text()
        .await
        .unwrap()
        .replace("nobody@clinic.example", "EMAIL");
    let strip_csrf = |html: &str| html.replace(&crate::common::csrf_token(html), "CSRF");
    assert_eq!(
        strip_csrf(&a),
        strip_csrf(&b),
        "the two pages differ only in the echoed email and token"
    );
    assert!(a.contains("do not match an account"));
}

async fn a_form_without_its_csrf_token_is_refused_with_403(app: &TestApp) {
    let admin = app.set_up_practice("North Clinic").await;
    // Signed in, adding a staff member without the token.
    let res = admin
        .post_form(
            "/staff/members",
            &[
                ("display_name", "Sam Staff"),
                ("email", "sam@clinic.example"),
                ("role", "staff"),
                ("password", STAFF_PASSWORD),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    // With a token from somewhere else (a guess), also refused.
    let res = admin
        .post_form(
            "/staff/members",
            &[
                ("csrf_token", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
                ("display_name", "Sam Staff"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    // Nothing was added.
    let list = admin.get("/staff/members").await.text().await.unwrap();
    assert!(!list.contains("sam@clinic.example"));
    // The sign-in form is protected too.
    let res = app
        .browser()
        .post_form(
            "/staff/sign-in",
            &[("email", ADMIN_EMAIL), ("password", ADMIN_PASSWORD)],
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}

async fn a_form_posted_from_another_site_is_refused(app: &TestApp) {
    let admin = app.set_up_practice("North Clinic").await;
    let csrf = admin.csrf_for("/staff/members").await;
    let res = admin
        .client
        .post(format!("{}/staff/members", app.url))
        .header("Origin", "https://attacker.example")
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("display_name", "Eve"),
            ("email", "eve@x.example"),
            ("role", "admin"),
            ("password", STAFF_PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);

    // `Origin: null` alone is refused; with the browser's own `Sec-Fetch-Site: same-origin` it is ours.
    let post_with = |origin: &'static str, fetch_site: Option<&'static str>| {
        let mut req = admin
            .client
            .post(format!("{}/staff/providers", app.url))
            .header("Origin", origin);
        if let Some(site) = fetch_site {
            req = req.header("Sec-Fetch-Site", site);
        }
        req.form(&[
            ("csrf_token", csrf.as_str()),
            ("display_name", "Dr. Null Origin"),
        ])
        .send()
    };
    assert_eq!(
        post_with("null", None).await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        post_with("null", Some("cross-site"))
            .await
            .unwrap()
            .status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        post_with("null", Some("same-origin"))
            .await
            .unwrap()
            .status(),
        StatusCode::SEE_OTHER
    );
}

async fn signing_out_ends_the_session_for_good(app: &TestApp) {
    let admin = app.set_up_practice("North Clinic").await;
    let cookie = admin.cookie_header();
    assert!(cookie.contains("portico_session="));
    let csrf = admin.csrf_for("/staff").await;
    let res = admin
        .post_form("/staff/sign-out", &[("csrf_token", &csrf)])
        .await;
    assert_eq!(location(&res), "/staff/sign-in?signed_out=1");
    // Replaying the old cookie from another client does not bring the session back.
    let replay = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let res = replay
        .get(format!("{}/staff", app.url))
        .header("Cookie", cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res), "/staff/sign-in");
}

async fn sign_out_everywhere_ends_every_session_of_that_person(app: &TestApp) {
    let laptop = app.set_up_practice("North Clinic").await;
    let (phone, _) = app.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let csrf = laptop.csrf_for("/staff").await;
    laptop
        .post_form("/staff/sign-out-everywhere", &[("csrf_token", &csrf)])
        .await;
    assert_eq!(
        location(&phone.get("/staff").await),
        "/staff/sign-in",
        "the other device is signed out too"
    );
}

async fn an_idle_session_ends_after_thirty_minutes(app: &TestApp) {
    let admin = app.set_up_practice("North Clinic").await;
    app.advance(Duration::from_secs(29 * 60));
    assert_eq!(
        admin.get("/staff").await.status(),
        StatusCode::OK,
        "still signed in after 29 idle minutes"
    );
    app.advance(Duration::from_secs(31 * 60));
    assert_eq!(
        location(&admin.get("/staff").await),
        "/staff/sign-in",
        "signed out after 31 idle minutes"
    );
}

async fn repeated_wrong_passwords_are_throttled_with_retry_after(app: &TestApp) {
    app.set_up_practice("North Clinic").await;
    for _ in 0..10 {
        let (_, res) = app.sign_in(ADMIN_EMAIL, "wrong wrong wrong wrong").await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    }
    let (_, res) = app.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(
        res.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "even the right password waits"
    );
    let retry = retry_after(&res);
    assert!(retry > 0 && retry <= 15 * 60, "Retry-After {retry}");
    assert!(res.text().await.unwrap().contains("Too many attempts"));
    // An unknown account is throttled the same way, so throttling reveals nothing.
    for _ in 0..10 {
        app.sign_in("ghost@clinic.example", "wrong wrong wrong wrong")
            .await;
    }
    let (_, res) = app
        .sign_in("ghost@clinic.example", "wrong wrong wrong wrong")
        .await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    // After the window, the right password works again.
    app.advance(Duration::from_secs(16 * 60));
    let (_, res) = app.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
}

async fn the_session_cookie_is_http_only_and_same_site(app: &TestApp) {
    app.set_up_practice("North Clinic").await;
    let (_, res) = app.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let session = set_cookie(&res, "portico_session");
    assert!(session.contains("HttpOnly"), "{session}");
    assert!(session.contains("SameSite=Lax"), "{session}");
    assert!(session.contains("Path=/"), "{session}");
    // Served over plain http here, so not Secure; over https (public_url) it is (see platform tests).
    assert!(!session.contains("Secure"), "{session}");
}

async fn a_deactivated_staff_member_is_signed_out_at_once(app: &TestApp) {
    let admin = app.set_up_practice("North Clinic").await;
    let sam_id = admin
        .add_staff("Sam Staff", "sam@clinic.example", "staff")
        .await;
    let sam_path = format!("/staff/members/{sam_id}");
    let (sam, _) = app.sign_in("sam@clinic.example", STAFF_PASSWORD).await;
    assert_eq!(sam.get("/staff").await.status(), StatusCode::OK);

    let csrf = admin.csrf_for(&sam_path).await;
    let res = admin
        .post_form(&sam_path, &[("csrf_token", &csrf), ("role", "staff")])
        .await; // box unticked
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&sam.get("/staff").await), "/staff/sign-in");
    let (_, again) = app.sign_in("sam@clinic.example", STAFF_PASSWORD).await;
    assert_eq!(again.status(), StatusCode::UNAUTHORIZED);
}
