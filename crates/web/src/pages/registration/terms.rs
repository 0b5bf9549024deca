//! The terms-of-use pages (docs/PRODUCT.md §5): the registration's terms step (`/register/terms`), and the
//! page a signed-in patient sees when a practice has published terms they have not accepted yet
//! (`/portal/terms`, before anything else of the portal). Both show `terms.html`, which asks the
//! reader to scroll to the end before accepting.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum_extra::extract::cookie::CookieJar;
use portico_core::CoreError;
use portico_core::registration::terms::{self, Terms};
use portico_core::registration::{self, Step};

use super::{finish, step_path, ticket};
use crate::AppState;
use crate::pages::render;
use crate::platform::csrf::{CsrfForm, anonymous_csrf};
use crate::platform::error::PageError;
use crate::platform::request::Client;
use crate::platform::sessions::PatientPage;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/register/terms", get(terms_page).post(accept_terms))
        .route("/portal/terms", get(due_page).post(accept_due))
}

/// The terms page, for registration (`step` 3) and for signed-in patients (`step` 0).
#[derive(Template)]
#[template(path = "terms.html")]
struct TermsPage {
    csrf: String,
    terms: Terms,
    step: u8,
    consent_required: bool,
    action: &'static str,
    error: Option<String>,
}

async fn terms_page(State(state): State<AppState>, jar: CookieJar) -> Result<Response, PageError> {
    let view = registration::view(&state.core, &ticket(&state, &jar)?).await?;
    let Some(terms) = view.terms.clone().filter(|_| view.next == Step::Terms) else {
        return Ok(Redirect::to(step_path(view.next)).into_response());
    };
    let (jar, csrf) = anonymous_csrf(&state, jar);
    let page = TermsPage {
        csrf,
        terms,
        step: 3,
        consent_required: view.consent_required,
        action: "/register/terms",
        error: None,
    };
    Ok((jar, render(StatusCode::OK, &page)?).into_response())
}

#[derive(serde::Deserialize)]
struct TermsForm {
    #[serde(default)]
    version: i64,
}

async fn accept_terms(
    State(state): State<AppState>,
    Client(client): Client,
    jar: CookieJar,
    CsrfForm(form): CsrfForm<TermsForm>,
) -> Result<Response, PageError> {
    let ticket = ticket(&state, &jar)?;
    match registration::accept_terms(&state.core, &ticket, form.version, &client).await {
        Ok(view) if view.next == Step::Complete => finish(&state, jar, &ticket, &client).await,
        Ok(view) => Ok(Redirect::to(step_path(view.next)).into_response()),
        // A new version was published while the page was open: show it.
        Err(CoreError::Conflict(_)) => Ok(Redirect::to("/register/terms").into_response()),
        Err(e) => Err(e.into()),
    }
}

async fn due_page(
    State(state): State<AppState>,
    PatientPage(session): PatientPage,
) -> Result<Response, PageError> {
    let Some(terms) = terms::due(&state.core, &session.patient)
        .await?
        .into_iter()
        .next()
    else {
        return Ok(Redirect::to("/portal").into_response());
    };
    let page = TermsPage {
        csrf: session.csrf,
        terms,
        step: 0,
        consent_required: false,
        action: "/portal/terms",
        error: None,
    };
    render(StatusCode::OK, &page)
}

#[derive(serde::Deserialize)]
struct PracticeTermsForm {
    #[serde(default)]
    practice_id: String,
    #[serde(default)]
    version: i64,
}

async fn accept_due(
    State(state): State<AppState>,
    PatientPage(session): PatientPage,
    CsrfForm(form): CsrfForm<PracticeTermsForm>,
) -> Result<Response, PageError> {
    match terms::accept(
        &state.core,
        &session.patient,
        &form.practice_id,
        form.version,
    )
    .await
    {
        // Accepted, or superseded by a newer version meanwhile: either way, back to what is due.
        Ok(()) | Err(CoreError::Conflict(_)) => Ok(Redirect::to("/portal").into_response()),
        Err(e) => Err(e.into()),
    }
}
