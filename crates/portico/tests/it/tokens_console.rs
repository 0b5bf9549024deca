//! The practice's API tokens on the staff pages and through the API (issue #19): an admin makes
//! one with a name, sees its text once, and it works at once; a revoked one is refused at once;
//! the list says who made each token and when it was last used (recorded at most once a
//! minute); only signed-in admins manage tokens (other staff and API tokens get 403), and one
//! practice's tokens are another's 404.

use reqwest::{Method, StatusCode};
use serde::Deserialize;
use serde_json::json;

use crate::common::{Api, Browser, STAFF_PASSWORD, StaffSession, TestApp, location, on_both};

on_both!(
    an_admin_makes_a_token_on_the_page_sees_it_once_and_it_works_at_once,
    a_token_revoked_on_the_page_is_refused_at_once,
    the_tokens_api_lists_makes_and_revokes_for_a_signed_in_admin,
    a_token_without_a_name_is_refused_next_to_the_field,
    staff_who_are_not_admins_get_403_on_the_tokens_page_and_api,
    an_api_token_cannot_manage_tokens,
    staff_of_another_practice_get_404_for_a_token,
    last_use_is_recorded_at_most_once_a_minute,
);

/// A token as the API lists it.
#[derive(Debug, Deserialize)]
struct ApiToken {
    id: String,
    label: String,
    created_by_name: Option<String>,
    last_used_at: Option<String>,
    revoked_at: Option<String>,
    active: bool,
}

#[derive(Debug, Deserialize)]
struct CreatedApiToken {
    token: String,
    api_token: ApiToken,
}

/// The token text a page shows once, if it shows one.
fn shown_token(html: &str) -> Option<String> {
    let start = html.find("data-token>")? + "data-token>".len();
    let end = html[start..].find('<')? + start;
    Some(html[start..end].to_owned())
}

async fn page(browser: &Browser, path: &str) -> String {
    let res = browser.get(path).await;
    assert_eq!(res.status(), StatusCode::OK, "{path}");
    res.text().await.expect("page")
}

/// Makes a token named `label` on the tokens page; answers the page the post leads to.
async fn make_on_page(admin: &Browser, label: &str) -> String {
    let csrf = admin.csrf_for("/staff/tokens").await;
    let res = admin
        .post_form("/staff/tokens", &[("csrf_token", &csrf), ("label", label)])
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res), "/staff/tokens");
    page(admin, "/staff/tokens").await
}

/// An integrator calling the API with `token`.
fn integrator(app: &TestApp, token: &str) -> Api {
    let mut api = app.anonymous_api();
    api.token = token.to_owned();
    api
}

async fn an_admin_makes_a_token_on_the_page_sees_it_once_and_it_works_at_once(app: &TestApp) {
    let lakeside = app.practice_with_admin("Lakeside Clinic").await;
    let admin = lakeside.admin().await;

    // The token the practice was set up with, made from the command line.
    let html = page(&admin, "/staff/tokens").await;
    assert!(html.contains(">EHR<"), "{html}");
    assert!(html.contains("Command line"), "{html}");
    assert_eq!(shown_token(&html), None);
    assert!(
        html.contains("id=\"label\" name=\"label\" type=\"text\" value=\"\""),
        "the name field starts empty: {html}"
    );

    let html = make_on_page(&admin, "EHR sync").await;
    let token = shown_token(&html).expect("the new token is shown");
    assert!(token.starts_with("portico_"), "{token}");
    assert!(html.contains("Your new token ‘EHR sync’"), "{html}");
    assert!(html.contains("it is shown only this once"), "{html}");
    assert!(html.contains("data-copy=\"new-token\""), "a copy button");
    assert!(html.contains("Bea Admin"), "the maker is named: {html}");

    // Shown once: a reload no longer has it.
    let again = page(&admin, "/staff/tokens").await;
    assert_eq!(shown_token(&again), None);
    assert!(!again.contains(&token));

    // It works at once, as its practice.
    let ehr = integrator(app, &token);
    Api::expect(ehr.get("/invitations").await, StatusCode::OK).await;
    let practice = Api::expect(ehr.get("/practice").await, StatusCode::OK).await;
    assert_eq!(practice["id"], lakeside.practice_id.as_str());

    // The database holds no copy of it.
    let stored: Vec<(String,)> = app.fetch_all("SELECT token_hash FROM api_tokens").await;
    assert!(stored.iter().all(|(hash,)| !hash.contains(&token[8..])));

    // The audit log says who made it.
    let log = page(&admin, "/staff/audit?what=api_token.created").await;
    assert!(
        log.contains("Bea Admin created the API token ‘EHR sync’."),
        "{log}"
    );
}

async fn a_token_revoked_on_the_page_is_refused_at_once(app: &TestApp) {
    let lakeside = app.practice_with_admin("Lakeside Clinic").await;
    let admin = lakeside.admin().await;
    let token = shown_token(&make_on_page(&admin, "Kiosk").await).expect("shown");
    let kiosk = integrator(app, &token);
    Api::expect(kiosk.get("/invitations").await, StatusCode::OK).await;

    let html = page(&admin, "/staff/tokens").await;
    // The confirmation names the token; its form is the one just before.
    let button = html
        .find("Revoke the token ‘Kiosk’")
        .expect("the confirmation names it");
    let start = html[..button].rfind("/staff/tokens/").expect("its address");
    let end = html[start..].find('"').expect("the address ends") + start;
    let revoke = &html[start..end];
    assert!(revoke.ends_with("/revoke"), "{revoke}");
    let csrf = admin.csrf_for("/staff/tokens").await;
    let res = admin.post_form(revoke, &[("csrf_token", &csrf)]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let html = page(&admin, "/staff/tokens").await;
    assert!(
        html.contains("The token ‘Kiosk’ is revoked. Systems that use it are refused from now on."),
        "{html}"
    );
    assert!(html.contains("Revoked Today"), "{html}");

    let refused = kiosk.get("/invitations").await;
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    // The other token still works.
    Api::expect(lakeside.get("/invitations").await, StatusCode::OK).await;

    // Revoking again says so, and changes nothing.
    let res = admin.post_form(revoke, &[("csrf_token", &csrf)]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let html = page(&admin, "/staff/tokens").await;
    assert!(html.contains("That token was already revoked."), "{html}");
}

async fn the_tokens_api_lists_makes_and_revokes_for_a_signed_in_admin(app: &TestApp) {
    let lakeside = app.practice_with_admin("Lakeside Clinic").await;
    let admin = lakeside.admin_session().await;
    let res = admin
        .call(
            Method::POST,
            "/tokens",
            json!({ "label": "  Lab results  " }),
        )
        .await;
    let made: CreatedApiToken = Api::expect_as(res, StatusCode::CREATED).await;
    assert_eq!(made.api_token.label, "Lab results", "the name is tidied");
    assert!(made.api_token.active);
    assert_eq!(made.api_token.created_by_name.as_deref(), Some("Bea Admin"));
    Api::expect(
        integrator(app, &made.token).get("/invitations").await,
        StatusCode::OK,
    )
    .await;

    app.advance(std::time::Duration::from_secs(60));
    Api::expect(
        admin
            .call(Method::POST, "/tokens", json!({ "label": "Kiosk" }))
            .await,
        StatusCode::CREATED,
    )
    .await;
    let listed: Vec<ApiToken> = Api::expect_as(
        admin.call(Method::GET, "/tokens", json!({})).await,
        StatusCode::OK,
    )
    .await;
    let labels: Vec<&str> = listed.iter().map(|t| t.label.as_str()).collect();
    assert_eq!(labels.len(), 3);
    let at = |label| labels.iter().position(|l| *l == label).expect(label);
    assert!(at("Kiosk") < at("Lab results"), "newest first: {labels:?}");
    let cli = &listed[at("EHR")];
    assert_eq!(cli.created_by_name, None, "made from the command line");
    let body = admin
        .call(Method::GET, "/tokens", json!({}))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        !body.contains(&made.token),
        "a list never holds a token's text"
    );

    let path = format!("/tokens/{}/revoke", made.api_token.id);
    let revoked: ApiToken = Api::expect_as(
        admin.call(Method::POST, &path, json!({})).await,
        StatusCode::OK,
    )
    .await;
    assert!(!revoked.active);
    assert!(revoked.revoked_at.is_some());
    let again = admin.call(Method::POST, &path, json!({})).await;
    assert_eq!(again.status(), StatusCode::CONFLICT);
    assert_eq!(
        integrator(app, &made.token)
            .get("/invitations")
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
}

async fn a_token_without_a_name_is_refused_next_to_the_field(app: &TestApp) {
    let lakeside = app.practice_with_admin("Lakeside Clinic").await;
    let admin = lakeside.admin().await;
    let html = make_on_page(&admin, "   ").await;
    assert!(
        html.contains("Give the token a name, such as the system that will use it."),
        "{html}"
    );
    assert!(html.contains("id=\"label-error\""), "next to the field");
    assert!(html.contains("error-summary"), "and in the summary");
    assert_eq!(shown_token(&html), None);
    // A refused name comes back as typed, next to its message.
    let html = make_on_page(&admin, "Lab; results").await;
    assert!(html.contains("id=\"label-error\""), "{html}");
    assert!(
        html.contains("value=\"Lab; results\""),
        "kept as typed: {html}"
    );

    let res = lakeside
        .admin_session()
        .await
        .call(Method::POST, "/tokens", json!({ "label": "" }))
        .await;
    let problem = Api::expect(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(problem["errors"][0]["field"], "label");
    // Nothing was made.
    assert_eq!(app.count_rows("api_tokens").await, 1);
}

async fn staff_who_are_not_admins_get_403_on_the_tokens_page_and_api(app: &TestApp) {
    let lakeside = app.practice_with_admin("Lakeside Clinic").await;
    let admin = lakeside.admin().await;
    admin
        .add_staff("Dana Front", "dana@lakeside.example", "staff")
        .await;
    let (dana, _) = app.sign_in("dana@lakeside.example", STAFF_PASSWORD).await;
    assert_eq!(
        dana.get("/staff/tokens").await.status(),
        StatusCode::FORBIDDEN
    );
    let csrf = dana.csrf_for("/staff").await;
    let res = dana
        .post_form("/staff/tokens", &[("csrf_token", &csrf), ("label", "Mine")])
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let listed: Vec<ApiToken> = Api::expect_as(
        lakeside
            .admin_session()
            .await
            .call(Method::GET, "/tokens", json!({}))
            .await,
        StatusCode::OK,
    )
    .await;
    let res = dana
        .post_form(
            &format!("/staff/tokens/{}/revoke", listed[0].id),
            &[("csrf_token", &csrf)],
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN, "revoking on the page");
    let session = StaffSession::of(dana).await;
    for (method, path) in [
        (Method::GET, "/tokens".to_owned()),
        (Method::POST, "/tokens".to_owned()),
    ] {
        let res = session
            .call(method.clone(), &path, json!({ "label": "Mine" }))
            .await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{method} {path}");
    }
    let res = session
        .call(
            Method::POST,
            &format!("/tokens/{}/revoke", listed[0].id),
            json!({}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    Api::expect(lakeside.get("/invitations").await, StatusCode::OK).await;
}

async fn an_api_token_cannot_manage_tokens(app: &TestApp) {
    let lakeside = app.practice_with_admin("Lakeside Clinic").await;
    assert_eq!(
        lakeside.get("/tokens").await.status(),
        StatusCode::FORBIDDEN
    );
    let res = lakeside.post("/tokens", &json!({ "label": "More" })).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.count_rows("api_tokens").await, 1, "no token was made");
}

async fn staff_of_another_practice_get_404_for_a_token(app: &TestApp) {
    let lakeside = app.practice_with_admin("Lakeside Clinic").await;
    let hillside = app.practice_with_admin("Hillside Clinic").await;
    let lakeside_admin = lakeside.admin_session().await;
    let made: CreatedApiToken = Api::expect_as(
        lakeside_admin
            .call(Method::POST, "/tokens", json!({ "label": "Lakeside EHR" }))
            .await,
        StatusCode::CREATED,
    )
    .await;
    let id = made.api_token.id;

    let intruder = hillside.admin_session().await;
    let res = intruder
        .call(Method::POST, &format!("/tokens/{id}/revoke"), json!({}))
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let unknown = intruder
        .call(Method::POST, "/tokens/no-such-token/revoke", json!({}))
        .await;
    assert_eq!(
        unknown.status(),
        StatusCode::NOT_FOUND,
        "the same as unknown"
    );
    let csrf = intruder.browser.csrf_for("/staff/tokens").await;
    let res = intruder
        .browser
        .post_form(
            &format!("/staff/tokens/{id}/revoke"),
            &[("csrf_token", &csrf)],
        )
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let html = page(&intruder.browser, "/staff/tokens").await;
    assert!(!html.contains("Lakeside EHR"), "{html}");
    let listed: Vec<ApiToken> = Api::expect_as(
        intruder.call(Method::GET, "/tokens", json!({})).await,
        StatusCode::OK,
    )
    .await;
    assert!(listed.iter().all(|t| t.id != id));

    // Lakeside's token still works, for Lakeside only.
    let ehr = integrator(app, &made.token);
    let practice = Api::expect(ehr.get("/practice").await, StatusCode::OK).await;
    assert_eq!(practice["id"], lakeside.practice_id.as_str());
}

async fn last_use_is_recorded_at_most_once_a_minute(app: &TestApp) {
    let lakeside = app.practice_with_admin("Lakeside Clinic").await;
    let admin = lakeside.admin_session().await;
    let last_used = || async {
        let listed: Vec<ApiToken> = Api::expect_as(
            admin.call(Method::GET, "/tokens", json!({})).await,
            StatusCode::OK,
        )
        .await;
        listed
            .into_iter()
            .find(|t| t.label == "EHR")
            .expect("the CLI's token")
            .last_used_at
    };
    assert_eq!(last_used().await, None, "never used yet");
    let html = page(&lakeside.admin().await, "/staff/tokens").await;
    assert!(last_used_cell(&html, "EHR").ends_with(">Never"), "{html}");
    Api::expect(lakeside.get("/invitations").await, StatusCode::OK).await;
    let first = last_used().await.expect("its use is recorded");
    app.advance(std::time::Duration::from_secs(30));
    Api::expect(lakeside.get("/invitations").await, StatusCode::OK).await;
    assert_eq!(
        last_used().await.as_deref(),
        Some(first.as_str()),
        "not a write per request"
    );
    app.advance(std::time::Duration::from_secs(31));
    Api::expect(lakeside.get("/invitations").await, StatusCode::OK).await;
    let later = last_used().await.expect("recorded");
    assert!(later > first, "{later} after {first}");

    // The page shows it on the practice's clock, in the token's own row.
    let html = page(&lakeside.admin().await, "/staff/tokens").await;
    let shown = last_used_cell(&html, "EHR");
    assert!(
        shown.contains("<time") && shown.contains("Today,"),
        "{shown}"
    );
}

/// The "Last used" cell of the row of the token named `label` on the tokens page.
fn last_used_cell<'a>(html: &'a str, label: &str) -> &'a str {
    let row_start = html
        .find(&format!(">{label}<"))
        .unwrap_or_else(|| panic!("no row for {label}: {html}"));
    let row = &html[row_start..];
    let row = &row[..row.find("</tr>").expect("the row ends")];
    let cell = &row[row
        .find("data-label=\"Last used\">")
        .expect("a Last used cell")..];
    &cell[..cell.find("</td>").expect("the cell ends")]
}
