//! Request bodies at the edge: a body may be at most [`MAX_BODY`] bytes and must arrive within the
//! configured time. A request that declares a longer `Content-Length` is refused at once, before a
//! byte of its body is read; a longer body sent without one is cut off when it passes the limit; a
//! body that trickles in too slowly is refused with 408. Everything after this layer sees a body
//! that is complete and small.
//!
//! It reads bodies and nothing else: no parsing, no routing.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http_body_util::{BodyExt, LengthLimitError, Limited};

use super::error::{self, ApiError, PageError, WebError};
use crate::AppState;

/// The largest request body accepted: far above any form or JSON document the service takes.
pub const MAX_BODY: usize = 2 * 1024 * 1024;

/// The largest upload body: a scanned consent form is at most 5 MB, and a larger one (a phone's
/// photo, say) up to this size is still read, so that the form can say so beside its field.
pub const MAX_UPLOAD: usize = 16 * 1024 * 1024;

/// The body limit of a request: [`MAX_UPLOAD`] for the page and the API route that take a consent
/// scan, for the posting of a thread message (which may carry a file: a form upload on the
/// pages, base64 in the API's JSON) and for a patient file to import (about 150,000 CSV rows;
/// larger files go through `portico import`), else [`MAX_BODY`].
fn limit_for(path: &str) -> usize {
    let scan_page = path.starts_with("/staff/patients/") && path.ends_with("/consent-scan");
    let scan_api = path.starts_with("/api/v1/patients/") && path.ends_with("/consent-scans");
    if scan_page || scan_api || is_thread_post(path) || path == "/staff/imports" {
        MAX_UPLOAD
    } else {
        MAX_BODY
    }
}

/// A conversation's page, which its reply form posts to (`/staff/messages/{id}`,
/// `/portal/messages/{id}`, `/portal/care/{access}/messages/{id}`), or the API's
/// `…/threads/{id}/messages`.
fn is_thread_post(path: &str) -> bool {
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    match segments.as_slice() {
        ["staff" | "portal", "messages", id] => *id != "new",
        ["portal", "care", _, "messages", _] => true,
        ["api", "v1", .., "threads", _, "messages"] => true,
        _ => false,
    }
}

/// Reads the whole body within the limits, or answers 413 / 408 without calling the handler.
pub async fn bounded(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    let api = error::is_api(req.uri().path());
    let max = limit_for(req.uri().path());
    if declared.is_some_and(|n| n > max as u64) {
        return refuse(api, WebError::BodyTooLarge { max });
    }
    let (parts, body) = req.into_parts();
    let read = Limited::new(body, max).collect();
    let bytes = match tokio::time::timeout(state.settings.body_timeout, read).await {
        Err(_) => return refuse(api, WebError::BodyTimeout),
        Ok(Err(e)) if e.downcast_ref::<LengthLimitError>().is_some() => {
            return refuse(api, WebError::BodyTooLarge { max });
        }
        Ok(Err(e)) => return refuse(api, WebError::MalformedBody(e.to_string())),
        Ok(Ok(collected)) => collected.to_bytes(),
    };
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

fn refuse(api: bool, e: WebError) -> Response {
    let mut res = if api {
        ApiError(e).into_response()
    } else {
        PageError(e).into_response()
    };
    // The rest of a refused body is not read: the connection cannot be reused.
    res.headers_mut().insert(
        header::CONNECTION,
        header::HeaderValue::from_static("close"),
    );
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_scans_thread_messages_and_imports_take_uploads() {
        for path in [
            "/staff/imports",
            "/staff/patients/p1/consent-scan",
            "/api/v1/patients/p1/consent-scans",
            "/staff/messages/t1",
            "/portal/messages/t1",
            "/portal/care/a1/messages/t1",
            "/api/v1/threads/t1/messages",
            "/api/v1/patient/threads/t1/messages",
            "/api/v1/patient/cared-for/a1/threads/t1/messages",
        ] {
            assert_eq!(limit_for(path), MAX_UPLOAD, "{path}");
        }
        for path in [
            "/staff/messages",
            "/staff/messages/new",
            "/staff/imports/i1/run",
            "/portal/messages",
            "/api/v1/threads",
            "/api/v1/invitations",
            "/portal/register",
        ] {
            assert_eq!(limit_for(path), MAX_BODY, "{path}");
        }
    }
}
