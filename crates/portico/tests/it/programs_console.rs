//! The programs pages (`/staff/programs`, issue #19), for admins: the list with the patients
//! each program holds, adding one (sign-up code errors beside the field, nothing typed lost),
//! changing it and turning its sign-up code off and on. Other staff get 403 on the pages and on
//! the API's program routes; another practice's program is not found.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use wiremock::MockServer;

use crate::common::{
    Api, Browser, STAFF_PASSWORD, StaffSession, TestApp, csrf_token, location, on_both,
    with_provider,
};

on_both!(
    staff_who_are_not_admins_get_403_on_program_pages_and_api,
    staff_of_one_practice_get_404_for_another_practices_programs,
    an_admin_adds_a_program_and_its_sign_up_code_errors_show_at_the_field,
    an_admin_changes_a_program_and_turns_its_code_off_and_on,
);

mod enrolment {
    use super::*;
    with_provider!(the_list_counts_the_patients_enrolled_and_waiting_in_each_program);
}

async fn text(res: reqwest::Response) -> String {
    res.text().await.expect("a page")
}

/// Whether the public look-up accepts the sign-up `code`.
async fn accepted(app: &TestApp, code: &str) -> bool {
    let res = app
        .anonymous_api()
        .post("/public/signup-codes/lookup", &json!({ "code": code }))
        .await;
    match res.status() {
        StatusCode::OK => true,
        StatusCode::BAD_REQUEST => false,
        other => panic!("unexpected look-up answer {other}"),
    }
}

/// The add form's fields, with the messaging box ticked.
fn program_form<'a>(csrf: &'a str, name: &'a str, code: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("csrf_token", csrf),
        ("name", name),
        ("signup_code", code),
        ("policy", "notify"),
        ("messaging_allowed", "true"),
    ]
}

async fn staff_who_are_not_admins_get_403_on_program_pages_and_api(app: &TestApp) {
    let lakeside = app.practice_with_admin("Lakeside Clinic").await;
    let id = lakeside
        .add_program("Diabetes Care", "Sugar2026", "notify")
        .await;
    let admin: Browser = lakeside.admin().await;
    admin
        .add_staff("Sam Staff", "sam@lakeside.example", "staff")
        .await;
    let (sam, _) = app.sign_in("sam@lakeside.example", STAFF_PASSWORD).await;

    for path in [
        "/staff/programs".to_owned(),
        format!("/staff/programs/{id}"),
    ] {
        let res = sam.get(&path).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "GET {path}");
        assert!(
            !text(res).await.contains("Sugar2026"),
            "{path} shows no code"
        );
    }
    let csrf = sam.csrf_for("/staff").await;
    let posts: [(String, Vec<(&str, &str)>); 3] = [
        (
            "/staff/programs".into(),
            program_form(&csrf, "Sneaky", "Sneaky2026"),
        ),
        (
            format!("/staff/programs/{id}"),
            program_form(&csrf, "Renamed", "Sugar2026"),
        ),
        (
            format!("/staff/programs/{id}/enabled"),
            vec![("csrf_token", csrf.as_str()), ("enabled", "false")],
        ),
    ];
    for (path, form) in &posts {
        let res = sam.post_form(path, form).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "POST {path}");
    }
    // The API's program routes, with Sam's session: reading them too.
    let session = StaffSession::of(sam).await;
    let body = json!({ "name": "Sneaky", "signup_code": "Sneaky2026", "policy": "silent" });
    for (method, path) in [
        (Method::GET, "/programs".to_owned()),
        (Method::GET, format!("/programs/{id}")),
        (Method::POST, "/programs".to_owned()),
        (Method::PUT, format!("/programs/{id}")),
        (Method::DELETE, format!("/programs/{id}")),
    ] {
        let res = session.call(method.clone(), &path, body.clone()).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{method} {path}");
        assert_eq!(res.headers()["content-type"], "application/problem+json");
    }
    // Nothing changed.
    let listed: Value = Api::expect(lakeside.get("/programs").await, StatusCode::OK).await;
    assert_eq!(listed.as_array().map(Vec::len), Some(1));
    assert_eq!(listed[0]["name"], "Diabetes Care");
    assert_eq!(listed[0]["enabled"], true);
    assert!(accepted(app, "Sugar2026").await && !accepted(app, "Sneaky2026").await);
}

async fn staff_of_one_practice_get_404_for_another_practices_programs(app: &TestApp) {
    let lakeside = app.practice_with_admin("Lakeside Clinic").await;
    let hillside = app.practice_with_admin("Hillside Clinic").await;
    let theirs = hillside
        .add_program("Hill Heart", "HillHeart26", "silent")
        .await;
    let admin = lakeside.admin().await;

    let list = text(admin.get("/staff/programs").await).await;
    assert!(!list.contains("Hill Heart") && !list.contains("HillHeart26"));
    let csrf = admin.csrf_for("/staff/programs").await;
    for path in [
        format!("/staff/programs/{theirs}"),
        "/staff/programs/no-such-program".to_owned(),
    ] {
        assert_eq!(
            admin.get(&path).await.status(),
            StatusCode::NOT_FOUND,
            "GET {path}"
        );
    }
    let rename = program_form(&csrf, "Mine now", "MineNow2026");
    let res = admin
        .post_form(&format!("/staff/programs/{theirs}"), &rename)
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let off = [("csrf_token", csrf.as_str()), ("enabled", "false")];
    let res = admin
        .post_form(&format!("/staff/programs/{theirs}/enabled"), &off)
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let res = lakeside.get(&format!("/programs/{theirs}")).await;
    assert_eq!(res.headers()["content-type"], "application/problem+json");
    Api::expect(res, StatusCode::NOT_FOUND).await;

    let still: Value = Api::expect(
        hillside.get(&format!("/programs/{theirs}")).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        (still["name"].as_str(), still["enabled"].as_bool()),
        (Some("Hill Heart"), Some(true))
    );
    assert!(accepted(app, "HillHeart26").await);
}

async fn an_admin_adds_a_program_and_its_sign_up_code_errors_show_at_the_field(app: &TestApp) {
    let hillside = app.practice_with_admin("Hillside Clinic").await;
    hillside
        .add_program("Hill Heart", "Welcome123", "silent")
        .await;
    let lakeside = app.practice_with_admin("Lakeside Clinic").await;
    let admin = lakeside.admin().await;
    let empty = text(admin.get("/staff/programs").await).await;
    assert!(empty.contains("No programs yet."));
    let csrf = csrf_token(&empty);

    // Too short, bad characters, taken by another practice: each said at the field, as typed.
    for (code, message) in [
        ("abc", "6 to 32 letters and digits"),
        ("Heart_2026!", "Use only the letters A to Z and digits"),
        (
            "welcome-I23",
            "This sign-up code cannot be used; choose another.",
        ),
    ] {
        let res = admin
            .post_form(
                "/staff/programs",
                &program_form(&csrf, "Heart Health", code),
            )
            .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{code}");
        let page = text(res).await;
        let error = page
            .split("id=\"signup_code-error\">")
            .nth(1)
            .and_then(|rest| rest.split("</p>").next())
            .unwrap_or_else(|| panic!("no error at the sign-up code for {code}: {page}"));
        assert!(error.contains(message), "{code}: {error}");
        assert!(page.contains("class=\"error-summary\""));
        assert!(page.contains("value=\"Heart Health\""), "the name is kept");
        assert!(
            page.contains(&format!("value=\"{code}\"")),
            "the code is kept"
        );
        assert!(page.contains("No programs yet."), "nothing was saved");
    }

    // Right: back to the list, which says so and shows it.
    let res = admin
        .post_form(
            "/staff/programs",
            &program_form(&csrf, "Heart Health", "Heart2026"),
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res), "/staff/programs");
    let list = text(admin.get("/staff/programs").await).await;
    assert!(
        list.contains("Program Heart Health added. Patients can sign up with the code Heart2026.")
    );
    assert!(list.contains("Allow and notify") && list.contains("Allowed"));
    assert!(list.contains("data-enrolled=\"0\""));
    assert!(accepted(app, "heart 2026").await);
}

async fn an_admin_changes_a_program_and_turns_its_code_off_and_on(app: &TestApp) {
    let lakeside = app.practice_with_admin("Lakeside Clinic").await;
    let id = lakeside
        .add_program("Heart Health", "Heart2026", "notify")
        .await;
    let admin = lakeside.admin().await;
    let path = format!("/staff/programs/{id}");
    let page = text(admin.get(&path).await).await;
    assert!(page.contains("value=\"Heart2026\""));
    let csrf = csrf_token(&page);

    // A new code and policy, messaging no longer allowed (the box left unticked).
    let form = [
        ("csrf_token", csrf.as_str()),
        ("name", "Heart Health Plus"),
        ("signup_code", "Heart2027"),
        ("policy", "approval"),
    ];
    let res = admin.post_form(&path, &form).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let list = text(admin.get("/staff/programs").await).await;
    assert!(list.contains("Changes to Heart Health Plus saved."));
    let saved: Value = Api::expect(
        lakeside.get(&format!("/programs/{id}")).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(saved["policy"], "approval");
    assert_eq!(saved["messaging_allowed"], false);
    assert_eq!(saved["enrolled"], 0);
    assert!(!accepted(app, "Heart2026").await && accepted(app, "Heart2027").await);

    // Turned off: the code stops; on again: it works once more, the rest as saved.
    let off = [("csrf_token", csrf.as_str()), ("enabled", "false")];
    let res = admin.post_form(&format!("{path}/enabled"), &off).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let list = text(admin.get("/staff/programs").await).await;
    assert!(list.contains("Heart Health Plus is off: its sign-up code no longer works."));
    assert!(!accepted(app, "Heart2027").await);
    let page = text(admin.get(&path).await).await;
    assert!(page.contains("Turn on the sign-up code"));
    let on = [("csrf_token", csrf.as_str()), ("enabled", "true")];
    let res = admin.post_form(&format!("{path}/enabled"), &on).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(accepted(app, "Heart2027").await);
    let saved: Value = Api::expect(
        lakeside.get(&format!("/programs/{id}")).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        (
            saved["policy"].as_str(),
            saved["messaging_allowed"].as_bool(),
            saved["enabled"].as_bool()
        ),
        (Some("approval"), Some(false), Some(true))
    );

    // A failed change keeps what was typed and changes nothing.
    let bad = [
        ("csrf_token", csrf.as_str()),
        ("name", "Renamed"),
        ("signup_code", "no"),
        ("policy", "silent"),
    ];
    let res = admin.post_form(&path, &bad).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = text(res).await;
    assert!(page.contains("value=\"Renamed\"") && page.contains("id=\"signup_code-error\""));
    assert!(
        page.contains(
            "id=\"policy-silent\" name=\"policy\" type=\"radio\" value=\"silent\" checked"
        )
    );
    assert!(accepted(app, "Heart2027").await);
}

async fn the_list_counts_the_patients_enrolled_and_waiting_in_each_program(
    app: &TestApp,
    provider: &MockServer,
) {
    let lakeside = app.practice_with_admin("Lakeside Clinic").await;
    lakeside
        .add_program("Open Door", "Open2026", "silent")
        .await;
    lakeside
        .add_program("Careful Care", "Careful2026", "approval")
        .await;
    lakeside
        .add_program("Quiet One", "Quiet2026", "notify")
        .await;
    app.registered_with_code(provider, "Open2026", "ana@example.org")
        .await;
    app.registered_with_code(provider, "open 2026", "bo@example.org")
        .await;
    app.registered_with_code(provider, "Careful2026", "cy@example.org")
        .await;

    let listed: Value = Api::expect(lakeside.get("/programs").await, StatusCode::OK).await;
    let counts: Vec<(&str, i64, i64)> = listed
        .as_array()
        .expect("a list")
        .iter()
        .map(|p| {
            (
                p["name"].as_str().unwrap_or_default(),
                p["enrolled"].as_i64().unwrap_or(-1),
                p["awaiting_approval"].as_i64().unwrap_or(-1),
            )
        })
        .collect();
    assert_eq!(
        counts,
        [
            ("Careful Care", 0, 1),
            ("Open Door", 2, 0),
            ("Quiet One", 0, 0)
        ]
    );
    let page = text(lakeside.admin().await.get("/staff/programs").await).await;
    assert!(page.contains("2 enrolled") && page.contains("1 waiting for approval"));
}
