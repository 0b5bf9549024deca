//! The details step: names, date of birth, email (or a username instead), phone and a password
//! by the 2025 NIST rules, with a meter that agrees with them.

use reqwest::StatusCode;
use serde_json::json;
use wiremock::MockServer;

use crate::common::responses::{PasswordCheck, Problem, Registered, RegistrationView};
use crate::common::{Api, Details, PASSPHRASE, TestApp, with_provider};

with_provider!(
    passwords_follow_the_2025_nist_rules_and_say_why,
    a_patient_without_email_registers_and_signs_in_with_a_username,
    each_message_names_its_field,
);

/// In a list of what to fix, "Enter a name." twice would not say which: each message names its
/// field, and the date's message asks for what the date field shows (not a format it hides).
async fn each_message_names_its_field(app: &TestApp, _provider: &MockServer) {
    let lakeside = app.practice_with_admin("Lakeside Clinic").await;
    let registration = lakeside.start_registration().await;
    let blank = Details::maria("maria@example.org")
        .first_name(" ")
        .with_last_name("")
        .birth_date("");
    let problem: Problem = Api::expect_as(
        registration.send_details(&blank).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(problem.message_for("first_name"), "Enter your first name.");
    assert_eq!(problem.message_for("last_name"), "Enter your last name.");
    assert_eq!(
        problem.message_for("birth_date"),
        "Enter your date of birth: day, month and year."
    );
}

async fn passwords_follow_the_2025_nist_rules_and_say_why(app: &TestApp, _provider: &MockServer) {
    let lakeside = app.practice_with_admin("Lakeside Clinic").await;
    let registration = lakeside.start_registration().await;
    let api = app.anonymous_api();
    let try_password = |password: &'static str| {
        let details = Details::maria("maria@example.org").password(password);
        let registration = &registration;
        async move { registration.send_details(&details).await }
    };
    let refused = |password: &'static str| async move {
        let problem: Problem = Api::expect_as(
            try_password(password).await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        problem
    };
    // 14 characters: too short, and the answer counts them.
    let short = refused("tulip harbor x").await;
    let why = short.message_for("password");
    assert!(
        why.contains("at least 15 characters (this one has 14)"),
        "{short:?}"
    );
    // 15 characters but on the list of common passwords.
    let common = refused("migrationschool").await;
    let why = common.message_for("password");
    assert!(why.contains("common or leaked"), "{common:?}");
    // Built from the patient's own name.
    let personal = refused("maria lopez 1980 ok").await;
    let why = personal.message_for("password");
    assert!(why.contains("your name"), "{personal:?}");
    // Only the password was wrong: the other fields were accepted.
    assert_eq!(common.errors.len(), 1);
    // A 15-character passphrase is accepted: no composition rules.
    let ok: RegistrationView =
        Api::expect_as(try_password("violet ferry sg").await, StatusCode::OK).await;
    assert_eq!(ok.next, "phone");
    // The meter agrees with the rules, and counts characters after NFKC normalisation.
    let check = |password: &str| {
        let body = json!({ "password": password });
        let api = &api;
        async move {
            Api::expect_as::<PasswordCheck>(
                api.post("/public/password-check", &body).await,
                StatusCode::OK,
            )
            .await
        }
    };
    let ligatures = check("ﬀﬀﬀﬀﬀﬀﬀ").await;
    assert_eq!(
        ligatures.length, 14,
        "each ligature ﬀ is two letters after NFKC"
    );
    assert!(!ligatures.acceptable);
    let passphrase = check("violet ferry sg").await;
    assert!(passphrase.acceptable);
    assert!(passphrase.score >= 3);
    // The suggested passphrase meets the rules.
    let suggestion = Api::expect(api.get("/public/passphrase").await, StatusCode::OK).await;
    let words = suggestion["passphrase"].as_str().unwrap();
    assert_eq!(words.split(' ').count(), 4);
    assert!(check(words).await.acceptable);
}

async fn a_patient_without_email_registers_and_signs_in_with_a_username(
    app: &TestApp,
    provider: &MockServer,
) {
    let lakeside = app.practice_with_admin("Lakeside Clinic").await;
    let registration = lakeside.start_registration().await;
    let view = registration
        .enter_details(&Details::maria("").without_email())
        .await;
    let username = view.username.expect("a username instead of the email");
    assert!(username.contains('-'), "{username}");
    registration.verify_phone(provider).await;
    let status = registration.status().await;
    registration.accept_terms(status.terms().version).await;
    let done: Registered = Api::expect_as(registration.complete().await, StatusCode::CREATED).await;
    assert_eq!(done.username.as_deref(), Some(username.as_str()));
    let signed_in = app
        .sign_in_patient(&username.to_uppercase(), PASSPHRASE)
        .await;
    assert_eq!(signed_in.status(), StatusCode::CREATED);
}
