//! One username space for accounts without email: a username held by a patient, drawn by a
//! registration in progress or reserved by an invitation is taken, in every practice. Staff may
//! choose the username of a patient they invite without an email address; a taken one is refused
//! next to the field and nothing is written, a free one is what the patient registers with.

use reqwest::StatusCode;
use wiremock::MockServer;

use crate::common::responses::{InvitationPage, Problem, Redeemed};
use crate::common::{Api, BIRTH_DATE, Details, Invitee, PASSPHRASE, TestApp, with_provider};

with_provider!(
    staff_cannot_give_an_invited_patient_a_username_someone_registered_with,
    a_chosen_username_is_reserved_and_shown_on_the_prefilled_registration,
);

async fn staff_cannot_give_an_invited_patient_a_username_someone_registered_with(
    app: &TestApp,
    provider: &MockServer,
) {
    let lakeside = app.practice_with_admin("Lakeside Clinic").await;
    let riverside = app.practice_with_admin("Riverside Clinic").await;
    // Maria registers herself without an email address: she is given a username.
    let registration = lakeside.start_registration().await;
    let view = registration
        .enter_details(&Details::maria("").without_email())
        .await;
    let username = view.username.expect("a username instead of the email");
    let joe = Invitee::new("Joe", "Moss").with("username", username.as_str());
    // While her registration is in progress, the username is hers already.
    refused_as_taken(lakeside.try_invite(&joe).await).await;
    // Once her account exists it stays hers, in every practice and however it is typed.
    registration.verify_phone(provider).await;
    let status = registration.status().await;
    Api::expect(
        registration.accept_terms(status.terms().version).await,
        StatusCode::OK,
    )
    .await;
    Api::expect(registration.complete().await, StatusCode::CREATED).await;
    let shouted = joe
        .clone()
        .with("username", format!(" {} ", username.to_uppercase()));
    for (practice, invitee) in [(&lakeside, &joe), (&riverside, &shouted)] {
        let refused = refused_as_taken(practice.try_invite(invitee).await).await;
        assert_eq!(refused.fields(), ["username"], "only the username is wrong");
    }
    // Nothing was written: neither practice has an invitation.
    for practice in [&lakeside, &riverside] {
        let page: InvitationPage =
            Api::expect_as(practice.get("/invitations").await, StatusCode::OK).await;
        assert!(page.items.is_empty(), "no invitation was made");
    }
    // Maria still signs in with it.
    let signed_in = app.sign_in_patient(&username, PASSPHRASE).await;
    assert_eq!(signed_in.status(), StatusCode::CREATED);
}

async fn a_chosen_username_is_reserved_and_shown_on_the_prefilled_registration(
    app: &TestApp,
    provider: &MockServer,
) {
    let lakeside = app.practice_with_admin("Lakeside Clinic").await;
    // A username is for a patient without an email address.
    let with_email = Invitee::maria()
        .email("maria@example.org")
        .with("username", "maria-lopez-80");
    let refused: Problem = Api::expect_as(
        lakeside.try_invite(&with_email).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(refused.fields(), ["username"], "{refused:?}");
    // Chosen in any case, kept in lower case.
    let invitation = lakeside
        .invite(&Invitee::maria().with("username", "Maria-Lopez-80"))
        .await;
    assert_eq!(invitation.username.as_deref(), Some("maria-lopez-80"));
    // Reserved: another invitation cannot have it.
    let joe = Invitee::new("Joe", "Moss").with("username", "maria-lopez-80");
    refused_as_taken(lakeside.try_invite(&joe).await).await;
    // The registration the code opens is pre-filled with it, and keeps it through the steps.
    let redeemed: Redeemed = Api::expect_as(
        app.redeem(&invitation.code, BIRTH_DATE).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(redeemed.prefill.username.as_deref(), Some("maria-lopez-80"));
    let registration = app.registration(app.anonymous_api(), &redeemed.ticket);
    let view = registration.status().await;
    assert_eq!(view.username.as_deref(), Some("maria-lopez-80"));
    let done = registration.finish(provider, "").await;
    assert_eq!(done.username.as_deref(), Some("maria-lopez-80"));
    let signed_in = app.sign_in_patient("maria-lopez-80", PASSPHRASE).await;
    assert_eq!(signed_in.status(), StatusCode::CREATED);
}

/// The problem answering an invitation whose username is taken.
async fn refused_as_taken(res: reqwest::Response) -> Problem {
    let problem: Problem = Api::expect_as(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert!(
        problem.message_for("username").contains("already taken"),
        "{problem:?}"
    );
    problem
}
