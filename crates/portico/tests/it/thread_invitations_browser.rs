//! In a real browser, inviting someone into a conversation (issue #21): Bea, at her desk, invites
//! Ana, who has no account (the email address typed differently the second time is refused
//! beside that field), and sees Ana waiting to register. Ana, on her phone, opens the link in the
//! email the SMTP server received, proves her birth date, registers, and lands on Bea's message.
//! Maria, already a patient, is invited too: the conversation is hers at once, and the link in
//! her "message waiting" email leads her, signed out, through sign-in straight to it. Each page
//! is checked with axe and for sideways scrolling, with screenshots.

use std::time::Duration;

use thirtyfour::prelude::*;
use wiremock::MockServer;

use crate::browser::{
    Width, checked_at, checked_both, click, fill, in_a_browser, patient_sign_in, set_value,
    staff_sign_in, submit, wait_for_path, wait_for_path_prefix, wait_for_text, wait_until,
};
use crate::common::{
    BIRTH_DATE, Backend, CLI_ADMIN_PASSWORD, PASSPHRASE, PHONE, PhoneInbox as _, TestApp, provider,
};
use crate::mailbox::SmtpServer;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_person_invited_into_a_conversation_lands_on_it_in_a_real_browser_sqlite() {
    run(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_person_invited_into_a_conversation_lands_on_it_in_a_real_browser_postgres() {
    run(Backend::Postgres).await;
}

async fn run(backend: Backend) {
    let Some(smtp) = SmtpServer::start() else {
        return;
    };
    let sms = MockServer::start().await;
    provider::accept_all(&sms).await;
    let Some(app) = provider::spawn_with_mail(backend, &sms, &smtp).await else {
        return;
    };
    invited_people_land_on_the_conversation(&app, &sms, &smtp).await;
    app.stop().await;
}

/// Fills the invitation form (the email typed twice).
async fn fill_invitation(
    driver: &WebDriver,
    who: [&str; 4],
    confirm: &str,
    subject: &str,
    body: &str,
) -> WebDriverResult<()> {
    let [first, last, born, email] = who;
    fill(driver, "First name", "first_name", first).await?;
    fill(driver, "Last name", "last_name", last).await?;
    set_value(driver, "Date of birth", "birth_date", born).await?;
    fill(driver, "Email address", "email", email).await?;
    fill(driver, "Email address again", "confirm_email", confirm).await?;
    fill(driver, "Subject", "subject", subject).await?;
    fill(driver, "Message", "body", body).await
}

async fn invited_people_land_on_the_conversation(
    app: &TestApp,
    sms: &MockServer,
    smtp: &SmtpServer,
) {
    let lakeside = app.practice_with_admin("Lakeside Clinic").await;
    lakeside.registered_patient(sms, "maria@example.org").await;
    let admin_email = lakeside.admin_email.clone();
    in_a_browser(|driver| async move {
        // Bea invites Ana; the second email address differs at first.
        staff_sign_in(&driver, app, &admin_email, CLI_ADMIN_PASSWORD).await?;
        click(&driver, By::LinkText("Messages")).await?;
        click(&driver, By::LinkText("invite them into a conversation")).await?;
        wait_for_text(&driver, "Invite into a conversation").await?;
        let ana = ["Ana", "Silva", "1990-04-12", "ana.silva@example.org"];
        let note = "Dr. Rivera asked me to follow up on your referral.";
        fill_invitation(&driver, ana, "ana.silva@example.com", "Your referral", note).await?;
        submit(&driver, "Send the invitation").await?;
        wait_for_text(&driver, "Type the same email address again").await?;
        checked_at(&driver, Width::Desktop, "staff-thread-invite-refused").await?;
        fill(
            &driver,
            "Email address again",
            "confirm_email",
            "ana.silva@example.org",
        )
        .await?;
        submit(&driver, "Send the invitation").await?;
        wait_for_text(&driver, "The invitation is on its way by email.").await?;
        wait_for_text(&driver, "Waiting for registration").await?;
        wait_for_text(&driver, "Ana Silva: Your referral").await?;
        checked_both(&driver, "staff-messages-waiting").await?;

        // Maria is a patient already: the conversation opens at once.
        Width::Desktop.apply(&driver).await?;
        driver
            .goto(format!("{}/staff/messages/invite", app.url))
            .await?;
        let maria = ["Maria", "Lopez", BIRTH_DATE, "maria@example.org"];
        let mri = "The MRI is booked for Tuesday.";
        fill_invitation(&driver, maria, "maria@example.org", "Your MRI", mri).await?;
        submit(&driver, "Send the invitation").await?;
        wait_for_path_prefix(&driver, "/staff/messages/").await?;
        wait_for_text(&driver, "With Maria Lopez.").await?;
        driver.delete_all_cookies().await?;

        // Ana, on her phone, opens the link in her email and registers.
        app.deliver().await;
        let mails = smtp.wait_for(2, Duration::from_secs(10));
        let to = |address: &str| {
            mails
                .iter()
                .find(|m| m.header("to").is_some_and(|to| to.contains(address)))
                .expect("an email to this address")
        };
        let link = to("ana.silva@example.org")
            .link_starting(&format!("{}/i/", app.url))
            .expect("the invitation link");
        Width::Phone.apply(&driver).await?;
        driver.goto(&link).await?;
        wait_for_text(&driver, "Your invitation from Lakeside Clinic").await?;
        set_value(&driver, "Date of birth", "birth_date", "1990-04-12").await?;
        submit(&driver, "Continue").await?;
        wait_for_path(&driver, "/register/details").await?;
        fill(&driver, "Mobile phone number", "phone", "(415) 555-0123").await?;
        fill(&driver, "Choose a password", "password", PASSPHRASE).await?;
        submit(&driver, "Continue").await?;
        wait_for_path(&driver, "/register/phone").await?;
        submit(&driver, "Send code").await?;
        wait_for_text(&driver, "We sent a 6-digit code by text message").await?;
        let code = sms.code_sent_to(app, PHONE).await;
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
        wait_until("the consent or the conversation", &driver, || async {
            let path = driver.current_url().await?.path().to_owned();
            Ok(path == "/register/consent" || path.starts_with("/portal/messages/"))
        })
        .await?;
        if driver.current_url().await?.path() == "/register/consent" {
            fill(
                &driver,
                "Type your full name as your signature",
                "signature",
                "Ana Silva",
            )
            .await?;
            submit(&driver, "Sign and create my account").await?;
        }
        wait_for_path_prefix(&driver, "/portal/messages/").await?;
        wait_for_text(&driver, "Your account is ready. Bea Admin wrote to you").await?;
        wait_for_text(&driver, "Your referral").await?;
        wait_for_text(&driver, note).await?;
        checked_at(&driver, Width::Phone, "portal-thread-after-registration").await?;
        driver.delete_all_cookies().await?;

        // Maria follows her email's link signed out: sign-in, then the conversation.
        let maria_link = to("maria@example.org")
            .link_starting(&format!("{}/portal/messages/", app.url))
            .expect("the link to the conversation");
        driver.goto(&maria_link).await?;
        wait_for_path(&driver, "/portal/sign-in").await?;
        patient_sign_in(&driver, "maria@example.org").await?;
        wait_for_path_prefix(&driver, "/portal/messages/").await?;
        wait_for_text(&driver, mri).await?;
        Ok(())
    })
    .await;
}
