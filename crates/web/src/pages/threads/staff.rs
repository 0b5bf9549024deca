//! `/staff/messages`: the signed-in staff member's conversations, latest first, with what is
//! unread; `/staff/messages/new?patient=…` starts one (from the patient's record);
//! `/staff/messages/{id}` reads one and answers it. A refused message comes back beside its
//! field with what was typed kept.

use askama::Template;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use portico_core::intake_forms::{self, FormSummary};
use portico_core::threads::invited::{self, ThreadInvitationInput, WaitingThread};
use portico_core::threads::{self, NewThreadInput, StaffInboxQuery, ThreadSummary, ThreadView};
use portico_core::{CoreError, FieldErrors};

use super::{file_response, reply_input};
use crate::AppState;
use crate::pages::{FieldErrorsExt as _, render};
use crate::platform::body::MAX_UPLOAD;
use crate::platform::chrome::Chrome;
use crate::platform::csrf::{CsrfForm, CsrfUpload};
use crate::platform::error::{PageError, WebError};
use crate::platform::limits;
use crate::platform::sessions::{PageSession, StaffSession};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/staff/messages", get(inbox).post(start))
        .route("/staff/messages/new", get(new))
        .route("/staff/messages/invite", get(invite_form).post(invite))
        .route(
            "/staff/messages/{id}",
            // The body was bounded (and read) at the edge; the form parser need not cut it again.
            get(show)
                .post(reply)
                .layer(DefaultBodyLimit::max(MAX_UPLOAD)),
        )
        .route("/staff/messages/{id}/attachments/{file}", get(attachment))
}

#[derive(Template)]
#[template(path = "staff_messages.html")]
struct InboxPage {
    chrome: Option<Chrome>,
    threads: Vec<ThreadSummary>,
    /// Conversations waiting for their person to register.
    waiting: Vec<WaitingThread>,
    /// What was just done, said once.
    invited: Option<&'static str>,
    /// The page after this one.
    next_cursor: Option<String>,
    /// This is a page of older conversations (not the newest).
    older: bool,
}

#[derive(Template)]
#[template(path = "staff_message_invite.html")]
struct InvitePage {
    chrome: Option<Chrome>,
    input: ThreadInvitationInput,
    errors: FieldErrors,
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
    /// The practice's intake forms, to send one.
    forms: Vec<FormSummary>,
}

impl ThreadPage {
    fn reply_action(&self) -> String {
        format!("/staff/messages/{}", self.thread.summary.id)
    }

    /// Where the thread's files are downloaded (`{files}/{id}`).
    fn files_base(&self) -> String {
        format!("/staff/messages/{}/attachments", self.thread.summary.id)
    }

    /// Where the answers to the thread's forms are read (`{forms}/{id}`).
    fn forms_base(&self) -> String {
        format!("/staff/messages/{}/forms", self.thread.summary.id)
    }
}

#[derive(serde::Deserialize)]
struct InboxQuery {
    #[serde(default)]
    done: String,
    #[serde(default)]
    cursor: Option<String>,
}

async fn inbox(
    State(state): State<AppState>,
    PageSession(session): PageSession,
    Query(q): Query<InboxQuery>,
) -> Result<Response, PageError> {
    let query = StaffInboxQuery { cursor: q.cursor };
    let inbox = match threads::staff_inbox(&state.core, &session.actor, &query).await {
        Ok(inbox) => inbox,
        // A page link that is not one of ours (edited, or from an old version): the newest.
        Err(CoreError::Invalid(_)) => return Ok(Redirect::to("/staff/messages").into_response()),
        Err(e) => return Err(e.into()),
    };
    let page = InboxPage {
        chrome: Some(Chrome::of(&session)),
        older: query.cursor.is_some_and(|c| !c.trim().is_empty()),
        next_cursor: inbox.next_cursor,
        threads: inbox.items,
        waiting: invited::waiting(&state.core, &session.actor).await?,
        invited: (q.done == "invited").then_some(
            "The invitation is on its way by email. The conversation opens when they register \
             with it.",
        ),
    };
    render(StatusCode::OK, &page)
}

async fn invite_page(
    session: &StaffSession,
    input: ThreadInvitationInput,
    errors: FieldErrors,
) -> Result<Response, PageError> {
    let status = match errors.is_empty() {
        true => StatusCode::OK,
        false => StatusCode::UNPROCESSABLE_ENTITY,
    };
    let page = InvitePage {
        chrome: Some(Chrome::of(session)),
        input,
        errors,
    };
    render(status, &page)
}

async fn invite_form(PageSession(session): PageSession) -> Result<Response, PageError> {
    invite_page(
        &session,
        ThreadInvitationInput::default(),
        FieldErrors::new(),
    )
    .await
}

/// Sends the invitation (the inbox then lists the conversation as waiting), or — for a patient
/// of the practice with this email address — opens the conversation at once.
async fn invite(
    State(state): State<AppState>,
    PageSession(session): PageSession,
    CsrfForm(input): CsrfForm<ThreadInvitationInput>,
) -> Result<Response, PageError> {
    let work = invited::invite(&state.core, &session.actor, &input);
    match limits::within(&input, work).await {
        Ok(done) if done.waiting_for_registration => {
            Ok(Redirect::to("/staff/messages?done=invited").into_response())
        }
        Ok(done) => {
            Ok(Redirect::to(&format!("/staff/messages/{}", done.thread_id)).into_response())
        }
        Err(CoreError::Invalid(errors)) => invite_page(&session, input, errors).await,
        Err(e @ CoreError::Conflict(_)) => {
            let errors = FieldErrors::single("body", WebError::Core(e).public_message());
            invite_page(&session, input, errors).await
        }
        Err(e) => Err(e.into()),
    }
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

pub(super) async fn thread_page(
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
    let forms = match thread.summary.read_only {
        true => Vec::new(),
        false => intake_forms::list(&state.core, &session.actor).await?,
    };
    let page = ThreadPage {
        chrome: Some(Chrome::of(session)),
        thread,
        typed,
        errors,
        forms,
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
    CsrfUpload(fields): CsrfUpload,
) -> Result<Response, PageError> {
    let input = reply_input(&fields);
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

/// A file of one of the staff member's conversations, as a download.
async fn attachment(
    State(state): State<AppState>,
    PageSession(session): PageSession,
    Path((id, file)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let file = threads::attachments::staff_file(&state.core, &session.actor, &id, &file).await?;
    Ok(file_response(file))
}
