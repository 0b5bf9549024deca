//! Server-rendered pages, one folder or file per feature, named as in `portico_core`:
//! `registration` (the entry with an invite or sign-up code, then one page per step, and the terms
//! pages), `accounts` (staff and patient sign-in and sign-out, a patient's forgotten password),
//! `links` (the patient's visit screen, staff's sign-ups awaiting approval), `patients` (the
//! practice's patient list and records, end-dating), `practices` (the
//! staff home page, staff members, providers, first-run set-up), `audit` (the audit trail) and
//! `delivery` (message templates, the development outbox); `assets` serves the stylesheet and scripts. Staff pages
//! live under `/staff` (and `/setup`, `/dev`), patients' under `/register`, `/i` and `/portal`.
//!
//! Each handler extracts, calls one core function and renders with [`render`]; forms keep what
//! was typed (passwords aside) and show each error next to its field ([`field_errors`],
//! [`FieldErrorsExt`]). Sessions, CSRF and the error page are `platform`'s; no page imports
//! another feature's page.

pub(crate) mod accounts;
mod assets;
mod audit;
pub(crate) mod caregivers;
mod codes;
mod delivery;
mod imports;
mod intake_forms;
mod invitations;
mod links;
pub(crate) mod patients;
mod practices;
mod programs;
mod registration;
mod threads;
mod visits;

use askama::Template;
use axum::Router;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use portico_core::FieldErrors;

use crate::AppState;
use crate::platform::error::{PageError, WebError};

pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(assets::routes())
        .merge(registration::routes())
        .merge(accounts::routes())
        .merge(invitations::routes())
        .merge(links::routes())
        .merge(patients::routes())
        .merge(caregivers::routes())
        .merge(visits::routes())
        .merge(threads::routes())
        .merge(intake_forms::routes())
        .merge(imports::routes())
        .merge(practices::routes())
        .merge(audit::routes())
        .merge(delivery::routes())
        .merge(codes::routes())
        .merge(programs::routes())
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
