//! In a real browser, a visit request (issue #21, first part): the practice's admin gives Dr. Kim
//! a question for every request on her provider page (six are refused beside the field). Maria,
//! on her phone, taps *Tap to begin* on Dr. Kim's card, first sends the form without a reason (said beside the field,
//! her choice kept), then asks for a day and time with a reason and her answer. At the front desk
//! the waiting list shows her request with its reason and answer; proposing without a time is refused beside that
//! request's field, then staff accept it, and Maria's visit screen says so. Each page is checked
//! with axe and for sideways scrolling at desktop width and on a phone, with screenshots. First,
//! with the waiting list open at the desk, a request sent from the patient's app appears on it
//! without a reload.

use thirtyfour::prelude::*;
use wiremock::MockServer;

use crate::browser::{
    Width, checked_at, checked_both, click, fill, in_a_browser, patient_sign_in, set_value,
    staff_sign_in, submit, wait_for_path, wait_for_text,
};
use crate::common::{CLI_ADMIN_PASSWORD, TestApp, with_provider};

with_provider!(a_patient_asks_for_a_visit_and_the_desk_accepts_it_in_a_real_browser);

async fn a_patient_asks_for_a_visit_and_the_desk_accepts_it_in_a_real_browser(
    app: &TestApp,
    provider: &MockServer,
) {
    let lakeside = app.practice_with_admin("Lakeside Clinic").await;
    let kim = lakeside.add_provider("Dr. Ana Kim").await;
    let maria = app
        .registered_with_code(provider, &kim.code, "maria@example.org")
        .await;
    let card = maria.me().await.cards[0].id.clone();
    let admin_email = lakeside.admin_email.clone();
    in_a_browser(|driver| async move {
        // The desk's waiting list is open when a request comes in: it shows up without a reload.
        staff_sign_in(&driver, app, &admin_email, CLI_ADMIN_PASSWORD).await?;

        // Dr. Kim's question for every request; six are too many.
        driver
            .goto(format!("{}/staff/providers/{}", app.url, kim.id))
            .await?;
        fill(
            &driver,
            "Questions patients answer when they ask Dr. Ana Kim for a visit",
            "prompts",
            "One?\nTwo?\nThree?\nFour?\nFive?\nSix?",
        )
        .await?;
        submit(&driver, "Save visit settings").await?;
        wait_for_text(&driver, "Ask at most five questions.").await?;
        checked_at(&driver, Width::Desktop, "provider-visit-settings-refused").await?;
        driver.find(By::Id("prompts")).await?.clear().await?;
        fill(
            &driver,
            "Questions patients answer when they ask Dr. Ana Kim for a visit",
            "prompts",
            "Which tooth hurts?",
        )
        .await?;
        submit(&driver, "Save visit settings").await?;
        wait_for_text(&driver, "Visit settings saved.").await?;
        checked_both(&driver, "provider-visit-settings").await?;
        Width::Desktop.apply(&driver).await?;

        driver.goto(format!("{}/staff/visits", app.url)).await?;
        wait_for_text(&driver, "No visit request is waiting.").await?;
        driver
            .execute(
                "document.body.setAttribute('data-loaded-once', 'yes');",
                vec![],
            )
            .await?;
        let asked = maria
            .post(
                "/patient/visit-requests",
                &serde_json::json!({
                    "link_id": card, "when": "now", "reason": "Sore throat",
                    "answers": ["None, it is my gums"],
                }),
            )
            .await;
        assert_eq!(asked.status(), reqwest::StatusCode::CREATED);
        wait_for_text(&driver, "Sore throat").await?;
        wait_for_text(&driver, "Waiting for an answer (1)").await?;
        let same_page = driver
            .find(By::Tag("body"))
            .await?
            .attr("data-loaded-once")
            .await?;
        assert_eq!(same_page.as_deref(), Some("yes"), "no reload");
        submit(&driver, "Accept the request of Maria Lopez").await?;
        wait_for_text(&driver, "Accepted. The patient sees it").await?;
        driver.delete_all_cookies().await?;

        Width::Phone.apply(&driver).await?;
        driver.goto(format!("{}/portal/sign-in", app.url)).await?;
        patient_sign_in(&driver, "maria@example.org").await?;
        wait_for_path(&driver, "/portal").await?;
        click(&driver, By::PartialLinkText("Tap to begin")).await?;
        wait_for_text(&driver, "When would you like to be seen?").await?;
        checked_both(&driver, "portal-visit-new").await?;

        // Without a reason: refused beside the field, the chosen time kept.
        Width::Phone.apply(&driver).await?;
        click(&driver, By::Id("when-at")).await?;
        set_value(&driver, "Day and time", "at", "2026-11-20T14:30").await?;
        submit(&driver, "Send to the practice").await?;
        wait_for_text(&driver, "Say in a few words why you would like to be seen.").await?;
        wait_for_text(&driver, "Answer “Which tooth hurts?”").await?;
        let at = driver.find(By::Id("at")).await?;
        assert_eq!(at.value().await?.as_deref(), Some("2026-11-20T14:30"));
        checked_at(&driver, Width::Phone, "portal-visit-new-refused").await?;
        fill(
            &driver,
            "Why would you like to be seen?",
            "reason",
            "Cough since Monday",
        )
        .await?;
        fill(
            &driver,
            "Which tooth hurts?",
            "answer_1",
            "Upper left molar",
        )
        .await?;
        submit(&driver, "Send to the practice").await?;
        wait_for_text(&driver, "Your request was sent.").await?;
        wait_for_text(&driver, "waiting for the practice").await?;

        // The desk's waiting list: the request with its reason.
        staff_sign_in(&driver, app, &admin_email, CLI_ADMIN_PASSWORD).await?;
        click(&driver, By::LinkText("Visits")).await?;
        wait_for_path(&driver, "/staff/visits").await?;
        wait_for_text(&driver, "Cough since Monday").await?;
        wait_for_text(&driver, "Upper left molar").await?;
        wait_for_text(&driver, "Nov 20, 2026, 2:30 PM").await?;
        checked_both(&driver, "staff-visits").await?;
        Width::Desktop.apply(&driver).await?;
        driver.goto(format!("{}/staff/visits", app.url)).await?;
        submit(&driver, "Propose this time to Maria Lopez").await?;
        wait_for_text(&driver, "Enter a day and a time.").await?;
        checked_at(&driver, Width::Desktop, "staff-visits-refused").await?;
        submit(&driver, "Accept the request of Maria Lopez").await?;
        wait_for_text(&driver, "Accepted. The patient sees it").await?;
        wait_for_text(&driver, "Answered in the last week").await?;

        // Maria reads the answer on her visit screen.
        driver.delete_all_cookies().await?;
        Width::Phone.apply(&driver).await?;
        driver.goto(format!("{}/portal/sign-in", app.url)).await?;
        patient_sign_in(&driver, "maria@example.org").await?;
        wait_for_text(&driver, "accepted.").await?;
        checked_at(&driver, Width::Phone, "portal-visit-answered").await?;
        Ok(())
    })
    .await;
}
