//! Staff reads of patient data are audited record by record, naming the patient where the record
//! has one, so that an auditor can answer "who saw Maria's record, and when" (DESIGN §8).

use reqwest::StatusCode;
use serde_json::json;
use wiremock::MockServer;

use crate::audit::audit_events;
use crate::common::{Api, TestApp};
use crate::registration::register;
use crate::sms::{accept_all, with_provider};

with_provider!(
    listing_invitations_audits_each_shown_invitation_and_its_patient,
    listing_sign_ups_and_notifications_audits_each_shown_patient,
);

const BIRTH: &str = "1980-02-03";

async fn invite(staff: &Api, first_name: &str, email: &str) -> (String, String) {
    let invitation = Api::expect(
        staff
            .post(
                "/invitations",
                &json!({
                    "first_name": first_name, "last_name": "Lopez", "birth_date": BIRTH,
                    "email": email, "phone": "+14155550123", "channels": ["email"],
                }),
            )
            .await,
        StatusCode::CREATED,
    )
    .await;
    (
        invitation["id"].as_str().unwrap().to_owned(),
        invitation["code"].as_str().unwrap().to_owned(),
    )
}

async fn listing_invitations_audits_each_shown_invitation_and_its_patient(
    app: &TestApp,
    provider: &MockServer,
) {
    accept_all(provider).await;
    let staff = app
        .integrator("Lakeside Clinic", "admin@lakeside.example")
        .await;
    let (maria_invitation, code) = invite(&staff, "Maria", "maria.lopez@example.org").await;
    let (ben_invitation, _) = invite(&staff, "Ben", "ben.lopez@example.org").await;
    let redeemed = Api::expect(
        app.anonymous_api()
            .post(
                "/public/invitations/redeem",
                &json!({ "code": code, "birth_date": BIRTH }),
            )
            .await,
        StatusCode::OK,
    )
    .await;
    let ticket = redeemed["ticket"].as_str().unwrap();
    let done = register(app, provider, ticket, "maria.lopez@example.org").await;
    let maria = done["patient_id"].as_str().unwrap().to_owned();

    let page = Api::expect(staff.get("/invitations").await, StatusCode::OK).await;
    assert_eq!(page["items"].as_array().unwrap().len(), 2);
    Api::expect(
        staff.get(&format!("/invitations/{maria_invitation}")).await,
        StatusCode::OK,
    )
    .await;

    let events = audit_events(app).await;
    let listed: Vec<_> = events
        .iter()
        .filter(|e| e.action == "invitation.listed")
        .collect();
    assert_eq!(listed.len(), 2, "one event per shown invitation");
    for (invitation, patient) in [(&maria_invitation, Some(&maria)), (&ben_invitation, None)] {
        let event = listed
            .iter()
            .find(|e| e.subject_id.as_ref() == Some(invitation))
            .unwrap_or_else(|| panic!("no event names invitation {invitation}"));
        assert_eq!(event.subject_kind.as_deref(), Some("invitation"));
        assert_eq!(event.actor_kind, "api_token");
        assert_eq!(event.patient_id.as_ref(), patient);
    }
    // "Who saw Maria's record": her list line and the detail view, by patient.
    let about_maria: Vec<&str> = events
        .iter()
        .filter(|e| e.patient_id.as_ref() == Some(&maria) && e.actor_kind == "api_token")
        .map(|e| e.action.as_str())
        .collect();
    assert_eq!(about_maria, ["invitation.listed", "invitation.viewed"]);
}

async fn listing_sign_ups_and_notifications_audits_each_shown_patient(
    app: &TestApp,
    provider: &MockServer,
) {
    accept_all(provider).await;
    let staff = app
        .integrator("Lakeside Clinic", "admin@lakeside.example")
        .await;
    Api::expect(
        staff
            .post(
                "/programs",
                &json!({ "name": "Diabetes care", "signup_code": "Sugar2026",
                         "policy": "approval", "messaging_allowed": true }),
            )
            .await,
        StatusCode::CREATED,
    )
    .await;
    let started = Api::expect(
        app.anonymous_api()
            .post("/public/registrations", &json!({ "code": "sugar2026" }))
            .await,
        StatusCode::CREATED,
    )
    .await;
    let ticket = started["ticket"].as_str().unwrap();
    let done = register(app, provider, ticket, "ana@example.org").await;
    let ana = done["patient_id"].as_str().unwrap().to_owned();

    let pending = Api::expect(staff.get("/patient-links/pending").await, StatusCode::OK).await;
    let link = pending[0]["id"].as_str().unwrap().to_owned();
    let notes = Api::expect(staff.get("/notifications").await, StatusCode::OK).await;
    let note = notes[0]["id"].as_str().unwrap().to_owned();

    let events = audit_events(app).await;
    let read = |action: &str| -> Vec<(Option<String>, Option<String>)> {
        events
            .iter()
            .filter(|e| e.action == action)
            .map(|e| (e.subject_id.clone(), e.patient_id.clone()))
            .collect()
    };
    assert_eq!(
        read("patient_links.pending_read"),
        [(Some(link), Some(ana.clone()))]
    );
    assert_eq!(read("notifications.read"), [(Some(note), Some(ana))]);
}
