//! In a real browser, a patient without email who forgot how to sign in (docs/PRODUCT.md §5):
//! "Forgot your username?" from the sign-in page, then a new password with the same meter and
//! passphrase suggestion as registration, a failed try that keeps the code typed, and the visit
//! screen that shows the username again — at desktop width and on a phone.

use thirtyfour::prelude::*;
use wiremock::MockServer;

use crate::axe::assert_accessible;
use crate::browser::{
    Width, click, fill, in_a_browser, save_screenshot, submit, wait_for_path, wait_for_text,
    wait_until,
};
use crate::common::{Details, PHONE, PhoneInbox as _, TestApp, with_provider};

with_provider!(a_patient_without_email_gets_their_username_and_a_new_password_in_a_real_browser);

async fn a_patient_without_email_gets_their_username_and_a_new_password_in_a_real_browser(
    app: &TestApp,
    provider: &MockServer,
) {
    let lakeside = app.practice_with_admin("Lakeside Clinic").await;
    let username = lakeside
        .start_registration()
        .await
        .finish_with(provider, &Details::maria("").without_email())
        .await
        .username
        .expect("a username");

    in_a_browser(|driver| async move { recover(app, provider, &driver, &username).await }).await;
}

async fn link(driver: &WebDriver, text: &str) -> WebDriverResult<()> {
    click(
        driver,
        By::XPath(format!("//main//a[normalize-space()=\"{text}\"]")),
    )
    .await
}

/// Asks the page for a passphrase and answers the one it shows.
async fn suggested_passphrase(driver: &WebDriver) -> WebDriverResult<String> {
    submit(driver, "Suggest a passphrase").await?;
    let shown = || async {
        driver
            .find(By::Id("passphrase-suggestion"))
            .await?
            .text()
            .await
    };
    wait_until("a suggested passphrase", driver, || async {
        Ok(!shown().await?.trim().is_empty())
    })
    .await?;
    Ok(shown().await?.trim().to_owned())
}

async fn recover(
    app: &TestApp,
    provider: &MockServer,
    driver: &WebDriver,
    username: &str,
) -> WebDriverResult<()> {
    let backend = app.backend;
    // The username by SMS, asked for from the sign-in page on a desktop.
    Width::Desktop.apply(driver).await?;
    driver.goto(format!("{}/portal/sign-in", app.url)).await?;
    link(driver, "Forgot your username?").await?;
    wait_for_path(driver, "/portal/forgot/username").await?;
    assert_accessible(driver, "forgot username").await?;
    fill(driver, "Mobile phone number", "phone", "(415) 555-0123").await?;
    submit(driver, "Text me my username").await?;
    wait_for_text(driver, "we have sent its username to it").await?;
    assert_accessible(driver, "forgot username: sent").await?;
    save_screenshot(driver, &format!("forgot-username-sent-desktop-{backend:?}")).await;
    app.deliver().await;
    let texted = crate::common::provider::texts(provider).await;
    assert!(
        texted
            .iter()
            .any(|(to, body)| to == PHONE && body.ends_with(username)),
        "the username was texted: {texted:?}"
    );

    // On a phone: a code by SMS, then the new-password page with registration's helpers.
    Width::Phone.apply(driver).await?;
    link(driver, "Forgot your password?").await?;
    wait_for_path(driver, "/portal/forgot").await?;
    fill(driver, "Email address or username", "name", username).await?;
    click(driver, By::Id("channel-sms")).await?;
    submit(driver, "Send code").await?;
    wait_for_path(driver, "/portal/forgot/code").await?;
    suggested_passphrase(driver).await?;
    fill(driver, "New password", "password", "short").await?;
    wait_until("the strength meter", driver, || async {
        let meter = driver.find(By::Id("password-meter")).await?;
        meter.is_displayed().await
    })
    .await?;
    assert_accessible(driver, "forgot password: new password (phone)").await?;

    // A wrong code: refused, and the code typed is still in its field.
    fill(driver, "6-digit code", "code", "000000").await?;
    submit(driver, "Set new password").await?;
    wait_for_text(driver, "Please correct the following").await?;
    let kept = driver.find(By::Id("code")).await?.value().await?;
    assert_eq!(kept.as_deref(), Some("000000"), "the code typed is kept");
    assert_accessible(driver, "forgot password: refused (phone)").await?;
    save_screenshot(
        driver,
        &format!("forgot-password-refused-phone-{backend:?}"),
    )
    .await;

    // The right code with the suggested passphrase resets the password.
    let code = provider.code_sent_to(app, PHONE).await;
    fill(driver, "6-digit code", "code", &code).await?;
    // The refused page is a new page: its suggestion starts empty.
    let passphrase = suggested_passphrase(driver).await?;
    submit(driver, "Use this passphrase").await?;
    submit(driver, "Set new password").await?;
    wait_for_path(driver, "/portal/sign-in").await?;

    // Signed in with the new passphrase, the visit screen shows the username again.
    fill(driver, "Email address or username", "name", username).await?;
    fill(driver, "Password", "password", &passphrase).await?;
    submit(driver, "Sign in").await?;
    wait_for_path(driver, "/portal").await?;
    wait_for_text(driver, &format!("Your username is {username}")).await?;
    assert_accessible(driver, "visit screen with the username (phone)").await?;
    save_screenshot(driver, &format!("visit-username-phone-{backend:?}")).await;
    Ok(())
}
