//! Consent on the front-desk tablet (issue #20), its rules on both databases: *Start on tablet*
//! signs the staff member out on that device and opens the invitation's registration there; a
//! registration started so cannot be finished through the API (where it would sign the patient
//! in on the shared device); an invitation that can no longer be used says what to do instead;
//! a patient can stop and give the tablet back, which leaves the neutral screen and the invitation
//! open; and another practice's staff cannot start one of Lakeside's invitations.

use reqwest::StatusCode;
use serde_json::json;

use crate::common::{Browser, CLI_ADMIN_PASSWORD, Invitee, TestApp, csrf_token, on_both};

on_both!(
    starting_on_the_tablet_signs_the_desk_out_and_only_the_tablet_finishes,
    the_patient_can_stop_and_give_the_tablet_back,
    a_used_or_foreign_invitation_is_not_started_on_the_tablet,
);

/// Presses *Start on tablet* on the invitation's page; the answer, whatever it is.
async fn start_on_tablet(staff: &Browser, invitation_id: &str) -> reqwest::Response {
    let csrf = csrf_token(
        &staff
            .get("/staff/patients")
            .await
            .text()
            .await
            .expect("a page"),
    );
    staff
        .post_form(
            &format!("/staff/invitations/{invitation_id}/tablet"),
            &[("csrf_token", &csrf)],
        )
        .await
}

async fn starting_on_the_tablet_signs_the_desk_out_and_only_the_tablet_finishes(app: &TestApp) {
    let lakeside = app.practice_with_admin("Lakeside Clinic").await;
    let tina = lakeside
        .invite(&Invitee::new("Tina", "Tablet").email("tina@example.org"))
        .await;
    let tablet = lakeside.admin().await;
    let page = tablet
        .get(&format!("/staff/invitations/{}", tina.id))
        .await
        .text()
        .await
        .expect("the invitation");
    assert!(
        page.contains("Start on tablet"),
        "offered for an open invitation"
    );

    let res = start_on_tablet(&tablet, &tina.id).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], "/register/details");
    // The desk is signed out on the tablet: the staff console is not one tap away.
    let staff_page = tablet.get("/staff").await;
    assert_eq!(staff_page.status(), StatusCode::SEE_OTHER);
    assert_eq!(staff_page.headers()["location"], "/staff/sign-in");
    // The registration is Tina's, and says it runs on the tablet.
    let details = tablet
        .get("/register/details")
        .await
        .text()
        .await
        .expect("the details step");
    assert!(
        details.contains("value=\"Tina\""),
        "filled in from the invitation"
    );
    // While the patient holds it, the tablet starts no other registration.
    let entry = tablet.get("/register").await;
    assert_eq!(entry.headers()["location"], "/tablet/done");

    // Its ticket cannot be finished through the API, where it would sign her in.
    let ticket = tablet
        .cookie_header()
        .split("; ")
        .find_map(|c| c.strip_prefix("portico_registration="))
        .expect("the tablet's registration cookie")
        .to_owned();
    let view = app
        .anonymous_api()
        .post("/public/registrations/status", &json!({ "ticket": ticket }))
        .await;
    let view: serde_json::Value = view.json().await.expect("a view");
    assert_eq!(view["on_tablet"], true, "{view}");
    assert_eq!(
        view["consent_required"], true,
        "consent is signed on the tablet"
    );
    let res = app
        .anonymous_api()
        .post(
            "/public/registrations/complete",
            &json!({ "ticket": ticket }),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);

    // Staff taking the tablet back end the registration left open on it.
    let sign_in = tablet
        .get("/staff/sign-in")
        .await
        .text()
        .await
        .expect("a page");
    let res = tablet
        .post_form(
            "/staff/sign-in",
            &[
                ("csrf_token", csrf_token(&sign_in).as_str()),
                ("email", lakeside.admin_email.as_str()),
                ("password", CLI_ADMIN_PASSWORD),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(tablet.get("/register").await.status(), StatusCode::OK);
    assert_eq!(
        tablet.get("/register/details").await.headers()["location"],
        "/register?expired=1",
        "the registration left on the tablet is gone"
    );
}

async fn a_used_or_foreign_invitation_is_not_started_on_the_tablet(app: &TestApp) {
    let lakeside = app.practice_with_admin("Lakeside Clinic").await;
    let tina = lakeside
        .invite(&Invitee::new("Tina", "Tablet").email("tina@example.org"))
        .await;
    let harbor = app.practice_with_admin("Harbor Clinic").await;
    let other = harbor.admin().await;
    assert_eq!(
        start_on_tablet(&other, &tina.id).await.status(),
        StatusCode::NOT_FOUND
    );

    assert_eq!(lakeside.revoke(&tina.id).await.status(), StatusCode::OK);
    let desk = lakeside.admin().await;
    let res = start_on_tablet(&desk, &tina.id).await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    let page = res.text().await.expect("a page");
    assert!(page.contains("can no longer be used to register"), "{page}");
    // Refused, the desk stays signed in.
    assert_eq!(desk.get("/staff").await.status(), StatusCode::OK);
}

async fn the_patient_can_stop_and_give_the_tablet_back(app: &TestApp) {
    let lakeside = app.practice_with_admin("Lakeside Clinic").await;
    let tina = lakeside
        .invite(&Invitee::new("Tina", "Tablet").email("tina@example.org"))
        .await;
    let tablet = lakeside.admin().await;
    start_on_tablet(&tablet, &tina.id).await;
    let details = tablet
        .get("/register/details")
        .await
        .text()
        .await
        .expect("the details step");
    assert!(
        details.contains("href=\"/tablet/hand-back\""),
        "offered on the tablet"
    );

    let res = tablet.get("/tablet/hand-back").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], "/tablet/done");
    // Nothing of Tina's registration is one tap away any more.
    let back = tablet.get("/register/details").await;
    assert_eq!(back.status(), StatusCode::SEE_OTHER);
    assert_ne!(
        tablet.get("/register/details").await.status(),
        StatusCode::OK,
        "the registration page is gone from the tablet"
    );
    assert_eq!(
        tablet.get("/register").await.headers()["location"],
        "/tablet/done"
    );
    // Her invitation is still open: she can start again at the desk or at home.
    assert_eq!(lakeside.invitation(&tina.id).await.state, "sent");

    // A registration on one's own phone is not offered the tablet's way out.
    let own = app.browser();
    let res = own.get("/tablet/hand-back").await;
    assert_eq!(res.headers()["location"], "/register");
}
