//! `/portal/messages`: the patient's conversations with their practices' staff, latest first,
//! with what is unread; `/portal/messages/{id}` reads one (marking it read) and answers it.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use portico_core::threads::{self, ReplyInput, ThreadSummary, ThreadView};
use portico_core::{CoreError, FieldErrors};

use crate::AppState;
use crate::pages::{FieldErrorsExt as _, render};
use crate::platform::csrf::CsrfForm;
use crate::platform::error::PageError;
use crate::platform::limits;
use crate::platform::sessions::{PatientPage, PatientSession};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/portal/messages", get(inbox))
        .route("/portal/messages/{id}", get(show).post(reply))
}

#[derive(Template)]
#[template(path = "portal_messages.html")]
struct InboxPage {
    csrf: String,
    patient_name: String,
    threads: Vec<ThreadSummary>,
}

#[derive(Template)]
#[template(path = "portal_thread.html")]
struct ThreadPage {
    csrf: String,
    patient_name: String,
    thread: ThreadView,
    typed: String,
    errors: FieldErrors,
    action: String,
}

fn name(session: &PatientSession) -> String {
    format!(
        "{} {}",
        session.patient.first_name, session.patient.last_name
    )
}

/// New terms come first, as on every portal page (docs/PRODUCT.md §5).
async fn terms_first(
    state: &AppState,
    session: &PatientSession,
) -> Result<Option<Response>, PageError> {
    let due = portico_core::registration::terms::due(&state.core, &session.patient).await?;
    Ok((!due.is_empty()).then(|| Redirect::to("/portal/terms").into_response()))
}

async fn inbox(
    State(state): State<AppState>,
    PatientPage(session): PatientPage,
) -> Result<Response, PageError> {
    if let Some(terms) = terms_first(&state, &session).await? {
        return Ok(terms);
    }
    let page = InboxPage {
        csrf: session.csrf.clone(),
        patient_name: name(&session),
        threads: threads::patient_inbox(&state.core, &session.patient).await?,
    };
    render(StatusCode::OK, &page)
}

async fn thread_page(
    state: &AppState,
    session: &PatientSession,
    id: &str,
    typed: String,
    errors: FieldErrors,
) -> Result<Response, PageError> {
    let thread = threads::patient_thread(&state.core, &session.patient, id).await?;
    let status = match errors.is_empty() {
        true => StatusCode::OK,
        false => StatusCode::UNPROCESSABLE_ENTITY,
    };
    let page = ThreadPage {
        csrf: session.csrf.clone(),
        patient_name: name(session),
        thread,
        typed,
        errors,
        action: format!("/portal/messages/{id}"),
    };
    render(status, &page)
}

async fn show(
    State(state): State<AppState>,
    PatientPage(session): PatientPage,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    if let Some(terms) = terms_first(&state, &session).await? {
        return Ok(terms);
    }
    thread_page(&state, &session, &id, String::new(), FieldErrors::new()).await
}

async fn reply(
    State(state): State<AppState>,
    PatientPage(session): PatientPage,
    Path(id): Path<String>,
    CsrfForm(input): CsrfForm<ReplyInput>,
) -> Result<Response, PageError> {
    let work = threads::patient_reply(&state.core, &session.patient, &id, &input);
    match limits::within(&input, work).await {
        Ok(_) => Ok(Redirect::to(&format!("/portal/messages/{id}#latest")).into_response()),
        Err(CoreError::Invalid(errors)) => {
            thread_page(&state, &session, &id, input.body, errors).await
        }
        Err(e) => Err(e.into()),
    }
}
