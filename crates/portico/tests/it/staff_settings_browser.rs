//! In a real browser, the practice's own settings pages of issue #19 that are about access: an
//! admin makes an API token (shown once, working at once against the API) and revokes it (then
//! refused); a staff member changes their password (their other session is signed out, the new
//! password signs in and the old one does not); the audit log narrowed to one patient tells only
//! that patient's events in words, and its CSV export, fetched with the browser's session cookie,
//! holds the same events under a header. The header's Practice menu offers an admin every
//! settings page and other staff only theirs; a staff member's name opens their account. Every page is checked with axe and for sideways
//! scrolling at desktop width and on a phone, with a screenshot of each.

use std::collections::HashMap;

use reqwest::StatusCode;
use thirtyfour::prelude::*;
use wiremock::MockServer;

use crate::browser::{
    Width, checked_at, checked_both, click, fill, in_a_browser, staff_sign_in, submit,
    wait_for_path, wait_for_text, wait_until,
};
use crate::common::{CLI_ADMIN_PASSWORD, Invitee, STAFF_PASSWORD, TestApp, with_provider};

with_provider!(an_admin_and_a_front_desk_manage_access_and_read_the_audit_log_in_a_real_browser);

const NEW_PASSWORD: &str = "violet harbour kettle summit";

async fn an_admin_and_a_front_desk_manage_access_and_read_the_audit_log_in_a_real_browser(
    app: &TestApp,
    provider: &MockServer,
) {
    let lakeside = app.practice_with_admin("Lakeside Clinic").await;
    let (_, registration) = lakeside
        .invited_patient(&Invitee::maria().email("maria@example.org"))
        .await;
    registration.finish(provider, "maria@example.org").await;
    lakeside.invite(&Invitee::new("Tom", "Other")).await;
    let setup = lakeside.admin().await;
    setup
        .add_staff("Dana Front", "dana@lakeside.example", "staff")
        .await;
    let ivy = lakeside.invite(&Invitee::new("Ivy", "Unrelated")).await;
    setup.get(&format!("/staff/invitations/{}", ivy.id)).await;
    // Dana's session on the desk's other computer, which her password change must end.
    let (dana_elsewhere, _) = app.sign_in("dana@lakeside.example", STAFF_PASSWORD).await;
    assert_eq!(dana_elsewhere.get("/staff").await.status(), StatusCode::OK);

    let admin_email = lakeside.admin_email.clone();
    in_a_browser(|driver| async move {
        staff_sign_in(&driver, app, &admin_email, CLI_ADMIN_PASSWORD).await?;

        // API tokens: the list, then a new token, shown once.
        driver.goto(format!("{}/staff/tokens", app.url)).await?;
        wait_for_text(&driver, "Tokens of this practice").await?;
        checked_both(&driver, "staff-tokens").await?;
        Width::Desktop.apply(&driver).await?;
        fill(&driver, "Name of the token", "label", "EHR sync").await?;
        submit(&driver, "Make token").await?;
        wait_for_text(&driver, "Your new token ‘EHR sync’").await?;
        wait_for_text(&driver, "it is shown only this once").await?;
        let token = driver.find(By::Css("[data-token]")).await?.text().await?;
        assert!(token.starts_with("portico_"), "{token}");
        click(&driver, By::Css("button[data-copy]")).await?;
        wait_until("the copy button answers", &driver, || async {
            let said = driver.find(By::Id("copy-status")).await?.text().await?;
            Ok(said.starts_with("Copied") || said.starts_with("Could not copy"))
        })
        .await?;
        checked_both(&driver, "staff-tokens-new").await?;
        let mut ehr = app.anonymous_api();
        ehr.token = token.clone();
        assert_eq!(
            ehr.get("/invitations").await.status(),
            StatusCode::OK,
            "it works"
        );
        driver.refresh().await?;
        wait_for_text(&driver, "Tokens of this practice").await?;
        assert!(
            driver.find_all(By::Css("[data-token]")).await?.is_empty(),
            "a reload no longer shows it"
        );

        // Revoked after the confirmation, on a phone; refused at once.
        Width::Phone.apply(&driver).await?;
        click(
            &driver,
            By::XPath("//tr[td[normalize-space()='EHR sync']]//details/summary"),
        )
        .await?;
        checked_at(&driver, Width::Phone, "staff-tokens-revoke").await?;
        submit(&driver, "Revoke the token ‘EHR sync’").await?;
        wait_for_text(&driver, "The token ‘EHR sync’ is revoked.").await?;
        assert_eq!(
            ehr.get("/invitations").await.status(),
            StatusCode::UNAUTHORIZED,
            "a revoked token is refused at once"
        );
        sign_out(&driver).await?;

        // Dana changes her password: first a wrong current one, then right.
        staff_sign_in(&driver, app, "dana@lakeside.example", STAFF_PASSWORD).await?;
        // Her Practice menu holds what every staff member may open; her name in the header
        // opens her own account.
        assert_eq!(
            practice_menu(&driver).await?,
            ["Provider codes", "Providers", "Staff", "Intake forms"]
        );
        click(&driver, By::LinkText("Dana Front")).await?;
        wait_for_path(&driver, "/staff/account").await?;
        wait_for_text(&driver, "Change your password").await?;
        checked_both(&driver, "staff-account").await?;
        Width::Desktop.apply(&driver).await?;
        fill(
            &driver,
            "Current password",
            "current_password",
            "not my password at all",
        )
        .await?;
        fill(&driver, "New password", "password", NEW_PASSWORD).await?;
        wait_for_text(&driver, "Strength:").await?;
        submit(&driver, "Change password").await?;
        wait_for_text(&driver, "That is not your current password.").await?;
        let focused: String = driver
            .execute("return document.activeElement.className;", Vec::new())
            .await?
            .convert()?;
        assert!(
            focused.contains("error-summary"),
            "the summary takes focus: {focused}"
        );
        checked_both(&driver, "staff-account-wrong-password").await?;
        Width::Desktop.apply(&driver).await?;
        let kept = driver.find(By::Id("password")).await?.prop("value").await?;
        assert_eq!(
            kept.as_deref(),
            Some(NEW_PASSWORD),
            "the new password is kept"
        );
        fill(
            &driver,
            "Current password",
            "current_password",
            STAFF_PASSWORD,
        )
        .await?;
        submit(&driver, "Change password").await?;
        wait_for_text(&driver, "Your password is changed.").await?;
        wait_for_text(&driver, "1 other session was signed out").await?;
        checked_both(&driver, "staff-account-changed").await?;
        let elsewhere = dana_elsewhere.get("/staff").await;
        assert_eq!(
            elsewhere.status(),
            StatusCode::SEE_OTHER,
            "her other session is over"
        );
        let (_, old) = app.sign_in("dana@lakeside.example", STAFF_PASSWORD).await;
        assert_eq!(
            old.status(),
            StatusCode::UNAUTHORIZED,
            "the old password is refused"
        );
        sign_out(&driver).await?;
        staff_sign_in(&driver, app, "dana@lakeside.example", NEW_PASSWORD).await?;
        sign_out(&driver).await?;

        // The audit log, narrowed to Maria by her name.
        staff_sign_in(&driver, app, &admin_email, CLI_ADMIN_PASSWORD).await?;
        // An admin's Practice menu holds every page of the practice's own settings.
        assert_eq!(
            practice_menu(&driver).await?,
            [
                "Provider codes",
                "Providers",
                "Staff",
                "Intake forms",
                "Programs",
                "Import patients",
                "Message templates",
                "Settings",
                "API tokens",
                "Audit log"
            ]
        );
        checked_both(&driver, "staff-practice-menu").await?;
        Width::Desktop.apply(&driver).await?;
        click(&driver, By::LinkText("Audit log")).await?;
        wait_for_path(&driver, "/staff/audit").await?;
        wait_for_text(&driver, "What happened").await?;
        checked_both(&driver, "staff-audit").await?;
        Width::Desktop.apply(&driver).await?;
        fill(&driver, "Patient", "patient_name", "maria").await?;
        submit(&driver, "Show events").await?;
        wait_for_text(&driver, "Showing the events about Maria Lopez").await?;
        let said = what_happened(&driver).await?;
        assert!(said.len() > 3, "{said:#?}");
        assert!(said.iter().all(|s| s.contains("Maria Lopez")), "{said:#?}");
        assert!(
            said.iter()
                .any(|s| s == "Maria Lopez registered and was linked to the practice.")
        );
        checked_both(&driver, "staff-audit-patient").await?;

        // Its CSV, fetched with the browser's own session.
        let href = driver
            .find(By::Css("a[download]"))
            .await?
            .attr("href")
            .await?
            .expect("the export link");
        let cookie = driver.get_named_cookie("portico_session").await?;
        let res = reqwest::Client::new()
            .get(format!("{}{href}", app.url))
            .header("cookie", format!("portico_session={}", cookie.value))
            .send()
            .await
            .expect("the export");
        assert_eq!(res.status(), StatusCode::OK);
        let text = res.text().await.expect("the file");
        let lines = csv_lines(&text);
        assert!(!lines.is_empty());
        for line in &lines {
            let sentence = &line["What happened"];
            assert!(
                sentence.contains("Maria Lopez"),
                "only her events: {sentence}"
            );
            assert!(!line["hash"].is_empty() && !line["prev_hash"].is_empty());
        }
        // The page showed her events newest first, the export holds them all (and the page's
        // own reading, which happened after).
        assert!(lines.len() >= said.len());
        assert!(
            lines
                .iter()
                .any(|l| l["What happened"] == said[said.len() - 1])
        );
        Ok(())
    })
    .await;
}

async fn sign_out(driver: &WebDriver) -> WebDriverResult<()> {
    Width::Desktop.apply(driver).await?;
    click(
        driver,
        By::XPath("//header//form//button[normalize-space()='Sign out']"),
    )
    .await?;
    wait_for_path(driver, "/staff/sign-in").await
}

/// The sentences of the audit log as shown.
async fn what_happened(driver: &WebDriver) -> WebDriverResult<Vec<String>> {
    let mut said = Vec::new();
    for cell in driver
        .find_all(By::Css("td[data-label='What happened']"))
        .await?
    {
        said.push(cell.text().await?);
    }
    Ok(said)
}

/// The lines of a CSV file, each as column name → cell (quoted cells, doubled quotes, CR LF).
fn csv_lines(text: &str) -> Vec<HashMap<String, String>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut rows: Vec<Vec<String>> = Vec::new();
    let (mut row, mut cell, mut quoted) = (Vec::new(), String::new(), false);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                cell.push('"');
                chars.next();
            }
            (true, '"') => quoted = false,
            (true, c) => cell.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut cell)),
            (false, '\r') => {}
            (false, '\n') => {
                row.push(std::mem::take(&mut cell));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => cell.push(c),
        }
    }
    let header = rows.first().cloned().expect("a header row");
    assert_eq!(header[0], "Local time", "{header:?}");
    rows[1..]
        .iter()
        .map(|r| header.iter().cloned().zip(r.iter().cloned()).collect())
        .collect()
}

/// Opens the header's Practice menu (a disclosure) and answers the names of its links.
async fn practice_menu(driver: &WebDriver) -> WebDriverResult<Vec<String>> {
    let menu = driver.find(By::Css("details.nav-menu")).await?;
    if menu.attr("open").await?.is_none() {
        click(driver, By::Css("details.nav-menu > summary")).await?;
    }
    let mut names = Vec::new();
    for link in driver.find_all(By::Css("details.nav-menu li a")).await? {
        names.push(link.text().await?);
    }
    Ok(names)
}
