//! Shared networks (issue 17): many people type codes from one address — a clinic's tablet, the
//! phones in its waiting room, a family's Wi-Fi. Each browser has its own allowance of wrong codes
//! (its device cookie), a larger one bounds all browsers of an address together (also against a
//! script that drops or makes up the cookie), registering, "Add provider code" and signing in
//! count apart, and while an allowance is spent a right code gets the same refusal as a wrong one.

use reqwest::{Method, Response, StatusCode};
use serde_json::json;
use wiremock::MockServer;

use crate::common::responses::Problem;
use crate::common::{Api, Browser, PASSPHRASE, TestApp, location, retry_after, with_provider};

with_provider!(
    one_browsers_wrong_codes_leave_another_browser_on_the_same_address_its_own_allowance,
    a_script_that_makes_up_device_cookies_is_stopped_at_the_address_limit,
    a_script_without_cookies_gets_one_browsers_allowance,
    using_up_one_use_of_codes_leaves_the_other_uses_and_sign_in_open,
    a_right_code_gets_the_same_refusal_as_a_wrong_one_while_the_allowance_is_spent,
);

/// The allowances with the default settings.
const PER_BROWSER: usize = 10;
const PER_ADDRESS: usize = 50;
const WRONG: &str = "ZZZ999";

/// Types `code` into "Register with a code" on the page `browser` already opened.
async fn register_with(browser: &Browser, csrf: &str, code: &str) -> Response {
    browser
        .post_form("/register/self", &[("csrf_token", csrf), ("code", code)])
        .await
}

/// A script's look-up that sends `cookie` as its device cookie (one it made up).
async fn lookup_with_cookie(app: &TestApp, cookie: &str, code: &str) -> Response {
    app.anonymous_api()
        .request(Method::POST, "/public/provider-codes/lookup")
        .header("cookie", format!("portico_browser={cookie}"))
        .json(&json!({ "code": code }))
        .send()
        .await
        .unwrap()
}

/// Lakeside Clinic's practice-wide provider code: the right code in these tests.
pub(crate) async fn lakeside_code(app: &TestApp) -> String {
    app.practice_with_admin("Lakeside Clinic")
        .await
        .provider_code()
        .await
}

/// Sends one browser's allowance of wrong codes to `path` as `caller`; each is refused as wrong.
async fn use_up_allowance(caller: &Api, path: &str) {
    for _ in 0..PER_BROWSER {
        let res = caller.post(path, &json!({ "code": WRONG })).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    }
}

/// A well-formed device cookie value nobody was given: 43 characters of base64url.
fn made_up_cookie(n: usize) -> String {
    format!("script{n:037}")
}

async fn one_browsers_wrong_codes_leave_another_browser_on_the_same_address_its_own_allowance(
    app: &TestApp,
    _provider: &MockServer,
) {
    let good = lakeside_code(app).await;
    let tablet = app.browser();
    let csrf = tablet.csrf_for("/register").await;
    assert!(
        tablet.cookie_header().contains("portico_browser="),
        "the page gave the browser its device cookie"
    );
    for _ in 0..PER_BROWSER {
        let res = register_with(&tablet, &csrf, WRONG).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    }
    let refused = register_with(&tablet, &csrf, &good).await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    let page = refused.text().await.unwrap();
    assert!(
        page.contains(
            "Please wait 15 minutes and try again. If you cannot wait, your practice can help."
        ),
        "the page says how long to wait and who can help: {page}"
    );

    // Someone else's phone on the same Wi-Fi registers at once.
    let phone = app.browser();
    let csrf = phone.csrf_for("/register").await;
    let res = register_with(&phone, &csrf, &good).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res), "/register/details");
}

async fn a_script_that_makes_up_device_cookies_is_stopped_at_the_address_limit(
    app: &TestApp,
    _provider: &MockServer,
) {
    let good = lakeside_code(app).await;
    // All at once, each with a cookie of its own: counted before any look-up, so exactly the
    // address's allowance is tried.
    let anon = app.anonymous_api();
    let burst = (0..PER_ADDRESS + 30).map(|n| {
        anon.request(Method::POST, "/public/provider-codes/lookup")
            .header("cookie", format!("portico_browser={}", made_up_cookie(n)))
            .json(&json!({ "code": WRONG }))
    });
    let statuses = Api::all_at_once(burst).await;
    let count = |status| statuses.iter().filter(|s| **s == status).count();
    assert_eq!(
        (
            count(StatusCode::BAD_REQUEST),
            count(StatusCode::TOO_MANY_REQUESTS)
        ),
        (PER_ADDRESS, 30),
        "{statuses:?}"
    );
    // A fresh cookie does not help, nor does a real browser on that address until the wait ends.
    let res = lookup_with_cookie(app, &made_up_cookie(1000), &good).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    let browser = app.browser();
    let csrf = browser.csrf_for("/register").await;
    let res = register_with(&browser, &csrf, &good).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    // Another address is someone else.
    let res = app
        .caller_at("198.51.100.7")
        .post("/public/provider-codes/lookup", &json!({ "code": good }))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
}

async fn a_script_without_cookies_gets_one_browsers_allowance(
    app: &TestApp,
    _provider: &MockServer,
) {
    let good = lakeside_code(app).await;
    let script = app.caller_at("198.51.100.8");
    use_up_allowance(&script, "/public/provider-codes/lookup").await;
    let res = script
        .post("/public/provider-codes/lookup", &json!({ "code": good }))
        .await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    // A browser on that address, with its device cookie, still has its own allowance.
    let res = app
        .anonymous_api()
        .calling_from("198.51.100.8")
        .request(Method::POST, "/public/provider-codes/lookup")
        .header("cookie", format!("portico_browser={}", made_up_cookie(1)))
        .json(&json!({ "code": good }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
}

async fn using_up_one_use_of_codes_leaves_the_other_uses_and_sign_in_open(
    app: &TestApp,
    provider: &MockServer,
) {
    let (lakeside, maria) = app.registered_patient(provider).await;
    let good = lakeside.provider_code().await;

    // "Add provider code" used up: registering from the same address still works.
    use_up_allowance(&maria, "/patient/provider-codes").await;
    let res = maria.add_provider_code(&good).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    let start = |code: String| async move {
        app.anonymous_api()
            .post("/public/registrations", &json!({ "code": code }))
            .await
            .status()
    };
    assert_eq!(start(good.clone()).await, StatusCode::CREATED);

    // Registering used up too: signing in still works.
    use_up_allowance(&app.anonymous_api(), "/public/registrations").await;
    assert_eq!(start(good.clone()).await, StatusCode::TOO_MANY_REQUESTS);
    let res = app.sign_in_patient("maria@example.org", PASSPHRASE).await;
    assert_eq!(res.status(), StatusCode::CREATED);
}

async fn a_right_code_gets_the_same_refusal_as_a_wrong_one_while_the_allowance_is_spent(
    app: &TestApp,
    _provider: &MockServer,
) {
    let good = lakeside_code(app).await;
    let script = &app.caller_at("198.51.100.9");
    use_up_allowance(script, "/public/registrations").await;
    let start = |code: String| async move {
        script
            .post("/public/registrations", &json!({ "code": code }))
            .await
    };
    let refusal = |res: Response| async move {
        let status = res.status();
        let wait = retry_after(&res);
        let problem: Problem = res.json().await.unwrap();
        (status, wait, problem.kind, problem.title, problem.detail)
    };
    let wrong = refusal(start(WRONG.into()).await).await;
    let right = refusal(start(good).await).await;
    assert_eq!(wrong.0, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(
        right, wrong,
        "a right code is refused exactly as a wrong one"
    );
}
