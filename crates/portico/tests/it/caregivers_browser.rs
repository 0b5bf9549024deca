//! In a real browser, a parent caring for two children (issue #20). Pat Parent was invited as
//! caregiver with Emma and with Liam; Pat registered once and, on the portal's Caregivers page,
//! adds the second invitation's code to the same account. Emma, signed in on her phone, is asked
//! about her parent's request on her visit screen and approves it with full access; at the front
//! desk, staff record on Liam's record that Pat is his parent (a minor: no approval from him).
//! Pat confirms each child's birth date — a wrong one is refused beside its field — and then
//! switches between "Me", Emma and Liam at the top of the portal, and asks Emma's practice for a
//! visit for her. Emma withdraws the access: the
//! next click on her portal finds nothing, and the switch offers only Liam. Each page is checked
//! with axe and for sideways scrolling at desktop width and on a phone, with screenshots.

use serde_json::{Value, json};
use thirtyfour::components::SelectElement;
use thirtyfour::prelude::*;
use wiremock::MockServer;

use crate::browser::{
    Width, checked_at, checked_both, click, fill, in_a_browser, labelled_field, set_value,
    staff_sign_in, submit, wait_for_path, wait_for_text,
};
use crate::common::{
    Api, CLI_ADMIN_PASSWORD, Details, PASSPHRASE, Practice, TestApp, with_provider,
};

with_provider!(a_parent_with_one_account_switches_between_two_children_in_a_real_browser);

/// Invites a child with Pat Parent as caregiver; answers the child's code and Pat's.
async fn invite_child(
    practice: &Practice<'_>,
    first_name: &str,
    birth_date: &str,
) -> (String, String) {
    let body = json!({
        "first_name": first_name, "last_name": "Parent", "birth_date": birth_date,
        "email": format!("{}@example.org", first_name.to_lowercase()), "channels": [],
        "caregiver": { "first_name": "Pat", "last_name": "Parent", "birth_date": "1980-01-02",
                       "email": "pat@example.org", "channels": [] },
    });
    let created = Api::expect(
        practice.post("/invitations", &body).await,
        reqwest::StatusCode::CREATED,
    )
    .await;
    let code = |v: &Value| v["code"].as_str().expect("a code").to_owned();
    (code(&created), code(&created["related"][0]))
}

async fn register(
    app: &TestApp,
    provider: &MockServer,
    code: &str,
    first: &str,
    born: &str,
    phone: &str,
) {
    let details = Details::maria(&format!("{}@example.org", first.to_lowercase()))
        .first_name(first)
        .with_last_name("Parent")
        .birth_date(born)
        .phone(phone);
    app.redeem_invitation(code, born)
        .await
        .finish_with(provider, &details)
        .await;
}

/// Signs the browser in at the portal as `email` (whoever was signed in before is signed out).
async fn portal_sign_in(driver: &WebDriver, app: &TestApp, email: &str) -> WebDriverResult<()> {
    driver.delete_all_cookies().await?;
    driver.goto(format!("{}/portal/sign-in", app.url)).await?;
    fill(driver, "Email address or username", "name", email).await?;
    fill(driver, "Password", "password", PASSPHRASE).await?;
    submit(driver, "Sign in").await?;
    wait_for_path(driver, "/portal").await
}

/// Presses Confirm in the form of the birth-date field `id` (each child has one).
async fn confirm(driver: &WebDriver, id: &str) -> WebDriverResult<()> {
    click(
        driver,
        By::XPath(format!("//input[@id='{id}']/ancestor::form//button")),
    )
    .await
}

/// The labels of the switch between whose portal is shown.
async fn switch_labels(driver: &WebDriver) -> WebDriverResult<Vec<String>> {
    let mut labels = Vec::new();
    for link in driver.find_all(By::Css("nav.switcher a")).await? {
        labels.push(link.text().await?);
    }
    Ok(labels)
}

async fn a_parent_with_one_account_switches_between_two_children_in_a_real_browser(
    app: &TestApp,
    provider: &MockServer,
) {
    let lakeside = app.practice_with_admin("Lakeside Clinic").await;
    let (emma_code, pat_for_emma) = invite_child(&lakeside, "Emma", "2012-03-04").await;
    let (liam_code, pat_for_liam) = invite_child(&lakeside, "Liam", "2015-05-06").await;
    register(
        app,
        provider,
        &pat_for_emma,
        "Pat",
        "1980-01-02",
        "(415) 555-0101",
    )
    .await;
    register(
        app,
        provider,
        &emma_code,
        "Emma",
        "2012-03-04",
        "(415) 555-0102",
    )
    .await;
    register(
        app,
        provider,
        &liam_code,
        "Liam",
        "2015-05-06",
        "(415) 555-0103",
    )
    .await;
    let pat = app.signed_in_patient("pat@example.org", PASSPHRASE).await;
    // The practice writes to Emma; Pat will read and answer it for her.
    let found = Api::expect(
        lakeside.get("/patients?q=emma").await,
        reqwest::StatusCode::OK,
    )
    .await;
    let emma_id = found["items"][0]["id"].as_str().expect("Emma").to_owned();
    let started = Api::expect(
        lakeside
            .admin_session()
            .await
            .call(
                reqwest::Method::POST,
                "/threads",
                json!({ "patient_id": emma_id, "subject": "School form",
                        "body": "Please bring Emma's school form." }),
            )
            .await,
        reqwest::StatusCode::CREATED,
    )
    .await;
    let emma_thread = started["id"].as_str().expect("a thread").to_owned();

    let admin_email = lakeside.admin_email.clone();
    in_a_browser(|driver| async move {
        // Pat, on a phone: the Caregivers page, and Liam's invitation added to the same account.
        Width::Phone.apply(&driver).await?;
        portal_sign_in(&driver, app, "pat@example.org").await?;
        click(&driver, By::PartialLinkText("Caregivers:")).await?;
        wait_for_path(&driver, "/portal/caregivers").await?;
        wait_for_text(&driver, "Waiting for their approval").await?;
        fill(&driver, "Invitation code", "code", &pat_for_liam).await?;
        set_value(&driver, "Your date of birth", "birth_date", "1980-01-02").await?;
        submit(&driver, "Add").await?;
        wait_for_text(&driver, "Caregiver invitation added to your account.").await?;
        wait_for_text(&driver, "Liam Parent").await?;
        checked_both(&driver, "portal-caregivers").await?;
        let sharing = Api::expect(
            pat.get("/patient/caregivers").await,
            reqwest::StatusCode::OK,
        )
        .await;
        let access = |name: &str| {
            let list = sharing["cared_for"].as_array().expect("a list");
            let found = list.iter().find(|a| a["patient_name"] == name);
            found.expect(name)["id"].as_str().expect("an id").to_owned()
        };
        let (emma_access, liam_access) = (access("Emma Parent"), access("Liam Parent"));

        // Emma, on her phone: her parent's request on the visit screen; she approves full access.
        Width::Phone.apply(&driver).await?;
        portal_sign_in(&driver, app, "emma@example.org").await?;
        wait_for_text(
            &driver,
            "Pat Parent asks to see your portal as your caregiver.",
        )
        .await?;
        checked_at(&driver, Width::Phone, "portal-caregiver-request").await?;
        click(&driver, By::LinkText("Review the request")).await?;
        wait_for_path(&driver, "/portal/caregivers").await?;
        wait_for_text(&driver, "What may Pat Parent do?").await?;
        let full = driver
            .query(By::Id(format!("level-full-{emma_access}")))
            .first()
            .await?;
        full.click().await?;
        checked_both(&driver, "portal-caregiver-approval").await?;
        submit(&driver, "Approve").await?;
        wait_for_text(&driver, "Approved.").await?;
        wait_for_text(&driver, "Full access (see and act)").await?;

        // The front desk records on Liam's record that Pat is his parent.
        staff_sign_in(&driver, app, &admin_email, CLI_ADMIN_PASSWORD).await?;
        driver
            .goto(format!("{}/staff/patients?q=liam", app.url))
            .await?;
        click(&driver, By::LinkText("Parent, Liam")).await?;
        wait_for_text(&driver, "Caregivers of Liam Parent").await?;
        let authority = labelled_field(
            &driver,
            "Authority of the caregiver",
            &format!("authority-{liam_access}"),
        )
        .await?;
        SelectElement::new(&authority)
            .await?
            .select_by_exact_text("Parent of a minor")
            .await?;
        submit(&driver, "Record authority of Pat Parent").await?;
        wait_for_text(&driver, "Authority recorded.").await?;
        wait_for_text(&driver, "authority recorded: Parent of a minor").await?;
        checked_both(&driver, "staff-patient-caregivers").await?;

        // Pat confirms each child's birth date; a wrong one is said beside its field.
        Width::Phone.apply(&driver).await?;
        portal_sign_in(&driver, app, "pat@example.org").await?;
        driver
            .goto(format!("{}/portal/caregivers", app.url))
            .await?;
        let emma_date = format!("birth_date-{emma_access}");
        set_value(
            &driver,
            "Date of birth of Emma Parent",
            &emma_date,
            "2012-04-03",
        )
        .await?;
        confirm(&driver, &emma_date).await?;
        wait_for_text(
            &driver,
            "That is not their date of birth as the practice has it.",
        )
        .await?;
        let field = driver.find(By::Id(&emma_date)).await?;
        assert_eq!(field.attr("aria-invalid").await?.as_deref(), Some("true"));
        checked_at(&driver, Width::Phone, "portal-caregiver-birth-date-refused").await?;
        set_value(
            &driver,
            "Date of birth of Emma Parent",
            &emma_date,
            "2012-03-04",
        )
        .await?;
        confirm(&driver, &emma_date).await?;
        wait_for_text(&driver, "Date of birth confirmed.").await?;
        let liam_date = format!("birth_date-{liam_access}");
        set_value(
            &driver,
            "Date of birth of Liam Parent",
            &liam_date,
            "2015-05-06",
        )
        .await?;
        confirm(&driver, &liam_date).await?;
        wait_for_text(&driver, "Date of birth confirmed.").await?;
        wait_for_text(&driver, "Open Liam Parent's portal").await?;

        // The switch: Me, Emma, Liam; each child's portal says whose it is and Pat's access.
        driver.goto(format!("{}/portal", app.url)).await?;
        assert_eq!(
            switch_labels(&driver).await?,
            ["Me", "Emma Parent", "Liam Parent"]
        );
        click(&driver, By::LinkText("Emma Parent")).await?;
        wait_for_text(
            &driver,
            "You are looking at Emma Parent's portal as their caregiver.",
        )
        .await?;
        wait_for_text(&driver, "Lakeside Clinic").await?;
        wait_for_text(&driver, "Add provider code").await?;
        checked_both(&driver, "portal-care").await?;
        // With full access Pat asks Emma's practice for a visit for her.
        click(&driver, By::PartialLinkText("Tap to begin")).await?;
        wait_for_text(&driver, "When would you like to be seen?").await?;
        fill(
            &driver,
            "Why would you like to be seen?",
            "reason",
            "Rash on her arm",
        )
        .await?;
        submit(&driver, "Send to the practice").await?;
        wait_for_text(&driver, "The request was sent.").await?;
        wait_for_text(&driver, "waiting for the practice").await?;
        // Pat reads the practice's message to Emma and answers it, as himself for her.
        click(&driver, By::LinkText("Messages from the practice")).await?;
        wait_for_text(&driver, "Messages of Emma Parent").await?;
        click(&driver, By::PartialLinkText("School form")).await?;
        wait_for_text(&driver, "Please bring Emma's school form.").await?;
        fill(&driver, "Your reply", "body", "I will bring it on Monday.").await?;
        submit(&driver, "Send").await?;
        wait_for_text(&driver, "Pat Parent (caregiver, for Emma Parent)").await?;
        checked_both(&driver, "portal-care-thread").await?;
        driver
            .goto(format!("{}/portal/care/{emma_access}", app.url))
            .await?;
        Width::Phone.apply(&driver).await?;
        click(&driver, By::LinkText("Liam Parent")).await?;
        wait_for_text(
            &driver,
            "You are looking at Liam Parent's portal as their caregiver.",
        )
        .await?;
        // Staff granted read-only access (the form's default): nothing to act on.
        wait_for_text(&driver, "You can see everything here, and change nothing.").await?;
        assert!(driver.find_all(By::Id("code")).await?.is_empty());
        click(&driver, By::LinkText("Me")).await?;
        wait_for_path(&driver, "/portal").await?;

        // Emma withdraws her parent's access.
        portal_sign_in(&driver, app, "emma@example.org").await?;
        driver
            .goto(format!("{}/portal/caregivers", app.url))
            .await?;
        submit(&driver, "Withdraw access of Pat Parent").await?;
        wait_for_text(&driver, "Access withdrawn.").await?;

        // Pat's next click on Emma's portal finds nothing; the switch offers only Liam.
        portal_sign_in(&driver, app, "pat@example.org").await?;
        assert_eq!(switch_labels(&driver).await?, ["Me", "Liam Parent"]);
        driver
            .goto(format!("{}/portal/care/{emma_access}", app.url))
            .await?;
        wait_for_text(&driver, "not found").await?;
        checked_at(&driver, Width::Phone, "portal-care-withdrawn").await?;
        // Her conversation is closed to him too.
        driver
            .goto(format!(
                "{}/portal/care/{emma_access}/messages/{emma_thread}",
                app.url
            ))
            .await?;
        wait_for_text(&driver, "not found").await?;
        Ok(())
    })
    .await;
}
