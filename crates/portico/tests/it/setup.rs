//! First run: the one-time set-up link creates the practice and its admin.

use std::time::Duration;

use reqwest::StatusCode;

use crate::common::{
    ADMIN_EMAIL, ADMIN_PASSWORD, CLI_ADMIN_PASSWORD, TestApp, csrf_token, location, on_both,
};

on_both!(
    the_set_up_link_creates_the_practice_and_signs_its_admin_in,
    the_set_up_link_works_only_once,
    the_set_up_link_expires_after_an_hour,
    set_up_errors_are_shown_by_their_fields_and_keep_what_was_typed,
    once_an_admin_exists_no_set_up_link_is_printed,
);

async fn the_set_up_link_creates_the_practice_and_signs_its_admin_in(app: &TestApp) {
    let browser = app.set_up_practice("Lakeside Family Clinic").await;
    let home = browser.get("/staff").await;
    assert_eq!(home.status(), StatusCode::OK);
    let html = home.text().await.unwrap();
    assert!(
        html.contains("Lakeside Family Clinic"),
        "home page names the practice"
    );
    assert!(html.contains("Ada Admin"), "the admin is signed in");

    // The admin can sign out and back in with what they chose.
    let csrf = browser.csrf_for("/staff").await;
    let out = browser
        .post_form("/staff/sign-out", &[("csrf_token", &csrf)])
        .await;
    assert_eq!(out.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&browser.get("/staff").await), "/staff/sign-in");
    let (_, res) = app.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res), "/staff");
}

async fn the_set_up_link_works_only_once(app: &TestApp) {
    app.set_up_practice("First Clinic").await;
    let link = app.setup_link.clone().unwrap();
    let again = app.browser().get_url(&link).await;
    assert_eq!(again.status(), StatusCode::GONE);
    assert!(
        again
            .text()
            .await
            .unwrap()
            .contains("This link has expired")
    );
}

async fn the_set_up_link_expires_after_an_hour(app: &TestApp) {
    let link = app.setup_link.clone().unwrap();
    app.advance(Duration::from_secs(59 * 60));
    assert_eq!(
        app.browser().get_url(&link).await.status(),
        StatusCode::OK,
        "still valid at 59 minutes"
    );
    app.advance(Duration::from_secs(2 * 60));
    assert_eq!(
        app.browser().get_url(&link).await.status(),
        StatusCode::GONE,
        "expired after 61 minutes"
    );
}

async fn set_up_errors_are_shown_by_their_fields_and_keep_what_was_typed(app: &TestApp) {
    let link = app.setup_link.clone().unwrap();
    let browser = app.browser();
    let csrf = csrf_token(&browser.get_url(&link).await.text().await.unwrap());
    let res = browser
        .post_form_url(
            &link,
            &[
                ("csrf_token", &csrf),
                ("practice_name", "Hillside Pediatrics"),
                ("display_name", "Ada Admin"),
                ("email", "not-an-email"),
                ("password", "short pass 14c"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    assert!(
        html.contains("value=\"Hillside Pediatrics\""),
        "the practice name is kept"
    );
    assert!(
        html.contains("id=\"email-error\""),
        "the email error stands by the email field"
    );
    assert!(
        html.contains("id=\"password-error\""),
        "the password error stands by the password field"
    );
    assert!(
        html.contains("15 characters"),
        "the password error says why"
    );
    assert!(
        !html.contains("short pass 14c"),
        "the password is never sent back"
    );
    // Nothing was created: the link still works.
    assert_eq!(app.browser().get_url(&link).await.status(), StatusCode::OK);
}

async fn once_an_admin_exists_no_set_up_link_is_printed(app: &TestApp) {
    app.cli_admin_create(
        "Riverside Clinic",
        "ops@riverside.example",
        CLI_ADMIN_PASSWORD,
    );
    let link = app.setup_link.clone().unwrap();
    assert_eq!(
        app.browser().get_url(&link).await.status(),
        StatusCode::GONE,
        "the old link closed when an admin was created"
    );
}
