//! In a real browser, a front desk's follow-ups (issue #18): the dashboard puts a locked
//! invitation first; an expired invitation is re-sent from its page (the new code shown once,
//! the old one refused, the new one working); a locked one is revoked after a confirmation. Every
//! staff page is checked with axe and for sideways scrolling at desktop width and on a phone.

use thirtyfour::prelude::*;
use wiremock::MockServer;

use crate::axe::assert_accessible;
use crate::browser::{
    Width, assert_no_sideways_scroll, click, fill, in_a_browser, save_screenshot, submit,
    wait_for_path, wait_for_text,
};
use crate::common::{BIRTH_DATE, CLI_ADMIN_PASSWORD, Invitee, TestApp, with_provider};

with_provider!(a_front_desk_follows_up_on_invitations_in_a_real_browser);

async fn a_front_desk_follows_up_on_invitations_in_a_real_browser(
    app: &TestApp,
    provider: &MockServer,
) {
    let lakeside = app.practice_with_admin("Lakeside Clinic").await;
    let expired = lakeside
        .invite(&Invitee::maria().email("maria@example.org").by(&["email"]))
        .await;
    app.deliver().await;
    app.advance(std::time::Duration::from_secs(15 * 86_400));
    let locked = lakeside.invite(&Invitee::new("Lena", "Lockwood")).await;
    for _ in 0..5 {
        app.redeem(&locked.code, "1979-01-01").await;
    }
    lakeside
        .registered_patient(provider, "dee@example.org")
        .await;

    let admin_email = lakeside.admin_email.clone();
    let (expired_id, old_code, locked_id) = (expired.id.clone(), expired.code.clone(), locked.id);
    in_a_browser(|driver| async move {
        driver.goto(format!("{}/staff/sign-in", app.url)).await?;
        fill(&driver, "Email address", "email", &admin_email).await?;
        fill(&driver, "Password", "password", CLI_ADMIN_PASSWORD).await?;
        click(&driver, By::Css("main form button[type='submit']")).await?;
        wait_for_path(&driver, "/staff").await?;

        // The dashboard: the locked invitation first, with its Re-send.
        for width in [Width::Desktop, Width::Phone] {
            width.apply(&driver).await?;
            wait_for_text(&driver, "Lena Lockwood").await?;
            wait_for_text(&driver, "Too many wrong dates of birth").await?;
            checked(&driver, width, "staff-dashboard").await?;
        }
        let counts = driver
            .find(By::Css("#states-title + .cards"))
            .await?
            .text()
            .await?;
        assert!(
            counts.contains("1\nExpired") || counts.contains("1 Expired"),
            "{counts}"
        );

        // The expired invitation, re-sent from its page at the desk.
        Width::Desktop.apply(&driver).await?;
        driver
            .goto(format!("{}/staff/invitations/{expired_id}", app.url))
            .await?;
        wait_for_text(&driver, "Expired: the code no longer works.").await?;
        checked(&driver, Width::Desktop, "staff-invitation-expired").await?;
        submit(&driver, "Re-send with a new code").await?;
        wait_for_text(&driver, "Sent again with a new code.").await?;
        let new_code = driver.find(By::Css("[data-code]")).await?.text().await?;
        assert_ne!(new_code, old_code);
        checked(&driver, Width::Desktop, "staff-invitation-new-code").await?;
        Width::Phone.apply(&driver).await?;
        checked(&driver, Width::Phone, "staff-invitation-new-code").await?;
        driver.refresh().await?;
        wait_for_text(&driver, "Re-sent by").await?;
        assert!(
            driver.find_all(By::Css("[data-code]")).await?.is_empty(),
            "a reload no longer shows the code"
        );
        assert_eq!(
            app.redeem(&old_code, BIRTH_DATE).await.status(),
            reqwest::StatusCode::BAD_REQUEST,
            "the old code is refused"
        );
        assert_eq!(
            app.redeem(&new_code, BIRTH_DATE).await.status(),
            reqwest::StatusCode::OK,
            "the new code works"
        );

        // The locked one, revoked on a phone after the confirmation.
        driver
            .goto(format!("{}/staff/invitations/{locked_id}", app.url))
            .await?;
        wait_for_text(&driver, "a wrong date of birth was entered too many times").await?;
        checked(&driver, Width::Phone, "staff-invitation-locked").await?;
        click(&driver, By::Css("details.revoke summary")).await?;
        submit(&driver, "Revoke the invitation of Lena Lockwood").await?;
        wait_for_text(
            &driver,
            "Invitation revoked. Its code and link no longer work.",
        )
        .await?;
        wait_for_text(&driver, "Revoked by").await?;

        // Every other staff page, both widths; an error page keeps the navigation.
        for page in [
            "/staff/members",
            "/staff/providers",
            "/staff/sign-ups",
            "/staff/audit",
            "/staff/invitations/no-such-invitation",
        ] {
            driver.goto(format!("{}{page}", app.url)).await?;
            for width in [Width::Desktop, Width::Phone] {
                width.apply(&driver).await?;
                let name = format!("staff{}", page.replace('/', "-"));
                checked(&driver, width, &name).await?;
            }
        }
        driver
            .find(By::Css("nav[aria-label='Staff pages']"))
            .await?;

        // The patients' door.
        driver.goto(format!("{}/", app.url)).await?;
        wait_for_text(&driver, "Lakeside Clinic").await?;
        for width in [Width::Desktop, Width::Phone] {
            width.apply(&driver).await?;
            checked(&driver, width, "door").await?;
        }
        Ok(())
    })
    .await;
}

/// axe, no sideways scrolling, and a screenshot named after the page and the width.
async fn checked(driver: &WebDriver, width: Width, name: &str) -> WebDriverResult<()> {
    let name = format!(
        "{name}-{}",
        match width {
            Width::Desktop => "desktop",
            Width::Phone => "phone",
        }
    );
    assert_accessible(driver, &name).await?;
    assert_no_sideways_scroll(driver, &name).await?;
    save_screenshot(driver, &name).await;
    Ok(())
}
