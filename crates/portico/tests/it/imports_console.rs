//! Bulk imports on the staff console, as a practice's admin uses them: a file checked first (a
//! dry run: nobody invited), then imported from its report; the report's bad rows downloaded;
//! files and choices that cannot be refused beside their field; the page closed to no effect;
//! and a node stopped half way through an import, whose run another node takes over.

use std::time::Duration;

use reqwest::StatusCode;

use crate::common::{
    ADMIN_EMAIL, ADMIN_PASSWORD, Browser, TestApp, csrf_token, id_from_location, location, on_both,
};

on_both!(
    a_checked_file_is_imported_from_its_report_and_its_bad_rows_downloaded,
    patients_without_email_or_mobile_get_sheets_printed_once_after_the_run,
    a_checked_file_not_imported_within_a_day_is_let_go,
    files_and_choices_that_cannot_be_imported_are_refused_beside_their_field,
    an_import_left_half_way_by_a_stopped_node_is_finished_by_another,
);

const HEADER: &str = "first_name,last_name,birth_date,email,phone,external_id,language";

fn rows(range: std::ops::Range<usize>) -> Vec<String> {
    range
        .map(|i| {
            format!(
                "Pat{i},Console,1980-02-{:02},pat{i}@example.org,,C-{i},en",
                i % 28 + 1
            )
        })
        .collect()
}

/// The upload form posted as a browser posts it: the CSRF token first, then the fields.
async fn upload(
    admin: &Browser,
    file_name: &str,
    file: &[u8],
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let page = admin.get("/staff/imports").await;
    assert_eq!(page.status(), StatusCode::OK);
    let csrf = csrf_token(&page.text().await.unwrap());
    let boundary = "portico-import-boundary";
    let mut body = Vec::new();
    let mut text = |name: &str, value: &str| {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    };
    text("csrf_token", &csrf);
    for (name, value) in fields {
        text(name, value);
    }
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\n\
             Content-Type: text/csv\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    admin
        .request(reqwest::Method::POST, "/staff/imports")
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(body)
        .send()
        .await
        .unwrap()
}

/// The import's page, once it no longer says it is running.
async fn finished(admin: &Browser, id: &str) -> String {
    loop {
        let page = admin.get(&format!("/staff/imports/{id}")).await;
        assert_eq!(page.status(), StatusCode::OK);
        let html = page.text().await.unwrap();
        if !html.contains("<h2 id=\"progress-h\">Running</h2>") {
            return html;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn counted(html: &str, what: &str) -> u64 {
    let marker = format!("data-count=\"{what}\">");
    let at = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no {what} on the page"))
        + marker.len();
    html[at..].split('<').next().unwrap().parse().unwrap()
}

async fn a_checked_file_is_imported_from_its_report_and_its_bad_rows_downloaded(app: &TestApp) {
    let admin = app.set_up_practice("Lakeside Clinic").await;
    let mut lines = vec![HEADER.to_owned()];
    lines.extend(rows(0..30));
    lines.insert(11, "Ann,Smith,1980-02-30,ann@example.org,,,".to_owned());
    lines.push("Bob,,1980-02-01,bob@example.org,,,".to_owned());
    let file = lines.join("\r\n");

    let res = upload(
        &admin,
        "export.csv",
        file.as_bytes(),
        &[("channels", "email"), ("mode", "check")],
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let check = id_from_location(&res);
    let report = finished(&admin, &check).await;
    assert!(report.contains("Check of export.csv"), "{report}");
    assert_eq!(counted(&report, "invited"), 30);
    assert_eq!(counted(&report, "bad"), 2);
    assert!(
        report.contains("line 12") && report.contains("line 33"),
        "{report}"
    );
    assert_eq!(
        app.count_rows("invitations").await,
        0,
        "a check invites nobody"
    );

    // The report's bad rows as a spreadsheet.
    let csv = admin
        .get(&format!("/staff/imports/{check}/bad-rows.csv"))
        .await;
    assert_eq!(csv.status(), StatusCode::OK);
    let csv = csv.text().await.unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 3, "{csv}");
    assert!(
        lines[1].starts_with("\"line 12\"") && lines[1].contains("date of birth"),
        "{csv}"
    );
    assert!(
        lines[2].starts_with("\"line 33\"") && lines[2].contains("last name"),
        "{csv}"
    );

    // Imported for real from the report; the check's button is gone afterwards.
    let page = admin
        .get(&format!("/staff/imports/{check}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("Import this file"), "{page}");
    // Bea reads the report for a minute before she imports.
    app.advance(Duration::from_secs(60));
    let res = admin
        .post_form(
            &format!("/staff/imports/{check}/run"),
            &[("csrf_token", &csrf_token(&page))],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let real = id_from_location(&res);
    assert_ne!(real, check);
    let report = finished(&admin, &real).await;
    assert_eq!(counted(&report, "invited"), 30);
    assert_eq!(app.count_rows("invitations").await, 30);
    assert_eq!(app.count_rows("outbox WHERE channel = 'email'").await, 30);
    let page = admin
        .get(&format!("/staff/imports/{check}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        !page.contains("Import this file"),
        "a check is imported once"
    );
    let again = admin
        .post_form(
            &format!("/staff/imports/{check}/run"),
            &[("csrf_token", &csrf_token(&page))],
        )
        .await;
    assert_eq!(again.status(), StatusCode::CONFLICT);

    // Both are listed, newest first; the template is there to start from.
    let list = admin.get("/staff/imports").await.text().await.unwrap();
    let (first, second) = (list.find(&real).unwrap(), list.find(&check).unwrap());
    assert!(first < second, "newest first");
    let template = admin
        .get("/staff/imports/template.csv")
        .await
        .text()
        .await
        .unwrap();
    assert!(template.contains(HEADER), "{template}");
}

/// A file name, its bytes, the form's other fields, and what the page must say.
type Refused = (
    &'static str,
    &'static [u8],
    &'static [(&'static str, &'static str)],
    &'static str,
);

async fn files_and_choices_that_cannot_be_imported_are_refused_beside_their_field(app: &TestApp) {
    let admin = app.set_up_practice("Lakeside Clinic").await;
    let cases: [Refused; 4] = [
        ("scan.pdf", b"%PDF-1.7", &[], "Choose a .csv file"),
        ("export.csv", b"", &[], "Choose the file to import."),
        (
            "export.csv",
            b"name,dob\nAnn,1980-01-01\n",
            &[],
            "The first line must name the columns",
        ),
        (
            "export.csv",
            b"first_name,last_name,birth_date\nAnn,Lee,1980-01-01\n",
            &[("provider_id", "nobody"), ("channels", "fax")],
            "Choose a provider of this practice.",
        ),
    ];
    for (name, file, fields, message) in cases {
        let res = upload(&admin, name, file, fields).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{name}");
        let html = res.text().await.unwrap();
        assert!(html.contains(message), "{message}: {html}");
        assert!(html.contains("aria-invalid=\"true\""), "{html}");
    }
    assert_eq!(app.count_rows("imports").await, 0, "nothing is written");

    // A front desk member is no admin: the page and its uploads are not theirs.
    admin
        .add_staff("Fran Desk", "fran@lakeside.example", "staff")
        .await;
    let (fran, _) = app
        .sign_in("fran@lakeside.example", crate::common::STAFF_PASSWORD)
        .await;
    assert_eq!(
        fran.get("/staff/imports").await.status(),
        StatusCode::FORBIDDEN
    );
}

async fn an_import_left_half_way_by_a_stopped_node_is_finished_by_another(app: &TestApp) {
    let admin = app.set_up_practice("Lakeside Clinic").await;
    const ROWS: usize = 5000;
    let mut lines = vec![HEADER.to_owned()];
    lines.extend(rows(0..ROWS));
    let file = lines.join("\n");
    // The upload goes to a second node, which is stopped as soon as it has started the run.
    let node = app.another_node().await;
    let on_node = admin.on(&format!("http://{}", node.addr));
    let res = upload(
        &on_node,
        "big.csv",
        file.as_bytes(),
        &[("channels", "email"), ("mode", "import")],
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{}", location(&res));
    let id = id_from_location(&res);
    node.stop().await.unwrap();
    let left: Vec<(String, i64)> = app.fetch_all("SELECT state, rows_done FROM imports").await;
    assert_eq!(left[0].0, "running");
    assert!((left[0].1 as usize) < ROWS, "stopped half way: {left:?}");

    // Its lease runs out; the next node to start takes the import over and finishes it.
    app.advance(Duration::from_secs(120));
    let other = app.another_node().await;
    let report = finished(&admin.on(&format!("http://{}", other.addr)), &id).await;
    other.stop().await.unwrap();
    assert_eq!(counted(&report, "invited"), ROWS as u64);
    assert_eq!(app.count_rows("invitations").await, ROWS);
    let distinct: Vec<(i64,)> = app
        .fetch_all("SELECT COUNT(DISTINCT email) FROM invitations")
        .await;
    assert_eq!(distinct[0].0 as usize, ROWS, "each patient invited once");
    assert_eq!(
        app.count_rows("import_files").await,
        0,
        "the file is let go"
    );
}

async fn patients_without_email_or_mobile_get_sheets_printed_once_after_the_run(app: &TestApp) {
    let admin = app.set_up_practice("Lakeside Clinic").await;
    let mut lines = vec![HEADER.to_owned()];
    lines.extend(rows(0..3));
    lines.push("Olga,Paper,1941-03-09,,,P-1,".to_owned());
    lines.push("Otto,Paper,1939-12-24,,,P-2,".to_owned());
    let res = upload(
        &admin,
        "export.csv",
        lines.join("\n").as_bytes(),
        &[("channels", "email"), ("mode", "import")],
    )
    .await;
    let id = id_from_location(&res);
    let report = finished(&admin, &id).await;
    assert_eq!(counted(&report, "invited"), 3);
    assert_eq!(counted(&report, "handed_over"), 2);
    assert!(
        report.contains("Olga Paper") && report.contains("Otto Paper"),
        "{report}"
    );
    assert!(report.contains("Print the hand-over sheets"), "{report}");

    // Printed once: each sheet carries a new code that works with the patient's birth date.
    let csrf = csrf_token(&report);
    let sheets = admin
        .post_form(
            &format!("/staff/imports/{id}/sheets"),
            &[("csrf_token", &csrf)],
        )
        .await;
    assert_eq!(sheets.status(), StatusCode::OK);
    let html = sheets.text().await.unwrap();
    assert!(html.contains("Hand-over sheets (2)"), "{html}");
    let codes: Vec<&str> = html
        .split("data-code>")
        .skip(1)
        .map(|rest| rest.split('<').next().unwrap())
        .collect();
    assert_eq!(codes.len(), 2, "{html}");
    let olga_first = html.find("Olga Paper").unwrap() < html.find("Otto Paper").unwrap();
    let olga_code = if olga_first { codes[0] } else { codes[1] };
    assert_eq!(
        app.redeem(olga_code, "1941-03-09").await.status(),
        StatusCode::OK
    );
    assert_eq!(
        app.count_rows("outbox").await,
        3,
        "nothing sent to the hand-overs"
    );

    // Not twice: the codes just printed stay the ones that work.
    let again = admin
        .post_form(
            &format!("/staff/imports/{id}/sheets"),
            &[("csrf_token", &csrf)],
        )
        .await;
    assert_eq!(again.status(), StatusCode::CONFLICT);
    let report = admin
        .get(&format!("/staff/imports/{id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(!report.contains("Print the hand-over sheets"));
    assert!(report.contains("The sheets were printed."));
}

async fn a_checked_file_not_imported_within_a_day_is_let_go(app: &TestApp) {
    let admin = app.set_up_practice("Lakeside Clinic").await;
    let mut lines = vec![HEADER.to_owned()];
    lines.extend(rows(0..5));
    let res = upload(
        &admin,
        "export.csv",
        lines.join("\n").as_bytes(),
        &[("channels", "email"), ("mode", "check")],
    )
    .await;
    let id = id_from_location(&res);
    assert!(finished(&admin, &id).await.contains("Import this file"));
    assert_eq!(
        app.count_rows("import_files").await,
        1,
        "kept to import for real"
    );
    // A day later, a node's sweep lets it go; the report stays, without the button.
    app.advance(Duration::from_secs(25 * 3600));
    let node = app.another_node().await;
    while app.count_rows("import_files").await > 0 {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    node.stop().await.unwrap();
    // Signed out meanwhile (a day idle); she signs in again to read the report.
    let (admin, _) = app.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let report = admin
        .get(&format!("/staff/imports/{id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(!report.contains("Import this file"), "{report}");
    assert_eq!(counted(&report, "invited"), 5);
}
