//! In a real browser: the set-up link creates a practice and its admin, who can sign in and out.
//!
//! Drives Debian's headless Chromium through its own `chromedriver` process (packages `chromium`
//! and `chromium-driver`). Without `/usr/bin/chromedriver` the test is skipped with a note, except
//! when `CI=true`, where it fails. Each page the walk-through visits is checked with axe-core
//! (`axe.rs`) for serious or critical accessibility violations.

use std::io::Write as _;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Once;
use std::time::{Duration, Instant};

use serde_json::json;
use thirtyfour::ChromeCapabilities;
use thirtyfour::components::SelectElement;
use thirtyfour::extensions::query::ElementPollerWithTimeout;
use thirtyfour::prelude::*;

use crate::common::{ADMIN_EMAIL, ADMIN_PASSWORD, Backend, TestApp, on_both};

const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const CHROMIUM: &str = "/usr/bin/chromium";
/// How long to wait for a page, an element or a text before failing.
pub(crate) const WAIT: Duration = Duration::from_secs(10);
pub(crate) const POLL: Duration = Duration::from_millis(100);

on_both!(a_new_practice_admin_sets_up_signs_out_and_signs_in_again_in_a_real_browser);

async fn a_new_practice_admin_sets_up_signs_out_and_signs_in_again_in_a_real_browser(
    app: &TestApp,
) {
    // Quits the browser after the steps, also when an assertion panics.
    in_a_browser(|driver| async move { walk_through(app, &driver).await }).await;
}

async fn walk_through(app: &TestApp, driver: &WebDriver) -> WebDriverResult<()> {
    let link = app
        .setup_link
        .clone()
        .expect("a fresh service prints a set-up link");

    // 1. The set-up link: fill the form by its labelled fields.
    driver.goto(&link).await?;
    crate::axe::assert_accessible(driver, "set-up").await?;
    fill(
        driver,
        "Practice name",
        "practice_name",
        "Lakeside Family Clinic",
    )
    .await?;
    fill(driver, "Your full name", "display_name", "Ada Admin").await?;
    fill(driver, "Your email address", "email", ADMIN_EMAIL).await?;
    fill(driver, "Choose a password", "password", ADMIN_PASSWORD).await?;
    click(driver, By::Css("main form button[type='submit']")).await?;

    // 2. Signed in on the staff home page.
    wait_for_path(driver, "/staff").await?;
    wait_for_text(driver, "Lakeside Family Clinic").await?;
    wait_for_text(driver, "Ada Admin").await?;
    crate::axe::assert_accessible(driver, "staff home").await?;

    // 3. Sign out from the header; the staff pages are closed again.
    click(
        driver,
        By::XPath("//header//form//button[normalize-space()='Sign out']"),
    )
    .await?;
    wait_for_path(driver, "/staff/sign-in").await?;
    wait_for_text(driver, "You have signed out.").await?;
    crate::axe::assert_accessible(driver, "sign-in (signed out)").await?;
    driver.goto(format!("{}/staff", app.url)).await?;
    wait_for_path(driver, "/staff/sign-in").await?;

    // 4. A wrong password: the generic message, and the email is kept.
    fill(driver, "Email address", "email", ADMIN_EMAIL).await?;
    fill(
        driver,
        "Password",
        "password",
        "not the right passphrase at all",
    )
    .await?;
    click(driver, By::Css("main form button[type='submit']")).await?;
    wait_for_text(driver, "do not match an account").await?;
    crate::axe::assert_accessible(driver, "sign-in (wrong password)").await?;
    let kept = driver
        .query(By::Id("email"))
        .first()
        .await?
        .prop("value")
        .await?;
    assert_eq!(
        kept.as_deref(),
        Some(ADMIN_EMAIL),
        "the email field keeps what was typed"
    );

    // 5. The right password.
    fill(driver, "Email address", "email", ADMIN_EMAIL).await?;
    fill(driver, "Password", "password", ADMIN_PASSWORD).await?;
    click(driver, By::Css("main form button[type='submit']")).await?;
    wait_for_path(driver, "/staff").await?;
    wait_for_text(driver, "Lakeside Family Clinic").await?;

    // 6. Add a staff member through the form.
    driver.goto(format!("{}/staff/members", app.url)).await?;
    wait_for_path(driver, "/staff/members").await?;
    crate::axe::assert_accessible(driver, "staff members").await?;
    fill(driver, "Full name", "display_name", "Sam Staff").await?;
    fill(driver, "Email address", "email", "sam@clinic.example").await?;
    let role = labelled_field(driver, "Role", "role").await?;
    SelectElement::new(&role)
        .await?
        .select_by_exact_text("Staff")
        .await?;
    fill(
        driver,
        "First password",
        "password",
        "gentle harbor morning tide",
    )
    .await?;
    click(
        driver,
        By::XPath("//main//form//button[normalize-space()='Add staff member']"),
    )
    .await?;
    wait_for_path_prefix(driver, "/staff/members/").await?;
    wait_for_text(driver, "Sam Staff").await?;
    crate::axe::assert_accessible(driver, "staff member").await?;

    // The sign-ups page (self-registrations to approve, notifications), empty at first.
    driver.goto(format!("{}/staff/sign-ups", app.url)).await?;
    wait_for_text(driver, "No sign-up is waiting for approval.").await?;
    crate::axe::assert_accessible(driver, "staff sign-ups").await?;

    // 8. A screenshot of the staff home page for a person to look at.
    driver.goto(format!("{}/staff", app.url)).await?;
    wait_for_path(driver, "/staff").await?;
    wait_for_text(driver, "Lakeside Family Clinic").await?;
    let name = match app.backend {
        Backend::Sqlite => "staff-home-sqlite",
        Backend::Postgres => "staff-home-postgres",
    };
    save_screenshot(driver, name).await;

    // 7. Keyboard (WCAG 2.4.1): on the sign-in page the first Tab reaches the skip link.
    click(
        driver,
        By::XPath("//header//form//button[normalize-space()='Sign out']"),
    )
    .await?;
    wait_for_path(driver, "/staff/sign-in").await?;
    wait_for_text(driver, "You have signed out.").await?;
    driver.action_chain().send_keys(Key::Tab).perform().await?;
    let focused: String = driver
        .execute("return document.activeElement.textContent;", Vec::new())
        .await?
        .convert()?;
    assert_eq!(
        focused.trim(),
        "Skip to main content",
        "the first Tab press focuses the skip link"
    );
    Ok(())
}

/// The input a `<label>` with this text points at; checks it is the expected field.
pub(crate) async fn labelled_field(
    driver: &WebDriver,
    label: &str,
    id: &str,
) -> WebDriverResult<WebElement> {
    let label_el = driver
        .query(By::XPath(format!(
            "//main//label[normalize-space()='{label}']"
        )))
        .desc(label)
        .first()
        .await?;
    let target = label_el.attr("for").await?;
    assert_eq!(
        target.as_deref(),
        Some(id),
        "the label {label:?} belongs to the #{id} field"
    );
    driver.query(By::Id(id)).first().await
}

pub(crate) async fn fill(
    driver: &WebDriver,
    label: &str,
    id: &str,
    value: &str,
) -> WebDriverResult<()> {
    let field = labelled_field(driver, label, id).await?;
    field.clear().await?;
    field.send_keys(value).await
}

pub(crate) async fn click(driver: &WebDriver, by: By) -> WebDriverResult<()> {
    driver
        .query(by)
        .and_clickable()
        .first()
        .await?
        .click()
        .await
}

/// Clicks the button in the page's main part that reads `text`.
pub(crate) async fn submit(driver: &WebDriver, text: &str) -> WebDriverResult<()> {
    click(
        driver,
        By::XPath(format!("//main//button[normalize-space()=\"{text}\"]")),
    )
    .await
}

/// Polls until `check` answers `true` or the wait runs out.
pub(crate) async fn wait_until<F, Fut>(
    what: &str,
    driver: &WebDriver,
    check: F,
) -> WebDriverResult<()>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = WebDriverResult<bool>>,
{
    wait_until_within(WAIT, what, driver, check).await
}

/// [`wait_until`], for something that takes longer by nature (an import of thousands of rows).
pub(crate) async fn wait_until_within<F, Fut>(
    limit: std::time::Duration,
    what: &str,
    driver: &WebDriver,
    mut check: F,
) -> WebDriverResult<()>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = WebDriverResult<bool>>,
{
    let deadline = Instant::now() + limit;
    loop {
        // Errors while a page is still loading (stale elements) just mean "not yet".
        if matches!(check().await, Ok(true)) {
            return Ok(());
        }
        if Instant::now() > deadline {
            let url = driver.current_url().await?;
            let body = driver
                .find(By::Tag("body"))
                .await?
                .text()
                .await
                .unwrap_or_default();
            panic!("waited {limit:?} for {what}; at {url}, the page says:\n{body}");
        }
        tokio::time::sleep(POLL).await;
    }
}

pub(crate) async fn wait_for_path(driver: &WebDriver, path: &str) -> WebDriverResult<()> {
    wait_until(&format!("the page {path}"), driver, || async {
        Ok(driver.current_url().await?.path() == path)
    })
    .await
}

pub(crate) async fn wait_for_path_prefix(driver: &WebDriver, prefix: &str) -> WebDriverResult<()> {
    wait_until(&format!("a page under {prefix}"), driver, || async {
        Ok(driver.current_url().await?.path().starts_with(prefix))
    })
    .await
}

pub(crate) async fn wait_for_text(driver: &WebDriver, text: &str) -> WebDriverResult<()> {
    wait_until(&format!("the text {text:?}"), driver, || async {
        let body = driver.find(By::Tag("body")).await?.text().await?;
        Ok(body.contains(text))
    })
    .await
}

/// Sets a field by script: a date input's typed format depends on the browser's locale.
pub(crate) async fn set_value(
    driver: &WebDriver,
    label: &str,
    id: &str,
    value: &str,
) -> WebDriverResult<()> {
    let field = labelled_field(driver, label, id).await?;
    set_field_value(driver, &field, value).await
}

/// Sets `field`'s value by script, as [`set_value`] does, for a field found another way.
pub(crate) async fn set_field_value(
    driver: &WebDriver,
    field: &WebElement,
    value: &str,
) -> WebDriverResult<()> {
    driver
        .execute(
            "arguments[0].value = arguments[1];",
            vec![field.to_json()?, json!(value)],
        )
        .await?;
    Ok(())
}

/// `target/screenshots/<name>.png` in the workspace, for a person to look at; errors writing it
/// are ignored.
pub(crate) async fn save_screenshot(driver: &WebDriver, name: &str) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/screenshots");
    if std::fs::create_dir_all(&dir).is_ok()
        && let Ok(png) = driver.screenshot_as_png().await
    {
        let _ = std::fs::write(dir.join(format!("{name}.png")), png);
    }
}

/// Fails when the page scrolls sideways (a table or a long word wider than a phone).
pub(crate) async fn assert_no_sideways_scroll(
    driver: &WebDriver,
    page: &str,
) -> WebDriverResult<()> {
    let widths = driver
        .execute(
            "return [document.documentElement.scrollWidth, window.innerWidth];",
            vec![],
        )
        .await?;
    let (scroll, window): (u64, u64) = widths.convert()?;
    assert!(
        scroll <= window,
        "{page} scrolls sideways: {scroll} px of content in a {window} px window"
    );
    Ok(())
}

/// Runs `steps` in one headless Chromium session with a fresh profile, quitting the browser
/// afterwards, also when a step fails (which fails the test). Without chromedriver installed the
/// test is skipped with a note (never under CI: see `Chromedriver::start`).
pub(crate) async fn in_a_browser<F, Fut>(steps: F)
where
    F: FnOnce(WebDriver) -> Fut,
    Fut: std::future::Future<Output = WebDriverResult<()>>,
{
    let Some(chromedriver) = Chromedriver::start() else {
        return;
    };
    let profile = tempfile::tempdir().expect("temporary browser profile");
    let driver = chromedriver.session(profile.path()).await;
    if let Err(e) = driver.run_and_quit(steps).await {
        panic!("browser test failed: {e}");
    }
    drop(chromedriver);
}

/// The two widths every patient page is tried at: a desktop browser, and a phone held upright
/// (390 CSS pixels, an iPhone 12 to 15).
#[derive(Debug, Clone, Copy)]
pub(crate) enum Width {
    Desktop,
    Phone,
}

impl Width {
    pub(crate) async fn apply(self, driver: &WebDriver) -> WebDriverResult<()> {
        let (width, height) = match self {
            Width::Desktop => (1280, 900),
            Width::Phone => (390, 844),
        };
        driver.set_window_rect(0, 0, width, height).await
    }
}

/// Signs a staff member in on the staff sign-in page, at desktop width, and waits for the
/// dashboard.
pub(crate) async fn staff_sign_in(
    driver: &WebDriver,
    app: &TestApp,
    email: &str,
    password: &str,
) -> WebDriverResult<()> {
    Width::Desktop.apply(driver).await?;
    driver.goto(format!("{}/staff/sign-in", app.url)).await?;
    fill(driver, "Email address", "email", email).await?;
    fill(driver, "Password", "password", password).await?;
    click(driver, By::Css("main form button[type='submit']")).await?;
    wait_for_path(driver, "/staff").await
}

/// Signs a patient in on the portal's sign-in page the browser is on (reached directly, or sent
/// there by a page that needs a session), with the seeded patients' passphrase.
pub(crate) async fn patient_sign_in(driver: &WebDriver, email: &str) -> WebDriverResult<()> {
    fill(driver, "Email address or username", "name", email).await?;
    fill(driver, "Password", "password", crate::common::PASSPHRASE).await?;
    submit(driver, "Sign in").await
}

/// axe, no sideways scrolling, and a screenshot, at both widths.
pub(crate) async fn checked_both(driver: &WebDriver, name: &str) -> WebDriverResult<()> {
    for width in [Width::Desktop, Width::Phone] {
        width.apply(driver).await?;
        checked_at(driver, width, name).await?;
    }
    Ok(())
}

/// axe, no sideways scrolling, and a screenshot named after the page and the width, with one of
/// the whole page for a person to look over.
pub(crate) async fn checked_at(
    driver: &WebDriver,
    width: Width,
    name: &str,
) -> WebDriverResult<()> {
    let name = format!(
        "{name}-{}",
        match width {
            Width::Desktop => "desktop",
            Width::Phone => "phone",
        }
    );
    crate::axe::assert_accessible(driver, &name).await?;
    assert_no_sideways_scroll(driver, &name).await?;
    save_screenshot(driver, &name).await;
    // The whole page; then the window as it was.
    let rect = driver.get_window_rect().await?;
    let height: i64 = driver
        .execute("return document.documentElement.scrollHeight;", Vec::new())
        .await?
        .convert()?;
    let px = |v: i64| u32::try_from(v).unwrap_or(900);
    driver
        .set_window_rect(
            rect.x,
            rect.y,
            px(rect.width),
            px(height.max(rect.height) + 100),
        )
        .await?;
    save_screenshot(driver, &format!("{name}-whole")).await;
    driver
        .set_window_rect(rect.x, rect.y, px(rect.width), px(rect.height))
        .await?;
    Ok(())
}

pub(crate) fn chromium_capabilities(profile: &Path) -> ChromeCapabilities {
    let mut caps = DesiredCapabilities::chrome();
    caps.set_binary(CHROMIUM).expect("binary path");
    let profile_arg = format!("--user-data-dir={}", profile.display());
    for arg in [
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1280,900",
        profile_arg.as_str(),
    ] {
        caps.add_arg(arg).expect("chromium argument");
    }
    caps
}

/// A `chromedriver` process of this test's own, killed when dropped (also on panic).
pub(crate) struct Chromedriver {
    child: Child,
    port: u16,
}

impl Chromedriver {
    /// A new headless Chromium session with its own profile in `profile`, waiting up to `WAIT`
    /// for elements.
    pub(crate) async fn session(&self, profile: &Path) -> WebDriver {
        let driver = WebDriver::new(self.url(), chromium_capabilities(profile))
            .await
            .expect("chromedriver starts a headless Chromium session");
        driver.set_poller(std::sync::Arc::new(ElementPollerWithTimeout::new(
            WAIT, POLL,
        )));
        driver
    }

    /// Starts chromedriver and waits until it answers; `None` (with a note) when not installed.
    pub(crate) fn start() -> Option<Chromedriver> {
        if !PathBuf::from(CHROMEDRIVER).exists() {
            if std::env::var("CI").as_deref() == Ok("true") {
                panic!(
                    "CI=true but {CHROMEDRIVER} is missing: .ci/run must install chromium-driver"
                );
            }
            static NOTE: Once = Once::new();
            // Straight to the stream: the test harness captures `eprintln!`.
            NOTE.call_once(|| {
                let _ = writeln!(
                    std::io::stderr(),
                    "NOTE: browser test SKIPPED ({CHROMEDRIVER} not found; install with `apt-get install chromium chromium-driver`)"
                );
            });
            return None;
        }
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let child = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let mut driver = Chromedriver { child, port };
        let deadline = Instant::now() + WAIT;
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Ok(Some(status)) = driver.child.try_wait() {
                panic!("chromedriver exited at start: {status}");
            }
            assert!(
                Instant::now() < deadline,
                "chromedriver did not answer on port {port} within {WAIT:?}"
            );
            std::thread::sleep(POLL);
        }
        Some(driver)
    }

    pub(crate) fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for Chromedriver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A one-pixel PNG image: a scan or a photo to upload.
pub(crate) const TINY_PNG: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x02, 0x00, 0x00, 0x00, 0x90, 0x77, 0x53,
    0xDE, 0x00, 0x00, 0x00, 0x0C, 0x49, 0x44, 0x41, 0x54, 0x08, 0xD7, 0x63, 0xF8, 0xFF, 0xFF, 0x3F,
    0x00, 0x05, 0xFE, 0x02, 0xFE, 0xA7, 0x35, 0x81, 0x84, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E,
    0x44, 0xAE, 0x42, 0x60, 0x82,
];
