//! The message templates' staff pages over HTTP, as an admin's browser uses them (issue #19):
//! the list says which messages are the practice's own; one template's page explains its
//! variables, previews a draft with the SMS segment count, saves, and goes back to the default;
//! a refused template is explained next to its field and nothing is saved. Other staff get 403
//! on every page and API route, and practices never see or touch each other's templates.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::{
    Api, Browser, Practice, STAFF_PASSWORD, StaffSession, TestApp, csrf_token, location, on_both,
};

on_both!(
    staff_without_the_admin_role_get_403_on_every_template_page_and_route,
    an_admin_saves_a_template_on_its_page_and_goes_back_to_the_default,
    a_refused_template_is_explained_next_to_its_field_and_nothing_is_saved,
    the_preview_part_shows_the_message_with_its_sms_segments_or_what_stops_it,
    practices_never_see_or_change_each_others_templates,
);

const EMAIL_EN: &str = "/staff/templates/invite_email/en";
const SMS_EN: &str = "/staff/templates/invite_sms/en";

async fn page(browser: &Browser, path: &str) -> String {
    let res = browser.get(path).await;
    assert_eq!(res.status(), StatusCode::OK, "{path}");
    res.text().await.expect("page")
}

/// Posts a form of the page at `path` (with that page's CSRF token); the answer.
async fn post(
    browser: &Browser,
    page_path: &str,
    to: &str,
    form: &[(&str, &str)],
) -> reqwest::Response {
    let csrf = browser.csrf_for(page_path).await;
    let mut fields = vec![("csrf_token", csrf.as_str())];
    fields.extend_from_slice(form);
    browser.post_form(to, &fields).await
}

/// Sam, a staff member without the admin role, signed in.
async fn sam(app: &TestApp, lakeside: &Practice<'_>) -> Browser {
    lakeside
        .admin()
        .await
        .add_staff("Sam Staff", "sam@lakeside.example", "staff")
        .await;
    let (sam, res) = app.sign_in("sam@lakeside.example", STAFF_PASSWORD).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "Sam signs in");
    sam
}

/// The practice's templates as its API token reads them.
async fn customized(api: &Api, kind: &str, language: &str) -> bool {
    let list = Api::expect(api.get("/templates").await, StatusCode::OK).await;
    list.as_array()
        .expect("a list")
        .iter()
        .find(|t| t["kind"] == kind && t["language"] == language)
        .expect("every kind in every language")["customized"]
        == true
}

async fn staff_without_the_admin_role_get_403_on_every_template_page_and_route(app: &TestApp) {
    let lakeside = app.practice_with_admin("Lakeside Clinic").await;
    let sam = sam(app, &lakeside).await;
    for path in ["/staff/templates", EMAIL_EN] {
        assert_eq!(
            sam.get(path).await.status(),
            StatusCode::FORBIDDEN,
            "{path}"
        );
    }
    // Sam's own pages carry a CSRF token, so the refusal is the role's, not the form's.
    let csrf = csrf_token(&page(&sam, "/staff").await);
    for to in [
        EMAIL_EN.to_owned(),
        format!("{EMAIL_EN}/preview"),
        format!("{EMAIL_EN}/reset"),
    ] {
        let res = sam
            .post_form(
                &to,
                &[
                    ("csrf_token", &csrf),
                    ("subject", "Hi"),
                    ("body", "Come {{ link }}"),
                ],
            )
            .await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{to}");
    }
    let session = StaffSession::of(sam).await;
    let body = json!({ "subject": "Hi", "body": "Come {{ link }}" });
    for (method, path) in [
        (Method::GET, "/templates"),
        (Method::PUT, "/templates/invite_email/en"),
        (Method::DELETE, "/templates/invite_email/en"),
        (Method::POST, "/templates/invite_email/en/preview"),
    ] {
        let res = session.call(method.clone(), path, body.clone()).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{method} {path}");
    }
    assert!(!customized(&lakeside, "invite_email", "en").await);
}

async fn an_admin_saves_a_template_on_its_page_and_goes_back_to_the_default(app: &TestApp) {
    let lakeside = app.practice_with_admin("Lakeside Clinic").await;
    let admin = lakeside.admin().await;

    // The list: every message in both languages, none of them the practice's own yet.
    let list = page(&admin, "/staff/templates").await;
    assert!(list.contains("Invitation by email"), "{list}");
    assert!(list.contains("Phone verification code"));
    assert!(!list.contains("Your own"));
    assert_eq!(list.matches("href=\"/staff/templates/").count(), 12);

    // One template's page: its text, and what each variable means.
    let html = page(&admin, EMAIL_EN).await;
    assert!(html.contains("The default text: you have not changed it."));
    assert!(html.contains("{{ practice_name }} invites you to its patient portal."));
    assert!(html.contains("The personal invitation link, which opens registration"));
    assert!(html.contains("The last day the invitation can be used"));

    let body = "Hello {{ first_name }},\n\nPlease join us: {{ link }}\nCode {{ code }}\n";
    let res = post(
        &admin,
        EMAIL_EN,
        EMAIL_EN,
        &[("subject", "Welcome, {{ first_name }}"), ("body", body)],
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res), EMAIL_EN);
    let html = page(&admin, EMAIL_EN).await;
    assert!(html.contains("Saved. Messages sent from now on use your version."));
    assert!(
        html.contains("Your own version.</strong> Last saved: Today,"),
        "{html}"
    );
    assert!(html.contains("Please join us:"));
    // The preview on the page fills the variables in with samples.
    assert!(html.contains("Welcome, Maria"), "{html}");
    assert!(customized(&lakeside, "invite_email", "en").await);
    let list = page(&admin, "/staff/templates").await;
    assert_eq!(list.matches("Your own").count(), 1);

    // A reload says nothing of the save any more.
    assert!(!page(&admin, EMAIL_EN).await.contains("Saved."));

    let res = post(&admin, EMAIL_EN, &format!("{EMAIL_EN}/reset"), &[]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let html = page(&admin, EMAIL_EN).await;
    assert!(html.contains("Back to the default text."));
    assert!(html.contains("{{ practice_name }} invites you to its patient portal."));
    assert!(!customized(&lakeside, "invite_email", "en").await);
    assert_eq!(
        app.count_rows("audit_events WHERE action IN ('template.saved', 'template.reset')")
            .await,
        2
    );
}

async fn a_refused_template_is_explained_next_to_its_field_and_nothing_is_saved(app: &TestApp) {
    let lakeside = app.practice_with_admin("Lakeside Clinic").await;
    let admin = lakeside.admin().await;
    let typed = "Hi {{ first_name }}, about your {{ diagnosis }}: {{ link }}";
    let res = post(&admin, SMS_EN, SMS_EN, &[("body", typed)]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "back to the form");
    assert_eq!(location(&res), SMS_EN);
    let html = page(&admin, SMS_EN).await;
    assert!(html.contains("Please correct the following"));
    assert!(html.contains("id=\"body-error\""), "{html}");
    assert!(html.contains("Unknown variable `diagnosis`"));
    assert!(
        html.contains("about your {{ diagnosis }}"),
        "what was typed is kept"
    );
    assert!(
        !customized(&lakeside, "invite_sms", "en").await,
        "nothing saved"
    );

    // An email needs its subject; the message stands next to the subject.
    let res = post(
        &admin,
        EMAIL_EN,
        EMAIL_EN,
        &[("subject", " "), ("body", "Join: {{ link }}")],
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let html = page(&admin, EMAIL_EN).await;
    assert!(html.contains("id=\"subject-error\""), "{html}");

    // A long draft does not fit the cookie that carries it back: the page answers at once,
    // keeping the text, and asks the browser to remember the page instead of the post.
    let long = format!(
        "{} {{{{ diagnosis }}}}",
        "Welcome to our portal. ".repeat(180)
    );
    let res = post(
        &admin,
        EMAIL_EN,
        EMAIL_EN,
        &[("subject", "Hi"), ("body", &long)],
    )
    .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    assert!(html.contains("Unknown variable `diagnosis`"));
    assert!(html.contains(&long));
    assert!(html.contains("data-page=\"/staff/templates/invite_email/en\""));
    assert!(!customized(&lakeside, "invite_email", "en").await);

    // Another practice's or an unknown kind's address is not there.
    assert_eq!(
        admin.get("/staff/templates/fax_cover/en").await.status(),
        StatusCode::NOT_FOUND
    );
}

async fn the_preview_part_shows_the_message_with_its_sms_segments_or_what_stops_it(app: &TestApp) {
    let lakeside = app.practice_with_admin("Lakeside Clinic").await;
    let admin = lakeside.admin().await;
    let preview = |body: String| {
        let admin = &admin;
        async move {
            let res = post(
                admin,
                SMS_EN,
                &format!("{SMS_EN}/preview"),
                &[("body", &body)],
            )
            .await;
            assert_eq!(res.status(), StatusCode::OK);
            res.text().await.unwrap()
        }
    };
    let short = preview("{{ practice_name }}: your code {{ code }}".into()).await;
    assert!(
        short.contains("Lakeside Family Clinic: your code XYZ-234-ABC"),
        "{short}"
    );
    assert!(short.contains("characters, 1 SMS segment<"), "{short}");
    assert!(!short.contains("<html"), "only the preview part");

    let long = preview(format!("{} {{{{ link }}}}", "Please register. ".repeat(20))).await;
    assert!(long.contains("3 SMS segments"), "{long}");
    assert!(long.contains("Each segment is charged"));

    let wrong = preview("Hello {{ nickname }}".into()).await;
    assert!(
        wrong.contains("The preview needs a change first"),
        "{wrong}"
    );
    assert!(wrong.contains("Unknown variable `nickname`"));

    let empty = preview("  ".into()).await;
    assert!(empty.contains("Write the message to see what it will look like."));

    // The no-script button posts the form back: the page shows the draft's preview, saves
    // nothing.
    let res = post(
        &admin,
        SMS_EN,
        SMS_EN,
        &[("body", "Draft only {{ code }}"), ("intent", "preview")],
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let html = page(&admin, SMS_EN).await;
    assert!(html.contains("Draft only XYZ-234-ABC"), "{html}");
    assert!(!customized(&lakeside, "invite_sms", "en").await);
}

async fn practices_never_see_or_change_each_others_templates(app: &TestApp) {
    let lakeside = app.practice_with_admin("Lakeside Clinic").await;
    let hillside = app.practice_with_admin("Hillside Clinic").await;
    let hill_admin = hillside.admin().await;
    let res = post(
        &hill_admin,
        SMS_EN,
        SMS_EN,
        &[("body", "Hillside only: {{ link }} {{ code }}")],
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(customized(&hillside, "invite_sms", "en").await);

    // Lakeside's admin sees the default, and resetting Lakeside's leaves Hillside's alone.
    let lake_admin = lakeside.admin().await;
    let html = page(&lake_admin, SMS_EN).await;
    assert!(!html.contains("Hillside only"), "{html}");
    assert!(
        !page(&lake_admin, "/staff/templates")
            .await
            .contains("Your own")
    );
    assert!(!customized(&lakeside, "invite_sms", "en").await);
    let res = post(&lake_admin, SMS_EN, &format!("{SMS_EN}/reset"), &[]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let session = lakeside.admin_session().await;
    Api::expect(
        session
            .call(Method::DELETE, "/templates/invite_sms/en", Value::Null)
            .await,
        StatusCode::OK,
    )
    .await;
    assert!(
        customized(&hillside, "invite_sms", "en").await,
        "Hillside's own is kept"
    );
    assert!(page(&hill_admin, SMS_EN).await.contains("Hillside only"));
}
