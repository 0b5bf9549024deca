//! In a real browser (issue #19): an admin replaces a provider's code on `/staff/codes` after
//! the confirmation, the old code is then refused at the registration start and the new one
//! works; the code's printable card and pamphlet insert carry a QR code that, read back from a
//! screenshot, opens registration with the new code filled in. Every page is checked with axe
//! and for sideways scrolling at desktop width and on a phone, and looked at in print too.

use std::io::Cursor;

use reqwest::StatusCode;
use serde_json::json;
use thirtyfour::prelude::*;

use crate::axe::assert_accessible;
use crate::browser::{
    Width, assert_no_sideways_scroll, click, fill, in_a_browser, save_screenshot, submit,
    wait_for_path, wait_for_text,
};
use crate::common::{CLI_ADMIN_PASSWORD, TestApp, on_both};

on_both!(an_admin_replaces_a_provider_code_and_prints_its_card_in_a_real_browser);

async fn an_admin_replaces_a_provider_code_and_prints_its_card_in_a_real_browser(app: &TestApp) {
    let lakeside = app.practice_with_admin("Lakeside Clinic").await;
    let ruiz = lakeside.add_provider("Dr. Ana Ruiz").await;
    let admin_email = lakeside.admin_email.clone();
    let old_code = ruiz.code.clone();
    in_a_browser(|driver| async move {
        driver.goto(format!("{}/staff/sign-in", app.url)).await?;
        fill(&driver, "Email address", "email", &admin_email).await?;
        fill(&driver, "Password", "password", CLI_ADMIN_PASSWORD).await?;
        click(&driver, By::Css("main form button[type='submit']")).await?;
        wait_for_path(&driver, "/staff").await?;

        // The list: both codes, at the desk and on a phone.
        driver.goto(format!("{}/staff/codes", app.url)).await?;
        wait_for_text(&driver, &old_code).await?;
        for width in [Width::Desktop, Width::Phone] {
            checked(&driver, width, "staff-codes").await?;
        }

        // Replace…: the confirmation says the old code stops at once and cards must go.
        Width::Desktop.apply(&driver).await?;
        click(
            &driver,
            By::Css("a[aria-label='Replace the code of Dr. Ana Ruiz']"),
        )
        .await?;
        wait_for_text(&driver, "Replace the code of Dr. Ana Ruiz?").await?;
        wait_for_text(
            &driver,
            &format!("The code {old_code} stops working at once."),
        )
        .await?;
        wait_for_text(&driver, "must be replaced").await?;
        for width in [Width::Desktop, Width::Phone] {
            checked(&driver, width, "staff-codes-replace").await?;
        }
        submit(&driver, "Replace the code").await?;
        wait_for_path(&driver, "/staff/codes").await?;
        wait_for_text(&driver, "New code for Dr. Ana Ruiz:").await?;
        let new_code = driver
            .find(By::XPath(
                "//tr[.//strong[normalize-space()='Dr. Ana Ruiz']]//*[@data-code]",
            ))
            .await?
            .text()
            .await?;
        assert_ne!(new_code, old_code);
        checked(&driver, Width::Desktop, "staff-codes-replaced").await?;

        // The turn-off confirmation, looked at without confirming.
        driver
            .goto(format!("{}/staff/codes/practice/disable", app.url))
            .await?;
        wait_for_text(&driver, "Turn off the code of Lakeside Clinic?").await?;
        for width in [Width::Desktop, Width::Phone] {
            checked(&driver, width, "staff-codes-turn-off").await?;
        }
        Width::Desktop.apply(&driver).await?;
        driver.goto(format!("{}/staff/codes", app.url)).await?;

        // The card: business cards, then the pamphlet insert.
        click(
            &driver,
            By::Css("a[aria-label='Print the code of Dr. Ana Ruiz']"),
        )
        .await?;
        wait_for_text(&driver, "Print the code of Dr. Ana Ruiz").await?;
        wait_for_text(&driver, &new_code).await?;
        for width in [Width::Desktop, Width::Phone] {
            checked(&driver, width, "staff-code-cards").await?;
        }
        Width::Desktop.apply(&driver).await?;
        let expected = format!("{}/register?code={new_code}", app.url);
        let on_card = read_qr(&driver, ".code-card .card-qr svg").await?;
        assert_eq!(on_card, expected, "the business card's QR code");
        in_print(&driver, "staff-code-cards-print").await?;

        click(&driver, By::LinkText("Pamphlet insert")).await?;
        wait_for_text(&driver, "Join the patient portal of Dr. Ana Ruiz").await?;
        for width in [Width::Desktop, Width::Phone] {
            checked(&driver, width, "staff-code-insert").await?;
        }
        Width::Desktop.apply(&driver).await?;
        let on_insert = read_qr(&driver, ".insert-qr svg").await?;
        assert_eq!(on_insert, expected, "the pamphlet insert's QR code");
        in_print(&driver, "staff-code-insert-print").await?;

        // The old code is turned away at the registration start.
        driver
            .goto(format!("{}/register?code={old_code}", app.url))
            .await?;
        submit(&driver, "Continue").await?;
        wait_for_text(
            &driver,
            "Please check the code you received from your doctor's office",
        )
        .await?;

        // What a phone opens from the QR code: the new code filled in, and it works.
        Width::Phone.apply(&driver).await?;
        driver.goto(&on_insert).await?;
        let filled = driver
            .find(By::Id("self_code"))
            .await?
            .prop("value")
            .await?;
        assert_eq!(filled.as_deref(), Some(new_code.as_str()));
        checked(&driver, Width::Phone, "register-with-code").await?;
        submit(&driver, "Continue").await?;
        wait_for_path(&driver, "/register/details").await?;
        Ok(())
    })
    .await;

    // And over the API, as an app would ask.
    let lookup = |code: String| async move {
        app.anonymous_api()
            .post("/public/provider-codes/lookup", &json!({ "code": code }))
            .await
            .status()
    };
    assert_eq!(lookup(ruiz.code.clone()).await, StatusCode::BAD_REQUEST);
}

/// The QR code in the element `css`, photographed by the browser and read back as text.
async fn read_qr(driver: &WebDriver, css: &str) -> WebDriverResult<String> {
    let qr = driver.find(By::Css(css)).await?;
    // Whole in the window: a photograph of a half-shown element is cut off.
    driver
        .execute(
            "arguments[0].scrollIntoView({ block: 'center' });",
            vec![qr.to_json()?],
        )
        .await?;
    let png = qr.screenshot_as_png().await?;
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/screenshots");
    if std::fs::create_dir_all(&dir).is_ok() {
        let name = css.replace([' ', '.'], "-");
        let _ = std::fs::write(dir.join(format!("qr{name}.png")), &png);
    }
    Ok(decode_qr(&png).unwrap_or_else(|e| panic!("the QR code in {css} does not read: {e}")))
}

fn decode_qr(png_bytes: &[u8]) -> Result<String, String> {
    let mut decoder = png::Decoder::new(Cursor::new(png_bytes));
    decoder.set_transformations(png::Transformations::normalize_to_color8());
    let mut reader = decoder.read_info().map_err(|e| e.to_string())?;
    let mut pixels = vec![0; reader.output_buffer_size()];
    let frame = reader.next_frame(&mut pixels).map_err(|e| e.to_string())?;
    let channels = frame.color_type.samples();
    let luma = |x: usize, y: usize| {
        let at = y * frame.line_size + x * channels;
        match channels {
            1 | 2 => pixels[at],
            _ => {
                let (r, g, b) = (
                    pixels[at] as u32,
                    pixels[at + 1] as u32,
                    pixels[at + 2] as u32,
                );
                ((r * 299 + g * 587 + b * 114) / 1000) as u8
            }
        }
    };
    let mut image = rqrr::PreparedImage::prepare_from_greyscale(
        frame.width as usize,
        frame.height as usize,
        luma,
    );
    let grids = image.detect_grids();
    let [grid] = grids.as_slice() else {
        return Err(format!("{} QR codes found, not one", grids.len()));
    };
    grid.decode()
        .map(|(_, text)| text)
        .map_err(|e| e.to_string())
}

/// A screenshot of the page as it prints (Chromium's print emulation), for a person to look at:
/// only the cards or the insert, without the staff navigation.
async fn in_print(driver: &WebDriver, name: &str) -> WebDriverResult<()> {
    let cdp = driver.cdp();
    cdp.send_raw("Emulation.setEmulatedMedia", json!({ "media": "print" }))
        .await?;
    let header_shows = driver
        .execute(
            "return getComputedStyle(document.querySelector('.site-header')).display !== 'none';",
            vec![],
        )
        .await?
        .convert::<bool>()?;
    assert!(!header_shows, "the navigation is not printed");
    save_screenshot(driver, name).await;
    cdp.send_raw("Emulation.setEmulatedMedia", json!({ "media": "" }))
        .await?;
    // Printed on Letter and on A4 (inches), with the page's own margins: one sheet each.
    for (paper, width, height) in [("Letter", 8.5, 11.0), ("A4", 8.27, 11.69)] {
        let pdf = cdp
            .send_raw(
                "Page.printToPDF",
                json!({ "paperWidth": width, "paperHeight": height,
                        "preferCSSPageSize": true, "printBackground": true }),
            )
            .await?;
        assert_eq!(pages_in(&pdf), 1, "{name} prints on one {paper} page");
    }
    Ok(())
}

/// How many pages Chromium's PDF has (its page objects, not the page tree).
fn pages_in(pdf: &serde_json::Value) -> usize {
    use base64::Engine as _;
    let bytes = pdf["data"]
        .as_str()
        .and_then(|b64| base64::engine::general_purpose::STANDARD.decode(b64).ok())
        .expect("a PDF");
    let text = String::from_utf8_lossy(&bytes);
    text.matches("/Type /Page").count() - text.matches("/Type /Pages").count()
}

/// axe, no sideways scrolling, and screenshots named after the page and the width: of the
/// window, and of the whole page (`-full`) for a person to look at below the fold.
pub(crate) async fn checked(driver: &WebDriver, width: Width, name: &str) -> WebDriverResult<()> {
    width.apply(driver).await?;
    let name = format!(
        "{name}-{}",
        match width {
            Width::Desktop => "desktop",
            Width::Phone => "phone",
        }
    );
    assert_accessible(driver, &name).await?;
    assert_no_sideways_scroll(driver, &name).await?;
    save_screenshot(driver, &name).await;
    save_whole_page(driver, &format!("{name}-full")).await
}

/// `target/screenshots/<name>.png` of the whole page, beyond the window (Chromium's own
/// screenshot command); errors writing it are ignored.
async fn save_whole_page(driver: &WebDriver, name: &str) -> WebDriverResult<()> {
    use base64::Engine as _;
    let shot = driver
        .cdp()
        .send_raw(
            "Page.captureScreenshot",
            json!({ "format": "png", "captureBeyondViewport": true }),
        )
        .await?;
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/screenshots");
    if let Some(png) = shot["data"]
        .as_str()
        .and_then(|b64| base64::engine::general_purpose::STANDARD.decode(b64).ok())
        && std::fs::create_dir_all(&dir).is_ok()
    {
        let _ = std::fs::write(dir.join(format!("{name}.png")), png);
    }
    Ok(())
}
