//! The security hardening of issue 15, tested from the outside as an attacker or a patient meets
//! it: phone codes bound to the number they went to, SMS and call pumping limits, attempt counters
//! that hold under parallel bursts, an account's own sign-in limit, IPv6 callers grouped by /64,
//! no telling who has an account, recoveries that void older codes, and tickets that die with
//! the code they came from. Callers name their address in `X-Forwarded-For` (the test service
//! trusts it, as a service behind a proxy does).

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::json;
use wiremock::MockServer;

use crate::common::provider::{MESSAGES, forms_at};
use crate::common::responses::{Problem, RegistrationView};
use crate::common::{
    ADMIN_EMAIL, ADMIN_PASSWORD, Api, BIRTH_DATE, Backend, CLI_ADMIN_PASSWORD, Details, Invitee,
    PHONE, PhoneInbox as _, STAFF_PASSWORD, TestApp, csrf_token, retry_after, with_provider,
};

with_provider!(
    a_code_sent_to_one_number_does_not_verify_another,
    phone_codes_are_limited_per_number_and_to_the_practices_countries,
    fifty_parallel_wrong_birth_dates_count_exactly_five_and_lock,
    fifty_parallel_guesses_of_a_phone_code_count_at_most_five,
    an_account_has_its_own_sign_in_limit_whoever_types_from_wherever,
    addresses_of_one_ipv6_slash_64_share_a_guessing_limit,
    registering_with_a_taken_email_goes_on_and_tells_the_owner,
    a_new_recovery_voids_the_older_code_and_recoveries_have_a_daily_budget,
    a_ticket_dies_when_its_invitation_is_resent,
);

const OTHER_PHONE: &str = "+14155550199";
const ADMIN: &str = "admin@lakeside.example";

/// Maria's details with `email`, and `phone` as the number to verify.
fn maria(email: &str, phone: &str) -> Details {
    Details::maria(email).phone(phone)
}

async fn a_code_sent_to_one_number_does_not_verify_another(app: &TestApp, provider: &MockServer) {
    let lakeside = app.practice_with_admin("Lakeside Clinic").await;
    let registration = lakeside.start_registration_at("198.51.100.1").await;
    let view = registration
        .enter_details(&maria("maria@example.org", PHONE))
        .await;
    assert_eq!(view.next, "phone");
    Api::expect(registration.send_code("sms").await, StatusCode::ACCEPTED).await;
    let first = provider.code_sent_to(app, PHONE).await;

    // The patient goes back and types another number, then enters the code of the first one.
    registration
        .enter_details(&maria("maria@example.org", OTHER_PHONE))
        .await;
    let refused: Problem = Api::expect_as(
        registration.verify(&first).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(refused.errors[0].field, "code");
    let view = registration.status().await;
    assert_eq!(view.next, "phone", "the new number is not verified");
    let complete = registration.complete().await;
    assert_eq!(
        complete.status(),
        StatusCode::CONFLICT,
        "no account without a verified number"
    );

    // Once the re-send wait has passed, a code sent to the new number verifies it.
    app.advance(Duration::from_secs(31));
    Api::expect(registration.send_code("sms").await, StatusCode::ACCEPTED).await;
    let second = provider.code_sent_to(app, OTHER_PHONE).await;
    let view: RegistrationView =
        Api::expect_as(registration.verify(&second).await, StatusCode::OK).await;
    assert_eq!(view.next, "terms");
}

async fn phone_codes_are_limited_per_number_and_to_the_practices_countries(
    app: &TestApp,
    provider: &MockServer,
) {
    let lakeside = app.practice_with_admin("Lakeside Clinic").await;
    // A script opens registration after registration, from several addresses, to one number.
    for i in 1..=5 {
        let registration = lakeside
            .start_registration_at(&format!("198.51.100.{i}"))
            .await;
        registration
            .enter_details(&maria(&format!("p{i}@example.org"), PHONE))
            .await;
        Api::expect(registration.send_code("sms").await, StatusCode::ACCEPTED).await;
    }
    let registration = lakeside.start_registration_at("198.51.100.6").await;
    registration
        .enter_details(&maria("p6@example.org", PHONE))
        .await;
    let sixth = registration.send_code("sms").await;
    assert_eq!(
        sixth.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "the sixth text to one number in a day"
    );
    let wait = retry_after(&sixth);
    assert!(
        wait > 60 * 60,
        "the wait runs to the end of the day's window: {wait} s"
    );
    app.deliver().await;
    let texts = forms_at(provider, MESSAGES).await;
    assert_eq!(
        texts
            .iter()
            .filter(|f| f.iter().any(|(k, v)| k == "To" && v == PHONE))
            .count(),
        5
    );

    // A number from a country the practice does not pay for is refused at the form.
    let registration = lakeside.start_registration_at("198.51.100.7").await;
    let british = maria("p7@example.org", "+44 7400 123456");
    let problem: Problem = Api::expect_as(
        registration.send_details(&british).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(problem.errors[0].field, "phone");
    assert!(problem.errors[0].message.contains("US"));

    // The admin adds the United Kingdom; the same number is taken.
    let practice = Api::expect(
        lakeside
            .admin_session()
            .await
            .call(
                reqwest::Method::PATCH,
                "/practice",
                json!({ "phone_countries": ["us", "GB"] }),
            )
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(practice["phone_countries"], json!(["US", "GB"]));
    registration.enter_details(&british).await;
    Api::expect(registration.send_code("sms").await, StatusCode::ACCEPTED).await;
}

async fn fifty_parallel_wrong_birth_dates_count_exactly_five_and_lock(
    app: &TestApp,
    _provider: &MockServer,
) {
    let lakeside = app.practice_with_admin("Lakeside Clinic").await;
    let invitation = lakeside
        .invite(
            &Invitee::new("Ana", "Ruiz")
                .email("ana@example.org")
                .by(&["email"]),
        )
        .await;
    let code = &invitation.code;
    let burst = (0..50).map(|i| {
        app.caller_at(&format!("203.0.113.{i}"))
            .request(reqwest::Method::POST, "/public/invitations/redeem")
            .json(&json!({ "code": code, "birth_date": "1990-01-01" }))
    });
    for status in Api::all_at_once(burst).await {
        assert_eq!(status, StatusCode::BAD_REQUEST);
    }
    assert_eq!(
        app.count_rows("invitations WHERE failed_attempts = 5")
            .await,
        1
    );
    assert_eq!(
        app.count_rows("invitations WHERE failed_attempts > 5")
            .await,
        0
    );
    assert_eq!(lakeside.invitation(&invitation.id).await.state, "locked");
    // The right date no longer opens it.
    let right = app
        .caller_at("203.0.113.99")
        .post(
            "/public/invitations/redeem",
            &json!({ "code": code, "birth_date": BIRTH_DATE }),
        )
        .await;
    assert_eq!(right.status(), StatusCode::BAD_REQUEST);
}

async fn fifty_parallel_guesses_of_a_phone_code_count_at_most_five(
    app: &TestApp,
    provider: &MockServer,
) {
    let lakeside = app.practice_with_admin("Lakeside Clinic").await;
    let registration = lakeside.start_registration_at("198.51.100.1").await;
    registration
        .enter_details(&maria("maria@example.org", PHONE))
        .await;
    Api::expect(registration.send_code("sms").await, StatusCode::ACCEPTED).await;
    let real: u32 = provider.code_sent_to(app, PHONE).await.parse().unwrap();
    let ticket = &registration.ticket;
    let burst = (1..=50).map(|i| {
        let guess = format!("{:06}", (real + i) % 1_000_000);
        app.caller_at(&format!("203.0.113.{i}"))
            .request(reqwest::Method::POST, "/public/registrations/phone/verify")
            .json(&json!({ "ticket": ticket, "code": guess }))
    });
    for status in Api::all_at_once(burst).await {
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    assert_eq!(app.count_rows("one_time_codes WHERE attempts > 5").await, 0);
    assert_eq!(app.count_rows("one_time_codes WHERE attempts = 5").await, 1);
    // The code is used up: even the right one is refused now.
    let late: Problem = Api::expect_as(
        registration.verify(&format!("{real:06}")).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(late.errors[0].message.contains("new code"));
}

/// Staff sign-in through the page, from `ip`.
async fn staff_sign_in(app: &TestApp, ip: &str, password: &str) -> reqwest::Response {
    sign_in_as(app, ADMIN, ip, password).await
}

async fn sign_in_as(app: &TestApp, email: &str, ip: &str, password: &str) -> reqwest::Response {
    let browser = app.browser();
    let page = browser.get("/staff/sign-in").await;
    let csrf = csrf_token(&page.text().await.unwrap());
    browser
        .client
        .post(format!("{}/staff/sign-in", app.url))
        .header("x-forwarded-for", ip)
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("email", email),
            ("password", password),
        ])
        .send()
        .await
        .unwrap()
}

async fn an_account_has_its_own_sign_in_limit_whoever_types_from_wherever(
    app: &TestApp,
    _provider: &MockServer,
) {
    app.practice_with_admin("Lakeside Clinic").await;
    // Ten wrong passwords, each from another address: no per-address limit is reached...
    for i in 0..10 {
        let res = staff_sign_in(app, &format!("192.0.2.{i}"), "wrong password guess").await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    }
    // ...but the account's own limit is: the next try waits, even with the right password.
    let res = staff_sign_in(app, "192.0.2.200", CLI_ADMIN_PASSWORD).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(res.headers().contains_key("retry-after"));
    app.advance(Duration::from_secs(61));
    let res = staff_sign_in(app, "192.0.2.201", CLI_ADMIN_PASSWORD).await;
    assert_eq!(
        res.status(),
        StatusCode::SEE_OTHER,
        "after the wait the owner signs in"
    );
    // A success forgets the failures: the next mistake costs nothing.
    let res = staff_sign_in(app, "192.0.2.202", "wrong password guess").await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
}

async fn addresses_of_one_ipv6_slash_64_share_a_guessing_limit(
    app: &TestApp,
    _provider: &MockServer,
) {
    app.practice_with_admin("Lakeside Clinic").await;
    let lookup = |ip: String| async move {
        app.caller_at(&ip)
            .post(
                "/public/provider-codes/lookup",
                &json!({ "code": "ZZZ999" }),
            )
            .await
            .status()
    };
    for i in 1..=10 {
        assert_eq!(
            lookup(format!("2001:db8:1:2::{i:x}")).await,
            StatusCode::BAD_REQUEST
        );
    }
    // Another address of the same /64 is the same caller.
    assert_eq!(
        lookup("2001:db8:1:2:ffff:eeee:dddd:1".into()).await,
        StatusCode::TOO_MANY_REQUESTS
    );
    // The neighbouring /64 is someone else.
    assert_eq!(
        lookup("2001:db8:1:3::1".into()).await,
        StatusCode::BAD_REQUEST
    );
}

async fn registering_with_a_taken_email_goes_on_and_tells_the_owner(
    app: &TestApp,
    provider: &MockServer,
) {
    let (lakeside, _) = app.registered_patient(provider).await;
    app.deliver().await;

    // Someone else starts a registration with Maria's address: the form answers as for anyone.
    let taken = lakeside.start_registration_at("198.51.100.2").await;
    let fresh = lakeside.start_registration_at("198.51.100.3").await;
    let taken = Api::expect(
        taken.send_details(&maria("maria@example.org", PHONE)).await,
        StatusCode::OK,
    )
    .await;
    let fresh = Api::expect(
        fresh
            .send_details(&maria("new.patient@example.org", PHONE))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(taken["next"], fresh["next"]);
    assert_eq!(
        taken.as_object().unwrap().keys().collect::<Vec<_>>(),
        fresh.as_object().unwrap().keys().collect::<Vec<_>>()
    );
    // Maria is told by email that someone tried.
    assert_eq!(
        app.count_rows("outbox WHERE kind = 'account_exists'").await,
        1
    );
}

async fn a_new_recovery_voids_the_older_code_and_recoveries_have_a_daily_budget(
    app: &TestApp,
    provider: &MockServer,
) {
    app.registered_patient(provider).await;
    let caller = app.caller_at("198.51.100.9");
    let ask = || async {
        let res = caller
            .post(
                "/public/password-recovery",
                &json!({ "name": "maria@example.org", "channel": "sms" }),
            )
            .await;
        Api::expect(res, StatusCode::ACCEPTED).await["recovery_token"].clone()
    };
    let first_token = ask().await;
    let first_code = provider.code_sent_to(app, PHONE).await;
    app.advance(Duration::from_secs(60));
    let _second_token = ask().await;
    let finish = caller
        .post(
            "/public/password-recovery/finish",
            &json!({ "recovery_token": first_token, "code": first_code,
                     "password": "violet harbor sketch pebble" }),
        )
        .await;
    assert_eq!(
        finish.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "the older code is void"
    );

    // Five recoveries a day reach the phone; more answer alike and send nothing.
    for _ in 0..5 {
        app.advance(Duration::from_secs(60));
        ask().await;
    }
    assert_eq!(
        app.count_rows("outbox WHERE kind = 'recovery_code'").await,
        5
    );
}

async fn a_ticket_dies_when_its_invitation_is_resent(app: &TestApp, _provider: &MockServer) {
    let lakeside = app.practice_with_admin("Lakeside Clinic").await;
    let invitation = lakeside
        .invite(&Invitee::maria().email("maria@example.org").by(&["email"]))
        .await;
    let redeemed = Api::expect(
        app.caller_at("198.51.100.1")
            .post(
                "/public/invitations/redeem",
                &json!({ "code": invitation.code, "birth_date": BIRTH_DATE }),
            )
            .await,
        StatusCode::OK,
    )
    .await;
    let ticket = redeemed["ticket"].as_str().unwrap();
    Api::expect(lakeside.resend(&invitation.id).await, StatusCode::OK).await;
    let res = app
        .registration(app.caller_at("198.51.100.7"), ticket)
        .send_details(&maria("maria@example.org", PHONE))
        .await;
    assert_eq!(
        res.status(),
        StatusCode::GONE,
        "the ticket died with the old code"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_an_account_locks_at_its_limit_until_an_admin_opens_it() {
    an_account_locks_at_its_limit_until_an_admin_opens_it(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_an_account_locks_at_its_limit_until_an_admin_opens_it() {
    an_account_locks_at_its_limit_until_an_admin_opens_it(Backend::Postgres).await;
}

/// NIST SP 800-63B's cap on consecutive failures, made small by configuration (the default is 100).
async fn an_account_locks_at_its_limit_until_an_admin_opens_it(backend: Backend) {
    let Some(app) = TestApp::spawn_with(
        backend,
        &[
            ("PORTICO_CLIENT_IP_HEADER", "x-forwarded-for"),
            ("PORTICO_LIMIT_ACCOUNT_FAILURES_BEFORE_WAIT", "2"),
            ("PORTICO_LIMIT_ACCOUNT_FAILURES_TO_LOCK", "3"),
        ],
    )
    .await
    else {
        return;
    };
    let admin = app.set_up_practice("Lakeside Clinic").await;
    let bo = "bo.desk@clinic.example";
    let id = admin.add_staff("Bo Desk", bo, "staff").await;
    for i in 0..3 {
        let res = sign_in_as(&app, bo, &format!("192.0.2.{i}"), "wrong password guess").await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "failure {i}");
        app.advance(Duration::from_secs(60 * 60));
    }
    // Locked: no wait ends it, not even a day, and the right password does not open it.
    app.advance(Duration::from_secs(24 * 60 * 60));
    let res = sign_in_as(&app, bo, "192.0.2.9", STAFF_PASSWORD).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(res.text().await.unwrap().contains("paused"));
    // An admin saving Bo's membership opens the account again.
    let (admin, _) = app.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let path = format!("/staff/members/{id}");
    let csrf = admin.csrf_for(&path).await;
    let saved = admin
        .post_form(
            &path,
            &[("csrf_token", &csrf), ("role", "staff"), ("active", "true")],
        )
        .await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    let res = sign_in_as(&app, bo, "192.0.2.10", STAFF_PASSWORD).await;
    let status = res.status();
    let body = res.text().await.unwrap();
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    app.stop().await;
}
