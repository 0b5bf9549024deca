//! Files in secure threads (issue #21), over the API on both databases: Bea sends Maria a PDF of
//! her results; Maria answers with a photo and no words. Each downloads exactly the bytes sent,
//! as a download that no cache keeps. A file that is not a PDF, JPEG or PNG by its content
//! (whatever its name), one over 5 MB, or text that is not base64 is refused under `attachment`
//! with nothing posted. Sam, of the same practice, another practice and another patient get 404
//! for the file as for the thread; a file is found only under its own thread. Files and their
//! names are sealed at rest, and a staff member's download is audited.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use wiremock::MockServer;

use crate::audit::audit_events;
use crate::common::practice::StaffSession;
use crate::common::responses::Problem;
use crate::common::{Api, STAFF_PASSWORD, TestApp, with_provider};

with_provider!(files_travel_in_a_thread_to_its_readers_only);

/// A small PDF whose text would show in the database if it were stored as sent.
fn results_pdf() -> Vec<u8> {
    b"%PDF-1.4\n1 0 obj << /Title (Potassium 4.1 mmol/L) >> endobj\ntrailer << >>\n%%EOF\n".to_vec()
}

/// The first bytes of a PNG photo (the type is told by them), and a marker.
fn rash_png() -> Vec<u8> {
    let mut png = vec![0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];
    png.extend_from_slice(b"\0\0\0\rIHDR rash on the left forearm");
    png
}

fn with_file(body: &str, file_name: &str, bytes: &[u8]) -> Value {
    json!({ "body": body,
            "attachment": { "file_name": file_name, "content_base64": STANDARD.encode(bytes) } })
}

async fn expect(res: reqwest::Response, status: StatusCode) -> Value {
    Api::expect(res, status).await
}

/// The response's bytes, after checking it is a download of `media_type` that no cache keeps.
async fn downloaded(res: reqwest::Response, media_type: &str, file_name: &str) -> Vec<u8> {
    assert_eq!(res.status(), StatusCode::OK);
    let header = |name: &str| {
        res.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    assert_eq!(header("content-type"), media_type);
    assert_eq!(
        header("content-disposition"),
        format!("attachment; filename=\"{file_name}\"")
    );
    assert_eq!(header("cache-control"), "no-store");
    assert_eq!(header("x-content-type-options"), "nosniff");
    res.bytes().await.expect("the file").to_vec()
}

async fn files_travel_in_a_thread_to_its_readers_only(app: &TestApp, sms: &MockServer) {
    let lakeside = app.practice_with_admin("Lakeside Clinic").await;
    let maria = lakeside.registered_patient(sms, "maria@example.org").await;
    let found = expect(lakeside.get("/patients?q=maria").await, StatusCode::OK).await;
    let maria_id = found["items"][0]["id"].as_str().expect("Maria").to_owned();
    let bea = lakeside.admin_session().await;
    let started = bea
        .start_thread(&maria_id, "Blood test", "Your results are back.")
        .await;
    let id = started["id"].as_str().expect("an id").to_owned();

    // Files that are not PDF, JPEG or PNG by content, too large, or not base64: refused under
    // `attachment`, the words kept out too.
    let mut too_large = b"%PDF-1.4\n".to_vec();
    too_large.resize(5_000_001, b' ');
    for refused in [
        with_file(
            "Here it is",
            "results.pdf",
            b"GIF89a a gif named results.pdf",
        ),
        with_file("Here it is", "results.pdf", &too_large),
        json!({ "body": "Here it is",
                "attachment": { "file_name": "results.pdf", "content_base64": "%%% not base64" } }),
    ] {
        let problem: Problem = Api::expect_as(
            bea.call(Method::POST, &format!("/threads/{id}/messages"), refused)
                .await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert_eq!(problem.fields(), ["attachment"]);
    }
    let unchanged = expect(
        bea.call(Method::GET, &format!("/threads/{id}"), Value::Null)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        unchanged["messages"].as_array().map(Vec::len),
        Some(1),
        "nothing was posted"
    );

    // Bea sends the PDF with a few words; the thread shows its name, type and size.
    let sent = expect(
        bea.call(
            Method::POST,
            &format!("/threads/{id}/messages"),
            with_file(
                "The full report is attached.",
                r"C:\Reports\Résultats Maria.pdf",
                &results_pdf(),
            ),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let file = &sent["messages"][1]["attachment"];
    assert_eq!(file["file_name"], "Résultats Maria.pdf");
    assert_eq!(file["media_type"], "application/pdf");
    assert_eq!(file["size_bytes"], results_pdf().len());
    let pdf_id = file["id"].as_str().expect("a file id").to_owned();

    // Maria reads it and downloads exactly what was sent.
    let read = expect(
        maria.get(&format!("/patient/threads/{id}")).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(read["messages"][1]["attachment"]["id"], pdf_id.as_str());
    let got = downloaded(
        maria
            .get(&format!("/patient/threads/{id}/attachments/{pdf_id}"))
            .await,
        "application/pdf",
        "R_sultats_Maria.pdf",
    )
    .await;
    assert_eq!(got, results_pdf());

    // Maria answers with a photo and no words; Bea downloads it.
    let answered = expect(
        maria
            .post(
                &format!("/patient/threads/{id}/messages"),
                &with_file("", "IMG_2041.PNG", &rash_png()),
            )
            .await,
        StatusCode::CREATED,
    )
    .await;
    let photo = &answered["messages"][2];
    assert_eq!(photo["body"], "");
    assert_eq!(photo["attachment"]["media_type"], "image/png");
    let png_id = photo["attachment"]["id"]
        .as_str()
        .expect("a file id")
        .to_owned();
    let got = downloaded(
        bea.call(
            Method::GET,
            &format!("/threads/{id}/attachments/{png_id}"),
            Value::Null,
        )
        .await,
        "image/png",
        "IMG_2041.PNG",
    )
    .await;
    assert_eq!(got, rash_png());
    // Neither words nor a file: the words are asked for.
    let empty: Problem = Api::expect_as(
        maria
            .post(
                &format!("/patient/threads/{id}/messages"),
                &json!({ "body": " " }),
            )
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(empty.fields(), ["body"]);

    // Sam, of the same practice, and another practice's admin: 404 for the file as for the
    // thread. Another patient too. A file is found only under its own thread.
    let admin = lakeside.admin().await;
    admin
        .add_staff("Sam Staff", "sam@lakeside.example", "staff")
        .await;
    let (sam, _) = app.sign_in("sam@lakeside.example", STAFF_PASSWORD).await;
    let sam = StaffSession::of(sam).await;
    let harbor = app.practice_with_admin("Harbor Clinic").await;
    let harbor_admin = harbor.admin_session().await;
    let path = format!("/threads/{id}/attachments/{pdf_id}");
    for who in [&sam, &harbor_admin] {
        assert_eq!(
            who.call(Method::GET, &path, Value::Null).await.status(),
            StatusCode::NOT_FOUND
        );
    }
    let ana = lakeside.registered_patient(sms, "ana@example.org").await;
    assert_eq!(
        ana.get(&format!("/patient/threads/{id}/attachments/{pdf_id}"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    let other = bea.start_thread(&maria_id, "Another", "Hello").await;
    let other_id = other["id"].as_str().expect("an id");
    assert_eq!(
        bea.call(
            Method::GET,
            &format!("/threads/{other_id}/attachments/{pdf_id}"),
            Value::Null,
        )
        .await
        .status(),
        StatusCode::NOT_FOUND
    );

    // Sealed at rest: neither the files' names nor their contents are in the database.
    let dump = app.dump_all_text().await;
    for private in ["Résultats Maria", "IMG_2041"] {
        assert!(!dump.contains(private), "{private} is sealed");
    }
    let stored: Vec<(Vec<u8>,)> = app
        .fetch_all("SELECT content_sealed FROM thread_attachments")
        .await;
    assert_eq!(stored.len(), 2);
    for (sealed,) in &stored {
        for private in [&b"Potassium"[..], b"rash on the left", b"%PDF-", b"PNG"] {
            assert!(
                !sealed.windows(private.len()).any(|w| w == private),
                "{} is sealed",
                String::from_utf8_lossy(private)
            );
        }
    }

    // Bea's download is in the audit log, naming Maria.
    let opened: Vec<_> = audit_events(app)
        .await
        .into_iter()
        .filter(|e| e.action == "thread.attachment_opened")
        .map(|e| (e.subject_id, e.patient_id))
        .collect();
    assert_eq!(opened, [(Some(id.clone()), Some(maria_id.clone()))]);
}
