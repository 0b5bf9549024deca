//! In a real browser, a secure conversation (issue #21): Bea, at her desk, opens Maria's record
//! and writes to her (an empty form is refused beside its fields); Maria, on her phone, opens
//! the message's link signed out, signs in and lands on it, is refused an empty reply, and
//! answers, finds the conversation from her visit screen too, and starts one of her own; Bea's
//! inbox shows the answer as new, and the conversation shows it. Maria sends a photo (a GIF is
//! refused beside the file field, her words kept); Bea downloads it and answers with a PDF. Sam,
//! another staff member of the same practice, gets the not-found page for the conversation and
//! for its file. Each page is checked with axe and for
//! sideways scrolling at desktop width and on a phone, with screenshots.

use serde_json::json;
use thirtyfour::prelude::*;
use wiremock::MockServer;

use crate::browser::{
    TINY_PNG, Width, checked_at, checked_both, click, fill, in_a_browser, patient_sign_in,
    staff_sign_in, submit, wait_for_path, wait_for_path_prefix, wait_for_text,
};
use crate::common::{CLI_ADMIN_PASSWORD, STAFF_PASSWORD, TestApp, with_provider};

with_provider!(a_staff_member_and_a_patient_write_to_each_other_in_a_real_browser);

async fn a_staff_member_and_a_patient_write_to_each_other_in_a_real_browser(
    app: &TestApp,
    provider: &MockServer,
) {
    let lakeside = app.practice_with_admin("Lakeside Clinic").await;
    lakeside
        .registered_patient(provider, "maria@example.org")
        .await;
    let found = crate::common::Api::expect(
        lakeside.get("/patients?q=maria").await,
        reqwest::StatusCode::OK,
    )
    .await;
    let maria_id = found["items"][0]["id"].as_str().expect("Maria").to_owned();
    lakeside
        .admin()
        .await
        .add_staff("Sam Staff", "sam@lakeside.example", "staff")
        .await;
    let files = tempfile::tempdir().expect("a folder for the files");
    let gif = files.path().join("rash.gif");
    std::fs::write(&gif, b"GIF89a\x01\x00\x01\x00").expect("write");
    let photo = files.path().join("rash.png");
    std::fs::write(&photo, TINY_PNG).expect("write");
    let results = files.path().join("results.pdf");
    std::fs::write(&results, b"%PDF-1.4\n%%EOF\n").expect("write");
    let admin_email = lakeside.admin_email.clone();
    in_a_browser(|driver| async move {
        // Bea writes to Maria from her record; an empty form is refused beside its fields.
        staff_sign_in(&driver, app, &admin_email, CLI_ADMIN_PASSWORD).await?;
        driver
            .goto(format!("{}/staff/patients/{maria_id}", app.url))
            .await?;
        click(&driver, By::PartialLinkText("Write to the patient")).await?;
        wait_for_text(&driver, "Write to Maria Lopez").await?;
        submit(&driver, "Send").await?;
        wait_for_text(
            &driver,
            "Say in a few words what this conversation is about.",
        )
        .await?;
        wait_for_text(&driver, "Write your message.").await?;
        checked_at(&driver, Width::Desktop, "staff-message-new-refused").await?;
        fill(&driver, "Subject", "subject", "Knee surgery").await?;
        fill(
            &driver,
            "Message",
            "body",
            "Your MRI results are in.\nCan you come on Tuesday?",
        )
        .await?;
        submit(&driver, "Send").await?;
        wait_for_path_prefix(&driver, "/staff/messages/").await?;
        wait_for_text(&driver, "Can you come on Tuesday?").await?;
        let thread_url = driver.current_url().await?.to_string();
        checked_both(&driver, "staff-thread").await?;
        driver.delete_all_cookies().await?;

        // Maria, on her phone, opens the message's link (as from its email): she signs in and
        // lands on it.
        Width::Phone.apply(&driver).await?;
        let thread_path = thread_url
            .split_once("/staff/messages/")
            .map(|(_, id)| format!("/portal/messages/{id}"))
            .expect("a thread id");
        driver.goto(format!("{}{thread_path}", app.url)).await?;
        wait_for_path(&driver, "/portal/sign-in").await?;
        wait_for_text(&driver, "Sign in to continue.").await?;
        patient_sign_in(&driver, "maria@example.org").await?;
        wait_for_path(&driver, &thread_path).await?;
        wait_for_text(&driver, "Your MRI results are in.").await?;
        submit(&driver, "Send").await?;
        wait_for_text(&driver, "Write your message.").await?;
        checked_at(&driver, Width::Phone, "portal-thread-refused").await?;
        fill(&driver, "Your reply", "body", "Tuesday at 10 works for me.").await?;
        submit(&driver, "Send").await?;
        wait_for_text(&driver, "Tuesday at 10 works for me.").await?;
        checked_both(&driver, "portal-thread").await?;
        // She sends a photo: a GIF is refused beside the file field, her words kept; the PNG
        // goes, with them.
        fill(&driver, "Your reply", "body", "Here is the rash.").await?;
        let field = driver.find(By::Id("attachment")).await?;
        field.send_keys(gif.to_string_lossy()).await?;
        submit(&driver, "Send").await?;
        wait_for_text(&driver, "Attach a PDF, JPEG or PNG file").await?;
        let kept = driver.find(By::Id("body")).await?.prop("value").await?;
        assert_eq!(kept.as_deref(), Some("Here is the rash."));
        checked_at(&driver, Width::Phone, "portal-thread-file-refused").await?;
        let field = driver.find(By::Id("attachment")).await?;
        field.send_keys(photo.to_string_lossy()).await?;
        submit(&driver, "Send").await?;
        wait_for_text(&driver, "rash.png").await?;
        wait_for_text(&driver, "PNG image, 69 bytes").await?;
        // The conversation is listed from her visit screen too.
        driver.goto(format!("{}/portal", app.url)).await?;
        click(&driver, By::LinkText("Messages from your practice")).await?;
        wait_for_path(&driver, "/portal/messages").await?;
        wait_for_text(&driver, "Bea Admin, Lakeside Clinic").await?;
        checked_at(&driver, Width::Phone, "portal-messages").await?;
        // She starts a conversation of her own with Bea (without a subject it is refused).
        fill(
            &driver,
            "Message",
            "body",
            "Could I get a refill of my blood pressure pills?",
        )
        .await?;
        submit(&driver, "Send").await?;
        wait_for_text(
            &driver,
            "Say in a few words what this conversation is about.",
        )
        .await?;
        checked_at(&driver, Width::Phone, "portal-messages-new-refused").await?;
        fill(&driver, "Subject", "subject", "Prescription refill").await?;
        submit(&driver, "Send").await?;
        wait_for_path_prefix(&driver, "/portal/messages/").await?;
        wait_for_text(&driver, "Could I get a refill").await?;
        driver.delete_all_cookies().await?;

        // Bea's inbox shows the answer as new.
        Width::Desktop.apply(&driver).await?;
        staff_sign_in(&driver, app, &admin_email, CLI_ADMIN_PASSWORD).await?;
        click(&driver, By::LinkText("Messages")).await?;
        wait_for_path(&driver, "/staff/messages").await?;
        wait_for_text(&driver, "2 new").await?;
        wait_for_text(&driver, "Prescription refill").await?;
        checked_both(&driver, "staff-messages").await?;
        Width::Desktop.apply(&driver).await?;
        click(&driver, By::LinkText("Knee surgery")).await?;
        wait_for_text(&driver, "Tuesday at 10 works for me.").await?;
        // Maria's photo downloads as she sent it; Bea answers with a PDF.
        let link = driver.find(By::PartialLinkText("rash.png")).await?;
        let file_url = link.prop("href").await?.expect("the file's address");
        let fetched = driver
            .execute(
                "return fetch(arguments[0]).then(r => r.arrayBuffer().then(b => \
                 [r.status, r.headers.get('content-type'), b.byteLength]))",
                vec![json!(file_url)],
            )
            .await?;
        assert_eq!(fetched.json(), &json!([200, "image/png", TINY_PNG.len()]));
        fill(
            &driver,
            "Your reply",
            "body",
            "Thank you. Your results are attached.",
        )
        .await?;
        let field = driver.find(By::Id("attachment")).await?;
        field.send_keys(results.to_string_lossy()).await?;
        submit(&driver, "Send").await?;
        wait_for_text(&driver, "results.pdf").await?;
        checked_both(&driver, "staff-thread-files").await?;
        driver.delete_all_cookies().await?;

        // Sam, of the same practice, finds nothing there.
        staff_sign_in(&driver, app, "sam@lakeside.example", STAFF_PASSWORD).await?;
        driver.goto(&thread_url).await?;
        wait_for_text(&driver, "There is nothing at this address.").await?;
        let page = driver.source().await?;
        assert!(!page.contains("Knee surgery"), "nothing of the thread");
        driver.goto(&file_url).await?;
        wait_for_text(&driver, "There is nothing at this address.").await?;
        Ok(())
    })
    .await;
}
