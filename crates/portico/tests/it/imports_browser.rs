//! In a real browser, a bulk import (issue #22): Bea, an admin, opens "Import patients", uploads
//! a practice's export of 8,000 patients with three mistakes in it, and watches the counts and
//! the bar move while it runs, without the page reloading; when it ends the page shows the
//! report, whose bad rows she downloads, and prints the hand-over sheets of the two patients
//! who have neither email nor mobile phone. Each page is checked with axe and for sideways
//! scrolling at desktop width and on a phone.

use serde_json::json;
use thirtyfour::prelude::*;

use crate::browser::{
    Width, checked_at, checked_both, in_a_browser, staff_sign_in, submit, wait_for_path_prefix,
    wait_for_text, wait_until, wait_until_within,
};
use crate::common::{CLI_ADMIN_PASSWORD, TestApp, on_both};

on_both!(an_admin_imports_a_file_and_watches_it_run_in_a_real_browser);

const ROWS: usize = 8_000;

async fn an_admin_imports_a_file_and_watches_it_run_in_a_real_browser(app: &TestApp) {
    let lakeside = app.practice_with_admin("Lakeside Clinic").await;
    let files = tempfile::tempdir().expect("a folder for the file");
    let path = files.path().join("lakeside-export.csv");
    let mut lines =
        vec!["first_name,last_name,birth_date,email,phone,external_id,language".to_owned()];
    for i in 0..ROWS {
        lines.push(match i {
            100 => "Ann,Smith,1980-02-30,ann@example.org,,,".to_owned(),
            5000 => ",Nofirst,1980-02-01,nf@example.org,,,".to_owned(),
            7000 => "Bo,Li,1980-02-01,not-an-email,,,".to_owned(),
            // Two patients with neither email nor mobile: their invitations are handed over.
            6000 => "Olga,Paper,1941-03-09,,,P-1,".to_owned(),
            6001 => "Otto,Paper,1939-12-24,,,P-2,".to_owned(),
            _ => format!(
                "Pat{i},Browser,1975-06-{:02},pat{i}@example.org,,B-{i},en",
                i % 28 + 1
            ),
        });
    }
    std::fs::write(&path, lines.join("\n")).expect("the export is written");
    let admin_email = lakeside.admin_email.clone();
    in_a_browser(|driver| async move {
        staff_sign_in(&driver, app, &admin_email, CLI_ADMIN_PASSWORD).await?;
        driver.goto(format!("{}/staff/imports", app.url)).await?;
        wait_for_text(&driver, "No file has been imported yet.").await?;
        checked_both(&driver, "imports").await?;
        Width::Desktop.apply(&driver).await?;
        let field = driver.find(By::Id("file")).await?;
        field.send_keys(path.to_string_lossy()).await?;
        submit(&driver, "Import and send now").await?;
        wait_for_path_prefix(&driver, "/staff/imports/").await?;
        // A mark on this page: gone if the page reloads.
        driver
            .execute("window.stillThisPage = true; return true;", vec![])
            .await?;
        wait_until("the counts to move while it runs", &driver, || async {
            let seen = driver
                .execute(
                    "return [window.stillThisPage === true, \
                     Number(document.querySelector('[data-count=done]').textContent), \
                     Number(document.querySelector('progress').value)];",
                    vec![],
                )
                .await?;
            let (same_page, done, bar): (bool, u64, u64) = seen.convert()?;
            Ok(same_page && done > 0 && done < ROWS as u64 && bar == done)
        })
        .await?;
        checked_at(&driver, Width::Desktop, "import-running").await?;
        // It ends: the page shows the report, with the bad rows by line.
        wait_until_within(
            std::time::Duration::from_secs(120),
            "the import to end",
            &driver,
            || async {
                let heading = driver.find(By::Id("progress-h")).await?.text().await?;
                Ok(heading == "Done")
            },
        )
        .await?;
        wait_for_text(&driver, "Bad rows (3)").await?;
        wait_for_text(&driver, "line 102").await?;
        let invited = driver
            .find(By::Css("[data-count=invited]"))
            .await?
            .text()
            .await?;
        assert_eq!(invited, (ROWS - 5).to_string());
        let link = driver
            .find(By::PartialLinkText("Download the bad rows"))
            .await?;
        let url = link.prop("href").await?.expect("the report's address");
        let fetched = driver
            .execute(
                "return fetch(arguments[0]).then(r => r.text().then(t => [r.status, t]))",
                vec![json!(url)],
            )
            .await?;
        let (status, csv): (u16, String) = fetched.convert()?;
        assert_eq!(status, 200);
        assert!(
            csv.contains("\"line 102\"")
                && csv.contains("\"line 5002\"")
                && csv.contains("\"line 7002\""),
            "{csv}"
        );
        checked_both(&driver, "import-report").await?;
        // The two sheets, printed once with their new codes.
        Width::Desktop.apply(&driver).await?;
        submit(&driver, "Print the hand-over sheets").await?;
        wait_for_text(&driver, "Hand-over sheets (2)").await?;
        let codes = driver.find_all(By::Css("[data-code]")).await?;
        assert_eq!(codes.len(), 2);
        checked_both(&driver, "import-sheets").await?;
        Ok(())
    })
    .await;
}
