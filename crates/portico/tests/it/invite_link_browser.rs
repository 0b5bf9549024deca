//! In a real browser, what an invitation link says when it is opened (docs/PRODUCT.md §5): the
//! practice that sent it and only the birth date to type; "already used" with the way to sign in;
//! and for a revoked link, to ask the practice — at desktop width and on a phone.

use thirtyfour::prelude::*;
use wiremock::MockServer;

use crate::axe::assert_accessible;
use crate::browser::{Width, click, in_a_browser, save_screenshot, wait_for_path, wait_for_text};
use crate::common::{BIRTH_DATE, Invitee, PHONE, TestApp, with_provider};

with_provider!(
    an_invitation_link_names_its_practice_or_says_why_it_cannot_be_used_in_a_real_browser
);

async fn an_invitation_link_names_its_practice_or_says_why_it_cannot_be_used_in_a_real_browser(
    app: &TestApp,
    provider: &MockServer,
) {
    let lakeside = app.practice_with_admin("Lakeside Clinic").await;
    let invite = |email: &str| Invitee::maria().email(email).phone(PHONE).by(&["email"]);
    let live = lakeside.invite(&invite("live@example.org")).await.link;
    let used = lakeside.invite(&invite("used@example.org")).await;
    app.redeem_invitation(&used.code, BIRTH_DATE)
        .await
        .finish(provider, "used@example.org")
        .await;
    let revoked = lakeside.invite(&invite("revoked@example.org")).await;
    lakeside.revoke(&revoked.id).await;

    let links = Links {
        live,
        used: used.link,
        revoked: revoked.link,
    };
    in_a_browser(|driver| async move { open_links(&driver, &links).await }).await;
}

struct Links {
    live: String,
    used: String,
    revoked: String,
}

async fn open_links(driver: &WebDriver, links: &Links) -> WebDriverResult<()> {
    for width in [Width::Desktop, Width::Phone] {
        width.apply(driver).await?;
        driver.goto(&links.live).await?;
        wait_for_text(driver, "Your invitation from Lakeside Clinic").await?;
        let main = driver.find(By::Tag("main")).await?.text().await?;
        assert!(
            !main.contains("Maria") && !main.contains("Invitation code"),
            "only the practice and the birth date: {main}"
        );
        assert_accessible(driver, "invitation link, live").await?;
        save_screenshot(driver, &format!("invite-link-live-{width:?}")).await;

        driver.goto(&links.used).await?;
        wait_for_text(driver, "This invitation was already used").await?;
        assert_accessible(driver, "invitation link, used").await?;
        save_screenshot(driver, &format!("invite-link-used-{width:?}")).await;

        driver.goto(&links.revoked).await?;
        wait_for_text(driver, "Please contact your practice for a new invitation.").await?;
        assert_accessible(driver, "invitation link, revoked").await?;
        save_screenshot(driver, &format!("invite-link-revoked-{width:?}")).await;
    }
    // From the used link, one press leads to sign-in.
    driver.goto(&links.used).await?;
    click(driver, By::XPath("//main//a[normalize-space()='Sign in']")).await?;
    wait_for_path(driver, "/portal/sign-in").await?;
    Ok(())
}
