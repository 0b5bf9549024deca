//! Digital consent, when the invitation asks for it: the account is made only once the patient
//! signs with their full name, and then the invitation is used up for every device.

use reqwest::StatusCode;
use wiremock::MockServer;

use crate::common::responses::{Problem, Registered, RegistrationView};
use crate::common::{Api, BIRTH_DATE, Details, Invitee, PHONE, TestApp, with_provider};

with_provider!(an_invited_patient_registers_with_consent_and_the_invitation_is_used_up);

async fn an_invited_patient_registers_with_consent_and_the_invitation_is_used_up(
    app: &TestApp,
    provider: &MockServer,
) {
    let lakeside = app.practice_with_admin("Lakeside Clinic").await;
    let maria = Invitee::maria()
        .email("maria.lopez@example.org")
        .phone(PHONE)
        .by(&["email"])
        .with("consent_method", "in_app");
    let (invitation, registration) = lakeside.invited_patient(&maria).await;
    // A second device opens a registration with the same code before the first one finishes.
    let second = app.redeem_invitation(&invitation.code, BIRTH_DATE).await;

    // The form comes pre-filled from the invitation, and consent is one of the steps.
    let view = registration.status().await;
    assert_eq!(view.next, "details");
    assert_eq!(view.details.first_name, "Maria");
    assert_eq!(view.details.email, "maria.lopez@example.org");
    assert!(view.consent_required);

    // A signature that is not the full name is refused next to the field.
    registration
        .enter_details(&Details::maria("maria.lopez@example.org"))
        .await;
    registration.verify_phone(provider).await;
    let status = registration.status().await;
    assert!(status.terms().body.contains("terms of use"));
    let view: RegistrationView = Api::expect_as(
        registration.accept_terms(status.terms().version).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(view.next, "consent");
    assert!(view.consent.expect("the consent to sign").paragraphs.len() >= 2);
    // The account is only created after the consent is signed.
    let early: Problem = Api::expect_as(registration.complete().await, StatusCode::CONFLICT).await;
    assert_eq!(early.kind, "/problems/state-conflict");
    assert_eq!(app.count_rows("patients").await, 0);
    let wrong: Problem = Api::expect_as(
        registration.sign_consent("M. L.").await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(wrong.errors[0].field, "signature");
    Api::expect(
        registration.sign_consent("Maria Lopez").await,
        StatusCode::OK,
    )
    .await;
    let done: Registered = Api::expect_as(registration.complete().await, StatusCode::CREATED).await;
    let me = app.patient(&done.session_token).me().await;
    assert_eq!(me.first_name, "Maria");
    assert_eq!(me.cards[0].practice_name, "Lakeside Clinic");
    assert_eq!(me.cards[0].status, "active");
    assert!(me.terms_due.is_empty(), "{:?}", me.terms_due);
    assert_eq!(app.count_rows("consents").await, 1);

    // The invitation is now used: staff see it redeemed, it cannot be re-sent, its code is dead,
    // and the other device's registration cannot make a second account.
    assert_eq!(lakeside.invitation(&invitation.id).await.state, "redeemed");
    Api::expect(lakeside.resend(&invitation.id).await, StatusCode::CONFLICT).await;
    assert_eq!(
        app.redeem(&invitation.code, BIRTH_DATE).await.status(),
        StatusCode::BAD_REQUEST
    );
    let gone: Problem = Api::expect_as(
        second
            .send_details(&Details::maria("other@example.org"))
            .await,
        StatusCode::GONE,
    )
    .await;
    assert_eq!(gone.kind, "/problems/registration-expired");
    assert_eq!(app.count_rows("patients").await, 1);
    // The used ticket is gone too.
    assert_eq!(registration.complete().await.status(), StatusCode::GONE);
}
