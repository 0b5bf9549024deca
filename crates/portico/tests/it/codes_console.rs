//! The provider codes page (`/staff/codes`, issue #19): every staff member sees the practice's
//! and each provider's code and prints its card; only admins replace or turn off a code, each
//! after a confirmation, and the old code is refused at once. A QR code on a card opens
//! registration with the code filled in. Another practice's provider is not found, by page or API.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::common::{
    Api, Browser, Practice, STAFF_PASSWORD, StaffSession, TestApp, csrf_token, location, on_both,
};

on_both!(
    staff_print_the_codes_but_only_admins_replace_or_turn_them_off,
    an_admin_replaces_turns_off_and_turns_on_a_code_after_a_confirmation,
    staff_of_one_practice_get_404_for_another_practices_provider_codes,
    a_card_prints_the_code_the_address_and_a_qr_code_that_fills_it_in,
);

/// The practice's own code.
async fn practice_code(practice: &Practice<'_>) -> String {
    practice.provider_code().await
}

/// Whether the public look-up accepts `code` (what a patient typing it would find).
async fn accepted(app: &TestApp, code: &str) -> bool {
    let res = app
        .anonymous_api()
        .post("/public/provider-codes/lookup", &json!({ "code": code }))
        .await;
    match res.status() {
        StatusCode::OK => true,
        StatusCode::BAD_REQUEST => false,
        other => panic!("unexpected look-up answer {other}"),
    }
}

async fn text(res: reqwest::Response) -> String {
    res.text().await.expect("a page")
}

/// Sam, a staff member without the admin role, signed in.
async fn front_desk(app: &TestApp, admin: &Browser) -> Browser {
    admin
        .add_staff("Sam Staff", "sam@lakeside.example", "staff")
        .await;
    let (sam, res) = app.sign_in("sam@lakeside.example", STAFF_PASSWORD).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "Sam signs in");
    sam
}

async fn staff_print_the_codes_but_only_admins_replace_or_turn_them_off(app: &TestApp) {
    let lakeside = app.practice_with_admin("Lakeside Clinic").await;
    let ruiz = lakeside.add_provider("Dr. Ana Ruiz").await;
    let code = practice_code(&lakeside).await;
    let admin = lakeside.admin().await;
    let sam = front_desk(app, &admin).await;

    // Sam sees both codes and can print them, with no button to change them.
    let page = text(sam.get("/staff/codes").await).await;
    assert!(page.contains(&code) && page.contains(&ruiz.code), "{page}");
    assert!(page.contains("Dr. Ana Ruiz") && page.contains("Lakeside Clinic"));
    assert!(!page.contains("Replace…") && !page.contains("Turn off…"));
    assert!(page.contains("Only an administrator can replace or turn off a code."));
    for card in [
        "/staff/codes/practice/card".to_owned(),
        format!("/staff/codes/providers/{}/card?format=insert", ruiz.id),
    ] {
        let res = sam.get(&card).await;
        assert_eq!(res.status(), StatusCode::OK, "{card}");
    }

    // The confirmation pages and the posts are refused, and nothing changes.
    let csrf = sam.csrf_for("/staff/codes").await;
    for path in [
        "/staff/codes/practice/rotate".to_owned(),
        "/staff/codes/practice/disable".to_owned(),
        format!("/staff/codes/providers/{}/rotate", ruiz.id),
        format!("/staff/codes/providers/{}/disable", ruiz.id),
    ] {
        assert_eq!(
            sam.get(&path).await.status(),
            StatusCode::FORBIDDEN,
            "GET {path}"
        );
        let res = sam.post_form(&path, &[("csrf_token", &csrf)]).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "POST {path}");
    }
    // The same through the API with Sam's session.
    let session = StaffSession::of(sam).await;
    for path in [
        "/provider-codes/practice/disable".to_owned(),
        format!("/provider-codes/providers/{}/rotate", ruiz.id),
    ] {
        let res = session.call(Method::POST, &path, json!({})).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "API {path}");
    }
    assert!(accepted(app, &code).await && accepted(app, &ruiz.code).await);
    assert_eq!(
        practice_code(&lakeside).await,
        code,
        "the code is unchanged"
    );
}

async fn an_admin_replaces_turns_off_and_turns_on_a_code_after_a_confirmation(app: &TestApp) {
    let lakeside = app.practice_with_admin("Lakeside Clinic").await;
    let ruiz = lakeside.add_provider("Dr. Ana Ruiz").await;
    let admin = lakeside.admin().await;
    let rotate = format!("/staff/codes/providers/{}/rotate", ruiz.id);

    // The confirmation says plainly what happens, naming the code.
    let confirm = text(admin.get(&rotate).await).await;
    assert!(
        confirm.contains("Replace the code of Dr. Ana Ruiz?"),
        "{confirm}"
    );
    assert!(confirm.contains(&format!(
        "The code <span class=\"code-value\">{}</span> stops working at once.",
        ruiz.code
    )));
    assert!(confirm.contains(&format!(
        "Cards and pamphlets printed with {} must be replaced",
        ruiz.code
    )));

    // Confirmed: back on the list, which shows the new code once more in its message.
    let res = admin
        .post_form(&rotate, &[("csrf_token", &csrf_token(&confirm))])
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res), "/staff/codes");
    let list = text(admin.get("/staff/codes").await).await;
    let new_code = lakeside
        .provider_codes()
        .await
        .into_iter()
        .find(|c| c.provider_id.as_deref() == Some(ruiz.id.as_str()))
        .and_then(|c| c.code)
        .expect("a new code");
    assert_ne!(new_code, ruiz.code);
    assert!(list.contains(&format!(
        "New code for Dr. Ana Ruiz: {new_code}. The old code no longer works"
    )));
    assert!(!accepted(app, &ruiz.code).await, "the old code is refused");
    assert!(accepted(app, &new_code).await, "the new code works");
    let again = text(admin.get("/staff/codes").await).await;
    assert!(!again.contains("New code for"), "the message shows once");

    // Turning the practice's code off, after its own confirmation.
    let code = practice_code(&lakeside).await;
    let confirm = text(admin.get("/staff/codes/practice/disable").await).await;
    assert!(confirm.contains("Turn off the code of Lakeside Clinic?"));
    assert!(confirm.contains("Nobody can register with it."));
    let res = admin
        .post_form(
            "/staff/codes/practice/disable",
            &[("csrf_token", &csrf_token(&confirm))],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let list = text(admin.get("/staff/codes").await).await;
    assert!(list.contains("The code of Lakeside Clinic is off."));
    assert!(list.contains("Turn on…"));
    assert!(!accepted(app, &code).await);
    let card = text(admin.get("/staff/codes/practice/card").await).await;
    assert!(card.contains("This code is turned off, so there is nothing to print."));

    // Turned on again: a new code, never the old one.
    let confirm = text(admin.get("/staff/codes/practice/rotate").await).await;
    assert!(confirm.contains("Turn on a code for Lakeside Clinic?"));
    let res = admin
        .post_form(
            "/staff/codes/practice/rotate",
            &[("csrf_token", &csrf_token(&confirm))],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let back_on = practice_code(&lakeside).await;
    assert_ne!(back_on, code);
    assert!(accepted(app, &back_on).await && !accepted(app, &code).await);

    // A post without the page's CSRF token changes nothing.
    let res = admin.post_form("/staff/codes/practice/rotate", &[]).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(practice_code(&lakeside).await, back_on);
}

async fn staff_of_one_practice_get_404_for_another_practices_provider_codes(app: &TestApp) {
    let lakeside = app.practice_with_admin("Lakeside Clinic").await;
    let hillside = app.practice_with_admin("Hillside Clinic").await;
    let theirs = hillside.add_provider("Dr. Hal Hill").await;
    let admin = lakeside.admin().await;

    let page = text(admin.get("/staff/codes").await).await;
    assert!(!page.contains("Dr. Hal Hill") && !page.contains(&theirs.code));
    let csrf = admin.csrf_for("/staff/codes").await;
    for path in [
        format!("/staff/codes/providers/{}/card", theirs.id),
        format!("/staff/codes/providers/{}/rotate", theirs.id),
        format!("/staff/codes/providers/{}/disable", theirs.id),
        "/staff/codes/providers/no-such-provider/card".to_owned(),
    ] {
        assert_eq!(
            admin.get(&path).await.status(),
            StatusCode::NOT_FOUND,
            "GET {path}"
        );
    }
    for path in [
        format!("/staff/codes/providers/{}/rotate", theirs.id),
        format!("/staff/codes/providers/{}/disable", theirs.id),
    ] {
        let res = admin.post_form(&path, &[("csrf_token", &csrf)]).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "POST {path}");
    }
    for path in [
        format!("/provider-codes/providers/{}/rotate", theirs.id),
        format!("/provider-codes/providers/{}/disable", theirs.id),
    ] {
        let res = lakeside.post(&path, &json!({})).await;
        assert_eq!(res.headers()["content-type"], "application/problem+json");
        Api::expect(res, StatusCode::NOT_FOUND).await;
    }
    assert!(
        accepted(app, &theirs.code).await,
        "Hillside's code still works"
    );
}

async fn a_card_prints_the_code_the_address_and_a_qr_code_that_fills_it_in(app: &TestApp) {
    let lakeside = app.practice_with_admin("Lakeside Clinic").await;
    let ruiz = lakeside.add_provider("Dr. Ana Ruiz").await;
    let admin = lakeside.admin().await;
    let address = format!("{}/register", app.url.trim_start_matches("http://"));

    // A sheet of ten business cards, each with the names, the code, the address and the QR code.
    let cards = text(
        admin
            .get(&format!("/staff/codes/providers/{}/card", ruiz.id))
            .await,
    )
    .await;
    assert_eq!(cards.matches("class=\"code-card\"").count(), 10);
    assert_eq!(
        cards
            .matches(&format!("<span class=\"code-value\">{}</span>", ruiz.code))
            .count(),
        10
    );
    assert!(cards.contains("Lakeside Clinic") && cards.contains("Dr. Ana Ruiz"));
    assert!(cards.contains(&address), "the address to type: {address}");
    assert!(cards.contains(&format!(
        "aria-label=\"QR code: opens registration with the code {}\"",
        ruiz.code
    )));
    // The pamphlet insert: one page, with the steps.
    let insert = text(admin.get("/staff/codes/practice/card?format=insert").await).await;
    assert_eq!(insert.matches("class=\"code-insert\"").count(), 1);
    assert!(insert.contains("Join our patient portal"));
    assert!(insert.contains(&practice_code(&lakeside).await));
    assert!(insert.contains("I will register myself"));

    // What the QR code opens: registration with the code filled in, self-registration first.
    let start = text(
        app.browser()
            .get(&format!("/register?code={}", ruiz.code))
            .await,
    )
    .await;
    assert!(start.contains(&format!(
        "id=\"self_code\" name=\"code\" type=\"text\" value=\"{}\"",
        ruiz.code
    )));
    let self_first = start.find("id=\"self-title\"").expect("the self panel");
    let invited = start
        .find("id=\"invited-title\"")
        .expect("the invited panel");
    assert!(self_first < invited, "registering oneself comes first");
    // Without a code the page is as before: the invited way in first, nothing filled in.
    let plain = text(app.browser().get("/register").await).await;
    assert!(plain.find("id=\"invited-title\"") < plain.find("id=\"self-title\""));
    assert!(plain.contains("id=\"self_code\" name=\"code\" type=\"text\" value=\"\""));
}
