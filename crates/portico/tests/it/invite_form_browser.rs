//! In a real browser, the front desk inviting patients through `/staff/invitations/new`
//! (docs/PRODUCT.md §3), at desktop width and on a phone, in one browser session: by email with
//! the live preview of the practice's own template, then the message read from the real SMTP
//! server; a patient without email, through the confirmation, ending with a username; a hand-over
//! (nothing sent, the printable sheet with the code and its QR code); a related patient and a caregiver in the same step; and a post with mistakes,
//! answered next to each field with everything typed kept. Every page passes axe-core and none
//! scrolls sideways at 390 px.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use thirtyfour::components::SelectElement;
use thirtyfour::prelude::*;

use crate::axe::assert_accessible;
use crate::browser::{
    Width, click, fill, in_a_browser, save_screenshot, set_field_value, set_value, submit,
    wait_for_path, wait_for_text, wait_until,
};
use crate::common::{Api, Backend, CLI_ADMIN_PASSWORD, PHONE, Practice, TestApp};
use crate::mailbox::SmtpServer;

/// The practice's own email subject, so the preview shows its template and not the shipped one.
const SUBJECT: &str = "{{ practice_name }} invites you, {{ first_name }}";
const BODY: &str = "Dear {{ first_name }},\n\nRegister at {{ link }}\nor with the code {{ code }}.\n\nValid until {{ expires_on }}.\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_the_front_desk_invites_every_variant_in_a_real_browser() {
    front_desk_invites(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_the_front_desk_invites_every_variant_in_a_real_browser() {
    front_desk_invites(Backend::Postgres).await;
}

async fn front_desk_invites(backend: Backend) {
    let Some(smtp) = SmtpServer::start() else {
        return;
    };
    let Some(app) = TestApp::spawn_with(backend, &smtp.settings()).await else {
        return;
    };
    let lakeside = app.practice_with_admin("Lakeside Clinic").await;
    lakeside.add_provider("Dr. Ana Ruiz").await;
    let saved = lakeside
        .admin_session()
        .await
        .call(
            Method::PUT,
            "/templates/invite_email/en",
            json!({ "subject": SUBJECT, "body": BODY }),
        )
        .await;
    Api::expect(saved, StatusCode::OK).await;
    let desk = Desk {
        app: &app,
        smtp: &smtp,
        lakeside: &lakeside,
    };
    in_a_browser(|driver| async move { desk.walk(&driver).await }).await;
    app.stop().await;
}

struct Desk<'a> {
    app: &'a TestApp,
    smtp: &'a SmtpServer,
    lakeside: &'a Practice<'a>,
}

impl Desk<'_> {
    async fn walk(&self, driver: &WebDriver) -> WebDriverResult<()> {
        driver
            .goto(format!("{}/staff/sign-in", self.app.url))
            .await?;
        fill(driver, "Email address", "email", &self.lakeside.admin_email).await?;
        fill(driver, "Password", "password", CLI_ADMIN_PASSWORD).await?;
        click(driver, By::Css("main form button[type='submit']")).await?;
        wait_for_path(driver, "/staff").await?;
        for (n, width) in [Width::Desktop, Width::Phone].into_iter().enumerate() {
            width.apply(driver).await?;
            let shot = |what: &str| format!("invite-{what}-{width:?}-{:?}", self.app.backend);
            self.by_email(driver, n, &shot("email")).await?;
            self.without_email(driver, n, &shot("no-email")).await?;
            self.handed_over(driver, &shot("hand-over")).await?;
            self.with_household_and_caregiver(driver, &shot("related"))
                .await?;
            self.with_mistakes(driver, &shot("mistakes")).await?;
        }
        Ok(())
    }

    async fn open_form(&self, driver: &WebDriver) -> WebDriverResult<()> {
        driver
            .goto(format!("{}/staff/invitations/new", self.app.url))
            .await?;
        wait_for_text(driver, "Invite a patient").await
    }

    /// The page is fine for everyone: axe finds nothing serious, nothing scrolls sideways.
    async fn check_page(&self, driver: &WebDriver, what: &str) -> WebDriverResult<()> {
        assert_accessible(driver, what).await?;
        let (scroll, viewport): (i64, i64) = driver
            .execute(
                "return [document.documentElement.scrollWidth, document.documentElement.clientWidth];",
                Vec::new(),
            )
            .await?
            .convert()?;
        assert!(
            scroll <= viewport,
            "{what}: the page is {scroll} px wide in a {viewport} px window"
        );
        Ok(())
    }

    /// The patient's name, birth date and (when given) email typed twice.
    async fn patient(
        &self,
        driver: &WebDriver,
        first: &str,
        last: &str,
        email: Option<&str>,
    ) -> WebDriverResult<()> {
        fill(driver, "First name", "first_name", first).await?;
        fill(driver, "Last name", "last_name", last).await?;
        set_value(driver, "Date of birth", "birth_date", "1980-02-03").await?;
        if let Some(email) = email {
            fill(driver, "Email address", "email", email).await?;
            fill(driver, "Email address again", "email_confirm", email).await?;
        }
        Ok(())
    }

    /// The invitation page a create lands on: its id.
    async fn landed(&self, driver: &WebDriver) -> WebDriverResult<String> {
        wait_until("the invitation's page", driver, || async {
            let path = driver.current_url().await?.path().to_owned();
            Ok(path.starts_with("/staff/invitations/") && path != "/staff/invitations/new")
        })
        .await?;
        let url = driver.current_url().await?;
        Ok(url.path().rsplit('/').next().unwrap_or_default().to_owned())
    }

    async fn by_email(&self, driver: &WebDriver, n: usize, shot: &str) -> WebDriverResult<()> {
        self.open_form(driver).await?;
        self.check_page(driver, "invite form").await?;
        let email = format!("maria{n}@example.org");
        self.patient(driver, "Maria", "Lopez", Some(&email)).await?;
        assert!(
            is_checked(driver, "channels").await?,
            "typing an email address ticks Email"
        );
        let provider = driver.find(By::Id("provider_id")).await?;
        SelectElement::new(&provider)
            .await?
            .select_by_exact_text("Dr. Ana Ruiz")
            .await?;
        // The live preview: the practice's own subject with the typed name, and sample code.
        wait_for_preview(driver, "Lakeside Clinic invites you, Maria").await?;
        let preview = preview_text(driver).await?;
        assert!(preview.contains("Dear Maria,"), "{preview}");
        assert!(
            preview.contains("XYZ-234-ABC"),
            "the sample code: {preview}"
        );
        let marked = driver
            .find_all(By::Css("#invite-preview mark.sample"))
            .await?;
        assert!(marked.len() >= 2, "the sample code and link are marked");
        self.check_page(driver, "invite form with preview").await?;
        screenshots(driver, shot).await?;

        // Enter in a field creates the invitation.
        driver
            .find(By::Id("last_name"))
            .await?
            .send_keys(Key::Enter)
            .await?;
        let id = self.landed(driver).await?;
        assert!(self.app.deliver().await >= 1, "the email for {id} went out");
        let got = self.mail_to(&email);
        assert_eq!(
            got.header("Subject").as_deref(),
            Some("Lakeside Clinic invites you, Maria"),
            "the subject previewed"
        );
        for line in ["Dear Maria,", "Valid until 2 December 2026."] {
            assert!(got.raw.contains(line), "{line:?} in {}", got.raw);
        }
        assert!(
            !got.raw.contains("XYZ-234-ABC"),
            "a real code, not the sample"
        );
        Ok(())
    }

    async fn without_email(&self, driver: &WebDriver, n: usize, shot: &str) -> WebDriverResult<()> {
        self.open_form(driver).await?;
        self.patient(driver, "Pat", "Noemail", None).await?;
        fill(driver, "Mobile phone number", "phone", PHONE).await?;
        assert!(
            is_checked(driver, "send_sms").await?,
            "a mobile number without email ticks Text message"
        );
        wait_for_preview(driver, "Text message").await?;
        submit(driver, "Create the invitation").await?;
        wait_for_text(
            driver,
            "Pat has no email address: Pat will sign in with a username that we make up",
        )
        .await?;
        wait_for_path(driver, "/staff/invitations/new").await?;
        assert_eq!(
            field_value(driver, "phone").await?,
            PHONE,
            "nothing typed lost"
        );
        self.check_page(driver, "no-email question").await?;
        save_screenshot(driver, shot).await;
        // On the phone, staff choose the username; at the desk, one is made up.
        let chosen = (n == 1).then_some("pat-front-desk");
        if let Some(name) = chosen {
            fill(driver, "Username (optional)", "username", name).await?;
        }
        submit(driver, "Yes, create the invitation").await?;
        let id = self.landed(driver).await?;
        let read = self.invitation(&id).await;
        let username = read["username"].as_str().expect("a username").to_owned();
        match chosen {
            Some(name) => assert_eq!(username, name),
            None => assert!(username.len() >= 5, "{username}"),
        }
        let shown = driver
            .find(By::Css("[data-username]"))
            .await?
            .text()
            .await?;
        assert_eq!(
            shown, username,
            "the invitation page shows the username to hand over"
        );
        self.check_page(driver, "invitation with its username")
            .await?;
        save_screenshot(driver, &format!("{shot}-created")).await;
        Ok(())
    }

    async fn handed_over(&self, driver: &WebDriver, shot: &str) -> WebDriverResult<()> {
        self.open_form(driver).await?;
        self.patient(driver, "Hana", "Desk", Some("hana@example.org"))
            .await?;
        // Handing over clears the Email box the address ticked.
        click(driver, By::Id("hand_over")).await?;
        assert!(!is_checked(driver, "channels").await?);
        wait_for_preview(driver, "Nothing is sent to Hana").await?;
        save_screenshot(driver, shot).await;
        submit(driver, "Create the invitation").await?;
        let id = self.landed(driver).await?;
        let queued = self
            .app
            .count_rows(&format!("outbox WHERE subject_id = '{id}'"))
            .await;
        assert_eq!(queued, 0, "nothing is sent for a hand-over");
        // The invitation page offers the printable sheet: the code, and the link as a QR code.
        wait_for_text(driver, "shown only this once").await?;
        let sheet = driver.find(By::Css(".handover-sheet")).await?;
        let code = sheet.find(By::Css("[data-code]")).await?.text().await?;
        assert!(
            crate::mailbox::is_invite_code(code.trim()),
            "the sheet carries the code: {code}"
        );
        assert!(
            !sheet.find_all(By::Css(".sheet-qr svg")).await?.is_empty(),
            "and the QR code, inline"
        );
        Ok(())
    }

    async fn with_household_and_caregiver(
        &self,
        driver: &WebDriver,
        shot: &str,
    ) -> WebDriverResult<()> {
        self.open_form(driver).await?;
        self.patient(driver, "Maria", "Family", Some("family@example.org"))
            .await?;
        assert!(
            !driver
                .find(By::Id("household_first_name"))
                .await?
                .is_displayed()
                .await?,
            "a related patient's fields wait until asked for"
        );
        click(driver, By::Id("add_household")).await?;
        type_into(driver, "household_first_name", "Rosa").await?;
        type_into(driver, "household_last_name", "Family").await?;
        set_by_id(driver, "household_birth_date", "1982-04-05").await?;
        type_into(driver, "household_phone", PHONE).await?;
        click(driver, By::Id("add_caregiver")).await?;
        type_into(driver, "caregiver_first_name", "Ana").await?;
        type_into(driver, "caregiver_last_name", "Care").await?;
        set_by_id(driver, "caregiver_birth_date", "1975-06-07").await?;
        type_into(driver, "caregiver_email", "ana.care@example.org").await?;
        assert!(is_checked(driver, "caregiver_channels").await?);
        assert!(is_checked(driver, "household_send_sms").await?);
        wait_for_preview(driver, "To Rosa (related patient)").await?;
        wait_for_preview(driver, "To Ana (caregiver)").await?;
        self.check_page(driver, "invite form, three people").await?;
        screenshots(driver, shot).await?;
        submit(driver, "Create the invitation").await?;
        // Rosa has no email address: asked first, with everything kept.
        wait_for_text(driver, "Rosa has no email address either").await?;
        assert!(
            driver
                .find(By::Id("household_first_name"))
                .await?
                .is_displayed()
                .await?,
            "the related patient's fields stay open"
        );
        submit(driver, "Yes, create the invitation").await?;
        let id = self.landed(driver).await?;
        let related = self
            .app
            .count_rows(&format!("invitations WHERE related_to = '{id}'"))
            .await;
        assert_eq!(related, 2, "a household and a caregiver invitation with it");
        let sheets = driver.find_all(By::Css(".handover-sheet")).await?;
        assert_eq!(
            sheets.len(),
            3,
            "each new code shown once, on its own sheet"
        );
        Ok(())
    }

    async fn with_mistakes(&self, driver: &WebDriver, shot: &str) -> WebDriverResult<()> {
        self.open_form(driver).await?;
        fill(driver, "First name", "first_name", "Eve").await?;
        set_value(driver, "Date of birth", "birth_date", "2090-01-01").await?;
        fill(driver, "Email address", "email", "eve@example.org").await?;
        fill(
            driver,
            "Email address again",
            "email_confirm",
            "eve@example.com",
        )
        .await?;
        fill(
            driver,
            "Preferred contact time (optional)",
            "contact_time",
            "mornings",
        )
        .await?;
        submit(driver, "Create the invitation").await?;
        wait_for_text(driver, "Please correct the following").await?;
        wait_for_path(driver, "/staff/invitations/new").await?;
        for (id, says) in [
            ("birth_date", "future"),
            ("email_confirm", "not the same"),
            ("last_name", ""),
        ] {
            let error = driver
                .find(By::Id(format!("{id}-error")))
                .await?
                .text()
                .await?;
            assert!(error.contains(says), "{id}: {error}");
        }
        for (id, typed) in [
            ("first_name", "Eve"),
            ("email", "eve@example.org"),
            ("email_confirm", "eve@example.com"),
            ("contact_time", "mornings"),
        ] {
            assert_eq!(field_value(driver, id).await?, typed, "{id} kept");
        }
        self.check_page(driver, "invite form with mistakes").await?;
        save_screenshot(driver, shot).await;
        // The summary's links lead to the fields.
        click(driver, By::Css(".error-summary a[href='#email_confirm']")).await?;
        let focused: String = driver
            .execute("return document.activeElement.id;", Vec::new())
            .await?
            .convert()?;
        assert_eq!(focused, "email_confirm");
        Ok(())
    }

    /// The message the SMTP server received for `to`, waiting for it a little.
    fn mail_to(&self, to: &str) -> crate::mailbox::Received {
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

    async fn invitation(&self, id: &str) -> Value {
        Api::expect(
            self.lakeside.get(&format!("/invitations/{id}")).await,
            StatusCode::OK,
        )
        .await
    }
}

/// The top of the page and its end, for a person to look at.
async fn screenshots(driver: &WebDriver, name: &str) -> WebDriverResult<()> {
    driver.execute("window.scrollTo(0, 0);", Vec::new()).await?;
    save_screenshot(driver, name).await;
    driver
        .execute(
            "window.scrollTo(0, document.body.scrollHeight);",
            Vec::new(),
        )
        .await?;
    save_screenshot(driver, &format!("{name}-end")).await;
    Ok(())
}

async fn wait_for_preview(driver: &WebDriver, text: &str) -> WebDriverResult<()> {
    wait_until(&format!("{text:?} in the preview"), driver, || async {
        Ok(preview_text(driver).await?.contains(text))
    })
    .await
}

async fn preview_text(driver: &WebDriver) -> WebDriverResult<String> {
    driver.find(By::Id("invite-preview")).await?.text().await
}

async fn is_checked(driver: &WebDriver, id: &str) -> WebDriverResult<bool> {
    Ok(driver
        .find(By::Id(id))
        .await?
        .prop("checked")
        .await?
        .as_deref()
        == Some("true"))
}

async fn field_value(driver: &WebDriver, id: &str) -> WebDriverResult<String> {
    Ok(driver
        .find(By::Id(id))
        .await?
        .prop("value")
        .await?
        .unwrap_or_default())
}

/// Types into the input with this id (a related person's, whose labels repeat the patient's).
async fn type_into(driver: &WebDriver, id: &str, value: &str) -> WebDriverResult<()> {
    driver.find(By::Id(id)).await?.send_keys(value).await
}

/// Sets a date input by id (a related person's, whose labels repeat the patient's) by script:
/// its typed format depends on the browser's locale.
async fn set_by_id(driver: &WebDriver, id: &str, value: &str) -> WebDriverResult<()> {
    let field = driver.find(By::Id(id)).await?;
    set_field_value(driver, &field, value).await
}
