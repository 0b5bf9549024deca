//! Terms of use: accepted during registration, and asked for again at the next sign-in when the
//! practice publishes a new version.

use reqwest::StatusCode;
use serde_json::Value;
use wiremock::MockServer;

use crate::common::{Api, PASSPHRASE, TestApp, with_provider};

with_provider!(a_new_terms_version_is_asked_for_at_the_next_sign_in);

async fn a_new_terms_version_is_asked_for_at_the_next_sign_in(
    app: &TestApp,
    provider: &MockServer,
) {
    let (lakeside, _) = app.registered_patient(provider).await;
    let sign_in = || app.signed_in_patient("MARIA@example.org", PASSPHRASE);
    let maria = sign_in().await;
    assert!(maria.me().await.terms_due.is_empty());

    // An admin publishes (API tokens may not: tests/it/terms.rs).
    let published = lakeside
        .publish_terms("New terms.\n\nPlease read them again.")
        .await;
    assert_eq!(published.status(), StatusCode::CREATED);
    let published: Value = published.json().await.unwrap();
    assert_eq!(published["version"], 2);

    let maria = sign_in().await;
    let due = maria.me().await.terms_due;
    assert_eq!(due.len(), 1, "{due:?}");
    assert_eq!(due[0].version, 2);
    assert!(due[0].body.starts_with("New terms."));
    // Accepting an older version is refused; the current one clears it.
    let practice_id = &due[0].practice_id;
    Api::expect(
        maria.accept_terms(practice_id, 1).await,
        StatusCode::CONFLICT,
    )
    .await;
    assert_eq!(
        maria.accept_terms(practice_id, 2).await.status(),
        StatusCode::NO_CONTENT
    );
    assert!(maria.me().await.terms_due.is_empty());
    assert_eq!(app.count_rows("terms_acceptances").await, 2);
}
