//! Provider codes and programs with sign-up codes: staff list, rotate and disable codes, manage
//! programs; the public look-ups answer display names only, one fixed answer for any wrong code.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::responses::{Problem, Program, ProviderCode};
use crate::common::{Api, StaffSession, TestApp, on_both};

on_both!(
    provider_codes_are_shown_rotated_and_disabled,
    programs_are_managed_and_their_sign_up_codes_looked_up,
    code_look_ups_are_throttled_per_address,
    staff_who_are_not_admins_cannot_rotate_codes_or_change_programs,
    an_api_token_cannot_create_staff_or_change_practice_settings,
    a_burst_of_parallel_wrong_codes_cannot_get_past_the_limit,
);

async fn lookup(app: &TestApp, which: &str, code: &str) -> reqwest::Response {
    app.anonymous_api()
        .post(&format!("/public/{which}/lookup"), &json!({ "code": code }))
        .await
}

async fn provider_codes_are_shown_rotated_and_disabled(app: &TestApp) {
    let api = app.practice_with_admin("Hillside Clinic").await;
    let provider_id = &api.add_provider("Dr. Ana Ruiz").await.id;

    let codes = api.provider_codes().await;
    assert_eq!(codes.len(), 2, "the practice's code and the provider's");
    assert!(codes[0].provider_id.is_none());
    assert_eq!(codes[1].provider_id.as_ref(), Some(provider_id));
    let practice_code = codes[0].code.clone().unwrap();
    let provider_code = codes[1].code.clone().unwrap();
    for code in [&practice_code, &provider_code] {
        assert_eq!(code.len(), 6);
        assert!(
            !code.contains(['0', 'O', '1', 'I', 'L']),
            "no confusable characters: {code}"
        );
    }

    let found = Api::expect(
        lookup(app, "provider-codes", &practice_code.to_lowercase()).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        found,
        json!({ "practice_name": "Hillside Clinic", "provider_name": null })
    );
    let spaced = format!("{} {}", &provider_code[..3], &provider_code[3..]);
    let found = Api::expect(lookup(app, "provider-codes", &spaced).await, StatusCode::OK).await;
    assert_eq!(
        found,
        json!({ "practice_name": "Hillside Clinic", "provider_name": "Dr. Ana Ruiz" })
    );

    let rotated: ProviderCode = Api::expect_as(
        api.post(
            &format!("/provider-codes/providers/{provider_id}/rotate"),
            &json!({}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let new_code = rotated.code.unwrap();
    assert_ne!(new_code, provider_code);
    let old: Problem = Api::expect_as(
        lookup(app, "provider-codes", &provider_code).await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_eq!(
        old.detail,
        "Please check the 6-character code you received from your doctor's office."
    );
    Api::expect(
        lookup(app, "provider-codes", &new_code).await,
        StatusCode::OK,
    )
    .await;

    let disabled: ProviderCode = Api::expect_as(
        api.post("/provider-codes/practice/disable", &json!({}))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!((disabled.active, disabled.code.is_none()), (false, true));
    Api::expect(
        lookup(app, "provider-codes", &practice_code).await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    let again: ProviderCode = Api::expect_as(
        api.post("/provider-codes/practice/rotate", &json!({}))
            .await,
        StatusCode::OK,
    )
    .await;
    Api::expect(
        lookup(app, "provider-codes", &again.code.unwrap()).await,
        StatusCode::OK,
    )
    .await;

    // Another practice's provider is not ours to rotate.
    let other = app.practice_with_admin("Other Clinic").await;
    Api::expect(
        other
            .post(
                &format!("/provider-codes/providers/{provider_id}/rotate"),
                &json!({}),
            )
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
}

async fn programs_are_managed_and_their_sign_up_codes_looked_up(app: &TestApp) {
    let api = app.practice_with_admin("Hillside Clinic").await;
    let body = json!({ "name": "Diabetes Care", "signup_code": "Welcome123", "policy": "approval", "messaging_allowed": false });
    let program: Program =
        Api::expect_as(api.post("/programs", &body).await, StatusCode::CREATED).await;
    assert_eq!(
        program.signup_code, "Welcome123",
        "staff see the code as chosen"
    );
    assert_eq!(
        (program.enabled, program.policy.as_str()),
        (true, "approval")
    );
    let id = program.id.as_str();

    // Any case, spaces, and the confusable characters all find it.
    for typed in ["welcome123", "WELCOME 123", "We1c0me-123"] {
        let found = Api::expect(lookup(app, "signup-codes", typed).await, StatusCode::OK).await;
        assert_eq!(
            found,
            json!({ "program_name": "Diabetes Care", "practice_name": "Hillside Clinic" }),
            "{typed}"
        );
    }
    // Unique across the deployment: another practice cannot take a look-alike.
    let other = app.practice_with_admin("Other Clinic").await;
    let clash = json!({ "name": "Other", "signup_code": "WELCOME-I23", "policy": "notify" });
    let problem: Problem = Api::expect_as(
        other.post("/programs", &clash).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(problem.errors[0].field, "signup_code");
    let bad = json!({ "name": "", "signup_code": "abc", "policy": "maybe" });
    let problem: Problem = Api::expect_as(
        api.post("/programs", &bad).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(problem.fields(), ["name", "signup_code", "policy"]);

    // Disabling stops the code; the other practice cannot see or change the program.
    let mut update = body.clone();
    update["enabled"] = json!(false);
    let updated: Program = Api::expect_as(
        api.put(&format!("/programs/{id}"), &update).await,
        StatusCode::OK,
    )
    .await;
    assert!(!updated.enabled);
    let wrong: Problem = Api::expect_as(
        lookup(app, "signup-codes", "Welcome123").await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_eq!(
        wrong.detail,
        "Please check the sign-up code you received from your doctor's office."
    );
    Api::expect(
        other.get(&format!("/programs/{id}")).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    Api::expect(
        other.put(&format!("/programs/{id}"), &body).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    Api::expect(
        other.delete(&format!("/programs/{id}")).await,
        StatusCode::NOT_FOUND,
    )
    .await;

    // A program someone was invited into is kept (disable it instead); an unused one is deleted.
    let invite = json!({ "first_name": "Pia", "last_name": "Prog", "birth_date": "1990-01-01", "channels": [], "program_id": id });
    Api::expect(api.post("/invitations", &invite).await, StatusCode::CREATED).await;
    Api::expect(
        api.delete(&format!("/programs/{id}")).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    let spare: Program = Api::expect_as(
        api.post(
            "/programs",
            &json!({ "name": "Spare", "signup_code": "Spare2026", "policy": "silent" }),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let res = api.delete(&format!("/programs/{}", spare.id)).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let left: Value = Api::expect(api.get("/programs").await, StatusCode::OK).await;
    assert_eq!(left.as_array().unwrap().len(), 1);
}

async fn code_look_ups_are_throttled_per_address(app: &TestApp) {
    let good = app
        .practice_with_admin("Hillside Clinic")
        .await
        .provider_code()
        .await;
    for n in 0..10 {
        let which = if n % 2 == 0 {
            "provider-codes"
        } else {
            "signup-codes"
        };
        assert_eq!(
            lookup(app, which, "ZZZ999").await.status(),
            StatusCode::BAD_REQUEST
        );
    }
    let res = lookup(app, "provider-codes", &good).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(res.headers().contains_key("retry-after"));
}

async fn staff_who_are_not_admins_cannot_rotate_codes_or_change_programs(app: &TestApp) {
    let admin = app.set_up_practice("Hillside Clinic").await;
    admin
        .add_staff("Sam Staff", "sam@hillside.example", "staff")
        .await;
    let (sam, _) = app
        .sign_in("sam@hillside.example", crate::common::STAFF_PASSWORD)
        .await;
    let sam = StaffSession::of(sam).await;
    let post = |path: &'static str| {
        let program = json!({ "name": "X", "signup_code": "Sneaky123", "policy": "silent" });
        sam.call(Method::POST, path, program)
    };
    assert_eq!(
        post("/provider-codes/practice/rotate").await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(post("/programs").await.status(), StatusCode::FORBIDDEN);
    // Reading is fine for staff: they print the codes.
    let list = sam
        .browser
        .api(Method::GET, "/provider-codes")
        .send()
        .await
        .unwrap();
    assert_eq!(list.status(), StatusCode::OK);
}

async fn an_api_token_cannot_create_staff_or_change_practice_settings(app: &TestApp) {
    let api = app.practice_with_admin("Hillside Clinic").await;
    let admin = json!({ "display_name": "Mal Ory", "email": "mal@x.example", "role": "admin", "password": "gentle harbor morning tide" });
    Api::expect(api.post("/staff", &admin).await, StatusCode::FORBIDDEN).await;
    let patch = api
        .request(Method::PATCH, "/practice")
        .json(&json!({ "invite_expiry_days": 90 }))
        .send()
        .await
        .unwrap();
    Api::expect(patch, StatusCode::FORBIDDEN).await;
    let (_, res) = app
        .sign_in("mal@x.example", "gentle harbor morning tide")
        .await;
    assert_eq!(
        res.status(),
        StatusCode::UNAUTHORIZED,
        "no admin was minted"
    );
}

async fn a_burst_of_parallel_wrong_codes_cannot_get_past_the_limit(app: &TestApp) {
    // 30 wrong look-ups at once: each is counted before any work is done, so only 10 are tried.
    let anon = app.anonymous_api();
    let burst = (0..30).map(|_| {
        anon.request(Method::POST, "/public/provider-codes/lookup")
            .json(&json!({ "code": "ZZZ999" }))
    });
    let statuses = Api::all_at_once(burst).await;
    let tried = statuses
        .iter()
        .filter(|s| **s == StatusCode::BAD_REQUEST)
        .count();
    let refused = statuses
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!((tried, refused), (10, 20), "{statuses:?}");
}
