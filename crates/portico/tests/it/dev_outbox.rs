//! `/dev/outbox` for development only (issue #15): served only while every transport is `log`,
//! to admins, audited, and never showing the account-recovery code of a patient who is also (or
//! only) linked to another practice.

use reqwest::StatusCode;
use serde_json::json;

use crate::common::{
    ADMIN_EMAIL, ADMIN_PASSWORD, Api, Browser, PhoneInbox, STAFF_PASSWORD, TestApp, on_both,
};

on_both!(
    staff_who_are_not_admins_get_403_and_an_admins_look_is_audited,
    recovery_codes_of_patients_linked_to_another_practice_are_not_shown,
);

async fn staff_who_are_not_admins_get_403_and_an_admins_look_is_audited(app: &TestApp) {
    let admin = app.set_up_practice("Lakeside Clinic").await;
    admin
        .add_staff("Sam Staff", "sam@clinic.example", "staff")
        .await;
    let (staff, _) = app.sign_in("sam@clinic.example", STAFF_PASSWORD).await;
    assert_eq!(
        staff.get("/dev/outbox").await.status(),
        StatusCode::FORBIDDEN
    );
    let looks = "audit_events WHERE action = 'dev_outbox.viewed'";
    assert_eq!(
        app.count_rows(looks).await,
        0,
        "a refused look shows nothing"
    );

    let (admin, _) = app.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(admin.get("/dev/outbox").await.status(), StatusCode::OK);
    assert_eq!(
        app.count_rows(looks).await,
        1,
        "the admin's look is audited"
    );
}

/// The messages of one kind on an admin's outbox page, each as the HTML of its article.
async fn articles(admin: &Browser, kind: &str) -> Vec<String> {
    let html = admin.get("/dev/outbox").await.text().await.unwrap();
    html.split("<article")
        .skip(1)
        .filter(|a| a.contains(&format!("· {kind} ·")))
        .map(|a| a.split("</article>").next().unwrap().to_owned())
        .collect()
}

/// A practice's outbox page, read by its admin: where this file's patients read their phone
/// codes (the `log` transport sends nothing).
struct DevOutbox<'a>(&'a Browser);

impl PhoneInbox for DevOutbox<'_> {
    /// The newest message's text on the page starts with the code just sent (to whomever).
    async fn code_sent_to(&self, _app: &TestApp, _number: &str) -> String {
        let html = self.0.get("/dev/outbox").await.text().await.unwrap();
        let marker = "<pre class=\"message-text\">";
        let start = html.find(marker).expect("a message with its text") + marker.len();
        html[start..].chars().take(6).collect()
    }
}

async fn forgot(app: &TestApp, email: &str) {
    Api::expect(
        app.anonymous_api()
            .post(
                "/public/password-recovery",
                &json!({ "name": email, "channel": "email" }),
            )
            .await,
        StatusCode::ACCEPTED,
    )
    .await;
}

async fn recovery_codes_of_patients_linked_to_another_practice_are_not_shown(app: &TestApp) {
    let lakeside = app.practice_with_admin("Lakeside Clinic").await;
    let hilltop = app.practice_with_admin("Hilltop Clinic").await;
    let lakeside_code = lakeside.provider_code().await;
    let hilltop_code = hilltop.provider_code().await;
    let lakeside = lakeside.admin().await;
    let hilltop = hilltop.admin().await;

    // Maria registered at Lakeside, then linked Hilltop: her recovery code is written for
    // Lakeside (her first practice), but whoever reads it can take over her Hilltop record too.
    let maria = app
        .registered_with_code(&DevOutbox(&lakeside), &lakeside_code, "maria@example.org")
        .await;
    app.advance(std::time::Duration::from_secs(60));
    Api::expect(maria.add_provider_code(&hilltop_code).await, StatusCode::OK).await;
    forgot(app, "maria@example.org").await;
    let shown = articles(&lakeside, "recovery_code").await;
    assert_eq!(shown.len(), 1, "the message is listed");
    assert!(!shown[0].contains("message-text"), "{}", shown[0]);
    assert!(shown[0].contains("Not shown"), "{}", shown[0]);
    assert!(articles(&hilltop, "recovery_code").await.is_empty());

    // Jon is linked only to Hilltop: Lakeside's admin never sees his code; Hilltop's does.
    app.registered_with_code(&DevOutbox(&hilltop), &hilltop_code, "jon@example.org")
        .await;
    forgot(app, "jon@example.org").await;
    assert_eq!(
        articles(&lakeside, "recovery_code").await.len(),
        1,
        "only Maria's"
    );
    let hilltop_view = articles(&hilltop, "recovery_code").await;
    assert_eq!(hilltop_view.len(), 1);
    assert!(
        hilltop_view[0].contains("message-text"),
        "{}",
        hilltop_view[0]
    );
}

mod with_a_real_transport {
    use super::*;

    on_both!(
        settings: &[
            ("PORTICO_EMAIL_TRANSPORT", "smtp"),
            ("PORTICO_SMTP_HOST", "127.0.0.1"),
            ("PORTICO_SMTP_PORT", "2525"),
            ("PORTICO_SMTP_TLS", "none"),
            ("PORTICO_EMAIL_FROM", "Lakeside Clinic <portal@lakeside.example>"),
        ];
        the_page_does_not_exist_when_email_is_sent_for_real,
    );

    /// Email by SMTP, SMS still `log`: the outbox holds mail people really receive.
    async fn the_page_does_not_exist_when_email_is_sent_for_real(app: &TestApp) {
        let admin = app.set_up_practice("Lakeside Clinic").await;
        assert_eq!(
            admin.get("/dev/outbox").await.status(),
            StatusCode::NOT_FOUND
        );
    }
}
