//! `/staff/messages`: the signed-in staff member's conversations, latest first, with what is
//! unread; `/staff/messages/new?patient=…` starts one (from the patient's record);
//! `/staff/messages/{id}` reads one and answers it. A refused message comes back beside its
//! field with what was typed kept.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use portico_core::threads::{self, NewThreadInput, ReplyInput, ThreadSummary, ThreadView};
use portico_core::{CoreError, FieldErrors};

use crate::AppState;
use crate::pages::{FieldErrorsExt as _, render};
use crate::platform::chrome::Chrome;
use crate::platform::csrf::CsrfForm;
use crate::platform::error::{PageError, WebError};
use crate::platform::limits;
use crate::platform::sessions::{PageSession, StaffSession};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/staff/messages", get(inbox).post(start))
        .route("/staff/messages/new", get(new))
        .route("/staff/messages/{id}", get(show).post(reply))
}

#[derive(Template)]
#[template(path = "staff_messages.html")]
struct InboxPage {
    chrome: Option<Chrome>,
    threads: Vec<ThreadSummary>,
}

#[derive(Template)]
#[template(path = "staff_message_new.html")]
struct NewPage {
    chrome: Option<Chrome>,
    patient_name: String,
    input: NewThreadInput,
    errors: FieldErrors,
}

#[derive(Template)]
#[template(path = "staff_thread.html")]
struct ThreadPage {
    chrome: Option<Chrome>,
    thread: ThreadView,
    typed: String,
    errors: FieldErrors,
}

impl ThreadPage {
    fn reply_action(&self) -> String {
        format!("/staff/messages/{}", self.thread.summary.id)
    }
}

async fn inbox(
    State(state): State<AppState>,
    PageSession(session): PageSession,
) -> Result<Response, PageError> {
    let page = InboxPage {
        chrome: Some(Chrome::of(&session)),
        threads: threads::staff_inbox(&state.core, &session.actor).await?,
    };
    render(StatusCode::OK, &page)
}

#[derive(serde::Deserialize)]
struct NewQuery {
    #[serde(default)]
    patient: String,
}

async fn new_page(
    state: &AppState,
    session: &StaffSession,
    input: NewThreadInput,
    errors: FieldErrors,
) -> Result<Response, PageError> {
    let record =
        portico_core::patients::record(&state.core, &session.actor, &input.patient_id).await?;
    let status = match errors.is_empty() {
        true => StatusCode::OK,
        false => StatusCode::UNPROCESSABLE_ENTITY,
    };
    let page = NewPage {
        chrome: Some(Chrome::of(session)),
        patient_name: format!("{} {}", record.patient.first_name, record.patient.last_name),
        input,
        errors,
    };
    render(status, &page)
}

async fn new(
    State(state): State<AppState>,
    PageSession(session): PageSession,
    Query(q): Query<NewQuery>,
) -> Result<Response, PageError> {
    let input = NewThreadInput {
        patient_id: q.patient,
        ..NewThreadInput::default()
    };
    new_page(&state, &session, input, FieldErrors::new()).await
}

async fn start(
    State(state): State<AppState>,
    PageSession(session): PageSession,
    CsrfForm(input): CsrfForm<NewThreadInput>,
) -> Result<Response, PageError> {
    let work = threads::start(&state.core, &session.actor, &input);
    match limits::within(&input, work).await {
        Ok(thread) => {
            Ok(Redirect::to(&format!("/staff/messages/{}", thread.summary.id)).into_response())
        }
        Err(CoreError::Invalid(errors)) => new_page(&state, &session, input, errors).await,
        Err(e @ CoreError::Conflict(_)) => {
            let errors = FieldErrors::single("body", WebError::Core(e).public_message());
            new_page(&state, &session, input, errors).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn thread_page(
    state: &AppState,
    session: &StaffSession,
    id: &str,
    typed: String,
    errors: FieldErrors,
) -> Result<Response, PageError> {
    let thread = threads::staff_thread(&state.core, &session.actor, id).await?;
    let status = match errors.is_empty() {
        true => StatusCode::OK,
        false => StatusCode::UNPROCESSABLE_ENTITY,
    };
    let page = ThreadPage {
        chrome: Some(Chrome::of(session)),
        thread,
        typed,
        errors,
    };
    render(status, &page)
}

async fn show(
    State(state): State<AppState>,
    PageSession(session): PageSession,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    thread_page(&state, &session, &id, String::new(), FieldErrors::new()).await
}

async fn reply(
    State(state): State<AppState>,
    PageSession(session): PageSession,
    Path(id): Path<String>,
    CsrfForm(input): CsrfForm<ReplyInput>,
) -> Result<Response, PageError> {
    let work = threads::staff_reply(&state.core, &session.actor, &id, &input);
    match limits::within(&input, work).await {
        Ok(_) => Ok(Redirect::to(&format!("/staff/messages/{id}#latest")).into_response()),
        Err(CoreError::Invalid(errors)) => {
            thread_page(&state, &session, &id, input.body, errors).await
        }
        Err(e @ CoreError::Conflict(_)) => {
            let errors = FieldErrors::single("body", WebError::Core(e).public_message());
            thread_page(&state, &session, &id, input.body, errors).await
        }
        Err(e) => Err(e.into()),
    }
}
