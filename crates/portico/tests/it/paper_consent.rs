//! Consent on paper (issue #20), on both databases: a patient invited with paper consent
//! registers, and their account waits — no practice card, "waiting for your signed consent form"
//! — until staff upload the scan of the signed form on the patient's record. A file that is not a
//! PDF, JPEG or PNG by its content, or is over 5 MB, is refused beside the field and stores
//! nothing; the scan is stored sealed, downloads as it was uploaded, and another practice's staff
//! reach none of it. An integration (the EHR that scanned the form) uploads it through the API
//! with the same rules.

use reqwest::StatusCode;
use serde_json::Value;
use wiremock::MockServer;

use crate::common::{
    Api, Browser, Invitee, Practice, TestApp, csrf_token, raw_exchange, with_provider,
};

with_provider!(
    a_paper_consent_patient_waits_until_staff_upload_the_signed_form,
    only_a_pdf_jpeg_or_png_within_the_limit_is_taken_and_another_practice_reaches_none,
    a_tablet_invitation_redeemed_at_home_waits_for_consent_given_at_the_practice,
    an_integration_uploads_the_signed_form_through_the_api,
);

/// The first bytes of a real one-page PDF, enough for the service to know it as one.
const PDF: &[u8] = b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n\
    2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

/// Posts `file` as the scan of the patient's signed form, from their record's form (its CSRF
/// token first, as the page sends it) without the printed version; the answer, whatever it is.
async fn upload(staff: &Browser, patient_id: &str, name: &str, file: &[u8]) -> reqwest::Response {
    upload_printed(staff, patient_id, None, name, file).await
}

/// Like [`upload`], saying which version of the consent text the form printed.
async fn upload_printed(
    staff: &Browser,
    patient_id: &str,
    version: Option<&str>,
    name: &str,
    file: &[u8],
) -> reqwest::Response {
    let page = staff
        .get(&format!("/staff/patients/{patient_id}"))
        .await
        .text()
        .await
        .expect("the record");
    let csrf = csrf_token(&page);
    let boundary = "----porticotestboundary7MA4YWxkTrZu0gW";
    let mut body = Vec::new();
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n{csrf}\r\n"
        )
        .as_bytes(),
    );
    if let Some(version) = version {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"version\"\r\n\r\n{version}\r\n"
            )
            .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"scan\"; filename=\"{name}\"\r\n\
             Content-Type: application/pdf\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    staff
        .request(
            reqwest::Method::POST,
            &format!("/staff/patients/{patient_id}/consent-scan"),
        )
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(body)
        .send()
        .await
        .expect("an answer")
}

async fn record(practice: &Practice<'_>, patient_id: &str) -> Value {
    Api::expect(
        practice.get(&format!("/patients/{patient_id}")).await,
        StatusCode::OK,
    )
    .await
}

/// Maria, invited by Lakeside with consent on paper, registered and signed in.
async fn maria_on_paper<'a>(
    app: &'a TestApp,
    provider: &MockServer,
) -> (Practice<'a>, crate::common::patient::Patient, String) {
    let lakeside = app.practice_with_admin("Lakeside Clinic").await;
    let (_, registration) = lakeside
        .invited_patient(
            &Invitee::maria()
                .email("maria@example.org")
                .with("consent_method", "paper"),
        )
        .await;
    let registered = registration.finish(provider, "maria@example.org").await;
    let maria = app.patient(&registered.session_token);
    (lakeside, maria, registered.patient_id)
}

async fn a_paper_consent_patient_waits_until_staff_upload_the_signed_form(
    app: &TestApp,
    provider: &MockServer,
) {
    let (lakeside, maria, id) = maria_on_paper(app, provider).await;

    // Registered, but waiting: no card, and the practice named as waiting for her form.
    let me = Api::expect(maria.get("/patient").await, StatusCode::OK).await;
    assert_eq!(me["cards"].as_array().map(Vec::len), Some(0), "{me}");
    assert_eq!(me["consent_awaited_from"][0], "Lakeside Clinic");
    // New terms published meanwhile are not asked of her while the practice does not show.
    assert_eq!(
        lakeside.publish_terms("New terms of use.").await.status(),
        StatusCode::CREATED
    );
    let me = Api::expect(maria.get("/patient").await, StatusCode::OK).await;
    assert_eq!(me["terms_due"].as_array().map(Vec::len), Some(0), "{me}");
    let waiting = record(&lakeside, &id).await;
    assert!(waiting["consent_awaited_since"].is_string(), "{waiting}");
    assert_eq!(waiting["consent_awaited"], true, "the list says so too");
    assert_eq!(waiting["consents"].as_array().map(Vec::len), Some(0));

    // The desk prints her a form with the practice's consent text, and uploads its scan.
    let desk = lakeside.admin().await;
    let form = desk
        .get(&format!("/staff/patients/{id}/consent-form"))
        .await
        .text()
        .await
        .expect("the form");
    assert!(form.contains("Consent form for Maria Lopez") && form.contains("Date of birth"));
    let res = upload(&desk, &id, "maria-consent.pdf", PDF).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        res.headers()["location"],
        format!("/staff/patients/{id}?done=consent").as_str()
    );

    // Her account opens at once.
    let me = Api::expect(maria.get("/patient").await, StatusCode::OK).await;
    assert_eq!(me["cards"][0]["practice_name"], "Lakeside Clinic");
    assert_eq!(
        me["terms_due"].as_array().map(Vec::len),
        Some(1),
        "the practice's new terms are asked for once it shows"
    );
    assert_eq!(me["consent_awaited_from"].as_array().map(Vec::len), Some(0));

    // The record says how, which version, and who witnessed it; the scan downloads whole.
    let done = record(&lakeside, &id).await;
    assert!(done["consent_awaited_since"].is_null());
    assert_eq!(done["consent_awaited"], false);
    let consent = &done["consents"][0];
    assert_eq!(consent["method"], "paper");
    assert_eq!(consent["version"], 1);
    assert_eq!(consent["has_scan"], true);
    assert!(consent["witnessed_by"].is_string(), "{consent}");
    let consent_id = consent["id"].as_str().expect("an id");
    let scan = desk
        .get(&format!("/staff/patients/{id}/consents/{consent_id}/scan"))
        .await;
    assert_eq!(scan.status(), StatusCode::OK);
    assert_eq!(scan.headers()["content-type"], "application/pdf");
    assert_eq!(scan.headers()["cache-control"], "no-store");
    assert_eq!(scan.bytes().await.expect("the scan").as_ref(), PDF);

    // Its record names the text agreed to, on the page and as a file to keep.
    let shown = desk
        .get(&format!("/staff/patients/{id}/consents/{consent_id}"))
        .await
        .text()
        .await
        .expect("the consent's record");
    assert!(shown.contains("On paper, scanned by staff") && shown.contains("Witnessed by"));
    assert!(
        shown.contains("not for emergencies"),
        "the text of version 1"
    );
    let kept = desk
        .get(&format!(
            "/staff/patients/{id}/consents/{consent_id}/record.txt"
        ))
        .await;
    assert_eq!(kept.headers()["cache-control"], "no-store");
    let kept = kept.text().await.expect("the file");
    assert!(kept.contains("Patient: Maria Lopez") && kept.contains("How: On paper"));
    assert!(kept.contains("Consent text: version 1") && kept.contains("not for emergencies"));

    // At rest it is sealed: the stored bytes are not the file's.
    let practice_id = Api::expect(lakeside.get("/practice").await, StatusCode::OK).await["id"]
        .as_str()
        .expect("the practice's id")
        .to_owned();
    let stored = portico_store::registration::consents::document(
        app.core().store(),
        &practice_id,
        &id,
        consent_id,
    )
    .await
    .expect("a read")
    .expect("the stored scan");
    assert!(
        !stored.sealed.windows(b"%PDF".len()).any(|w| w == b"%PDF"),
        "the scan is stored sealed"
    );

    // The record page tells it, with the download, and the trail says who recorded it.
    let page = desk
        .get(&format!("/staff/patients/{id}"))
        .await
        .text()
        .await
        .expect("the record");
    assert!(page.contains("signed on paper") && page.contains("Download the signed form"));
    assert!(page.contains("recorded the signed paper consent form of Maria Lopez"));
    assert!(page.contains("opened the signed consent form of Maria Lopez"));
}

async fn only_a_pdf_jpeg_or_png_within_the_limit_is_taken_and_another_practice_reaches_none(
    app: &TestApp,
    provider: &MockServer,
) {
    let (lakeside, maria, id) = maria_on_paper(app, provider).await;
    let desk = lakeside.admin().await;

    // A web page named like a PDF, and a PDF over 5 MB: refused beside the field, nothing kept.
    let mut too_big = PDF.to_vec();
    too_big.resize(8_000_000, b' ');
    for (name, file, says) in [
        (
            "consent.pdf",
            b"<html>not a scan</html>".as_slice(),
            "not a PDF, JPEG or PNG",
        ),
        ("consent.pdf", too_big.as_slice(), "larger than 5 MB"),
        ("", b"".as_slice(), "Choose the scanned consent form"),
    ] {
        let res = upload(&desk, &id, name, file).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{says}");
        let page = res.text().await.expect("the record again");
        assert!(page.contains(says), "{says}");
        assert!(
            page.contains("aria-invalid=\"true\""),
            "the field is marked"
        );
    }
    // A version of the consent text the practice never had is refused beside its field.
    let res = upload_printed(&desk, &id, Some("7"), "consent.pdf", PDF).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = res.text().await.expect("the record again");
    assert!(page.contains("Your practice has no consent text of that version"));

    // Past the upload's limit the body is not even read: declared, it is refused at once.
    let request = format!(
        "POST /staff/patients/{id}/consent-scan HTTP/1.1\r\nHost: portico\r\n\
         Cookie: {}\r\nContent-Type: multipart/form-data; boundary=x\r\n\
         Content-Length: {}\r\n\r\n",
        desk.cookie_header(),
        17 * 1024 * 1024
    );
    let answer = raw_exchange(app, request.into_bytes()).await;
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    let still = record(&lakeside, &id).await;
    assert_eq!(still["consents"].as_array().map(Vec::len), Some(0));
    assert!(still["consent_awaited_since"].is_string());
    let me = Api::expect(maria.get("/patient").await, StatusCode::OK).await;
    assert_eq!(me["cards"].as_array().map(Vec::len), Some(0));

    // Without the page's CSRF token, nothing is read.
    let forged = desk
        .request(
            reqwest::Method::POST,
            &format!("/staff/patients/{id}/consent-scan"),
        )
        .header("content-type", "multipart/form-data; boundary=x")
        .body("--x\r\nContent-Disposition: form-data; name=\"scan\"; filename=\"a.pdf\"\r\n\r\n%PDF-1.4\r\n--x--\r\n")
        .send()
        .await
        .expect("an answer");
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);

    // A JPEG is taken; another practice reaches neither the upload, the scan nor the form.
    let jpeg = [
        0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, b'J', b'F', b'I', b'F', 0x00,
    ];
    assert_eq!(
        upload(&desk, &id, "photo.jpg", &jpeg).await.status(),
        StatusCode::SEE_OTHER
    );
    let consent_id = record(&lakeside, &id).await["consents"][0]["id"]
        .as_str()
        .expect("a consent")
        .to_owned();
    let harbor = app.practice_with_admin("Harbor Clinic").await;
    let other = harbor.admin().await;
    for path in [
        format!("/staff/patients/{id}/consents/{consent_id}/scan"),
        format!("/staff/patients/{id}/consent-form"),
    ] {
        assert_eq!(
            other.get(&path).await.status(),
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    let other_page = other
        .get("/staff/patients")
        .await
        .text()
        .await
        .expect("a page");
    let csrf = csrf_token(&other_page);
    let boundary = "b";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n{csrf}\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"scan\"; filename=\"a.pdf\"\r\n\r\n\
         %PDF-1.4\r\n--{boundary}--\r\n"
    );
    let res = other
        .request(
            reqwest::Method::POST,
            &format!("/staff/patients/{id}/consent-scan"),
        )
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(body)
        .send()
        .await
        .expect("an answer");
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}

async fn a_tablet_invitation_redeemed_at_home_waits_for_consent_given_at_the_practice(
    app: &TestApp,
    provider: &MockServer,
) {
    let lakeside = app.practice_with_admin("Lakeside Clinic").await;
    let (_, registration) = lakeside
        .invited_patient(
            &Invitee::maria()
                .email("maria@example.org")
                .with("consent_method", "tablet"),
        )
        .await;
    let registered = registration.finish(provider, "maria@example.org").await;
    let maria = app.patient(&registered.session_token);
    let me = maria.me().await;
    assert!(me.cards.is_empty(), "no consent yet: the account waits");
    let me: serde_json::Value = maria.get("/patient").await.json().await.expect("me");
    assert_eq!(me["consent_awaited_from"][0], "Lakeside Clinic");
}

/// `POST /patients/{id}/consent-scans` with `file` as the body; the answer, whatever it is.
async fn upload_by_api(
    practice: &Practice<'_>,
    patient_id: &str,
    query: &str,
    file: Vec<u8>,
) -> reqwest::Response {
    practice
        .request(
            reqwest::Method::POST,
            &format!("/patients/{patient_id}/consent-scans{query}"),
        )
        .header("content-type", "application/octet-stream")
        .body(file)
        .send()
        .await
        .expect("an answer")
}

async fn an_integration_uploads_the_signed_form_through_the_api(
    app: &TestApp,
    provider: &MockServer,
) {
    let (lakeside, maria, id) = maria_on_paper(app, provider).await;

    // Not a scan, too large, or a version the practice never had: 422 naming the field.
    let mut too_big = PDF.to_vec();
    too_big.resize(6_000_000, b' ');
    for (query, file, field) in [
        ("", b"<html>not a scan</html>".to_vec(), "scan"),
        ("", too_big, "scan"),
        ("?version=7", PDF.to_vec(), "version"),
    ] {
        let problem: crate::common::responses::Problem = Api::expect_as(
            upload_by_api(&lakeside, &id, query, file).await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert_eq!(problem.fields(), [field], "{problem:?}");
    }
    assert_eq!(
        record(&lakeside, &id).await["consents"]
            .as_array()
            .map(Vec::len),
        Some(0)
    );

    // Another practice's token finds no such patient.
    let harbor = app.practice_with_admin("Harbor Clinic").await;
    assert_eq!(
        upload_by_api(&harbor, &id, "", PDF.to_vec()).await.status(),
        StatusCode::NOT_FOUND
    );

    // The PDF is taken: recorded on paper, and Maria sees her practice.
    assert_eq!(
        upload_by_api(&lakeside, &id, "?version=1", PDF.to_vec())
            .await
            .status(),
        StatusCode::NO_CONTENT
    );
    let after = record(&lakeside, &id).await;
    assert_eq!(after["consents"][0]["method"], "paper", "{after}");
    assert_eq!(after["consents"][0]["has_scan"], true);
    let me = Api::expect(maria.get("/patient").await, StatusCode::OK).await;
    assert_eq!(me["cards"][0]["practice_name"], "Lakeside Clinic");
}
