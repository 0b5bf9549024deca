//! In a real browser, the front desk's invitation list (issue #18): filtering by state, a search
//! typed without accents, and re-sending the expired invitations all at once and a locked one from
//! its row — at desktop width and on a phone, where the table becomes cards and nothing scrolls
//! sideways. Each view passes axe-core; the screenshots land in `target/screenshots/`.

use std::time::Duration;

use thirtyfour::components::SelectElement;
use thirtyfour::prelude::*;

use crate::axe::assert_accessible;
use crate::browser::{
    Width, click, fill, in_a_browser, labelled_field, save_screenshot, submit, wait_for_text,
    wait_until,
};
use crate::common::{CLI_ADMIN_PASSWORD, Invitee, TestApp, on_both};

on_both!(the_front_desk_filters_searches_and_resends_from_the_invitation_list_in_a_real_browser);

async fn the_front_desk_filters_searches_and_resends_from_the_invitation_list_in_a_real_browser(
    app: &TestApp,
) {
    let lakeside = app.practice_with_admin("Lakeside Clinic").await;
    let rivera = lakeside.add_provider("Dr. Rivera").await;
    let by_email = |first: &str, last: &str| {
        Invitee::new(first, last)
            .email(&format!("{}@example.org", first.to_lowercase()))
            .by(&["email"])
            .with("provider_id", rivera.id.as_str())
    };
    for (first, last) in [("Eve", "Expired"), ("Emma", "Evans")] {
        lakeside.invite(&by_email(first, last)).await;
        app.advance(Duration::from_secs(60));
    }
    app.advance(Duration::from_secs(15 * 86_400));
    lakeside.invite(&by_email("Émile", "Zola")).await;
    lakeside
        .invite(&Invitee::maria().phone("+1 415 555 0123"))
        .await;
    let locked = lakeside.invite(&by_email("Lou", "Locked")).await;
    for _ in 0..5 {
        app.redeem(&locked.code, "1980-02-04").await;
    }
    app.advance(Duration::from_secs(60));

    let admin_email = lakeside.admin_email.clone();
    in_a_browser(|driver| async move { walk_through(app, &driver, &admin_email).await }).await;
}

async fn walk_through(app: &TestApp, driver: &WebDriver, admin_email: &str) -> WebDriverResult<()> {
    driver.goto(format!("{}/staff/sign-in", app.url)).await?;
    fill(driver, "Email address", "email", admin_email).await?;
    fill(driver, "Password", "password", CLI_ADMIN_PASSWORD).await?;
    click(driver, By::Css("main form button[type='submit']")).await?;
    wait_for_text(driver, "Sign out").await?;

    // At the desk: everything, newest first, the locked one marked.
    Width::Desktop.apply(driver).await?;
    driver
        .goto(format!("{}/staff/invitations", app.url))
        .await?;
    wait_for_text(driver, "Lou Locked").await?;
    let marker = driver
        .find(By::XPath(
            "//tr[.//a[normalize-space()='Lou Locked']]//span[contains(@class,'state')]",
        ))
        .await?
        .text()
        .await?;
    assert!(marker.contains("Locked"), "{marker}");
    assert_no_sideways_scroll(driver, "the list at desktop width").await?;
    assert_accessible(driver, "invitation list").await?;
    save_screenshot(driver, &format!("invitation-list-{:?}", app.backend)).await;

    // A search typed without accents finds Émile.
    fill(driver, "Search", "q", "emile").await?;
    submit(driver, "Show invitations").await?;
    wait_until("one row, Émile's", driver, || async {
        Ok(rows(driver).await? == ["Émile Zola"])
    })
    .await?;
    assert!(
        driver
            .current_url()
            .await?
            .query()
            .unwrap_or_default()
            .contains("q=emile")
    );

    // Filter by state: the two expired ones, from an address that can be bookmarked.
    fill(driver, "Search", "q", "").await?;
    let state = labelled_field(driver, "State", "state").await?;
    SelectElement::new(&state)
        .await?
        .select_by_exact_text("Expired")
        .await?;
    submit(driver, "Show invitations").await?;
    wait_until("the expired ones", driver, || async {
        Ok(rows(driver).await? == ["Emma Evans", "Eve Expired"])
    })
    .await?;
    assert!(
        driver
            .current_url()
            .await?
            .query()
            .unwrap_or_default()
            .contains("state=expired")
    );
    assert_accessible(driver, "invitation list, expired").await?;

    // Select all on the page and re-send them in one go.
    click(driver, By::Css("label[for='select-all']")).await?;
    submit(driver, "Re-send 2 selected").await?;
    wait_for_text(driver, "Re-sent 2 invitations.").await?;
    wait_for_text(driver, "No invitations match.").await?;
    assert_accessible(driver, "invitation list, re-sent").await?;
    save_screenshot(driver, &format!("invitation-list-resent-{:?}", app.backend)).await;

    // On a phone: the table is cards, nothing scrolls sideways, and the locked one is re-sent
    // from its own card.
    Width::Phone.apply(driver).await?;
    driver
        .goto(format!("{}/staff/invitations", app.url))
        .await?;
    wait_for_text(driver, "Lou Locked").await?;
    assert_no_sideways_scroll(driver, "the list on a phone").await?;
    assert_accessible(driver, "invitation list (phone)").await?;
    save_screenshot(driver, &format!("invitation-list-phone-{:?}", app.backend)).await;
    driver
        .execute(
            "document.getElementById('invitations').scrollIntoView();",
            Vec::new(),
        )
        .await?;
    save_screenshot(
        driver,
        &format!("invitation-list-phone-cards-{:?}", app.backend),
    )
    .await;
    driver
        .goto(format!("{}/staff/invitations?state=locked", app.url))
        .await?;
    wait_until("the locked one", driver, || async {
        Ok(rows(driver).await? == ["Lou Locked"])
    })
    .await?;
    click(
        driver,
        By::Css("button[aria-label='Re-send to Lou Locked']"),
    )
    .await?;
    wait_for_text(driver, "Re-sent 1 invitation.").await?;
    wait_for_text(driver, "No invitations match.").await?;
    assert_no_sideways_scroll(driver, "the notice on a phone").await?;
    assert_accessible(driver, "invitation list, locked one re-sent (phone)").await?;
    save_screenshot(
        driver,
        &format!("invitation-list-phone-resent-{:?}", app.backend),
    )
    .await;
    Ok(())
}

/// The names listed, in order.
async fn rows(driver: &WebDriver) -> WebDriverResult<Vec<String>> {
    let mut names = Vec::new();
    for link in driver
        .find_all(By::Css("table.invitation-list td.name a"))
        .await?
    {
        names.push(link.text().await?);
    }
    Ok(names)
}

async fn assert_no_sideways_scroll(driver: &WebDriver, what: &str) -> WebDriverResult<()> {
    let widths = driver
        .execute(
            "return [document.documentElement.scrollWidth, window.innerWidth];",
            Vec::new(),
        )
        .await?;
    let (scroll, inner): (u64, u64) = widths.convert()?;
    assert!(
        scroll <= inner,
        "{what}: {scroll}px wide in a {inner}px window"
    );
    Ok(())
}
