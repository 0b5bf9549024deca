//! Your account, `/staff/account` (issue #19): every staff member sees their name and email and
//! changes their own password; the change keeps this session and signs out the others; the old
//! password stops working and the new one works. A wrong current password is a message next to
//! its field, audited, and counts against sign-in exactly like a wrong sign-in; a weak new
//! password is refused with the same rules as everywhere, and nothing changes.

use reqwest::StatusCode;

use crate::common::{Browser, CLI_ADMIN_PASSWORD, STAFF_PASSWORD, TestApp, location, on_both};

on_both!(
    changing_ones_password_signs_out_the_other_sessions_and_keeps_this_one,
    a_wrong_current_password_is_a_field_error_and_counts_against_sign_in,
    a_weak_new_password_is_refused_and_nothing_changes,
    every_staff_member_has_the_page_and_add_staff_points_to_it,
);

const NEW_PASSWORD: &str = "violet harbour kettle summit";

async fn page(browser: &Browser, path: &str) -> String {
    let res = browser.get(path).await;
    assert_eq!(res.status(), StatusCode::OK, "{path}");
    res.text().await.expect("page")
}

/// Posts the change-password form; answers the account page it leads back to.
async fn change(browser: &Browser, current: &str, new: &str) -> String {
    let csrf = browser.csrf_for("/staff/account").await;
    let res = browser
        .post_form(
            "/staff/account/password",
            &[
                ("csrf_token", csrf.as_str()),
                ("current_password", current),
                ("password", new),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res), "/staff/account");
    page(browser, "/staff/account").await
}

async fn changing_ones_password_signs_out_the_other_sessions_and_keeps_this_one(app: &TestApp) {
    let lakeside = app.practice_with_admin("Lakeside Clinic").await;
    let desk = lakeside.admin().await;
    let phone = lakeside.admin().await;
    let html = page(&desk, "/staff/account").await;
    assert!(html.contains("Bea Admin"), "{html}");
    assert!(html.contains(&lakeside.admin_email), "{html}");
    assert!(html.contains("data-password-check"), "the strength meter");

    let html = change(&desk, CLI_ADMIN_PASSWORD, NEW_PASSWORD).await;
    assert!(
        html.contains("Your password is changed. You are still signed in here; 1 other session was signed out."),
        "{html}"
    );
    // Said once.
    assert!(
        !page(&desk, "/staff/account")
            .await
            .contains("Your password is changed")
    );

    assert_eq!(
        desk.get("/staff").await.status(),
        StatusCode::OK,
        "this one stays"
    );
    let signed_out = phone.get("/staff").await;
    assert_eq!(
        signed_out.status(),
        StatusCode::SEE_OTHER,
        "the other is signed out"
    );
    assert!(location(&signed_out).starts_with("/staff/sign-in"));

    let (_, old) = app.sign_in(&lakeside.admin_email, CLI_ADMIN_PASSWORD).await;
    assert_eq!(
        old.status(),
        StatusCode::UNAUTHORIZED,
        "the old password stops working"
    );
    let (_, new) = app.sign_in(&lakeside.admin_email, NEW_PASSWORD).await;
    assert_eq!(new.status(), StatusCode::SEE_OTHER, "the new one works");

    let log = page(&desk, "/staff/audit?what=staff.password_changed").await;
    assert!(
        log.contains("Bea Admin changed their password; their other sessions were signed out."),
        "{log}"
    );
}

async fn a_wrong_current_password_is_a_field_error_and_counts_against_sign_in(app: &TestApp) {
    let lakeside = app.practice_with_admin("Lakeside Clinic").await;
    let desk = lakeside.admin().await;
    let html = change(&desk, "not my password at all", NEW_PASSWORD).await;
    assert!(
        html.contains("That is not your current password. Check it and try again."),
        "{html}"
    );
    assert!(
        html.contains("id=\"current_password-error\""),
        "next to its field"
    );
    assert!(html.contains("error-summary"));
    assert!(
        html.contains(&format!("value=\"{NEW_PASSWORD}\"")),
        "a new password that passed the rules is kept"
    );
    assert!(
        !html.contains("not my password at all"),
        "the current one never is"
    );

    // Wrong current passwords count like wrong sign-ins: ten of them, and the sign-in from the
    // same desk waits, the right password included.
    for _ in 0..9 {
        change(&desk, "not my password at all", NEW_PASSWORD).await;
    }
    let html = change(&desk, "not my password at all", NEW_PASSWORD).await;
    assert!(html.contains("Too many wrong passwords."), "{html}");
    let (_, res) = app.sign_in(&lakeside.admin_email, CLI_ADMIN_PASSWORD).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    // Nothing changed, and the session still works.
    assert_eq!(desk.get("/staff").await.status(), StatusCode::OK);

    let log = page(&desk, "/staff/audit?what=staff.password_changed").await;
    assert!(
        log.contains("Bea Admin typed a wrong current password while changing their password."),
        "{log}"
    );
    assert!(log.contains("Failed"), "{log}");
}

async fn a_weak_new_password_is_refused_and_nothing_changes(app: &TestApp) {
    let lakeside = app.practice_with_admin("Lakeside Clinic").await;
    let desk = lakeside.admin().await;
    let other = lakeside.admin().await;
    let html = change(&desk, CLI_ADMIN_PASSWORD, "short").await;
    assert!(html.contains("id=\"password-error\""), "{html}");
    assert!(html.contains("15"), "the rule is said: {html}");
    assert!(
        !html.contains("value=\"short\""),
        "a refused password is not kept"
    );
    let html = change(&desk, CLI_ADMIN_PASSWORD, CLI_ADMIN_PASSWORD).await;
    assert!(
        html.contains("Choose a new password, not the one you have now."),
        "{html}"
    );
    assert_eq!(
        other.get("/staff").await.status(),
        StatusCode::OK,
        "no one was signed out"
    );
    let (_, res) = app.sign_in(&lakeside.admin_email, CLI_ADMIN_PASSWORD).await;
    assert_eq!(
        res.status(),
        StatusCode::SEE_OTHER,
        "the password is unchanged"
    );
}

async fn every_staff_member_has_the_page_and_add_staff_points_to_it(app: &TestApp) {
    let lakeside = app.practice_with_admin("Lakeside Clinic").await;
    let admin = lakeside.admin().await;
    let add_staff = page(&admin, "/staff/members").await;
    assert!(
        add_staff.contains(
            "They can change it later on their <a href=\"/staff/account\">Your account</a> page."
        ),
        "{add_staff}"
    );
    admin
        .add_staff("Dana Front", "dana@lakeside.example", "staff")
        .await;
    let (dana, _) = app.sign_in("dana@lakeside.example", STAFF_PASSWORD).await;
    let html = page(&dana, "/staff/account").await;
    assert!(html.contains("Dana Front") && html.contains("dana@lakeside.example"));
    assert!(html.contains("ask an admin of your practice"), "{html}");
    let html = change(&dana, STAFF_PASSWORD, NEW_PASSWORD).await;
    assert!(
        html.contains("You were not signed in anywhere else."),
        "{html}"
    );
    let (_, res) = app.sign_in("dana@lakeside.example", NEW_PASSWORD).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
}
