//! `/portal/care/{id}`: the portal of a patient, opened by their caregiver — the practice's
//! cards, and with full access "Add provider code" for one of that practice's providers. The
//! access is checked on every request, so a withdrawn one answers "not found" at once.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use portico_core::caregivers::{self, CaredForView};
use portico_core::links::CodeAdded;
use portico_core::registration::terms;
use portico_core::{CoreError, FieldErrors};
use portico_domain::{CODE_ENTRY_LIMIT, TextLimit, VisitState};

use super::switcher::{self, Whose};
use crate::AppState;
use crate::pages::{FieldErrorsExt as _, render};
use crate::platform::csrf::CsrfForm;
use crate::platform::error::{PageError, WebError};
use crate::platform::limits::{self, Bounded};
use crate::platform::sessions::{PatientPage, PatientSession};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/portal/care/{id}", get(show))
        .route("/portal/care/{id}/provider-codes", post(add_provider_code))
}

#[derive(Template)]
#[template(path = "portal_care.html")]
struct CarePage {
    csrf: String,
    patient_name: String,
    switcher: Vec<Whose>,
    view: CaredForView,
    errors: FieldErrors,
    code: String,
    notice: Option<&'static str>,
    /// The patient's visit requests at this practice, newest first.
    visits: Vec<portico_core::visits::VisitRequest>,
}

#[derive(serde::Deserialize)]
struct ShowQuery {
    #[serde(default)]
    added: Option<String>,
    #[serde(default)]
    already: Option<String>,
    #[serde(default)]
    asked: Option<String>,
}

async fn page(
    state: &AppState,
    session: &PatientSession,
    id: &str,
    errors: FieldErrors,
    code: String,
    notice: Option<&'static str>,
) -> Result<Response, PageError> {
    let p = &session.patient;
    let view = caregivers::cared_for(&state.core, p, id).await?;
    let visits = portico_core::visits::for_cared_for(&state.core, p, id).await?;
    let sharing = caregivers::sharing(&state.core, p).await?;
    let status = match errors.is_empty() {
        true => StatusCode::OK,
        false => StatusCode::UNPROCESSABLE_ENTITY,
    };
    let page = CarePage {
        csrf: session.csrf.clone(),
        patient_name: format!("{} {}", p.first_name, p.last_name),
        switcher: switcher::entries(&sharing, Some(id)),
        view,
        errors,
        code,
        notice,
        visits,
    };
    render(status, &page)
}

async fn show(
    State(state): State<AppState>,
    PatientPage(session): PatientPage,
    Path(id): Path<String>,
    Query(q): Query<ShowQuery>,
) -> Result<Response, PageError> {
    // The caregiver's own account is a patient's of the practice too: its new terms come first.
    if !terms::due(&state.core, &session.patient).await?.is_empty() {
        return Ok(Redirect::to("/portal/terms").into_response());
    }
    let notice = match (q.added, q.already) {
        _ if q.asked.is_some() => Some("The request was sent. The practice's answer shows here."),
        (Some(_), _) => Some("The provider was added."),
        (_, Some(_)) => Some("This provider is already on their visit screen."),
        _ => None,
    };
    page(
        &state,
        &session,
        &id,
        FieldErrors::new(),
        String::new(),
        notice,
    )
    .await
}

#[derive(serde::Deserialize)]
struct CodeForm {
    #[serde(default)]
    code: String,
}

impl Bounded for CodeForm {
    fn fields(&self) -> Vec<(&'static str, &str, TextLimit)> {
        vec![("code", &self.code, CODE_ENTRY_LIMIT)]
    }
}

async fn add_provider_code(
    State(state): State<AppState>,
    PatientPage(session): PatientPage,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<CodeForm>,
) -> Result<Response, PageError> {
    let work = caregivers::add_provider_code_for(&state.core, &session.patient, &id, &form.code);
    match limits::within(&form, work).await {
        Ok((_, CodeAdded::Linked)) => {
            Ok(Redirect::to(&format!("/portal/care/{id}?added=1")).into_response())
        }
        Ok((_, CodeAdded::AlreadyLinked)) => {
            Ok(Redirect::to(&format!("/portal/care/{id}?already=1")).into_response())
        }
        Err(CoreError::Invalid(errors)) => {
            page(&state, &session, &id, errors, form.code, None).await
        }
        Err(
            e @ (CoreError::CodeNotAccepted(_)
            | CoreError::Throttled { .. }
            | CoreError::Conflict(_)),
        ) => {
            let errors = FieldErrors::single("code", WebError::Core(e).public_message());
            page(&state, &session, &id, errors, form.code, None).await
        }
        Err(e) => Err(e.into()),
    }
}
