//! In a real browser, Back through registration (never a form sent twice), an invited patient's
//! details (the birth date fixed, the name open to
//! correction) and the phone step of registration (docs/PRODUCT.md §5): the first code is "a
//! code" sent to the masked number, a wrong code says how many tries are left, "Re-send code"
//! counts down the wait the server would enforce, and a second code is said to replace the first
//! — at desktop width and on a phone.

use std::time::Duration;

use thirtyfour::prelude::*;
use wiremock::MockServer;

use crate::axe::assert_accessible;
use crate::browser::{
    Width, fill, in_a_browser, labelled_field, save_screenshot, set_value, submit, wait_for_path,
    wait_for_text,
};
use crate::common::{
    BIRTH_DATE, Invitee, PASSPHRASE, PHONE, PhoneInbox as _, TestApp, with_provider,
};

with_provider!(
    the_phone_step_says_where_the_code_went_how_many_tries_are_left_and_when_to_ask_again
);

async fn the_phone_step_says_where_the_code_went_how_many_tries_are_left_and_when_to_ask_again(
    app: &TestApp,
    provider: &MockServer,
) {
    let lakeside = app.practice_with_admin("Lakeside Clinic").await;
    let link = lakeside
        .invite(
            &Invitee::maria()
                .email("maria@example.org")
                .phone(PHONE)
                .by(&["email"]),
        )
        .await
        .link;
    in_a_browser(|driver| async move { phone_step(app, provider, &driver, &link).await }).await;
}

async fn phone_step(
    app: &TestApp,
    provider: &MockServer,
    driver: &WebDriver,
    link: &str,
) -> WebDriverResult<()> {
    driver.goto(link).await?;
    // A wrong birth date first: the answer is a page, but the history holds the link's page.
    set_value(driver, "Date of birth", "birth_date", "1990-01-01").await?;
    submit(driver, "Continue").await?;
    wait_for_text(driver, "could not accept").await?;
    set_value(driver, "Date of birth", "birth_date", BIRTH_DATE).await?;
    submit(driver, "Continue").await?;
    wait_for_path(driver, "/register/details").await?;
    // The invitation's details: the birth date just proved is fixed, the name may be corrected.
    for width in [Width::Desktop, Width::Phone] {
        width.apply(driver).await?;
        let birth = labelled_field(driver, "Date of birth", "birth_date").await?;
        assert!(
            birth.attr("readonly").await?.is_some(),
            "the birth date is fixed"
        );
        wait_for_text(
            driver,
            "Checked with your invitation, so it cannot be changed here.",
        )
        .await?;
        assert_accessible(driver, "details, invited").await?;
        save_screenshot(
            driver,
            &format!("details-invited-{width:?}-{:?}", app.backend),
        )
        .await;
    }
    Width::Desktop.apply(driver).await?;
    fill(driver, "First name", "first_name", "María").await?;
    // "Use this passphrase" waits for a suggestion to use.
    let use_suggestion = driver.find(By::Css("button[data-use-passphrase]")).await?;
    assert!(!use_suggestion.is_displayed().await?, "nothing to use yet");
    // A refused password, at both widths: the form comes back by redirect, with the name as
    // corrected and the focus on the list of what to fix; a password that passes then clears the
    // stale message next to the field.
    for width in [Width::Desktop, Width::Phone] {
        width.apply(driver).await?;
        fill(driver, "Choose a password", "password", "short").await?;
        submit(driver, "Continue").await?;
        wait_for_text(driver, "Please correct the following").await?;
        let first = labelled_field(driver, "First name", "first_name").await?;
        assert_eq!(first.value().await?.as_deref(), Some("María"));
        let focused: String = driver
            .execute("return document.activeElement.className;", Vec::new())
            .await?
            .convert()?;
        assert_eq!(focused, "error-summary", "the focus is on what to fix");
        assert_accessible(driver, "details with errors").await?;
        save_screenshot(
            driver,
            &format!("details-errors-{width:?}-{:?}", app.backend),
        )
        .await;
        fill(driver, "Choose a password", "password", PASSPHRASE).await?;
        wait_for_text(driver, "Strength:").await?;
        let stale = driver.find(By::Id("password-error")).await?;
        assert!(!stale.is_displayed().await?, "the old message is gone");
    }
    Width::Desktop.apply(driver).await?;
    submit(driver, "Continue").await?;
    wait_for_path(driver, "/register/phone").await?;

    // Back, step by step to the invitation link: each entry is one of our pages (as the browser
    // kept it), never the browser's "Confirm Form Resubmission"; then on again.
    for width in [Width::Desktop, Width::Phone] {
        width.apply(driver).await?;
        let mut paths = Vec::new();
        for _ in 0..5 {
            driver.back().await?;
            let body = driver.find(By::Tag("body")).await?.text().await?;
            assert!(body.contains("Patient portal"), "one of our pages: {body}");
            paths.push(driver.current_url().await?.path().to_owned());
            if body.contains("Your invitation from Lakeside Clinic") {
                break;
            }
        }
        assert!(
            paths.last().is_some_and(|p| p.starts_with("/i/")),
            "Back leads to the invitation link's page: {paths:?}"
        );
        if matches!(width, Width::Desktop) {
            assert!(paths.iter().any(|p| p == "/register/details"), "{paths:?}");
        }
        driver.goto(format!("{}/register/phone", app.url)).await?;
        wait_for_text(driver, "How should we send").await?;
    }
    Width::Desktop.apply(driver).await?;

    // At the desk: the first code goes out; the page says where, and not "a new code".
    Width::Desktop.apply(driver).await?;
    submit(driver, "Send code").await?;
    wait_for_text(driver, "We sent a 6-digit code by text message to").await?;
    let main = driver.find(By::Tag("main")).await?.text().await?;
    assert!(main.contains("0123"), "the number's last digits: {main}");
    assert!(
        !main.contains("We sent you a new code"),
        "the first code is not new: {main}"
    );
    // "Re-send code" waits out the 30 seconds the server would refuse, counting down.
    let resend = driver
        .find(By::XPath(
            "//main//button[starts-with(normalize-space(), 'Re-send code')]",
        ))
        .await?;
    assert!(!resend.is_enabled().await?, "disabled during the wait");
    assert!(resend.text().await?.contains("(0:"), "the wait counts down");
    wait_for_text(driver, "You can ask for a new code in 30 seconds.").await?;
    // A wrong code: how many tries are left.
    let right = provider.code_sent_to(app, PHONE).await;
    let wrong = if right == "000000" {
        "111111"
    } else {
        "000000"
    };
    fill(driver, "6-digit code", "code", wrong).await?;
    submit(driver, "Verify").await?;
    wait_for_text(driver, "4 tries left with this code.").await?;
    assert_accessible(driver, "phone: wrong code").await?;
    save_screenshot(
        driver,
        &format!("phone-wrong-code-desktop-{:?}", app.backend),
    )
    .await;

    // On a phone, after the wait: a second code, said to replace the first.
    Width::Phone.apply(driver).await?;
    fill(driver, "6-digit code", "code", wrong).await?;
    submit(driver, "Verify").await?;
    wait_for_text(driver, "3 tries left with this code.").await?;
    app.advance(Duration::from_secs(31));
    driver
        .goto(format!("{}/register/phone?sent=sms", app.url))
        .await?;
    submit(driver, "Re-send code").await?;
    wait_for_text(
        driver,
        "We sent you a new code. Only the newest code works.",
    )
    .await?;
    assert_accessible(driver, "phone: new code").await?;
    save_screenshot(driver, &format!("phone-new-code-phone-{:?}", app.backend)).await;
    let fresh = provider.code_sent_to(app, PHONE).await;
    fill(driver, "6-digit code", "code", &fresh).await?;
    submit(driver, "Verify").await?;
    wait_for_path(driver, "/register/terms").await?;
    Ok(())
}
