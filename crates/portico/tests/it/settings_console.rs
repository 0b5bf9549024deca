//! The practice's settings page over HTTP, as an admin's browser uses it (issue #19): one save
//! changes the name, time zone, invitation expiry, usual consent method and phone countries,
//! and the rest of the console follows; a refused field is explained next to it and nothing is
//! saved; the practice id is there for integrators; new terms of use and consent texts are
//! published with their versions listed, and a registration signs the new consent text and
//! records its version. Other staff get 403 on the page, its posts and their API routes, and
//! practices never see or change each other's texts.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use wiremock::MockServer;

use crate::common::{
    Api, BIRTH_DATE, Browser, Details, Invitee, PHONE, STAFF_PASSWORD, StaffSession, TestApp,
    csrf_token, location, on_both, with_provider,
};

on_both!(
    staff_without_the_admin_role_get_403_on_the_settings_and_their_api_routes,
    one_save_changes_every_setting_and_the_console_follows,
    refused_settings_are_explained_next_to_their_fields_and_nothing_is_saved,
    new_terms_are_published_only_once_confirmed_and_every_version_is_listed,
    practices_never_see_or_change_each_others_terms_or_consent_texts,
);

mod consent {
    use super::*;
    with_provider!(a_new_consent_text_is_signed_by_the_next_registration_and_its_version_recorded);
}

const PAGE: &str = "/staff/settings";

async fn page(browser: &Browser, path: &str) -> String {
    let res = browser.get(path).await;
    assert_eq!(res.status(), StatusCode::OK, "{path}");
    res.text().await.expect("page")
}

/// Posts a form of the settings page (with its CSRF token) to `to`; answers where it leads.
async fn post(admin: &Browser, to: &str, form: &[(&str, &str)]) -> String {
    let csrf = admin.csrf_for(PAGE).await;
    let mut fields = vec![("csrf_token", csrf.as_str())];
    fields.extend_from_slice(form);
    let res = admin.post_form(to, &fields).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{to}");
    location(&res)
}

/// The practice form with every field as the test gives it, the rest as a fresh practice has them.
fn settings<'a>(changes: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut form = vec![
        ("name", "Lakeside Clinic"),
        ("time_zone", "America/New_York"),
        ("invite_expiry_days", "14"),
        ("default_consent_method", "in_app"),
        ("country", "US"),
        ("phone_countries", "US"),
    ];
    for (name, value) in changes {
        form.retain(|(n, _)| n != name);
        form.push((name, value));
    }
    form
}

/// The practice as its API token reads it.
async fn practice(api: &Api) -> Value {
    Api::expect(api.get("/practice").await, StatusCode::OK).await
}

async fn staff_without_the_admin_role_get_403_on_the_settings_and_their_api_routes(app: &TestApp) {
    let lakeside = app.practice_with_admin("Lakeside Clinic").await;
    lakeside
        .admin()
        .await
        .add_staff("Sam Staff", "sam@lakeside.example", "staff")
        .await;
    let (sam, res) = app.sign_in("sam@lakeside.example", STAFF_PASSWORD).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(sam.get(PAGE).await.status(), StatusCode::FORBIDDEN);
    // Sam's own pages carry a CSRF token, so the refusal is the role's, not the form's.
    let csrf = csrf_token(&page(&sam, "/staff").await);
    for (to, form) in [
        (PAGE, settings(&[("name", "Sam's Clinic")])),
        (
            "/staff/settings/terms",
            vec![("terms_body", "Sam's terms."), ("terms_confirm", "yes")],
        ),
        (
            "/staff/settings/terms",
            vec![("terms_body", "Unconfirmed.")],
        ),
        (
            "/staff/settings/consent",
            vec![("consent_body", "Sam's consent.")],
        ),
    ] {
        let mut fields = vec![("csrf_token", csrf.as_str())];
        fields.extend(form);
        let res = sam.post_form(to, &fields).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{to}");
    }
    let session = StaffSession::of(sam).await;
    for (method, path, body) in [
        (
            Method::PATCH,
            "/practice",
            json!({ "name": "Sam's Clinic" }),
        ),
        (Method::POST, "/terms", json!({ "body": "Sam's terms." })),
        (
            Method::POST,
            "/consent-text",
            json!({ "body": "Sam's consent." }),
        ),
        (Method::GET, "/terms/versions", Value::Null),
        (Method::GET, "/consent-text/versions", Value::Null),
    ] {
        let res = session.call(method.clone(), path, body).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{method} {path}");
    }
    // What the front desk shows a patient stays readable: the practice's name and clock, and
    // the terms and consent text in force (a tablet consent shows them); only changing them and
    // their past versions are the admins'.
    for path in ["/practice", "/terms", "/consent-text"] {
        let res = session.call(Method::GET, path, Value::Null).await;
        assert_eq!(res.status(), StatusCode::OK, "GET {path}");
    }
    // Neither may the integrator's API token change what patients agree to, or the settings.
    for (path, body) in [
        (
            "/consent-text",
            json!({ "body": "An integrator's consent." }),
        ),
        ("/terms", json!({ "body": "An integrator's terms." })),
    ] {
        assert_eq!(
            lakeside.post(path, &body).await.status(),
            StatusCode::FORBIDDEN
        );
    }
    let patched = lakeside
        .request(Method::PATCH, "/practice")
        .json(&json!({ "name": "Token Clinic" }))
        .send()
        .await
        .unwrap();
    assert_eq!(patched.status(), StatusCode::FORBIDDEN);

    assert_eq!(
        practice(&lakeside).await["name"],
        "Lakeside Clinic",
        "nothing changed"
    );
    assert_eq!(
        app.count_rows("terms_versions").await + app.count_rows("consent_texts").await,
        0
    );
}

async fn one_save_changes_every_setting_and_the_console_follows(app: &TestApp) {
    let lakeside = app.practice_with_admin("Lakeside Clinic").await;
    let admin = lakeside.admin().await;
    let html = page(&admin, PAGE).await;
    // The practice id, for integrators, with the command that needs it.
    let id = practice(&lakeside).await["id"].as_str().unwrap().to_owned();
    assert!(
        html.contains(&format!("<code id=\"practice-id\">{id}</code>")),
        "{html}"
    );
    assert!(html.contains(&format!("portico admin token create --practice {id}")));
    assert!(html.contains("value=\"America/New_York\" selected"));

    // Sam joins at 11:06 UTC: 6:06 AM in New York.
    let sam = admin
        .add_staff("Sam Staff", "sam@lakeside.example", "staff")
        .await;
    let sam = format!("/staff/members/{sam}");
    let html = page(&admin, &sam).await;
    assert!(html.contains("Today, 6:06 AM"), "{html}");

    let to = post(
        &admin,
        PAGE,
        &settings(&[
            ("name", "Lakeside Family Practice"),
            ("time_zone", "Asia/Tokyo"),
            ("invite_expiry_days", "21"),
            ("default_consent_method", "paper"),
            ("country", "ca"),
            ("phone_countries", "US, ca"),
        ]),
    )
    .await;
    assert_eq!(to, PAGE);
    let html = page(&admin, PAGE).await;
    assert!(html.contains("Settings saved."));
    assert!(html.contains("value=\"Asia/Tokyo\" selected"));
    assert!(html.contains("value=\"US, CA\""), "the countries as saved");

    let now = practice(&lakeside).await;
    assert_eq!(now["name"], "Lakeside Family Practice");
    assert_eq!(now["time_zone"], "Asia/Tokyo");
    assert_eq!(now["invite_expiry_days"], 21);
    assert_eq!(now["default_consent_method"], "paper");
    assert_eq!(now["country"], "CA");
    assert_eq!(now["phone_countries"], json!(["US", "CA"]));

    // Times on staff pages are read in Tokyo now: 8:06 PM the same day.
    assert!(page(&admin, &sam).await.contains("Today, 8:06 PM"));
    // The invite form starts from the usual consent method.
    let form = page(&admin, "/staff/invitations/new").await;
    assert!(
        form.contains("value=\"paper\" checked"),
        "the invite form preselects paper"
    );
    // The next invitation works for 21 days, and carries the new name.
    let invited = lakeside.invite(&Invitee::maria()).await;
    assert!(
        invited.expires_at.starts_with("2026-12-09"),
        "{}",
        invited.expires_at
    );
    let registration = app.redeem_invitation(&invited.code, BIRTH_DATE).await;
    assert_eq!(
        status(app, &registration.ticket).await["practice_name"],
        "Lakeside Family Practice"
    );
    assert_eq!(
        app.count_rows("audit_events WHERE action = 'practice.settings_changed'")
            .await,
        1
    );
}

async fn refused_settings_are_explained_next_to_their_fields_and_nothing_is_saved(app: &TestApp) {
    let lakeside = app.practice_with_admin("Lakeside Clinic").await;
    app.practice_with_admin("Hillside Clinic").await;
    let admin = lakeside.admin().await;
    let before = practice(&lakeside).await;
    post(
        &admin,
        PAGE,
        &settings(&[
            ("name", "  "),
            ("time_zone", "Mars/Olympus"),
            ("invite_expiry_days", "200"),
            ("default_consent_method", "fax"),
            ("country", "Narnia"),
            ("phone_countries", "US, XX"),
        ]),
    )
    .await;
    let html = page(&admin, PAGE).await;
    assert!(html.contains("Please correct the following"));
    for field in [
        "name",
        "time_zone",
        "invite_expiry_days",
        "default_consent_method",
        "country",
        "phone_countries",
    ] {
        assert!(
            html.contains(&format!("id=\"{field}-error\"")),
            "{field}: {html}"
        );
    }
    assert!(html.contains("Choose 1 to 90 days."));
    assert!(html.contains("value=\"Narnia\""), "what was typed is kept");
    assert!(html.contains("value=\"US, XX\""));
    assert_eq!(practice(&lakeside).await, before, "nothing saved");

    // A number of days that is not a number, and another practice's name.
    post(
        &admin,
        PAGE,
        &settings(&[
            ("invite_expiry_days", "two weeks"),
            ("name", "Lakeside Clinic"),
        ]),
    )
    .await;
    let html = page(&admin, PAGE).await;
    assert!(
        html.contains("Enter a whole number of days, from 1 to 90."),
        "{html}"
    );
    post(
        &admin,
        PAGE,
        &settings(&[("name", "HILLSIDE clinic"), ("invite_expiry_days", "30")]),
    )
    .await;
    let html = page(&admin, PAGE).await;
    assert!(
        html.contains("Another practice already uses this name."),
        "{html}"
    );
    assert_eq!(practice(&lakeside).await, before, "nothing saved");
    assert_eq!(
        app.count_rows("audit_events WHERE action = 'practice.settings_changed'")
            .await,
        0
    );
}

async fn new_terms_are_published_only_once_confirmed_and_every_version_is_listed(app: &TestApp) {
    let lakeside = app.practice_with_admin("Lakeside Clinic").await;
    let admin = lakeside.admin().await;
    let html = page(&admin, PAGE).await;
    assert!(
        html.contains("built-in text, until you publish your own."),
        "{html}"
    );

    // Without the confirmation nothing is published, and the text typed is kept.
    post(
        &admin,
        "/staff/settings/terms",
        &[(
            "terms_body",
            "Lakeside terms of its own.\n\nSecond paragraph.",
        )],
    )
    .await;
    let html = page(&admin, PAGE).await;
    assert!(html.contains("id=\"terms_confirm-error\""), "{html}");
    assert!(
        html.contains("Lakeside terms of its own."),
        "the text typed is kept"
    );
    assert_eq!(app.count_rows("terms_versions").await, 0);

    // An empty text is refused next to the text.
    post(
        &admin,
        "/staff/settings/terms",
        &[("terms_body", " \n "), ("terms_confirm", "yes")],
    )
    .await;
    let html = page(&admin, PAGE).await;
    assert!(html.contains("id=\"terms_body-error\""), "{html}");
    assert!(html.contains("Enter the text of the terms of use."));

    post(
        &admin,
        "/staff/settings/terms",
        &[
            ("terms_body", "Lakeside terms, second edition."),
            ("terms_confirm", "yes"),
        ],
    )
    .await;
    let html = page(&admin, PAGE).await;
    assert!(html.contains(
        "Terms of use version 2 published. Every patient will be asked to accept them at their next sign-in."
    ));
    assert!(html.contains("Version 2, published today,"), "{html}");
    assert!(html.contains("by Bea Admin."));
    assert!(html.contains("Read version 1"));
    let current = Api::expect(lakeside.get("/terms").await, StatusCode::OK).await;
    assert_eq!(current["version"], 2);
    assert_eq!(current["body"], "Lakeside terms, second edition.");
    let versions = Api::expect(
        lakeside
            .admin_session()
            .await
            .call(Method::GET, "/terms/versions", Value::Null)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(versions[0]["version"], 2);
    assert!(versions[0]["published_at"].is_string());
    assert_eq!(versions[1]["version"], 1);
    assert!(versions[1]["published_at"].is_null(), "the built-in text");
}

async fn practices_never_see_or_change_each_others_terms_or_consent_texts(app: &TestApp) {
    let lakeside = app.practice_with_admin("Lakeside Clinic").await;
    let hillside = app.practice_with_admin("Hillside Clinic").await;
    let hill_admin = hillside.admin().await;
    post(
        &hill_admin,
        "/staff/settings/terms",
        &[
            ("terms_body", "Hillside's private terms."),
            ("terms_confirm", "yes"),
        ],
    )
    .await;
    post(
        &hill_admin,
        "/staff/settings/consent",
        &[("consent_body", "Hillside's private consent.")],
    )
    .await;

    let lake_admin = lakeside.admin().await;
    let html = page(&lake_admin, PAGE).await;
    assert!(!html.contains("Hillside"), "{html}");
    let lake = lakeside.admin_session().await;
    for path in ["/terms/versions", "/consent-text/versions"] {
        let versions = Api::expect(
            lake.call(Method::GET, path, Value::Null).await,
            StatusCode::OK,
        )
        .await;
        assert_eq!(
            versions.as_array().unwrap().len(),
            1,
            "{path}: only the built-in text"
        );
    }
    assert_eq!(
        Api::expect(lakeside.get("/terms").await, StatusCode::OK).await["version"],
        1
    );
    assert_eq!(
        Api::expect(lakeside.get("/consent-text").await, StatusCode::OK).await["version"],
        1
    );
    // Lakeside publishing its own takes Lakeside's next number and leaves Hillside's alone.
    let published = Api::expect(
        lake.call(
            Method::POST,
            "/consent-text",
            json!({ "body": "Lakeside consent." }),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(published["version"], 2);
    let hill = Api::expect(hillside.get("/consent-text").await, StatusCode::OK).await;
    assert_eq!(hill["paragraphs"], json!(["Hillside's private consent."]));
}

async fn a_new_consent_text_is_signed_by_the_next_registration_and_its_version_recorded(
    app: &TestApp,
    provider: &MockServer,
) {
    let lakeside = app.practice_with_admin("Lakeside Clinic").await;
    let admin = lakeside.admin().await;
    let html = page(&admin, PAGE).await;
    assert!(
        html.contains("I consent to receive care-related communication"),
        "the built-in text to start from"
    );

    // Maria opens her registration while the built-in text is in force.
    let maria = Invitee::maria()
        .email("maria.lopez@example.org")
        .phone(PHONE)
        .by(&["email"])
        .with("consent_method", "in_app");
    let (_, registration) = lakeside.invited_patient(&maria).await;
    registration
        .enter_details(&Details::maria("maria.lopez@example.org"))
        .await;
    registration.verify_phone(provider).await;
    let view = registration.status().await;
    Api::expect(
        registration.accept_terms(view.terms().version).await,
        StatusCode::OK,
    )
    .await;
    let before = status(app, &registration.ticket).await;
    assert_eq!(before["consent"]["version"], 1);

    // The admin publishes a new consent text on the settings page.
    let to = post(
        &admin,
        "/staff/settings/consent",
        &[(
            "consent_body",
            "I agree that Lakeside may contact me through the portal.\r\n\r\nI can withdraw this at any time.",
        )],
    )
    .await;
    assert_eq!(to, PAGE);
    let html = page(&admin, PAGE).await;
    assert!(html.contains("Consent text version 2 published."), "{html}");
    assert!(html.contains("Read version 2"));

    // Signing what the page showed before is refused: the new text must be read first.
    let ticket = &registration.ticket;
    Api::expect(sign(app, ticket, 1).await, StatusCode::CONFLICT).await;
    let shown = status(app, ticket).await;
    assert_eq!(shown["next"], "consent");
    assert_eq!(shown["consent"]["version"], 2);
    assert_eq!(
        shown["consent"]["paragraphs"],
        json!([
            "I agree that Lakeside may contact me through the portal.",
            "I can withdraw this at any time."
        ])
    );
    Api::expect(sign(app, ticket, 2).await, StatusCode::OK).await;
    Api::expect(registration.complete().await, StatusCode::CREATED).await;

    // The signed consent names the version it was given, and so does the audit trail.
    let recorded: Vec<(i64,)> = app.fetch_all("SELECT version FROM consents").await;
    assert_eq!(recorded, [(2,)]);
    assert_eq!(
        app.count_rows(
            "audit_events WHERE action = 'consent.signed' AND details LIKE '%\"version\":2%'"
        )
        .await,
        1
    );
    assert_eq!(
        app.count_rows("audit_events WHERE action = 'consent_text.published'")
            .await,
        1
    );
    // The audit log tells it in words.
    let log = page(&admin, "/staff/audit").await;
    assert!(
        log.contains("published version 2 of the consent text"),
        "{log}"
    );
}

/// Where a registration stands, as the API answers it.
async fn status(app: &TestApp, ticket: &str) -> Value {
    Api::expect(
        app.anonymous_api()
            .post("/public/registrations/status", &json!({ "ticket": ticket }))
            .await,
        StatusCode::OK,
    )
    .await
}

/// Maria signs the consent, saying which version of the text she read; the answer.
async fn sign(app: &TestApp, ticket: &str, version: i64) -> reqwest::Response {
    app.anonymous_api()
        .post(
            "/public/registrations/consent",
            &json!({ "ticket": ticket, "signature": "Maria Lopez", "version": version }),
        )
        .await
}
