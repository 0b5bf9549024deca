//! In a real browser, an intake form (issue #21): Bea builds "New patient history" in the
//! builder (an empty form is refused beside its fields; "Add more questions" gives more rows)
//! with all seven kinds of question, and sends it in her conversation with Maria. Maria, on her
//! phone, opens it from the conversation, starts typing — the draft is kept without a button and
//! is still there after a reload — submits with required questions left blank (refused beside
//! them, her answers kept), then completes and submits it. Bea sees "Submitted" in the
//! conversation, reads the answers there and from Maria's record, and downloads them as CSV.
//! Each page is checked with axe and for sideways scrolling at desktop width and on a phone.

use serde_json::json;
use thirtyfour::prelude::*;
use wiremock::MockServer;

use crate::browser::{
    Width, checked_at, checked_both, click, fill, in_a_browser, patient_sign_in, set_field_value,
    set_value, staff_sign_in, submit, wait_for_path, wait_for_path_prefix, wait_for_text,
    wait_until,
};
use crate::common::{Api, CLI_ADMIN_PASSWORD, TestApp, with_provider};

with_provider!(a_patient_fills_in_an_intake_form_sent_in_a_conversation);

/// Types into the builder's row `i`: the question, its kind, its choices.
async fn question(
    driver: &WebDriver,
    i: usize,
    prompt: &str,
    kind: &str,
    choices: &str,
) -> WebDriverResult<()> {
    let field = driver.find(By::Id(format!("q{i}_prompt"))).await?;
    field.send_keys(prompt).await?;
    let select = driver.find(By::Id(format!("q{i}_kind"))).await?;
    set_field_value(driver, &select, kind).await?;
    if !choices.is_empty() {
        let field = driver.find(By::Id(format!("q{i}_choices"))).await?;
        field.send_keys(choices).await?;
    }
    Ok(())
}

async fn required(driver: &WebDriver, i: usize) -> WebDriverResult<()> {
    driver
        .find(By::Id(format!("q{i}_required")))
        .await?
        .click()
        .await
}

async fn a_patient_fills_in_an_intake_form_sent_in_a_conversation(
    app: &TestApp,
    provider: &MockServer,
) {
    let lakeside = app.practice_with_admin("Lakeside Clinic").await;
    lakeside
        .registered_patient(provider, "maria@example.org")
        .await;
    let found = Api::expect(
        lakeside.get("/patients?q=maria").await,
        reqwest::StatusCode::OK,
    )
    .await;
    let maria_id = found["items"][0]["id"].as_str().expect("Maria").to_owned();
    let bea = lakeside.admin_session().await;
    let thread = bea
        .start_thread(&maria_id, "Your first visit", "Welcome to Lakeside Clinic.")
        .await;
    let thread_id = thread["id"].as_str().expect("a thread").to_owned();
    let admin_email = lakeside.admin_email.clone();
    in_a_browser(|driver| async move {
        // Bea builds the form; an empty one is refused beside its fields.
        staff_sign_in(&driver, app, &admin_email, CLI_ADMIN_PASSWORD).await?;
        driver.goto(format!("{}/staff/forms", app.url)).await?;
        wait_for_text(&driver, "No forms yet.").await?;
        click(&driver, By::LinkText("New form")).await?;
        wait_for_path(&driver, "/staff/forms/new").await?;
        submit(&driver, "Save the form").await?;
        wait_for_text(&driver, "Give the form a title.").await?;
        wait_for_text(&driver, "Ask at least one question.").await?;
        fill(&driver, "Title of the form", "title", "New patient history").await?;
        question(&driver, 0, "Your pharmacy", "short_text", "").await?;
        question(&driver, 1, "Do you smoke?", "yes_no", "").await?;
        required(&driver, 1).await?;
        // One choice is not a choice: refused beside the row, everything typed kept.
        question(
            &driver,
            2,
            "How would you like to be seen?",
            "single_choice",
            "In person",
        )
        .await?;
        required(&driver, 2).await?;
        submit(&driver, "Save the form").await?;
        wait_for_text(
            &driver,
            "Question 3: List at least two choices, one per line.",
        )
        .await?;
        checked_at(&driver, Width::Desktop, "intake-form-builder-refused").await?;
        let choices = driver.find(By::Id("q2_choices")).await?;
        choices.send_keys("\nVideo").await?;
        submit(&driver, "Add more questions").await?;
        wait_until("six rows", &driver, || async {
            Ok(driver
                .find_all(By::Css("fieldset.builder-row"))
                .await?
                .len()
                == 6)
        })
        .await?;
        question(
            &driver,
            3,
            "Conditions",
            "multiple_choice",
            "Asthma\nDiabetes\nHeart disease",
        )
        .await?;
        question(&driver, 4, "Date of your last visit", "date", "").await?;
        question(&driver, 5, "Weight in kg", "number", "").await?;
        required(&driver, 5).await?;
        submit(&driver, "Add more questions").await?;
        question(&driver, 6, "Anything else we should know?", "long_text", "").await?;
        checked_both(&driver, "intake-form-builder").await?;
        Width::Desktop.apply(&driver).await?;
        submit(&driver, "Save the form").await?;
        wait_for_text(&driver, "The form is saved.").await?;
        wait_for_text(
            &driver,
            "Several choices: Asthma · Diabetes · Heart disease",
        )
        .await?;
        let form_url = driver.current_url().await?;
        checked_both(&driver, "intake-form").await?;
        Width::Desktop.apply(&driver).await?;

        // She sends it in her conversation with Maria.
        driver
            .goto(format!("{}/staff/messages/{thread_id}", app.url))
            .await?;
        submit(&driver, "Send the form").await?;
        wait_for_text(&driver, "Form: New patient history").await?;
        wait_for_text(&driver, "Not submitted yet.").await?;
        checked_both(&driver, "staff-thread-form-sent").await?;
        driver.delete_all_cookies().await?;

        // Maria, on her phone, signs in from the conversation's link and opens the form.
        Width::Phone.apply(&driver).await?;
        let thread_path = format!("/portal/messages/{thread_id}");
        driver.goto(format!("{}{thread_path}", app.url)).await?;
        wait_for_path(&driver, "/portal/sign-in").await?;
        patient_sign_in(&driver, "maria@example.org").await?;
        wait_for_path(&driver, &thread_path).await?;
        click(&driver, By::PartialLinkText("Fill in the form")).await?;
        wait_for_path_prefix(&driver, &format!("{thread_path}/forms/")).await?;
        wait_for_text(&driver, "New patient history").await?;
        // What she types is kept as she goes, without a button, and survives a reload.
        fill(&driver, "Your pharmacy", "a0", "Main Street Pharmacy").await?;
        click(&driver, By::Css("label[for='a1-no']")).await?;
        wait_for_text(&driver, "Draft saved at").await?;
        checked_at(&driver, Width::Phone, "portal-form-draft").await?;
        driver.refresh().await?;
        wait_for_text(&driver, "Your draft is kept.").await?;
        let kept = driver.find(By::Id("a0")).await?.prop("value").await?;
        assert_eq!(kept.as_deref(), Some("Main Street Pharmacy"));
        assert!(driver.find(By::Id("a1-no")).await?.is_selected().await?);
        // Submitted with required questions blank: refused beside them, her answers kept.
        submit(&driver, "Submit").await?;
        wait_for_text(&driver, "Please correct the following").await?;
        let page = driver.find(By::Tag("main")).await?.text().await?;
        assert_eq!(page.matches("Answer this question.").count(), 4, "{page}");
        let kept = driver.find(By::Id("a0")).await?.prop("value").await?;
        assert_eq!(kept.as_deref(), Some("Main Street Pharmacy"));
        checked_at(&driver, Width::Phone, "portal-form-refused").await?;
        click(&driver, By::Css("label[for='a2-2']")).await?;
        click(&driver, By::Css("label[for='a3-1']")).await?;
        click(&driver, By::Css("label[for='a3-3']")).await?;
        set_value(&driver, "Date of your last visit", "a4", "2026-03-14").await?;
        fill(&driver, "Weight in kg (required)", "a5", "72,5").await?;
        fill(
            &driver,
            "Anything else we should know?",
            "a6",
            "Knee surgery in 2019.",
        )
        .await?;
        submit(&driver, "Submit").await?;
        wait_for_text(&driver, "Thank you: your answers are sent to the practice.").await?;
        wait_for_text(&driver, "Asthma, Heart disease").await?;
        checked_both(&driver, "portal-form-submitted").await?;
        driver.delete_all_cookies().await?;

        // Bea sees it submitted in the conversation, and reads the answers there and from
        // Maria's record.
        Width::Desktop.apply(&driver).await?;
        staff_sign_in(&driver, app, &admin_email, CLI_ADMIN_PASSWORD).await?;
        driver
            .goto(format!("{}/staff/messages/{thread_id}", app.url))
            .await?;
        click(&driver, By::PartialLinkText("See the answers")).await?;
        wait_for_text(&driver, "Answers of Maria Lopez, submitted").await?;
        for answer in ["Main Street Pharmacy", "No", "Video", "2026-03-14", "72.5"] {
            wait_for_text(&driver, answer).await?;
        }
        checked_both(&driver, "staff-thread-form-answers").await?;
        Width::Desktop.apply(&driver).await?;
        driver
            .goto(format!("{}/staff/patients/{maria_id}", app.url))
            .await?;
        click(&driver, By::LinkText("New patient history")).await?;
        wait_for_text(&driver, "Answers of Maria Lopez, submitted").await?;
        // The form's answers download as a spreadsheet.
        let mut form_page = form_url.clone();
        form_page.set_query(None);
        let csv_url = format!("{form_page}/answers.csv");
        let fetched = driver
            .execute(
                "return fetch(arguments[0]).then(r => r.text().then(t => \
                 [r.status, r.headers.get('content-type'), t]))",
                vec![json!(csv_url)],
            )
            .await?;
        let fetched = fetched.json();
        assert_eq!(fetched[0], 200, "{fetched}");
        assert_eq!(fetched[1], "text/csv; charset=utf-8");
        let text = fetched[2].as_str().unwrap_or_default();
        assert!(text.contains("\"Patient\",\"Birth date\""), "{text}");
        assert!(text.contains("\"Maria Lopez\""), "{text}");
        assert!(text.contains("\"Asthma, Heart disease\""), "{text}");
        Ok(())
    })
    .await;
}
