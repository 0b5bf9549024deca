//! Server-rendered pages. Staff pages live under `/staff`; the first-run set-up page under
//! `/setup`. Each handler extracts, calls one core function and renders; forms keep what was
//! typed (passwords aside) and show each error next to its field.

mod audit;
mod dev_outbox;
mod home;
mod portal;
mod providers;
mod register;
mod setup;
mod sign_in;
mod sign_ups;
mod staff;

use askama::Template;
use axum::Router;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use portico_core::FieldErrors;

use crate::AppState;
use crate::platform::error::{PageError, WebError};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/assets/portico.css", get(stylesheet))
        .route("/assets/password.js", get(password_script))
        .route("/assets/terms.js", get(terms_script))
        .merge(register::routes())
        .merge(portal::routes())
        .merge(home::routes())
        .merge(sign_in::routes())
        .merge(setup::routes())
        .merge(staff::routes())
        .merge(sign_ups::routes())
        .merge(providers::routes())
        .merge(audit::routes())
        .merge(dev_outbox::routes())
}

async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../assets/portico.css"),
    )
        .into_response()
}

fn script(body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        body,
    )
        .into_response()
}

async fn password_script() -> Response {
    script(include_str!("../../assets/password.js"))
}

async fn terms_script() -> Response {
    script(include_str!("../../assets/terms.js"))
}

/// Renders a page with a status.
pub fn render<T: Template>(status: StatusCode, page: &T) -> Result<Response, PageError> {
    let html = page.render().map_err(|e| {
        WebError::Core(portico_core::CoreError::Internal(format!(
            "template failed: {e}"
        )))
    })?;
    Ok((status, Html(html)).into_response())
}

/// Splits a core error into field errors to show on the form, or an error page.
pub fn field_errors(e: portico_core::CoreError) -> Result<FieldErrors, PageError> {
    match e {
        portico_core::CoreError::Invalid(fields) => Ok(fields),
        other => Err(other.into()),
    }
}

/// An `aria-invalid` / error-message helper the templates call through `errors`.
pub trait FieldErrorsExt {
    fn msg(&self, field: &str) -> &str;
    fn has(&self, field: &str) -> bool;
}

impl FieldErrorsExt for FieldErrors {
    fn msg(&self, field: &str) -> &str {
        self.get(field).unwrap_or_default()
    }

    fn has(&self, field: &str) -> bool {
        self.get(field).is_some()
    }
}
