//! Staff reads of patient data are audited record by record, naming the patient where the record
//! has one, so that an auditor can answer "who saw Maria's record, and when" (docs/PRODUCT.md §8).

use reqwest::StatusCode;
use wiremock::MockServer;

use crate::audit::audit_events;
use crate::common::responses::{InvitationPage, Notification, PendingLink};
use crate::common::{Api, BIRTH_DATE, Invitee, PHONE, TestApp, with_provider};

with_provider!(
    listing_invitations_audits_each_shown_invitation_and_its_patient,
    listing_sign_ups_and_notifications_audits_each_shown_patient,
);

/// Maria or another Lopez, invited by email.
fn lopez(first_name: &str, email: &str) -> Invitee {
    Invitee::new(first_name, "Lopez")
        .email(email)
        .phone(PHONE)
        .by(&["email"])
}

async fn listing_invitations_audits_each_shown_invitation_and_its_patient(
    app: &TestApp,
    provider: &MockServer,
) {
    let staff = app.practice_with_admin("Lakeside Clinic").await;
    let maria_invitation = staff
        .invite(&lopez("Maria", "maria.lopez@example.org"))
        .await;
    let ben_invitation = staff
        .invite(&lopez("Ben", "ben.lopez@example.org"))
        .await
        .id;
    let done = app
        .redeem_invitation(&maria_invitation.code, BIRTH_DATE)
        .await
        .finish(provider, "maria.lopez@example.org")
        .await;
    let maria = done.patient_id;
    let maria_invitation = maria_invitation.id;

    let page: InvitationPage =
        Api::expect_as(staff.get("/invitations").await, StatusCode::OK).await;
    assert_eq!(page.items.len(), 2);
    staff.invitation(&maria_invitation).await;

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
    let staff = app.practice_with_admin("Lakeside Clinic").await;
    staff
        .add_program("Diabetes care", "Sugar2026", "approval")
        .await;
    let done = app
        .start_registration("sugar2026")
        .await
        .finish(provider, "ana@example.org")
        .await;
    let ana = done.patient_id;

    let pending: Vec<PendingLink> =
        Api::expect_as(staff.get("/patient-links/pending").await, StatusCode::OK).await;
    let link = pending[0].id.clone();
    let notes: Vec<Notification> =
        Api::expect_as(staff.get("/notifications").await, StatusCode::OK).await;
    let note = notes[0].id.clone();

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
