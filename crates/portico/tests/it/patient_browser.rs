//! In a real browser, the patient's side (docs/PRODUCT.md §5): the invited path (the code from the mail
//! server, the phone code from the SMS provider's stand-in, the terms scrolled to the end, consent
//! signed, a password chosen) and self-registration with a provider code and with a sign-up code,
//! each ending signed in on the visit screen with the right card. Every patient page passes
//! axe-core on the way.

use std::time::Duration;

use thirtyfour::prelude::*;
use wiremock::MockServer;

use crate::axe::assert_accessible;
use crate::browser::{
    Chromedriver, Width, click, fill, labelled_field, save_screenshot, set_value, submit,
    wait_for_path, wait_for_text, wait_until,
};
use crate::common::provider::{self, accept_all};
use crate::common::{BIRTH_DATE, Backend, Invitee, PASSPHRASE, PHONE, PhoneInbox as _, TestApp};
use crate::mailbox::SmtpServer;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_patients_register_invited_and_by_themselves_in_a_real_browser() {
    patients_register(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_patients_register_invited_and_by_themselves_in_a_real_browser() {
    patients_register(Backend::Postgres).await;
}

async fn patients_register(backend: Backend) {
    let Some(chromedriver) = Chromedriver::start() else {
        return;
    };
    let Some(smtp) = SmtpServer::start() else {
        return;
    };
    let provider = MockServer::start().await;
    accept_all(&provider).await;
    let mut settings = smtp.settings();
    settings.extend(provider::settings(&provider));
    let Some(app) = TestApp::spawn_with(backend, &settings).await else {
        return;
    };

    let lakeside = app.practice_with_admin("Lakeside Clinic").await;
    let rivera_code = lakeside.add_provider("Dr. Rivera").await.code;
    lakeside
        .add_program("Heart health", "Heart2026", "notify")
        .await;
    lakeside
        .invite(
            &Invitee::maria()
                .email("maria.lopez@example.org")
                .phone(PHONE)
                .by(&["email"])
                .with("consent_method", "in_app"),
        )
        .await;
    app.deliver().await;
    let mail = smtp.wait_for(1, Duration::from_secs(10));
    let invite_code = mail[0]
        .invite_code()
        .expect("the invitation email carries the code");

    let flows: [(&str, Flow); 3] = [
        ("invited", Flow::Invited(invite_code)),
        ("provider code", Flow::Code(rivera_code, "Dr. Rivera")),
        (
            "sign-up code",
            Flow::Code("heart 2026".into(), "Heart health"),
        ),
    ];
    for (i, (name, flow)) in flows.into_iter().enumerate() {
        let profile = tempfile::tempdir().expect("temporary browser profile");
        let driver = chromedriver.session(profile.path()).await;
        let email = format!("patient{i}@example.org");
        let app = &app;
        let provider = &provider;
        let result = driver
            .run_and_quit(|driver| async move {
                walk(app, provider, &driver, flow, &email, i == 1).await
            })
            .await;
        if let Err(e) = result {
            panic!("browser test ({name}) failed: {e}");
        }
    }
    drop(chromedriver);
    app.stop().await;
}

enum Flow {
    Invited(String),
    /// A provider or sign-up code, and the name its card must show.
    Code(String, &'static str),
}

async fn walk(
    app: &TestApp,
    provider: &MockServer,
    driver: &WebDriver,
    flow: Flow,
    email: &str,
    also_sign_out: bool,
) -> WebDriverResult<()> {
    // 1. The entry page.
    driver.goto(format!("{}/register", app.url)).await?;
    wait_for_text(driver, "I was invited").await?;
    assert_accessible(driver, "registration entry").await?;
    let (card_title, invited) = match &flow {
        Flow::Invited(code) => {
            fill(driver, "Invitation code", "code", &code.to_lowercase()).await?;
            set_value(driver, "Date of birth", "birth_date", BIRTH_DATE).await?;
            submit(driver, "Process invitation").await?;
            ("Lakeside Clinic", true)
        }
        Flow::Code(code, title) => {
            // A wrong code first: the one fixed message, and what was typed stays.
            fill(
                driver,
                "Provider code or sign-up code",
                "self_code",
                "ZZZ999",
            )
            .await?;
            submit(driver, "Continue").await?;
            wait_for_text(driver, "Please check the code you received").await?;
            assert_accessible(driver, "registration entry, wrong code").await?;
            fill(driver, "Provider code or sign-up code", "self_code", code).await?;
            submit(driver, "Continue").await?;
            (*title, false)
        }
    };

    // 2. The details, pre-filled for the invited patient; an error keeps what was typed.
    wait_for_path(driver, "/register/details").await?;
    if invited {
        let first: String = labelled_field(driver, "First name", "first_name")
            .await?
            .value()
            .await?
            .unwrap_or_default();
        assert_eq!(first, "Maria", "pre-filled from the invitation");
    } else {
        fill(driver, "First name", "first_name", "Maria").await?;
        fill(driver, "Last name", "last_name", "Lopez").await?;
        set_value(driver, "Date of birth", "birth_date", BIRTH_DATE).await?;
        fill(driver, "Email address", "email", email).await?;
    }
    fill(driver, "Mobile phone number", "phone", "(415) 555-0123").await?;
    fill(driver, "Choose a password", "password", "tulip harbor x").await?;
    // The live meter speaks up before the form is sent.
    wait_for_text(driver, "at least 15 characters").await?;
    assert_accessible(driver, "registration details").await?;
    submit(driver, "Continue").await?;
    wait_for_text(driver, "Please correct the following").await?;
    let phone: String = labelled_field(driver, "Mobile phone number", "phone")
        .await?
        .value()
        .await?
        .unwrap_or_default();
    assert_eq!(phone, "(415) 555-0123", "nothing typed is lost on an error");
    assert_accessible(driver, "registration details with errors").await?;
    fill(driver, "Choose a password", "password", PASSPHRASE).await?;
    submit(driver, "Continue").await?;

    // 3. Phone verification by SMS, with the code from the provider's stand-in.
    wait_for_path(driver, "/register/phone").await?;
    wait_for_text(driver, "How should we send").await?;
    assert_accessible(driver, "phone: delivery method").await?;
    submit(driver, "Send code").await?;
    wait_for_text(driver, "We sent a 6-digit code by text message").await?;
    assert_accessible(driver, "phone: code").await?;
    let code = provider.code_sent_to(app, PHONE).await;
    fill(driver, "6-digit code", "code", &code).await?;
    submit(driver, "Verify").await?;

    // 4. The terms: "I accept" only once the text was scrolled to its end.
    wait_for_path(driver, "/register/terms").await?;
    let accept = driver.find(By::Id("accept-terms")).await?;
    assert!(!accept.is_enabled().await?, "disabled before scrolling");
    assert_accessible(driver, "terms of use").await?;
    driver
        .execute(
            "const b = document.querySelector('[data-terms-box]'); b.scrollTop = b.scrollHeight;",
            Vec::new(),
        )
        .await?;
    wait_until("the accept button is enabled", driver, || async {
        driver
            .find(By::Id("accept-terms"))
            .await?
            .is_enabled()
            .await
    })
    .await?;
    submit(driver, "I accept").await?;

    // 5. Consent for the invited patient: the typed full name is the signature.
    if invited {
        wait_for_path(driver, "/register/consent").await?;
        assert_accessible(driver, "consent").await?;
        fill(
            driver,
            "Type your full name as your signature",
            "signature",
            "Maria Lopez",
        )
        .await?;
        submit(driver, "Sign and create my account").await?;
    }

    // 6. Signed in on the visit screen, with the right card.
    wait_for_path(driver, "/portal").await?;
    wait_for_text(driver, "Your account is ready").await?;
    let card = driver
        .find(By::Css(".provider-card h2"))
        .await?
        .text()
        .await?;
    let program = driver.find(By::Css(".provider-card")).await?.text().await?;
    assert!(
        card == card_title || program.contains(card_title),
        "card {card:?} / {program:?} shows {card_title}"
    );
    assert_accessible(driver, "visit screen").await?;

    if also_sign_out {
        // A wrong provider code gets its message next to the field.
        fill(driver, "Provider code", "code", "ZZZ999").await?;
        submit(driver, "Add").await?;
        wait_for_text(
            driver,
            "Please check the 6-character code you received from your doctor's office.",
        )
        .await?;
        assert_accessible(driver, "visit screen, wrong code").await?;
        let Flow::Code(registered_with, _) = &flow else {
            unreachable!("only the provider-code walk signs out")
        };
        for width in [Width::Desktop, Width::Phone] {
            width.apply(driver).await?;
            // An empty field asks for the code; the code already on the account says so.
            fill(driver, "Provider code", "code", "").await?;
            submit(driver, "Add").await?;
            wait_for_text(driver, "Enter the provider code from your doctor's office.").await?;
            fill(driver, "Provider code", "code", registered_with).await?;
            submit(driver, "Add").await?;
            wait_for_text(driver, "This provider is already on your visit screen.").await?;
            assert_accessible(driver, "visit screen, code already added").await?;
            save_screenshot(
                driver,
                &format!("visit-screen-code-already-added-{width:?}"),
            )
            .await;
        }
        Width::Desktop.apply(driver).await?;
        click(
            driver,
            By::XPath("//header//button[normalize-space()='Sign out']"),
        )
        .await?;
        wait_for_path(driver, "/portal/sign-in").await?;
        assert_accessible(driver, "patient sign-in").await?;
        fill(driver, "Email address or username", "name", email).await?;
        fill(driver, "Password", "password", PASSPHRASE).await?;
        submit(driver, "Sign in").await?;
        wait_for_path(driver, "/portal").await?;
        click(
            driver,
            By::XPath("//header//button[normalize-space()='Sign out']"),
        )
        .await?;
        wait_for_path(driver, "/portal/sign-in").await?;
        driver.goto(format!("{}/portal/forgot", app.url)).await?;
        assert_accessible(driver, "forgot password").await?;
        fill(driver, "Email address or username", "name", email).await?;
        submit(driver, "Send code").await?;
        wait_for_path(driver, "/portal/forgot/code").await?;
        wait_for_text(driver, "If an account matches").await?;
        assert_accessible(driver, "forgot password: code").await?;
    }
    Ok(())
}
