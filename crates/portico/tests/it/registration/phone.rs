//! The phone step: a 6-digit code by SMS or voice call, valid ten minutes, five tries, re-sends
//! that wait longer each time, and codes stored only as keyed hashes.

use std::time::Duration;

use reqwest::StatusCode;
use wiremock::MockServer;

use crate::common::provider::texts;
use crate::common::responses::{CodeSent, Problem, RegistrationView};
use crate::common::{Api, Details, PHONE, PhoneInbox as _, TestApp, retry_after, with_provider};

with_provider!(phone_codes_expire_allow_five_tries_and_re_sends_wait_longer_each_time);

async fn phone_codes_expire_allow_five_tries_and_re_sends_wait_longer_each_time(
    app: &TestApp,
    provider: &MockServer,
) {
    let lakeside = app.practice_with_admin("Lakeside Clinic").await;
    let registration = lakeside.start_registration().await;
    registration
        .enter_details(&Details::maria("maria@example.org"))
        .await;

    // Re-sends wait 30 s, then 60 s: the answer says how long.
    let sent: CodeSent =
        Api::expect_as(registration.send_code("sms").await, StatusCode::ACCEPTED).await;
    assert_eq!(sent.resend_after_seconds, 30);
    assert_eq!(sent.valid_for_seconds, 600);
    assert!(sent.phone_masked.ends_with("23"));
    let early = registration.send_code("sms").await;
    assert_eq!(early.status(), StatusCode::TOO_MANY_REQUESTS);
    let wait = retry_after(&early);
    assert!((1..=30).contains(&wait), "retry after {wait}");
    app.advance(Duration::from_secs(31));
    let sent: CodeSent =
        Api::expect_as(registration.send_code("sms").await, StatusCode::ACCEPTED).await;
    assert_eq!(sent.resend_after_seconds, 60);
    app.advance(Duration::from_secs(31));
    assert_eq!(
        registration.send_code("voice").await.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "60 s now"
    );

    // The code expires after 10 minutes.
    let expired_code = provider.code_sent_to(app, PHONE).await;
    app.advance(Duration::from_secs(10 * 60 + 1));
    let refused: Problem = Api::expect_as(
        registration.verify(&expired_code).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(refused.errors[0].message.contains("expired"));

    // A new code takes five tries; after the fifth wrong one even the right code is refused.
    Api::expect(registration.send_code("sms").await, StatusCode::ACCEPTED).await;
    let right = provider.code_sent_to(app, PHONE).await;
    let wrong = if right == "000000" {
        "111111"
    } else {
        "000000"
    };
    // Each wrong try says how many are left with this code.
    for (attempt, left) in [(1, "4 tries"), (2, "3 tries"), (3, "2 tries"), (4, "1 try")] {
        let body: Problem = Api::expect_as(
            registration.verify(wrong).await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert_eq!(
            body.errors[0].message,
            format!(
                "That code is not right. Check the 6 digits and try again: {left} left with this code."
            ),
            "attempt {attempt}"
        );
    }
    let fifth: Problem = Api::expect_as(
        registration.verify(wrong).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(
        fifth.errors[0].message,
        "That code has expired or was tried too many times. Ask for a new code."
    );
    Api::expect(
        registration.verify(&right).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;

    // A fresh code (after the growing wait, 2 minutes by now) works.
    app.advance(Duration::from_secs(5 * 60));
    Api::expect(registration.send_code("sms").await, StatusCode::ACCEPTED).await;
    let fresh = provider.code_sent_to(app, PHONE).await;
    let view: RegistrationView =
        Api::expect_as(registration.verify(&fresh).await, StatusCode::OK).await;
    assert_eq!(view.next, "terms");
    // Codes are stored only as keyed hashes.
    let dump = app.dump_all_text().await;
    let all_codes: Vec<String> = texts(provider)
        .await
        .iter()
        .map(|(_, body)| body.chars().take(6).collect())
        .collect();
    for code in all_codes {
        assert!(
            !dump.contains(&format!("'{code}'")) && !dump.contains(&format!("\t{code}\t")),
            "code {code} stored in clear"
        );
    }
}
