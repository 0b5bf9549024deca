//! In a real browser, an admin rewrites the invitation email on `/staff/templates` (issue #19),
//! in one browser session: the preview follows the typing (a mistake is explained there before
//! anything is saved, and the text message's preview counts its segments), the save is
//! confirmed, and the next invitation, read from the real SMTP server, carries the edit; *Reset
//! to the default*, after its confirmation, brings the default back for the invitation after
//! that. Every page passes axe-core at desktop width and on a phone, and none scrolls sideways.

use std::time::Duration;

use thirtyfour::prelude::*;

use crate::axe::assert_accessible;
use crate::browser::{
    Width, assert_no_sideways_scroll, click, fill, in_a_browser, save_screenshot, submit,
    wait_for_path, wait_for_text, wait_until,
};
use crate::common::{Backend, CLI_ADMIN_PASSWORD, Invitee, Practice, TestApp};
use crate::mailbox::{Received, SmtpServer};

const EMAIL_EN: &str = "/staff/templates/invite_email/en";
const SMS_EN: &str = "/staff/templates/invite_sms/en";
const SUBJECT: &str = "{{ practice_name }} saved you a place, {{ first_name }}";
const BODY: &str = "Dear {{ first_name }},\n\nWe saved you a place in our patient portal.\nOpen {{ link }}\nor type the code {{ code }}.\n\nUntil {{ expires_on }}.";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_an_admin_edits_a_template_and_the_next_invitation_carries_it_in_a_real_browser() {
    edits(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_an_admin_edits_a_template_and_the_next_invitation_carries_it_in_a_real_browser() {
    edits(Backend::Postgres).await;
}

async fn edits(backend: Backend) {
    let Some(smtp) = SmtpServer::start() else {
        return;
    };
    let Some(app) = TestApp::spawn_with(backend, &smtp.settings()).await else {
        return;
    };
    let lakeside = app.practice_with_admin("Lakeside Clinic").await;
    let admin = Admin {
        app: &app,
        smtp: &smtp,
        lakeside: &lakeside,
    };
    in_a_browser(|driver| async move { admin.walk(&driver).await }).await;
    app.stop().await;
}

struct Admin<'a> {
    app: &'a TestApp,
    smtp: &'a SmtpServer,
    lakeside: &'a Practice<'a>,
}

impl Admin<'_> {
    async fn walk(&self, driver: &WebDriver) -> WebDriverResult<()> {
        driver
            .goto(format!("{}/staff/sign-in", self.app.url))
            .await?;
        fill(driver, "Email address", "email", &self.lakeside.admin_email).await?;
        fill(driver, "Password", "password", CLI_ADMIN_PASSWORD).await?;
        click(driver, By::Css("main form button[type='submit']")).await?;
        wait_for_path(driver, "/staff").await?;

        // The list: every message in both languages, each one still the default.
        driver
            .goto(format!("{}/staff/templates", self.app.url))
            .await?;
        wait_for_text(driver, "Message templates").await?;
        for width in [Width::Phone, Width::Desktop] {
            width.apply(driver).await?;
            self.checked(driver, width, "templates-list").await?;
        }

        // The invitation email in English.
        click(driver, By::Css(format!("a[href='{EMAIL_EN}']"))).await?;
        wait_for_path(driver, EMAIL_EN).await?;
        wait_for_text(driver, "Variables you can use").await?;
        wait_for_preview(
            driver,
            "Lakeside Family Clinic invites you to its patient portal",
        )
        .await?;
        self.checked(driver, Width::Desktop, "template-email")
            .await?;

        // A variable the message may not use: the preview says so while typing.
        fill(driver, "Message", "body", "Hello {{ nickname }}").await?;
        wait_for_preview(driver, "Unknown variable `nickname`").await?;
        self.checked(driver, Width::Desktop, "template-email-mistake")
            .await?;
        // The admin's own words: the preview follows them.
        fill(driver, "Subject", "subject", SUBJECT).await?;
        fill(driver, "Message", "body", BODY).await?;
        wait_for_preview(driver, "Lakeside Family Clinic saved you a place, Maria").await?;
        wait_for_preview(driver, "We saved you a place in our patient portal.").await?;
        self.checked(driver, Width::Desktop, "template-email-edited")
            .await?;
        submit(driver, "Save").await?;
        wait_for_text(driver, "Saved. Messages sent from now on use your version.").await?;
        wait_for_text(driver, "Your own version").await?;

        // The next invitation carries the edit, as the mail server received it.
        self.lakeside
            .invite(&Invitee::maria().email("maria@example.org").by(&["email"]))
            .await;
        assert!(self.app.deliver().await >= 1);
        let mail = self.mail_to("maria@example.org");
        assert_eq!(
            mail.header("Subject").as_deref(),
            Some("Lakeside Clinic saved you a place, Maria"),
            "the subject as saved"
        );
        assert!(
            mail.raw
                .contains("We saved you a place in our patient portal."),
            "{}",
            mail.raw
        );

        // On a phone: the page, and the text message's preview counting its segments.
        Width::Phone.apply(driver).await?;
        self.checked(driver, Width::Phone, "template-email-saved")
            .await?;
        driver.goto(format!("{}{SMS_EN}", self.app.url)).await?;
        wait_for_preview(driver, "1 SMS segment").await?;
        fill(
            driver,
            "Text message",
            "body",
            &format!(
                "{} {{{{ link }}}} {{{{ code }}}}",
                "Lakeside invites you to its patient portal.".repeat(4)
            ),
        )
        .await?;
        wait_for_preview(driver, "2 SMS segments").await?;
        wait_for_preview(driver, "Each segment is charged").await?;
        self.checked(driver, Width::Phone, "template-sms-long")
            .await?;

        // Back to the default, after the confirmation, still on the phone.
        driver.goto(format!("{}{EMAIL_EN}", self.app.url)).await?;
        wait_for_text(driver, "Your own version").await?;
        click(driver, By::Css("details.template-reset summary")).await?;
        self.checked(driver, Width::Phone, "template-email-reset-confirm")
            .await?;
        submit(driver, "Reset to the default").await?;
        wait_for_text(driver, "Back to the default text.").await?;
        wait_for_text(driver, "The default text: you have not changed it.").await?;
        self.checked(driver, Width::Phone, "template-email-default")
            .await?;

        self.lakeside
            .invite(
                &Invitee::new("Rosa", "Diaz")
                    .email("rosa@example.org")
                    .by(&["email"]),
            )
            .await;
        assert!(self.app.deliver().await >= 1);
        let mail = self.mail_to("rosa@example.org");
        assert_eq!(
            mail.header("Subject").as_deref(),
            Some("Lakeside Clinic: your invitation to the patient portal"),
            "the default subject again"
        );
        Ok(())
    }

    /// axe, no sideways scrolling, and a screenshot named after the page, width and database.
    async fn checked(&self, driver: &WebDriver, width: Width, name: &str) -> WebDriverResult<()> {
        let name = format!("{name}-{width:?}-{:?}", self.app.backend).to_lowercase();
        assert_accessible(driver, &name).await?;
        assert_no_sideways_scroll(driver, &name).await?;
        save_screenshot(driver, &name).await;
        save_full_page(driver, &name).await
    }

    /// The message the SMTP server received for `to`, waiting for it a little.
    fn mail_to(&self, to: &str) -> Received {
        let started = std::time::Instant::now();
        loop {
            let found = self
                .smtp
                .received()
                .into_iter()
                .find(|m| m.header("X-RcptTo").as_deref() == Some(to));
            match found {
                Some(mail) => return mail,
                None if started.elapsed() < Duration::from_secs(10) => {
                    std::thread::sleep(Duration::from_millis(50));
                }
                None => panic!("no email reached {to}"),
            }
        }
    }
}

async fn wait_for_preview(driver: &WebDriver, text: &str) -> WebDriverResult<()> {
    wait_until(&format!("{text:?} in the preview"), driver, || async {
        let shown = driver
            .find(By::Id("template-preview"))
            .await?
            .text()
            .await?;
        Ok(shown.contains(text))
    })
    .await
}

/// The whole page, however long, as `<name>-full.png`: the window grows to the page's height
/// for the shot, then goes back.
async fn save_full_page(driver: &WebDriver, name: &str) -> WebDriverResult<()> {
    let rect = driver.get_window_rect().await?;
    let (inner, page): (i64, i64) = driver
        .execute(
            "return [window.innerHeight, document.documentElement.scrollHeight];",
            Vec::new(),
        )
        .await?
        .convert()?;
    let size = |px: i64| u32::try_from(px).unwrap_or(u32::MAX);
    let chrome = rect.height - inner;
    driver
        .set_window_rect(rect.x, rect.y, size(rect.width), size(page + chrome))
        .await?;
    save_screenshot(driver, &format!("{name}-full")).await;
    driver
        .set_window_rect(rect.x, rect.y, size(rect.width), size(rect.height))
        .await
}
