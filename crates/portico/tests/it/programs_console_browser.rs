//! In a real browser (issue #19): an admin adds a program on `/staff/programs` (a sign-up code
//! that is too short is said at the field first), whose sign-up code then registers a patient.
//! The program requires approval, so the patient waits; once approved on the sign-ups page the
//! program counts them as enrolled. Then the admin changes the program and turns its code off.
//! Every page is checked with axe and for sideways scrolling at desktop width and on a phone.

use reqwest::StatusCode;
use serde_json::json;
use thirtyfour::prelude::*;
use wiremock::MockServer;

use crate::browser::{Width, click, fill, in_a_browser, submit, wait_for_path, wait_for_text};
use crate::codes_console_browser::checked;
use crate::common::{CLI_ADMIN_PASSWORD, TestApp, with_provider};

with_provider!(an_admin_creates_a_program_whose_sign_up_code_registers_a_patient_in_a_real_browser);

async fn an_admin_creates_a_program_whose_sign_up_code_registers_a_patient_in_a_real_browser(
    app: &TestApp,
    provider: &MockServer,
) {
    let lakeside = app.practice_with_admin("Lakeside Clinic").await;
    let admin_email = lakeside.admin_email.clone();
    in_a_browser(|driver| async move {
        driver.goto(format!("{}/staff/sign-in", app.url)).await?;
        fill(&driver, "Email address", "email", &admin_email).await?;
        fill(&driver, "Password", "password", CLI_ADMIN_PASSWORD).await?;
        click(&driver, By::Css("main form button[type='submit']")).await?;
        wait_for_path(&driver, "/staff").await?;

        driver.goto(format!("{}/staff/programs", app.url)).await?;
        wait_for_text(&driver, "No programs yet.").await?;
        for width in [Width::Desktop, Width::Phone] {
            checked(&driver, width, "staff-programs-empty").await?;
        }

        // A code that is too short: said at the field, the name kept, the summary in focus.
        Width::Desktop.apply(&driver).await?;
        fill(&driver, "Name", "name", "Diabetes Care").await?;
        fill(&driver, "Sign-up code", "signup_code", "abc").await?;
        click(&driver, By::Css("label[for='policy-approval']")).await?;
        submit(&driver, "Add program").await?;
        wait_for_text(
            &driver,
            "Choose a sign-up code of 6 to 32 letters and digits.",
        )
        .await?;
        let focused: String = driver
            .execute("return document.activeElement.className;", vec![])
            .await?
            .convert()?;
        assert_eq!(focused, "error-summary", "the error summary takes focus");
        let kept = driver.find(By::Id("name")).await?.prop("value").await?;
        assert_eq!(kept.as_deref(), Some("Diabetes Care"));
        let approval = driver.find(By::Id("policy-approval")).await?;
        assert!(approval.is_selected().await?, "the chosen policy is kept");
        for width in [Width::Desktop, Width::Phone] {
            checked(&driver, width, "staff-programs-error").await?;
        }

        // Fixed on a phone: the program is added and listed.
        fill(&driver, "Sign-up code", "signup_code", "Sugar2026").await?;
        submit(&driver, "Add program").await?;
        wait_for_text(
            &driver,
            "Program Diabetes Care added. Patients can sign up with the code Sugar2026.",
        )
        .await?;
        wait_for_text(&driver, "Require approval").await?;
        for width in [Width::Desktop, Width::Phone] {
            checked(&driver, width, "staff-programs").await?;
        }

        // A patient signs up with the code; the program requires approval, so they wait.
        app.registered_with_code(provider, "sugar 2026", "maria@example.org")
            .await;
        driver.refresh().await?;
        wait_for_text(&driver, "1 waiting for approval").await?;
        assert_eq!(enrolled(&driver).await?, "0");

        // Approved on the sign-ups page: now enrolled.
        click(&driver, By::LinkText("1 waiting for approval")).await?;
        wait_for_path(&driver, "/staff/sign-ups").await?;
        submit(&driver, "Approve").await?;
        wait_for_text(&driver, "Sign-up approved.").await?;
        driver.goto(format!("{}/staff/programs", app.url)).await?;
        wait_for_text(&driver, "Diabetes Care").await?;
        assert_eq!(enrolled(&driver).await?, "1");
        Width::Desktop.apply(&driver).await?;
        assert!(
            !driver
                .find(By::Tag("main"))
                .await?
                .text()
                .await?
                .contains("waiting for approval"),
            "nobody waits any more"
        );

        // The program's page: one enrolled; messaging no longer allowed, then the code off.
        click(&driver, By::LinkText("Diabetes Care")).await?;
        wait_for_text(&driver, "1 enrolled").await?;
        for width in [Width::Desktop, Width::Phone] {
            checked(&driver, width, "staff-program").await?;
        }
        Width::Desktop.apply(&driver).await?;
        click(&driver, By::Css("label[for='messaging_allowed']")).await?;
        submit(&driver, "Save changes").await?;
        wait_for_text(&driver, "Changes to Diabetes Care saved.").await?;
        wait_for_text(&driver, "Not allowed").await?;
        click(&driver, By::LinkText("Diabetes Care")).await?;
        submit(&driver, "Turn off the sign-up code").await?;
        wait_for_text(
            &driver,
            "Diabetes Care is off: its sign-up code no longer works.",
        )
        .await?;
        checked(&driver, Width::Desktop, "staff-programs-off").await?;
        Ok(())
    })
    .await;

    let lookup = app
        .anonymous_api()
        .post(
            "/public/signup-codes/lookup",
            &json!({ "code": "Sugar2026" }),
        )
        .await;
    assert_eq!(lookup.status(), StatusCode::BAD_REQUEST, "the code is off");
}

/// The enrolled count the list shows for its only program.
async fn enrolled(driver: &WebDriver) -> WebDriverResult<String> {
    let cell = driver.find(By::Css("td[data-enrolled]")).await?;
    Ok(cell.attr("data-enrolled").await?.unwrap_or_default())
}
