//! In a real browser, consent on the front-desk tablet (issue #20): the desk opens Tina's
//! invitation and presses *Start on tablet*, which signs the desk out on that device and opens
//! her registration with her details filled in; Tina verifies her phone, accepts the terms and
//! signs the consent on the tablet, and the account is created — without signing her in there:
//! the tablet shows a neutral screen that names no one, and Back finds nothing of her. Her
//! record says the consent was given on the tablet, witnessed by the staff member. Each screen
//! is checked with axe at the tablet's width and a phone's.

use thirtyfour::prelude::*;
use wiremock::MockServer;

use crate::browser::{
    Width, checked_at, checked_both, click, fill, in_a_browser, labelled_field, staff_sign_in,
    submit, wait_for_path, wait_for_path_prefix, wait_for_text, wait_until,
};
use crate::common::{CLI_ADMIN_PASSWORD, Invitee, PASSPHRASE, PhoneInbox, TestApp, with_provider};

with_provider!(a_patient_registers_and_consents_on_the_front_desk_tablet_in_a_real_browser);

/// Tina's mobile number, as the service stores it.
const TINA_PHONE: &str = "+14155550188";

async fn a_patient_registers_and_consents_on_the_front_desk_tablet_in_a_real_browser(
    app: &TestApp,
    provider: &MockServer,
) {
    let lakeside = app.practice_with_admin("Lakeside Clinic").await;
    let tina = lakeside
        .invite(
            &Invitee::new("Tina", "Tablet")
                .email("tina@example.org")
                .phone("(415) 555-0188")
                .with("consent_method", "tablet"),
        )
        .await;

    let admin_email = lakeside.admin_email.clone();
    let invitation = tina.id.clone();
    in_a_browser(|driver| async move {
        staff_sign_in(&driver, app, &admin_email, CLI_ADMIN_PASSWORD).await?;
        driver
            .goto(format!("{}/staff/invitations/{invitation}", app.url))
            .await?;
        wait_for_text(&driver, "Start on tablet").await?;
        submit(&driver, "Start on tablet").await?;

        // The tablet: her registration, filled in from the invitation; the desk is signed out.
        wait_for_path(&driver, "/register/details").await?;
        let first = labelled_field(&driver, "First name", "first_name")
            .await?
            .value()
            .await?
            .unwrap_or_default();
        assert_eq!(first, "Tina");
        assert!(
            driver.find_all(By::LinkText("Dashboard")).await?.is_empty(),
            "no staff navigation on the tablet"
        );
        fill(&driver, "Choose a password", "password", PASSPHRASE).await?;
        submit(&driver, "Continue").await?;
        wait_for_path(&driver, "/register/phone").await?;
        submit(&driver, "Send code").await?;
        wait_for_text(&driver, "We sent a 6-digit code by text message").await?;
        let code = provider.code_sent_to(app, TINA_PHONE).await;
        fill(&driver, "6-digit code", "code", &code).await?;
        submit(&driver, "Verify").await?;
        wait_for_path(&driver, "/register/terms").await?;
        driver
            .execute(
                "const b = document.querySelector('[data-terms-box]'); b.scrollTop = b.scrollHeight;",
                Vec::new(),
            )
            .await?;
        wait_until("the accept button is enabled", &driver, || async {
            driver.find(By::Id("accept-terms")).await?.is_enabled().await
        })
        .await?;
        submit(&driver, "I accept").await?;

        // The consent, signed on the tablet.
        wait_for_path(&driver, "/register/consent").await?;
        checked_both(&driver, "tablet-consent").await?;
        Width::Desktop.apply(&driver).await?;
        fill(
            &driver,
            "Type your full name as your signature",
            "signature",
            "Tina Tablet",
        )
        .await?;
        submit(&driver, "Sign and create my account").await?;

        // A neutral screen: nobody named, nobody signed in, and Back shows nothing of her.
        wait_for_path(&driver, "/tablet/done").await?;
        wait_for_text(&driver, "Please hand the tablet back to the front desk.").await?;
        let body = driver.find(By::Tag("body")).await?.text().await?;
        assert!(!body.contains("Tina"), "the neutral screen names no one: {body}");
        checked_both(&driver, "tablet-done").await?;
        driver.back().await?;
        wait_until("Back to leave the consent page", &driver, || async {
            Ok(driver.current_url().await?.path() != "/register/consent")
        })
        .await
        .ok();
        let body = driver.find(By::Tag("body")).await?.text().await?;
        assert!(
            !body.contains("Tina") && !body.contains("tina@example.org"),
            "Back shows nothing of the patient: {body}"
        );
        driver.goto(format!("{}/portal", app.url)).await?;
        wait_for_path(&driver, "/portal/sign-in").await?;

        // The desk signs in again: her record says how she consented, and who witnessed it.
        Width::Desktop.apply(&driver).await?;
        staff_sign_in(&driver, app, &admin_email, CLI_ADMIN_PASSWORD).await?;
        driver.goto(format!("{}/staff/patients?q=tina", app.url)).await?;
        click(&driver, By::LinkText("Tablet, Tina")).await?;
        wait_for_path_prefix(&driver, "/staff/patients/").await?;
        wait_for_text(&driver, "opened the invitation of Tina Tablet on the front-desk tablet").await?;
        click(&driver, By::PartialLinkText("See the record and the text")).await?;
        wait_for_text(&driver, "On the front-desk tablet").await?;
        wait_for_text(&driver, "Witnessed by").await?;
        checked_at(&driver, Width::Desktop, "staff-consent-record-tablet").await?;
        Ok(())
    })
    .await;

    // Tina signs in later, on her own phone.
    let tina = app.signed_in_patient("tina@example.org", PASSPHRASE).await;
    assert_eq!(tina.me().await.cards[0].practice_name, "Lakeside Clinic");
}
