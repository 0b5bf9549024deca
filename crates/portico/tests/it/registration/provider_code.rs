//! Provider codes: a signed-in patient links another practice's provider by entering its code on
//! the visit screen, and that practice's terms become due.

use reqwest::StatusCode;
use wiremock::MockServer;

use crate::common::responses::{Card, Problem};
use crate::common::{Api, TestApp, with_provider};

with_provider!(a_signed_in_patient_links_another_provider_with_its_code);

async fn a_signed_in_patient_links_another_provider_with_its_code(
    app: &TestApp,
    provider: &MockServer,
) {
    let lakeside = app.practice_with_admin("Lakeside Clinic").await;
    let hilltop = app.practice_with_admin("Hilltop Clinic").await;
    let rivera = hilltop.add_provider("Dr. Rivera").await;

    let maria = lakeside
        .registered_patient(provider, "maria@example.org")
        .await;
    // An empty entry asks for the code by its field; it is not a guess at a code.
    let empty: Problem = Api::expect_as(
        maria.add_provider_code("  ").await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(empty.errors[0].field, "code");
    assert_eq!(
        empty.errors[0].message,
        "Enter the provider code from your doctor's office."
    );
    let wrong: Problem = Api::expect_as(
        maria.add_provider_code("ZZZ999").await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_eq!(
        wrong.detail,
        "Please check the 6-character code you received from your doctor's office."
    );
    let card: Card = Api::expect_as(
        maria.add_provider_code(&rivera.code.to_lowercase()).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(card.practice_name, "Hilltop Clinic");
    assert_eq!(card.provider_name.as_deref(), Some("Dr. Rivera"));
    // Entering it again changes nothing.
    Api::expect(maria.add_provider_code(&rivera.code).await, StatusCode::OK).await;
    let cards = maria.me().await.cards;
    let mut names: Vec<&str> = cards.iter().map(|c| c.practice_name.as_str()).collect();
    names.sort_unstable();
    assert_eq!(names, ["Hilltop Clinic", "Lakeside Clinic"]);
    // The new practice's terms are due before its card is used.
    let due = maria.me().await.terms_due;
    assert_eq!(due[0].practice_name, "Hilltop Clinic");
}
