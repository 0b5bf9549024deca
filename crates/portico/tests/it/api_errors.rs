//! Every error under `/api` is an RFC 9457 problem document, whatever went wrong: a path
//! parameter that cannot be read, a method the address does not take, a query string that does
//! not fit, a body that is not JSON. Pages keep their own errors.

use reqwest::header::{ALLOW, CONTENT_TYPE};
use reqwest::{Method, Response, StatusCode};
use serde_json::{Value, json};

use crate::common::{TestApp, on_both};

on_both!(
    an_unknown_api_address_is_a_404_problem_whatever_the_method,
    a_path_parameter_that_is_not_text_is_a_problem_naming_it,
    a_method_the_address_does_not_take_is_a_405_problem_with_allow,
    a_query_string_that_does_not_fit_is_a_problem_about_the_query_string,
    a_body_sent_without_the_json_content_type_is_a_415_problem,
);

/// The problem document of `res`, after checking its status and content type.
async fn read_problem(res: Response, status: StatusCode) -> Value {
    assert_eq!(res.status(), status);
    assert_eq!(res.headers()[CONTENT_TYPE], "application/problem+json");
    let request_id = res.headers()["x-request-id"].to_str().unwrap().to_owned();
    let problem: Value = res.json().await.expect("a problem is JSON");
    assert_eq!(problem["status"], status.as_u16());
    assert_eq!(problem["request_id"], request_id.as_str());
    problem
}

async fn an_unknown_api_address_is_a_404_problem_whatever_the_method(app: &TestApp) {
    let client = &app.anonymous_api().client;
    for (method, path) in [
        (Method::GET, "/api/v2/programs"),
        (Method::POST, "/api/v1/programs/one/two"),
        (Method::DELETE, "/api/nothing"),
        (Method::GET, "/api"),
    ] {
        let res = client
            .request(method, format!("{}{path}", app.url))
            .send()
            .await
            .unwrap();
        let problem = read_problem(res, StatusCode::NOT_FOUND).await;
        assert_eq!(problem["instance"], path);
    }
}

async fn a_path_parameter_that_is_not_text_is_a_problem_naming_it(app: &TestApp) {
    let api = app.integrator("Path Clinic", "path@clinic.example").await;
    // `%FF` decodes to a byte that is not UTF-8: axum's own answer was plain text.
    let res = api.get("/programs/%FF").await;
    let problem = read_problem(res, StatusCode::BAD_REQUEST).await;
    assert_eq!(problem["instance"], "/api/v1/programs/%FF");
    let detail = problem["detail"].as_str().unwrap();
    assert!(
        detail.contains("address") && detail.contains("`id`"),
        "{detail}"
    );

    let res = api
        .request(Method::PUT, "/templates/invite_sms/%FF")
        .json(&json!({ "body": "Hi" }))
        .send()
        .await
        .unwrap();
    read_problem(res, StatusCode::BAD_REQUEST).await;
}

async fn a_method_the_address_does_not_take_is_a_405_problem_with_allow(app: &TestApp) {
    let api = app
        .integrator("Method Clinic", "method@clinic.example")
        .await;
    let res = api.delete("/invitations").await;
    let allow = res.headers()[ALLOW].to_str().unwrap().to_owned();
    let problem = read_problem(res, StatusCode::METHOD_NOT_ALLOWED).await;
    let methods: Vec<&str> = allow.split(',').map(str::trim).collect();
    assert!(
        methods.contains(&"GET") && methods.contains(&"POST") && !methods.contains(&"DELETE"),
        "{allow}"
    );
    assert!(
        problem["detail"].as_str().unwrap().contains("DELETE"),
        "{problem}"
    );

    // The same without credentials (the method is refused before anyone is asked for), and for
    // the document itself.
    let anonymous = app.anonymous_api();
    let res = anonymous
        .request(Method::PATCH, "/public/passphrase")
        .send()
        .await
        .unwrap();
    read_problem(res, StatusCode::METHOD_NOT_ALLOWED).await;
    let res = anonymous
        .client
        .post(format!("{}/api/openapi.json", app.url))
        .send()
        .await
        .unwrap();
    assert!(res.headers()[ALLOW].to_str().unwrap().contains("GET"));
    read_problem(res, StatusCode::METHOD_NOT_ALLOWED).await;

    // Pages are not the API: no problem document there.
    let page = anonymous
        .client
        .delete(format!("{}/register", app.url))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_ne!(
        page.headers()
            .get(CONTENT_TYPE)
            .map(|v| v.to_str().unwrap()),
        Some("application/problem+json")
    );
}

async fn a_query_string_that_does_not_fit_is_a_problem_about_the_query_string(app: &TestApp) {
    let api = app.integrator("Query Clinic", "query@clinic.example").await;
    let res = api.get("/invitations?limit=abc").await;
    let problem = read_problem(res, StatusCode::BAD_REQUEST).await;
    let detail = problem["detail"].as_str().unwrap();
    assert!(
        detail.starts_with("The query string could not be read") && detail.contains("limit"),
        "{detail}"
    );
    assert!(!detail.contains("body"), "{detail}");

    // A number out of bounds is read, then refused naming the parameter.
    let res = api.get("/invitations?limit=0").await;
    let problem = read_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(problem["errors"][0]["field"], "limit");
}

async fn a_body_sent_without_the_json_content_type_is_a_415_problem(app: &TestApp) {
    let api = app.integrator("Type Clinic", "type@clinic.example").await;
    let res = api
        .request(Method::POST, "/providers")
        .header(CONTENT_TYPE, "text/plain")
        .body(r#"{"display_name": "Dr. Plain"}"#)
        .send()
        .await
        .unwrap();
    let problem = read_problem(res, StatusCode::UNSUPPORTED_MEDIA_TYPE).await;
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("application/json"),
        "{problem}"
    );
    let res = app
        .anonymous_api()
        .request(Method::POST, "/public/provider-codes/lookup")
        .body(r#"{"code": "K7M2QX"}"#)
        .send()
        .await
        .unwrap();
    read_problem(res, StatusCode::UNSUPPORTED_MEDIA_TYPE).await;
}
