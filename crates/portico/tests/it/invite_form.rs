//! The invite form and what it stands on. Through the API: the preview of a new invitation's
//! messages (`POST /invitations/preview`: the practice's own template in the chosen language, a
//! sample code and link, SMS segments counted, nothing written, checks on what changes the
//! words), and the practice's default consent method (`PATCH /practice`), which invitations
//! naming none take. Through the page's posts (the browser walk is `invite_form_browser`): every
//! answer a redirect (POST/redirect/GET), what was typed kept, the no-email question before
//! anything is made, the preview part for the page's script, and nothing made by a preview.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::responses::Problem;
use crate::common::{
    Api, Browser, PHONE, Practice, StaffSession, TestApp, id_from_location, location, on_both,
};

on_both!(
    a_preview_renders_the_practices_saved_template_in_the_chosen_language,
    an_sms_preview_counts_its_characters_and_segments,
    a_preview_shows_each_person_and_nothing_for_a_hand_over,
    previewing_writes_nothing,
    a_preview_refuses_another_practices_provider_and_an_unknown_language,
    a_preview_refuses_an_over_long_field_before_any_work,
    invitations_take_the_practices_default_consent_method_unless_they_name_one,
    a_failed_invite_post_comes_back_to_the_form_with_what_was_typed,
    a_patient_without_email_is_invited_only_once_staff_confirm,
    the_invite_page_previews_without_making_anything,
);

/// Lakeside, and its admin signed in (who edits templates and settings).
async fn lakeside(app: &TestApp) -> (Practice<'_>, StaffSession) {
    let api = app.practice_with_admin("Lakeside Clinic").await;
    let admin = api.admin_session().await;
    (api, admin)
}

/// José, to be invited on `channels`.
fn jose(channels: &[&str]) -> Value {
    json!({ "first_name": "José", "last_name": "Pérez", "birth_date": "1970-05-06",
            "email": "jose@example.org", "phone": PHONE, "channels": channels })
}

async fn preview(api: &Api, body: &Value) -> Value {
    Api::expect(api.post("/invitations/preview", body).await, StatusCode::OK).await
}

/// The messages of the first person of a preview, by channel.
fn message<'a>(preview: &'a Value, channel: &str) -> &'a Value {
    preview["people"][0]["messages"]
        .as_array()
        .expect("messages")
        .iter()
        .find(|m| m["channel"] == channel)
        .unwrap_or_else(|| panic!("a {channel} message in {preview}"))
}

async fn a_preview_renders_the_practices_saved_template_in_the_chosen_language(app: &TestApp) {
    let (api, admin) = lakeside(app).await;
    for (language, subject, body) in [
        (
            "es",
            "Hola {{ first_name }}",
            "{{ practice_name }} le espera: {{ link }} {{ code }} ({{ expires_on }})",
        ),
        (
            "en",
            "Hello {{ first_name }}",
            "{{ practice_name }} awaits you: {{ link }} {{ code }} ({{ expires_on }})",
        ),
    ] {
        let saved = admin
            .call(
                Method::PUT,
                &format!("/templates/invite_email/{language}"),
                json!({ "subject": subject, "body": body }),
            )
            .await;
        Api::expect(saved, StatusCode::OK).await;
    }

    let mut spanish = jose(&["email", "sms"]);
    spanish["language"] = json!("es");
    let got = preview(&api, &spanish).await;
    assert_eq!(got["language"], "es");
    let email = message(&got, "email");
    assert_eq!(
        email["subject"], "Hola José",
        "the practice's Spanish template"
    );
    assert_eq!(email["to"], "jose@example.org");
    let body = email["body"].as_str().unwrap();
    assert!(body.starts_with("Lakeside Clinic le espera: "), "{body}");
    assert!(body.contains("XYZ-234-ABC"), "the sample code: {body}");
    assert!(body.contains("/i/PREVIEW-ONLY-"), "the sample link: {body}");
    // Fourteen days after the test clock's 18 November 2026.
    assert!(body.contains("(2 de diciembre de 2026)"), "{body}");
    let sms = message(&got, "sms");
    assert!(
        sms["body"].as_str().unwrap().contains("le invita"),
        "the shipped Spanish text where the practice has none: {sms}"
    );
    let samples: Vec<&str> = got["samples"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(samples.contains(&"XYZ-234-ABC"), "{samples:?}");
    assert!(samples.iter().any(|s| s.contains("/i/PREVIEW-ONLY-")));

    let english = preview(&api, &jose(&["email"])).await;
    let email = message(&english, "email");
    assert_eq!(email["subject"], "Hello José", "English by default");
    assert!(email["sms_segments"].is_null());
}

async fn an_sms_preview_counts_its_characters_and_segments(app: &TestApp) {
    let (api, admin) = lakeside(app).await;
    let shipped = preview(&api, &jose(&["sms"])).await;
    let sms = message(&shipped, "sms");
    let body = sms["body"].as_str().unwrap();
    assert_eq!(sms["to"], "+14155550123", "the number as it is sent");
    assert_eq!(sms["characters"], body.chars().count());
    assert_eq!(
        sms["sms_segments"], 1,
        "the shipped English text fits one segment"
    );

    let long = format!(
        "{} {{{{ link }}}} {{{{ code }}}}",
        "Please register. ".repeat(8)
    );
    let saved = admin
        .call(
            Method::PUT,
            "/templates/invite_sms/en",
            json!({ "body": long }),
        )
        .await;
    Api::expect(saved, StatusCode::OK).await;
    let longer = preview(&api, &jose(&["sms"])).await;
    let sms = message(&longer, "sms");
    let chars = sms["characters"].as_u64().unwrap();
    assert!((200..=306).contains(&chars), "{chars} characters");
    assert_eq!(
        sms["sms_segments"], 2,
        "153 characters a segment once split"
    );
}

async fn a_preview_shows_each_person_and_nothing_for_a_hand_over(app: &TestApp) {
    let (api, _) = lakeside(app).await;
    let mut body = jose(&[]);
    body["household"] = json!({ "first_name": "Rosa", "last_name": "Pérez", "birth_date": "1972-01-02",
                                "phone": PHONE, "channels": ["voice"] });
    body["caregiver"] = json!({ "first_name": "", "last_name": "", "birth_date": "",
                                "email": "ana@example.org", "channels": ["email"] });
    let got = preview(&api, &body).await;
    let people = got["people"].as_array().unwrap();
    let relations: Vec<&str> = people
        .iter()
        .map(|p| p["relation"].as_str().unwrap())
        .collect();
    assert_eq!(relations, ["patient", "household", "caregiver"]);
    assert_eq!(
        people[0]["messages"],
        json!([]),
        "handed over: nothing is sent"
    );
    let voice = &people[1]["messages"][0];
    assert_eq!(voice["channel"], "voice");
    assert!(
        voice["body"]
            .as_str()
            .unwrap()
            .contains("Hello Rosa. This is Lakeside Clinic.")
            && voice["body"].as_str().unwrap().contains("X, Y, Z, 2, 3, 4"),
        "{voice}"
    );
    assert_eq!(
        people[2]["first_name"], "[first name]",
        "a name not typed yet is a marked stand-in"
    );
    assert!(
        got["samples"]
            .as_array()
            .unwrap()
            .contains(&json!("[first name]"))
    );
}

async fn previewing_writes_nothing(app: &TestApp) {
    let (api, _) = lakeside(app).await;
    let tables = ["invitations", "outbox", "audit_events", "invitation_events"];
    let mut before = Vec::new();
    for table in tables {
        before.push(app.count_rows(table).await);
    }
    let mut body = jose(&["email", "sms", "voice"]);
    body["household"] = json!({ "first_name": "Rosa", "last_name": "Pérez",
                                "birth_date": "1972-01-02", "channels": [] });
    preview(&api, &body).await;
    let mut after = Vec::new();
    for table in tables {
        after.push(app.count_rows(table).await);
    }
    assert_eq!(before, after, "rows in {tables:?}");
}

async fn a_preview_refuses_another_practices_provider_and_an_unknown_language(app: &TestApp) {
    let (lakeside, _) = lakeside(app).await;
    let hillside = app.practice_with_admin("Hillside Clinic").await;
    let theirs = hillside.add_provider("Dr. Other").await;
    let mut body = jose(&["email", "fax"]);
    body["provider_id"] = json!(theirs.id);
    body["language"] = json!("fr");
    body["first_name"] = json!("1234");
    let problem: Problem = Api::expect_as(
        lakeside.post("/invitations/preview", &body).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    let mut fields = problem.fields();
    fields.sort_unstable();
    assert_eq!(
        fields,
        ["channels", "first_name", "language", "provider_id"]
    );
    assert_eq!(
        problem.message_for("provider_id"),
        "Choose a provider of this practice."
    );
    // Their own provider is fine.
    let ours = lakeside.add_provider("Dr. Ana Ruiz").await;
    let mut body = jose(&["email"]);
    body["provider_id"] = json!(ours.id);
    preview(&lakeside, &body).await;
}

async fn a_preview_refuses_an_over_long_field_before_any_work(app: &TestApp) {
    let (api, _) = lakeside(app).await;
    let mut body = jose(&["email"]);
    body["notes"] = json!("n".repeat(5_000));
    body["household"] = json!({ "first_name": "R".repeat(1_000), "last_name": "P",
                                "birth_date": "1972-01-02", "channels": [] });
    let problem: Problem = Api::expect_as(
        api.post("/invitations/preview", &body).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(problem.fields(), ["notes", "household.first_name"]);
    assert_eq!(problem.message_for("notes"), "Use at most 2000 characters.");
}

async fn invitations_take_the_practices_default_consent_method_unless_they_name_one(app: &TestApp) {
    let (api, admin) = lakeside(app).await;
    let practice = Api::expect(api.get("/practice").await, StatusCode::OK).await;
    assert_eq!(practice["default_consent_method"], "in_app", "the default");

    let patch = |body: Value| admin.call(Method::PATCH, "/practice", body);
    let problem: Problem = Api::expect_as(
        patch(json!({ "default_consent_method": "fax" })).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(problem.fields(), ["default_consent_method"]);
    let changed = Api::expect(
        patch(json!({ "default_consent_method": "paper" })).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(changed["default_consent_method"], "paper");
    let kept = Api::expect(
        patch(json!({ "invite_expiry_days": 10 })).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        kept["default_consent_method"], "paper",
        "a setting left out keeps its value"
    );

    let consent_of = |body: Value| {
        let api = &api;
        async move {
            let created =
                Api::expect(api.post("/invitations", &body).await, StatusCode::CREATED).await;
            let id = created["id"].as_str().unwrap().to_owned();
            let read =
                Api::expect(api.get(&format!("/invitations/{id}")).await, StatusCode::OK).await;
            read["consent_method"].as_str().unwrap().to_owned()
        }
    };
    assert_eq!(consent_of(jose(&[])).await, "paper", "named none");
    let mut blank = jose(&[]);
    blank["consent_method"] = json!(" ");
    assert_eq!(consent_of(blank).await, "paper", "left blank");
    let mut tablet = jose(&[]);
    tablet["consent_method"] = json!("tablet");
    assert_eq!(consent_of(tablet).await, "tablet", "named one");
    assert!(
        app.count_rows("audit_events WHERE action = 'practice.settings_changed'")
            .await
            >= 2
    );
}

const FORM: &str = "/staff/invitations/new";

/// Posts the invite form as the signed-in `desk` would, with its CSRF token.
async fn post_form(desk: &Browser, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
    let csrf = desk.csrf_for(FORM).await;
    let mut form = vec![("csrf_token", csrf.as_str())];
    form.extend_from_slice(fields);
    desk.post_form(path, &form).await
}

/// The form page as the browser is sent back to it.
async fn form_page(desk: &Browser) -> String {
    let page = desk.get(FORM).await;
    assert_eq!(page.status(), StatusCode::OK);
    page.text().await.unwrap()
}

const EVE: [(&str, &str); 5] = [
    ("first_name", "Eve"),
    ("birth_date", "2090-01-01"),
    ("email", "eve@example.org"),
    ("email_confirm", "eve@example.com"),
    ("send_email", "yes"),
];

async fn a_failed_invite_post_comes_back_to_the_form_with_what_was_typed(app: &TestApp) {
    let (lakeside, _) = lakeside(app).await;
    let desk = lakeside.admin().await;
    let res = post_form(
        &desk,
        FORM,
        &[&EVE[..], &[("contact_time", "mornings")]].concat(),
    )
    .await;
    assert_eq!(
        res.status(),
        StatusCode::SEE_OTHER,
        "never a page at the post's address"
    );
    assert_eq!(location(&res), FORM);
    let page = form_page(&desk).await;
    for kept in [
        "value=\"Eve\"",
        "value=\"eve@example.com\"",
        "value=\"mornings\"",
    ] {
        assert!(page.contains(kept), "{kept} kept");
    }
    for said in [
        "The two email addresses are not the same.",
        "be in the future. Check the year.",
        "id=\"last_name-error\"",
    ] {
        assert!(page.contains(said), "{said} on the page");
    }
    let summary = page
        .split_once("class=\"error-summary\"")
        .and_then(|(_, rest)| rest.split_once("</div>"))
        .map(|(summary, _)| summary)
        .expect("an error summary");
    let first = summary
        .find("#last_name")
        .expect("the last name in the summary");
    let later = summary
        .find("#email_confirm")
        .expect("the confirmation in the summary");
    assert!(first < later, "the summary follows the page's order");
    assert!(
        !form_page(&desk).await.contains("eve@example.com"),
        "read once: a reload shows a fresh form"
    );

    // Long notes do not fit a cookie: the answer is the page itself, told to stand for the form.
    let notes = "n".repeat(1_900);
    let res = post_form(
        &desk,
        FORM,
        &[&EVE[..], &[("notes", notes.as_str())]].concat(),
    )
    .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = res.text().await.unwrap();
    assert!(page.contains(&notes), "the notes kept");
    assert!(page.contains("post-result.js\" data-page=\"/staff/invitations/new\""));
    assert_eq!(app.count_rows("invitations").await, 0);
}

async fn a_patient_without_email_is_invited_only_once_staff_confirm(app: &TestApp) {
    let (lakeside, _) = lakeside(app).await;
    let desk = lakeside.admin().await;
    let pat = [
        ("first_name", "Pat"),
        ("last_name", "Noemail"),
        ("birth_date", "1980-02-03"),
        ("phone", PHONE),
        ("send_sms", "yes"),
        ("username", "Not Valid!"),
    ];
    let res = post_form(&desk, FORM, &pat).await;
    assert_eq!(location(&res), FORM);
    let page = form_page(&desk).await;
    assert!(page.contains("Pat has no email address: Pat will sign in with a username"));
    assert!(page.contains("name=\"no_email_confirmed\" value=\"yes\""));
    assert_eq!(app.count_rows("invitations").await, 0, "nothing made yet");

    // Confirmed with a username of the wrong shape: asked again, with the reason.
    let res = post_form(
        &desk,
        FORM,
        &[&pat[..], &[("no_email_confirmed", "yes")]].concat(),
    )
    .await;
    assert_eq!(location(&res), FORM);
    let page = form_page(&desk).await;
    assert!(page.contains("id=\"username-error\""), "{page}");
    assert!(page.contains("Pat has no email address"));

    let mut chosen = pat;
    chosen[5] = ("username", "pat-front-desk");
    let res = post_form(
        &desk,
        FORM,
        &[&chosen[..], &[("no_email_confirmed", "yes")]].concat(),
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let id = id_from_location(&res);
    assert_eq!(location(&res), format!("/staff/invitations/{id}"));
    let read = Api::expect(
        lakeside.get(&format!("/invitations/{id}")).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(read["username"], "pat-front-desk");
    assert_eq!(app.count_rows("outbox").await, 1, "the text message");
}

async fn the_invite_page_previews_without_making_anything(app: &TestApp) {
    let (lakeside, _) = lakeside(app).await;
    let desk = lakeside.admin().await;
    let maria = [
        ("first_name", "Maria"),
        ("email", "maria@example.org"),
        ("send_email", "yes"),
        ("send_sms", "yes"),
        ("phone", PHONE),
        ("language", "es"),
    ];
    // The part the page's script swaps in.
    let part = post_form(&desk, "/staff/invitations/new/preview", &maria).await;
    assert_eq!(part.status(), StatusCode::OK);
    let html = part.text().await.unwrap();
    assert!(html.contains("Hola Maria:"), "{html}");
    assert!(html.contains("<mark class=\"sample\">XYZ-234-ABC</mark>"));
    assert!(html.contains("SMS segment"), "{html}");
    assert!(!html.contains("<html"), "only the preview part");
    let forged = desk
        .post_form("/staff/invitations/new/preview", &maria)
        .await;
    assert_eq!(
        forged.status(),
        StatusCode::FORBIDDEN,
        "no CSRF token, no preview"
    );

    // Without JavaScript: the Preview button posts the form back to itself.
    let res = post_form(
        &desk,
        FORM,
        &[&maria[..], &[("intent", "preview")]].concat(),
    )
    .await;
    assert_eq!(location(&res), FORM);
    let page = form_page(&desk).await;
    assert!(page.contains("Hola Maria:"));
    assert!(
        !page.contains("error-summary"),
        "a preview is not a failed post"
    );
    assert_eq!(app.count_rows("invitations").await, 0);
    assert_eq!(app.count_rows("outbox").await, 0);
}
