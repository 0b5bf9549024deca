//! The bodies of error responses, written last, once the request id is known: a problem
//! document gets the request's path and id and becomes `application/problem+json`; an error page
//! is rendered with the request id as a reference, in the staff page frame with its navigation
//! (`chrome`) under `/staff`, `/setup` and `/dev`, and in the patients' frame everywhere else (a
//! patient who mistypes an address is sent back to the patients' door, not to staff sign-in). What each error means — status, problem type, the sentence people read — is decided
//! in `error`; this module only writes it out.

use askama::Template;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};

use super::chrome::Chrome;
use super::error::{ErrorPage, Problem};

#[derive(Template)]
#[template(path = "error.html")]
struct StaffErrorTemplate<'a> {
    chrome: Option<Chrome>,
    heading: &'a str,
    message: &'a str,
    request_id: &'a str,
}

#[derive(Template)]
#[template(path = "patient_error.html")]
struct PatientErrorTemplate<'a> {
    heading: &'a str,
    message: &'a str,
    request_id: &'a str,
}

/// Whether `path` is a staff page's, whose errors show the staff navigation.
fn is_staff(path: &str) -> bool {
    ["/staff", "/setup", "/dev"]
        .iter()
        .any(|p| path == *p || path.starts_with(&format!("{p}/")))
}

/// Writes the bodies of error responses, adding the request id (and, for problems, the path).
pub async fn finish_errors(req: Request, next: Next) -> Response {
    let path = req.uri().path().to_owned();
    let request_id = req
        .headers()
        .get(crate::REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let mut res = next.run(req).await;
    if let Some(mut problem) = res.extensions_mut().remove::<Problem>() {
        problem.instance = Some(path);
        problem.request_id = Some(request_id);
        let body = serde_json::to_vec(&problem).unwrap_or_default();
        let (mut parts, _) = res.into_parts();
        parts.headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        return Response::from_parts(parts, body.into());
    }
    if let Some(page) = res.extensions_mut().remove::<ErrorPage>() {
        let heading = match page.status {
            StatusCode::NOT_FOUND => "Page not found",
            StatusCode::FORBIDDEN => "Not allowed",
            StatusCode::TOO_MANY_REQUESTS => "Please wait a moment",
            StatusCode::GONE => "This link has expired",
            StatusCode::PAYLOAD_TOO_LARGE => "That was too much to send",
            StatusCode::REQUEST_TIMEOUT => "That took too long",
            s if s.is_server_error() => "Something went wrong",
            _ => "That did not work",
        };
        let rendered = if is_staff(&path) {
            StaffErrorTemplate {
                chrome: Some(Chrome::navigation_only()),
                heading,
                message: &page.message,
                request_id: &request_id,
            }
            .render()
        } else {
            PatientErrorTemplate {
                heading,
                message: &page.message,
                request_id: &request_id,
            }
            .render()
        };
        let html = rendered.unwrap_or_else(|_| page.message.clone());
        let (parts, _) = res.into_parts();
        return (parts, Html(html)).into_response();
    }
    res
}
