//! Self-registration with a program's sign-up code: the patient is enrolled under the program's
//! policy (approval, notify or silent), and only the program's practice sees and decides.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::json;
use wiremock::MockServer;

use crate::common::responses::{Notification, PendingLink};
use crate::common::{Api, PASSPHRASE, TestApp, csrf_token, with_provider};

with_provider!(sign_up_codes_enrol_into_the_program_under_its_policy);

async fn sign_up_codes_enrol_into_the_program_under_its_policy(
    app: &TestApp,
    provider: &MockServer,
) {
    let lakeside = app.practice_with_admin("Lakeside Clinic").await;
    for (name, code, policy) in [
        ("Diabetes care", "Sugar2026", "approval"),
        ("Heart health", "Heart2026", "notify"),
        ("Wellness", "Well2026", "silent"),
    ] {
        lakeside.add_program(name, code, policy).await;
    }
    let pending = || async {
        Api::expect_as::<Vec<PendingLink>>(
            lakeside.get("/patient-links/pending").await,
            StatusCode::OK,
        )
        .await
    };
    // Approval: the card waits until staff approve.
    let ana = app
        .registered_with_code(provider, "sugar2026", "ana@example.org")
        .await;
    let card = ana.me().await.cards[0].clone();
    assert_eq!(card.program_name.as_deref(), Some("Diabetes care"));
    assert_eq!(card.status, "pending");
    // The visit screen tells her why the card is not yet of use.
    let visit_screen = || async {
        (ana.client.get(format!("{}/portal", app.url)))
            .header("cookie", format!("portico_patient={}", ana.token))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    };
    const WAITING: &str = "Waiting for the practice to approve your sign-up.";
    assert!(visit_screen().await.contains(WAITING));
    let waiting = pending().await;
    assert_eq!(waiting.len(), 1);
    assert_eq!(waiting[0].first_name, "Maria");
    let link = &waiting[0].id;
    assert_eq!(
        lakeside
            .post(&format!("/patient-links/{link}/approve"), &json!({}))
            .await
            .status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(ana.me().await.cards[0].status, "active");
    let approved = visit_screen().await;
    assert!(approved.contains("Diabetes care") && !approved.contains(WAITING));
    assert_eq!(
        Api::expect(lakeside.get("/patient-links/pending").await, StatusCode::OK).await,
        json!([])
    );

    // Notify: staff get a notification; silent: nothing.
    // Later sign-ups come later (the test clock stands still otherwise): newest first below.
    app.advance(Duration::from_secs(60));
    let ben = app
        .registered_with_code(provider, "HEART 2026", "ben@example.org")
        .await;
    assert_eq!(ben.me().await.cards[0].status, "active");
    app.registered_with_code(provider, "Well2026", "cy@example.org")
        .await;
    let notes: Vec<Notification> =
        Api::expect_as(lakeside.get("/notifications").await, StatusCode::OK).await;
    let kinds: Vec<(&str, &str)> = notes
        .iter()
        .map(|n| (n.kind.as_str(), n.program_name.as_deref().unwrap()))
        .collect();
    assert_eq!(
        kinds,
        [
            ("patient.signed_up", "Heart health"),
            ("patient.awaits_approval", "Diabetes care")
        ]
    );

    // Another practice sees none of it and cannot approve this practice's links.
    let hilltop = app.practice_with_admin("Hilltop Clinic").await;
    assert_eq!(
        Api::expect(hilltop.get("/notifications").await, StatusCode::OK).await,
        json!([])
    );
    assert_eq!(
        hilltop
            .post(&format!("/patient-links/{link}/approve"), &json!({}))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );

    // On the staff pages: a second approval sign-up is listed, and declining it ends the link,
    // so that patient sees no card (and, with no link left, cannot sign in).
    app.advance(Duration::from_secs(60));
    let dee = app
        .registered_with_code(provider, "Sugar2026", "dee@example.org")
        .await;
    let desk = lakeside.admin().await;
    let page = desk.get("/staff/sign-ups").await.text().await.unwrap();
    assert!(
        page.contains("Waiting for approval") && page.contains("Maria Lopez"),
        "{page}"
    );
    assert!(
        page.contains("Signed up: Maria Lopez (Heart health)"),
        "{page}"
    );
    let waiting = pending().await;
    let dee_link = &waiting[0].id;
    let csrf = csrf_token(&page);
    let res = desk
        .post_form(
            &format!("/staff/sign-ups/{dee_link}/decline"),
            &[("csrf_token", csrf.as_str())],
        )
        .await;
    assert!(res.status().is_redirection(), "{}", res.status());
    let back_to = res.headers()["location"].to_str().unwrap().to_owned();
    assert_eq!(back_to, "/staff/sign-ups?decided=declined");
    // Declined was her only link: her open session ends with it.
    assert_eq!(dee.get("/patient").await.status(), StatusCode::UNAUTHORIZED);
    // The page says what was just decided, and each notification reads as things stand now.
    let page = desk.get(&back_to).await.text().await.unwrap();
    assert!(page.contains("Sign-up declined."), "{page}");
    assert!(
        page.contains("No sign-up is waiting for approval."),
        "{page}"
    );
    assert!(
        page.contains("Approved: Maria Lopez (Diabetes care)")
            && page.contains("Declined: Maria Lopez (Diabetes care)")
            && !page.contains("Awaits approval"),
        "{page}"
    );
    // With her password, Dee is told why she cannot sign in, rather than that it is wrong.
    assert_eq!(
        app.sign_in_patient("dee@example.org", PASSPHRASE)
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
}
