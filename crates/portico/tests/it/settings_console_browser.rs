//! In a real browser, a practice manager on `/staff/settings` (issue #19), in one browser
//! session: a mistake in the settings is explained next to its field with everything typed kept,
//! then the settings are saved; the practice id is there with its Copy button; new terms of use
//! are published once the admin confirms that every patient will be asked to accept them, and a
//! patient who registered earlier is asked to at their next sign-in; a new consent text is
//! published and listed. Every page passes axe-core at desktop width and on a phone, and none
//! scrolls sideways.

use thirtyfour::components::SelectElement;
use thirtyfour::prelude::*;
use wiremock::MockServer;

use crate::axe::assert_accessible;
use crate::browser::{
    Width, assert_no_sideways_scroll, click, fill, in_a_browser, labelled_field, save_screenshot,
    submit, wait_for_path, wait_for_text,
};
use crate::common::{CLI_ADMIN_PASSWORD, PASSPHRASE, TestApp, with_provider};

with_provider!(an_admin_publishes_new_terms_that_the_next_sign_in_asks_for_in_a_real_browser);

const NEW_TERMS: &str = "Lakeside's terms of use, second edition.\n\nThe portal is for messages about your care, never for emergencies.";
const NEW_CONSENT: &str =
    "I agree that Lakeside may contact me through the portal.\n\nI can withdraw this at any time.";

async fn an_admin_publishes_new_terms_that_the_next_sign_in_asks_for_in_a_real_browser(
    app: &TestApp,
    provider: &MockServer,
) {
    let lakeside = app.practice_with_admin("Lakeside Clinic").await;
    // Maria registered before the new terms, accepting the built-in ones.
    lakeside
        .registered_patient(provider, "maria@example.org")
        .await;
    let admin_email = lakeside.admin_email.clone();
    in_a_browser(|driver| async move {
        driver.goto(format!("{}/staff/sign-in", app.url)).await?;
        fill(&driver, "Email address", "email", &admin_email).await?;
        fill(&driver, "Password", "password", CLI_ADMIN_PASSWORD).await?;
        click(&driver, By::Css("main form button[type='submit']")).await?;
        wait_for_path(&driver, "/staff").await?;

        driver.goto(format!("{}/staff/settings", app.url)).await?;
        wait_for_text(&driver, "Practice id, for integrators").await?;
        for width in [Width::Phone, Width::Desktop] {
            width.apply(&driver).await?;
            checked(app, &driver, width, "settings").await?;
        }
        // The id can be copied with a button (the script shows it).
        assert!(
            driver
                .find(By::Css("[data-copy='practice-id']"))
                .await?
                .is_displayed()
                .await?,
            "the Copy button shows"
        );

        // A mistake: explained next to its field, with the name as typed kept.
        fill(&driver, "Practice name", "name", "Lakeside Family Practice").await?;
        fill(&driver, "Invitations work for (days)", "invite_expiry_days", "120").await?;
        submit(&driver, "Save settings").await?;
        wait_for_text(&driver, "Please correct the following").await?;
        let error = driver
            .find(By::Id("invite_expiry_days-error"))
            .await?
            .text()
            .await?;
        assert!(error.contains("Choose 1 to 90 days."), "{error}");
        let kept = driver.find(By::Id("name")).await?.prop("value").await?;
        assert_eq!(kept.as_deref(), Some("Lakeside Family Practice"));
        checked(app, &driver, Width::Desktop, "settings-mistake").await?;
        fill(&driver, "Invitations work for (days)", "invite_expiry_days", "30").await?;
        let zone = labelled_field(&driver, "Time zone", "time_zone").await?;
        SelectElement::new(&zone)
            .await?
            .select_by_exact_text("Central (Chicago)")
            .await?;
        submit(&driver, "Save settings").await?;
        wait_for_text(&driver, "Settings saved.").await?;
        let zone = driver.find(By::Id("time_zone")).await?.prop("value").await?;
        assert_eq!(zone.as_deref(), Some("America/Chicago"));

        // New terms: refused until the admin confirms what publishing means for patients.
        fill(&driver, "New terms of use", "terms_body", NEW_TERMS).await?;
        submit(&driver, "Publish new terms of use").await?;
        wait_for_text(&driver, "Tick the box to confirm").await?;
        let typed = driver.find(By::Id("terms_body")).await?.prop("value").await?;
        assert_eq!(typed.as_deref(), Some(NEW_TERMS), "the text typed is kept");
        click(&driver, By::Id("terms_confirm")).await?;
        submit(&driver, "Publish new terms of use").await?;
        wait_for_text(&driver, "Terms of use version 2 published.").await?;
        wait_for_text(&driver, "Version 2, published today,").await?;

        // A new consent text, listed with the built-in one.
        fill(&driver, "New consent text", "consent_body", NEW_CONSENT).await?;
        submit(&driver, "Publish new consent text").await?;
        wait_for_text(&driver, "Consent text version 2 published.").await?;
        click(&driver, By::XPath("//summary[normalize-space()='Read version 1']")).await?;
        for width in [Width::Desktop, Width::Phone] {
            width.apply(&driver).await?;
            checked(app, &driver, width, "settings-published").await?;
        }

        // Maria signs in: the new terms come first.
        driver.goto(format!("{}/portal/sign-in", app.url)).await?;
        fill(&driver, "Email address or username", "name", "maria@example.org").await?;
        fill(&driver, "Password", "password", PASSPHRASE).await?;
        click(&driver, By::Css("main form button[type='submit']")).await?;
        wait_for_path(&driver, "/portal/terms").await?;
        wait_for_text(
            &driver,
            "Lakeside Family Practice has published new terms of use (version 2).",
        )
        .await?;
        wait_for_text(&driver, "never for emergencies").await?;
        checked(app, &driver, Width::Phone, "portal-new-terms").await?;
        driver
            .execute(
                "var box = document.querySelector('[data-terms-box]'); box.scrollTop = box.scrollHeight; box.dispatchEvent(new Event('scroll'));",
                Vec::new(),
            )
            .await?;
        click(&driver, By::Id("accept-terms")).await?;
        wait_for_path(&driver, "/portal").await?;
        Ok(())
    })
    .await;
}

/// axe, no sideways scrolling, and a screenshot named after the page, width and database.
async fn checked(
    app: &TestApp,
    driver: &WebDriver,
    width: Width,
    name: &str,
) -> WebDriverResult<()> {
    let name = format!("{name}-{width:?}-{:?}", app.backend).to_lowercase();
    assert_accessible(driver, &name).await?;
    assert_no_sideways_scroll(driver, &name).await?;
    save_screenshot(driver, &name).await;
    save_full_page(driver, &name).await
}

/// The whole page, however long, as `<name>-full.png`: the window grows to the page's height
/// for the shot, then goes back.
async fn save_full_page(driver: &WebDriver, name: &str) -> WebDriverResult<()> {
    let rect = driver.get_window_rect().await?;
    let (inner, page): (i64, i64) = driver
        .execute(
            "return [window.innerHeight, document.documentElement.scrollHeight];",
            Vec::new(),
        )
        .await?
        .convert()?;
    let size = |px: i64| u32::try_from(px).unwrap_or(u32::MAX);
    let chrome = rect.height - inner;
    driver
        .set_window_rect(rect.x, rect.y, size(rect.width), size(page + chrome))
        .await?;
    save_screenshot(driver, &format!("{name}-full")).await;
    driver
        .set_window_rect(rect.x, rect.y, size(rect.width), size(rect.height))
        .await
}
