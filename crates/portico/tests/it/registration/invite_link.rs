//! What an invitation link says before any birth date is typed (docs/PRODUCT.md §5): a live link
//! names the practice (never the patient: links get forwarded) and asks only for the birth date; a
//! used link says so and offers sign-in; an expired, revoked or unknown link gets one answer, word
//! for word, so that it tells its holder nothing about the code behind it.

use std::time::Duration;

use reqwest::StatusCode;
use wiremock::MockServer;

use crate::common::{BIRTH_DATE, Invitee, PHONE, TestApp, with_provider};

with_provider!(an_invitation_link_says_who_sent_it_or_why_it_cannot_be_used);

const CANNOT_BE_USED: &str = "Please contact your practice for a new invitation.";

async fn an_invitation_link_says_who_sent_it_or_why_it_cannot_be_used(
    app: &TestApp,
    provider: &MockServer,
) {
    let lakeside = app.practice_with_admin("Lakeside Clinic").await;
    let invite = |email: &str| Invitee::maria().email(email).phone(PHONE).by(&["email"]);
    let used = lakeside.invite(&invite("used@example.org")).await;
    let revoked = lakeside.invite(&invite("revoked@example.org")).await;
    let expiring = lakeside.invite(&invite("late@example.org")).await;
    let browser = app.browser();

    // A live link: the practice's name, the birth date only, nothing about Maria.
    let live = browser.get_url(&used.link).await;
    assert_eq!(live.status(), StatusCode::OK);
    let live = live.text().await.unwrap();
    assert!(
        live.contains("Your invitation from Lakeside Clinic"),
        "{live}"
    );
    assert!(live.contains("Date of birth") && !live.contains("Invitation code"));
    assert!(
        !live.contains("Maria") && !live.contains("Lopez") && !live.contains("used@example.org"),
        "a forwarded link shows nobody's name"
    );

    // Used: the invitation created an account; the link says so and offers sign-in.
    app.redeem_invitation(&used.code, BIRTH_DATE)
        .await
        .finish(provider, "used@example.org")
        .await;
    let after = browser.get_url(&used.link).await.text().await.unwrap();
    assert!(
        after.contains("This invitation was already used"),
        "{after}"
    );
    assert!(after.contains("href=\"/portal/sign-in\""));
    assert!(!after.contains("name=\"birth_date\""));

    // Revoked, expired and unknown links: the same page, word for word.
    assert_eq!(lakeside.revoke(&revoked.id).await.status(), StatusCode::OK);
    app.advance(Duration::from_secs(15 * 86_400));
    let unknown = format!("{}/i/{}", app.url, "A".repeat(43));
    let garbage = format!("{}/i/not-a-token", app.url);
    let mut answers = Vec::new();
    for link in [&revoked.link, &expiring.link, &unknown, &garbage] {
        let res = browser.get_url(link).await;
        assert_eq!(res.status(), StatusCode::OK);
        let html = res.text().await.unwrap();
        assert!(html.contains(CANNOT_BE_USED), "{link}: {html}");
        assert!(!html.contains("name=\"birth_date\""));
        answers.push(main_of(&html));
    }
    assert!(
        answers.windows(2).all(|w| w[0] == w[1]),
        "one answer for every link that cannot be used: {answers:#?}"
    );
}

/// The page's `<main>`, where the answer is (the rest is the same on every page).
fn main_of(html: &str) -> String {
    let start = html.find("<main").expect("a main element");
    let end = html.find("</main>").expect("a main element");
    html[start..end].to_owned()
}
