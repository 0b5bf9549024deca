//! In a real browser, the front desk deciding sign-ups under a program that requires approval
//! (docs/PRODUCT.md §6): each decision is said back on the page, and the notification about the
//! sign-up reads as things stand now — at desktop width and on a phone.

use thirtyfour::prelude::*;
use wiremock::MockServer;

use crate::axe::assert_accessible;
use crate::browser::{
    Width, click, fill, in_a_browser, save_screenshot, wait_for_path, wait_for_text,
};
use crate::common::{CLI_ADMIN_PASSWORD, TestApp, with_provider};

with_provider!(staff_approve_and_decline_sign_ups_and_see_each_decision_in_a_real_browser);

async fn staff_approve_and_decline_sign_ups_and_see_each_decision_in_a_real_browser(
    app: &TestApp,
    provider: &MockServer,
) {
    let lakeside = app.practice_with_admin("Lakeside Clinic").await;
    lakeside
        .add_program("Diabetes care", "Sugar2026", "approval")
        .await;
    for email in ["maria@example.org", "dee@example.org"] {
        app.registered_with_code(provider, "Sugar2026", email).await;
    }

    let admin_email = lakeside.admin_email.clone();
    in_a_browser(|driver| async move { decide(app, &driver, &admin_email).await }).await;
}

async fn decide(app: &TestApp, driver: &WebDriver, admin_email: &str) -> WebDriverResult<()> {
    driver.goto(format!("{}/staff/sign-in", app.url)).await?;
    fill(driver, "Email address", "email", admin_email).await?;
    fill(driver, "Password", "password", CLI_ADMIN_PASSWORD).await?;
    click(driver, By::Css("main form button[type='submit']")).await?;
    wait_for_path(driver, "/staff").await?;
    driver.goto(format!("{}/staff/sign-ups", app.url)).await?;
    wait_for_text(driver, "Awaits approval: Maria Lopez (Diabetes care)").await?;

    // At the desk: approve the first sign-up.
    Width::Desktop.apply(driver).await?;
    click(
        driver,
        By::XPath("(//main//button[normalize-space()='Approve'])[1]"),
    )
    .await?;
    wait_for_text(
        driver,
        "Sign-up approved. The patient now sees your practice in the portal.",
    )
    .await?;
    wait_for_text(driver, "Approved: Maria Lopez (Diabetes care)").await?;
    assert_accessible(driver, "sign-ups, one approved").await?;

    // On a phone: decline the other.
    Width::Phone.apply(driver).await?;
    click(
        driver,
        By::XPath("(//main//button[normalize-space()='Decline'])[1]"),
    )
    .await?;
    wait_for_text(
        driver,
        "Sign-up declined. The patient is not linked to your practice.",
    )
    .await?;
    wait_for_text(driver, "No sign-up is waiting for approval.").await?;
    let notes = driver
        .find(By::Css("#notes-title + ul"))
        .await?
        .text()
        .await?;
    assert!(
        notes.contains("Approved: Maria Lopez")
            && notes.contains("Declined: Maria Lopez")
            && !notes.contains("Awaits approval"),
        "each notification reads as things stand now: {notes}"
    );
    assert_accessible(driver, "sign-ups, one declined (phone)").await?;
    save_screenshot(driver, &format!("sign-ups-decided-{:?}", app.backend)).await;
    Ok(())
}
