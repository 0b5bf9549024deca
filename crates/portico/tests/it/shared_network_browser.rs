//! In a real browser, a shared network (issue 17): a browser that used up its wrong codes is told
//! how long to wait and that the practice can help, even when it then types the right code; and
//! another browser on the same machine (a fresh profile) registers with a good code meanwhile —
//! at desktop width and on a phone.

use reqwest::StatusCode;
use thirtyfour::prelude::*;

use crate::axe::assert_accessible;
use crate::browser::{
    Width, click, fill, in_a_browser, save_screenshot, wait_for_path, wait_for_text,
};
use crate::common::{TestApp, on_both};
use crate::shared_networks::lakeside_code;

on_both!(
    a_browser_that_used_up_its_codes_is_told_how_long_to_wait_in_a_real_browser,
    another_browser_on_the_same_machine_registers_while_one_waits_in_a_real_browser,
);

const WRONG: &str = "ZZZ999";
const WAIT_MESSAGE: &str = "Too many attempts. Please wait 15 minutes and try again. If you cannot wait, your practice can help.";

/// Types `code` into "Register with a code" and sends it.
async fn register_with(driver: &WebDriver, code: &str) -> WebDriverResult<()> {
    fill(driver, "Provider code or sign-up code", "self_code", code).await?;
    click(
        driver,
        By::XPath("//main//button[normalize-space()='Continue']"),
    )
    .await
}

async fn a_browser_that_used_up_its_codes_is_told_how_long_to_wait_in_a_real_browser(
    app: &TestApp,
) {
    let good = lakeside_code(app).await;
    let url = app.url.clone();
    let backend = app.backend;
    in_a_browser(|driver| async move {
        Width::Desktop.apply(&driver).await?;
        driver.goto(format!("{url}/register")).await?;
        for _ in 0..10 {
            register_with(&driver, WRONG).await?;
            wait_for_text(&driver, "Please check the code you received").await?;
        }
        // The right code now gets the same refusal: nothing tells a guesser it was right.
        register_with(&driver, &good).await?;
        wait_for_text(&driver, WAIT_MESSAGE).await?;
        assert_accessible(&driver, "registration entry, allowance used up").await?;
        save_screenshot(&driver, &format!("shared-network-wait-desktop-{backend:?}")).await;

        Width::Phone.apply(&driver).await?;
        wait_for_text(&driver, WAIT_MESSAGE).await?;
        assert_accessible(&driver, "registration entry, allowance used up (phone)").await?;
        save_screenshot(&driver, &format!("shared-network-wait-phone-{backend:?}")).await;
        Ok(())
    })
    .await;
}

async fn another_browser_on_the_same_machine_registers_while_one_waits_in_a_real_browser(
    app: &TestApp,
) {
    let good = lakeside_code(app).await;
    // The first browser on this machine uses up its wrong codes and must wait.
    let first = app.browser();
    let csrf = first.csrf_for("/register").await;
    for _ in 0..10 {
        first
            .post_form("/register/self", &[("csrf_token", &csrf), ("code", WRONG)])
            .await;
    }
    let refused = first
        .post_form("/register/self", &[("csrf_token", &csrf), ("code", &good)])
        .await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);

    let url = app.url.clone();
    let backend = app.backend;
    in_a_browser(|driver| async move {
        for width in [Width::Desktop, Width::Phone] {
            width.apply(&driver).await?;
            driver.goto(format!("{url}/register")).await?;
            wait_for_text(&driver, "I was invited").await?;
            assert_accessible(&driver, &format!("registration entry ({width:?})")).await?;
            register_with(&driver, &good).await?;
            wait_for_path(&driver, "/register/details").await?;
            assert_accessible(&driver, &format!("registration details ({width:?})")).await?;
            save_screenshot(
                &driver,
                &format!("shared-network-second-browser-{width:?}-{backend:?}"),
            )
            .await;
        }
        Ok(())
    })
    .await;
}
