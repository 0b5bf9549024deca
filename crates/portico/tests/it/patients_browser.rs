//! In a real browser, the front desk and the practice's patients (issue #20): the header's
//! Patients link opens the list, a search without accents finds the accented name, and a
//! patient's record shows their details, consent and the trail of what was done about them. The
//! desk ends Maria's access: a day already past is refused next to the field, today is saved and
//! said back, and Maria, at the portal's sign-in, is told her access has ended instead of being
//! told her password is wrong; once the end is lifted she signs in again. Paula, invited with
//! consent on paper, registered but sees "waiting for your signed consent form" on her phone
//! until the desk prints her form and uploads its scan (a file that is not a scan is refused
//! beside the field first); then her practice's card is there. Each page is checked with axe and
//! for sideways scrolling at desktop width and on a phone, with screenshots.

use reqwest::StatusCode;
use thirtyfour::prelude::*;
use wiremock::MockServer;

use crate::browser::{
    TINY_PNG, Width, checked_at, checked_both, click, fill, in_a_browser, patient_sign_in,
    set_value, staff_sign_in, submit, wait_for_path, wait_for_path_prefix, wait_for_text,
};
use crate::common::{CLI_ADMIN_PASSWORD, Details, Invitee, PASSPHRASE, TestApp, with_provider};

with_provider!(
    the_front_desk_finds_a_patient_reads_their_record_and_ends_their_access_in_a_real_browser
);

async fn the_front_desk_finds_a_patient_reads_their_record_and_ends_their_access_in_a_real_browser(
    app: &TestApp,
    provider: &MockServer,
) {
    let lakeside = app.practice_with_admin("Lakeside Clinic").await;
    let (_, registration) = lakeside
        .invited_patient(&Invitee::maria().email("maria@example.org"))
        .await;
    registration.finish(provider, "maria@example.org").await;
    let emile = Details::maria("emile@example.org")
        .first_name("Émile")
        .with_last_name("Zola")
        .birth_date("1975-06-07")
        .phone("(415) 555-0177");
    lakeside
        .start_registration()
        .await
        .finish_with(provider, &emile)
        .await;
    let paula = Details::maria("paula@example.org")
        .first_name("Paula")
        .with_last_name("Paper")
        .phone("(415) 555-0155");
    let (_, registration) = lakeside
        .invited_patient(
            &Invitee::new("Paula", "Paper")
                .email("paula@example.org")
                .with("consent_method", "paper"),
        )
        .await;
    registration.finish_with(provider, &paula).await;
    let scans = tempfile::tempdir().expect("a folder for the scans");
    let not_a_scan = scans.path().join("consent.pdf");
    std::fs::write(&not_a_scan, "<html>not a scan</html>").expect("write");
    let scan = scans.path().join("signed-consent.png");
    std::fs::write(&scan, TINY_PNG).expect("write");

    let admin_email = lakeside.admin_email.clone();
    in_a_browser(|driver| async move {
        staff_sign_in(&driver, app, &admin_email, CLI_ADMIN_PASSWORD).await?;

        // The header's Patients link: everyone, by last name.
        click(&driver, By::LinkText("Patients")).await?;
        wait_for_path(&driver, "/staff/patients").await?;
        let names = listed_names(&driver).await?;
        assert_eq!(names, ["Lopez, Maria", "Paper, Paula", "Zola, Émile"]);
        checked_both(&driver, "staff-patients").await?;

        // Typed without the accent, the accented name is found; nobody else is listed.
        Width::Desktop.apply(&driver).await?;
        fill(&driver, "Search", "q", "emile").await?;
        submit(&driver, "Show patients").await?;
        wait_for_text(&driver, "Clear filters").await?;
        assert_eq!(listed_names(&driver).await?, ["Zola, Émile"]);

        // Maria's record: details, her consent, and what happened, in words.
        driver.goto(format!("{}/staff/patients", app.url)).await?;
        click(&driver, By::LinkText("Lopez, Maria")).await?;
        wait_for_path_prefix(&driver, "/staff/patients/").await?;
        wait_for_text(&driver, "Date of birth").await?;
        wait_for_text(&driver, "with the typed signature “maria lopez”").await?;
        wait_for_text(&driver, "Maria Lopez signed the consent form").await?;
        checked_both(&driver, "staff-patient").await?;

        // Her consent's record: how, when, the typed signature and the text she agreed to.
        Width::Desktop.apply(&driver).await?;
        click(&driver, By::PartialLinkText("See the record and the text")).await?;
        wait_for_text(&driver, "In the app, while registering").await?;
        wait_for_text(&driver, "The text agreed to (version 1)").await?;
        checked_both(&driver, "staff-consent-record").await?;
        Width::Desktop.apply(&driver).await?;
        driver.back().await?;
        wait_for_text(&driver, "End access from").await?;

        // A day already past is refused next to the field, with nothing saved.
        Width::Desktop.apply(&driver).await?;
        set_value(&driver, "End access from", "date", "2026-11-01").await?;
        submit(&driver, "Set end date").await?;
        wait_for_text(&driver, "access cannot end in the past").await?;
        let date = driver.find(By::Id("date")).await?;
        assert_eq!(date.attr("aria-invalid").await?.as_deref(), Some("true"));
        assert_eq!(date.value().await?.as_deref(), Some("2026-11-01"));
        checked_at(&driver, Width::Desktop, "staff-patient-end-refused").await?;

        // Today: saved, said back, and the record tells it.
        set_value(&driver, "End access from", "date", "2026-11-18").await?;
        submit(&driver, "Set end date").await?;
        wait_for_text(&driver, "End date saved.").await?;
        wait_for_text(&driver, "Access ended Nov 18, 2026").await?;
        checked_both(&driver, "staff-patient-ended").await?;

        // At the portal, Maria is told why she cannot sign in.
        Width::Phone.apply(&driver).await?;
        driver.goto(format!("{}/portal/sign-in", app.url)).await?;
        patient_sign_in(&driver, "maria@example.org").await?;
        wait_for_text(&driver, "Your access to the patient portal has ended").await?;
        checked_at(&driver, Width::Phone, "portal-access-ended").await?;

        // The desk lifts the end, and says so; the trail tells both changes.
        Width::Desktop.apply(&driver).await?;
        driver
            .goto(format!("{}/staff/patients?standing=ended", app.url))
            .await?;
        click(&driver, By::LinkText("Lopez, Maria")).await?;
        wait_for_text(&driver, "set an end date on the access of Maria Lopez").await?;
        submit(&driver, "Lift the end date").await?;
        wait_for_text(&driver, "End date lifted.").await?;
        driver.refresh().await?;
        wait_for_text(&driver, "lifted the end date on the access of Maria Lopez").await?;

        // Paula, on her phone, registered but waiting for her signed form.
        Width::Phone.apply(&driver).await?;
        driver.goto(format!("{}/portal/sign-in", app.url)).await?;
        patient_sign_in(&driver, "paula@example.org").await?;
        wait_for_path(&driver, "/portal").await?;
        wait_for_text(&driver, "Waiting for your signed consent form.").await?;
        assert!(
            driver
                .find_all(By::Css("li.provider-card"))
                .await?
                .is_empty()
        );
        checked_at(&driver, Width::Phone, "portal-waiting-for-consent").await?;

        // The desk prints her form, then uploads: first a file that is not a scan, then the scan.
        Width::Desktop.apply(&driver).await?;
        driver
            .goto(format!("{}/staff/patients?q=paula", app.url))
            .await?;
        click(&driver, By::LinkText("Paper, Paula")).await?;
        wait_for_text(&driver, "Waiting for the signed consent form").await?;
        click(&driver, By::LinkText("Print a consent form")).await?;
        wait_for_text(&driver, "Consent to use the patient portal").await?;
        wait_for_text(&driver, "Signature of the patient").await?;
        checked_both(&driver, "staff-consent-form").await?;
        Width::Desktop.apply(&driver).await?;
        click(&driver, By::LinkText("← Back to the record")).await?;
        wait_for_text(&driver, "Scan of the signed form").await?;
        let file = driver.find(By::Id("scan")).await?;
        file.send_keys(not_a_scan.to_string_lossy()).await?;
        submit(&driver, "Upload the signed form").await?;
        wait_for_text(&driver, "This file is not a PDF, JPEG or PNG.").await?;
        checked_at(&driver, Width::Desktop, "staff-patient-scan-refused").await?;
        let file = driver.find(By::Id("scan")).await?;
        file.send_keys(scan.to_string_lossy()).await?;
        submit(&driver, "Upload the signed form").await?;
        wait_for_text(&driver, "Signed consent form saved.").await?;
        wait_for_text(&driver, "signed on paper, recorded").await?;
        checked_both(&driver, "staff-patient-paper-consent").await?;

        // Paula's visit screen now shows her practice.
        Width::Phone.apply(&driver).await?;
        driver.goto(format!("{}/portal", app.url)).await?;
        wait_for_text(&driver, "Lakeside Clinic").await?;
        assert!(
            !driver
                .find(By::Tag("body"))
                .await?
                .text()
                .await?
                .contains("Waiting for your signed consent form"),
            "the wait is over"
        );
        Ok(())
    })
    .await;

    // And Maria signs in again.
    assert_eq!(
        app.sign_in_patient("maria@example.org", PASSPHRASE)
            .await
            .status(),
        StatusCode::CREATED
    );
}

/// A 1×1 white PNG: what a scanner's smallest file looks like to the service.
/// The names in the patient list, in order.
async fn listed_names(driver: &WebDriver) -> WebDriverResult<Vec<String>> {
    let mut names = Vec::new();
    for link in driver.find_all(By::Css("#patients td.name a")).await? {
        names.push(link.text().await?);
    }
    Ok(names)
}
