//! The one place where errors become responses: RFC 9457 problem documents for the API, calm
//! HTML pages (or a redirect to sign in) for people. Handlers return `ApiError` or `PageError`;
//! each error's status, problem type and the sentence people read are decided here. The bodies
//! are written by `error_bodies` once the request id is known (it adds the request id and path so
//! every error can be traced without logging personal data). This module uses nothing else of
//! the crate, so every other module may use it.

use std::time::Duration;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use portico_core::{CodeKind, CoreError, FieldError};
use serde::Serialize;

/// What went wrong, before it is known whether a page or a problem document is wanted.
#[derive(Debug, thiserror::Error)]
pub enum WebError {
    #[error(transparent)]
    Core(#[from] CoreError),
    #[error("sign-in required")]
    SignInRequired,
    /// A patient page or API call without a patient session.
    #[error("sign-in required")]
    PatientSignInRequired,
    /// A portal page without a patient session: sign in, then come back to this path (one that
    /// `return_to::after_sign_in` takes).
    #[error("sign-in required")]
    PatientSignInThen(String),
    #[error("the form's security token is missing or does not match")]
    CsrfRejected,
    #[error("not found")]
    NotFound,
    #[error("the request body could not be read: {0}")]
    MalformedBody(String),
    /// The query string does not fit the endpoint's parameters (e.g. `limit=abc`).
    #[error("The query string could not be read: {0}")]
    MalformedQuery(String),
    /// A part of the path is not what the route takes (e.g. `%FF`, which is not UTF-8 text).
    #[error("The address could not be read: {0}")]
    MalformedPath(String),
    /// A body was sent without saying it is JSON.
    #[error("Send the request body as JSON, with `Content-Type: application/json`.")]
    UnsupportedMediaType,
    /// The address exists but does not take this method (named when it is a standard one); the
    /// response's `Allow` lists those it takes.
    #[error(
        "This address does not take {} requests; the Allow header lists the methods it takes.",
        .0.as_deref().unwrap_or("such")
    )]
    MethodNotAllowed(Option<String>),
    #[error("The request is too large: send at most {max} bytes.")]
    BodyTooLarge { max: usize },
    #[error("The request took too long to arrive. Please try again.")]
    BodyTimeout,
}

impl WebError {
    pub(crate) fn status(&self) -> StatusCode {
        match self {
            WebError::Core(e) => match e {
                CoreError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
                CoreError::NotFound => StatusCode::NOT_FOUND,
                CoreError::Forbidden | CoreError::AccessEnded => StatusCode::FORBIDDEN,
                CoreError::SignInFailed => StatusCode::UNAUTHORIZED,
                CoreError::Throttled { .. } | CoreError::Locked => StatusCode::TOO_MANY_REQUESTS,
                CoreError::SetupLinkInvalid | CoreError::RegistrationExpired => StatusCode::GONE,
                CoreError::Conflict(_) => StatusCode::CONFLICT,
                CoreError::CodeNotAccepted(_) => StatusCode::BAD_REQUEST,
                CoreError::Store(_) | CoreError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            },
            WebError::SignInRequired
            | WebError::PatientSignInRequired
            | WebError::PatientSignInThen(_) => StatusCode::UNAUTHORIZED,
            WebError::CsrfRejected => StatusCode::FORBIDDEN,
            WebError::NotFound => StatusCode::NOT_FOUND,
            WebError::MalformedBody(_)
            | WebError::MalformedQuery(_)
            | WebError::MalformedPath(_) => StatusCode::BAD_REQUEST,
            WebError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            WebError::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            WebError::BodyTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            WebError::BodyTimeout => StatusCode::REQUEST_TIMEOUT,
        }
    }

    /// A sentence for the person on the other end; internal details stay in the log.
    pub(crate) fn public_message(&self) -> String {
        match self {
            WebError::Core(CoreError::Store(_) | CoreError::Internal(_)) => {
                "Something went wrong on our side. Nothing you entered was saved; please try again.".into()
            }
            WebError::Core(CoreError::Invalid(_)) => "Some fields need your attention.".into(),
            WebError::Core(CoreError::NotFound) | WebError::NotFound => "There is nothing at this address.".into(),
            // While a limit holds, this is the whole answer, right code or wrong: anything more
            // would tell a guesser which of their codes is right.
            WebError::Core(CoreError::Throttled { retry_after }) => format!(
                "Too many attempts. Please wait {} and try again. If you cannot wait, your \
                 practice can help.",
                minutes(*retry_after)
            ),
            WebError::Core(CoreError::Locked) => "Sign-in to this account is paused after too many failed \
                attempts. Reset your password to open it again, or ask your practice's admin."
                .into(),
            WebError::Core(CoreError::CodeNotAccepted(kind)) => match kind {
                CodeKind::Invite => "We could not accept this code with this date of birth. Check both and try again, \
                                     or contact your doctor's office for a new invitation."
                    .into(),
                CodeKind::Provider => "Please check the 6-character code you received from your doctor's office.".into(),
                CodeKind::Signup => "Please check the sign-up code you received from your doctor's office.".into(),
                CodeKind::Registration => "Please check the code you received from your doctor's office: the \
                                           6-character provider code, or your program's sign-up code."
                    .into(),
            },
            WebError::CsrfRejected => {
                "This form has expired or did not come from Portico. Go back, reload the page and try again.".into()
            }
            other => other.to_string(),
        }
    }

    fn retry_after(&self) -> Option<Duration> {
        match self {
            WebError::Core(CoreError::Throttled { retry_after }) => Some(*retry_after),
            _ => None,
        }
    }

    fn log_if_internal(&self) {
        if self.status().is_server_error() {
            // Core and store errors carry no row data, so they are safe to log in full.
            tracing::error!(error = %self, "request failed");
        }
    }
}

fn minutes(d: Duration) -> String {
    let m = d.as_secs().div_ceil(60).max(1);
    if m == 1 {
        "a minute".into()
    } else {
        format!("{m} minutes")
    }
}

/// An RFC 9457 problem document.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// What kind of problem, e.g. `/problems/invalid-fields`; `about:blank` when the status says it all.
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub title: &'static str,
    pub status: u16,
    /// A sentence for the person on the other end.
    pub detail: String,
    /// The path of the request.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instance: Option<String>,
    /// The request's id, as in the service's logs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// Each invalid field, for `/problems/invalid-fields`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

/// An error answered as `application/problem+json`.
#[derive(Debug)]
pub struct ApiError(pub WebError);

impl<E: Into<WebError>> From<E> for ApiError {
    fn from(e: E) -> Self {
        ApiError(e.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let e = self.0;
        e.log_if_internal();
        let status = e.status();
        let (kind, title) = match &e {
            WebError::Core(CoreError::Invalid(_)) => {
                ("/problems/invalid-fields", "Some fields are not valid")
            }
            WebError::Core(CoreError::Throttled { .. } | CoreError::Locked) => {
                ("/problems/too-many-attempts", "Too many attempts")
            }
            WebError::Core(CoreError::SignInFailed)
            | WebError::SignInRequired
            | WebError::PatientSignInRequired
            | WebError::PatientSignInThen(_) => ("/problems/unauthenticated", "Sign-in required"),
            WebError::CsrfRejected => ("/problems/csrf", "Missing or wrong CSRF token"),
            WebError::Core(CoreError::CodeNotAccepted(_)) => {
                ("/problems/code-not-accepted", "Code not accepted")
            }
            WebError::Core(CoreError::Conflict(_)) => {
                ("/problems/state-conflict", "Not possible in this state")
            }
            WebError::Core(CoreError::RegistrationExpired) => {
                ("/problems/registration-expired", "Registration expired")
            }
            WebError::Core(CoreError::AccessEnded) => ("/problems/access-ended", "Access ended"),
            WebError::BodyTooLarge { .. } => ("/problems/body-too-large", "Request too large"),
            WebError::BodyTimeout => ("/problems/body-timeout", "Request too slow"),
            _ => ("about:blank", status.canonical_reason().unwrap_or("Error")),
        };
        let errors = match &e {
            WebError::Core(CoreError::Invalid(fields)) => fields.iter().cloned().collect(),
            _ => Vec::new(),
        };
        let problem = Problem {
            kind,
            title,
            status: status.as_u16(),
            detail: e.public_message(),
            instance: None,
            request_id: None,
            errors,
        };
        let mut res = status.into_response();
        if let Some(after) = e.retry_after() {
            res.headers_mut().insert(
                header::RETRY_AFTER,
                HeaderValue::from(after.as_secs().max(1)),
            );
        }
        res.extensions_mut().insert(problem);
        res
    }
}

/// An error answered with an HTML page (or a redirect to sign in).
#[derive(Debug)]
pub struct PageError(pub WebError);

impl<E: Into<WebError>> From<E> for PageError {
    fn from(e: E) -> Self {
        PageError(e.into())
    }
}

/// The error page to show, left on the response for `error_bodies` to render once the request
/// id is known.
#[derive(Debug, Clone)]
pub(crate) struct ErrorPage {
    pub status: StatusCode,
    pub message: String,
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let e = self.0;
        if matches!(e, WebError::SignInRequired) {
            return Redirect::to("/staff/sign-in").into_response();
        }
        if matches!(e, WebError::PatientSignInRequired) {
            return Redirect::to("/portal/sign-in").into_response();
        }
        if let WebError::PatientSignInThen(next) = &e {
            // `next` is letters, digits, `/`, `-` and `_` only: nothing to escape.
            return Redirect::to(&format!("/portal/sign-in?next={next}")).into_response();
        }
        if matches!(e, WebError::Core(CoreError::RegistrationExpired)) {
            return Redirect::to("/register?expired=1").into_response();
        }
        e.log_if_internal();
        let status = e.status();
        let mut res = status.into_response();
        if let Some(after) = e.retry_after() {
            res.headers_mut().insert(
                header::RETRY_AFTER,
                HeaderValue::from(after.as_secs().max(1)),
            );
        }
        res.extensions_mut().insert(ErrorPage {
            status,
            message: e.public_message(),
        });
        res
    }
}

/// Whether `path` is the API's, whose errors are problem documents (pages get error pages).
pub(crate) fn is_api(path: &str) -> bool {
    path == "/api" || path.starts_with("/api/")
}

/// The answer for any address nothing else answers: a problem under `/api`, a page elsewhere.
pub async fn not_found(uri: axum::http::Uri) -> Response {
    if is_api(uri.path()) {
        ApiError(WebError::NotFound).into_response()
    } else {
        PageError(WebError::NotFound).into_response()
    }
}
