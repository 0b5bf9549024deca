//! `/portal/messages`: the patient's conversations with their practices' staff, latest first,
//! with what is unread; `/portal/messages/{id}` reads one (marking it read) and answers it. A
//! caregiver finds those of the patient they care for under `/portal/care/{access}/messages`,
//! and with full access writes in them as themselves, for the patient.

use askama::Template;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use portico_core::caregivers;
use portico_core::threads::from_patient::{self, PatientThreadInput, Recipient};
use portico_core::threads::{self, ThreadSummary, ThreadView};
use portico_core::{CoreError, FieldErrors};

use super::{file_response, reply_input};
use crate::AppState;
use crate::pages::{FieldErrorsExt as _, render};
use crate::platform::body::MAX_UPLOAD;
use crate::platform::csrf::{CsrfForm, CsrfUpload};
use crate::platform::error::PageError;
use crate::platform::limits;
use crate::platform::sessions::{PatientPage, PatientSession};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/portal/messages", get(inbox).post(start))
        // The bodies were bounded (and read) at the edge; the form parser need not cut them again.
        .route(
            "/portal/messages/{id}",
            get(show)
                .post(reply)
                .layer(DefaultBodyLimit::max(MAX_UPLOAD)),
        )
        .route("/portal/messages/{id}/attachments/{file}", get(attachment))
        .route("/portal/care/{access}/messages", get(cared_for_inbox))
        .route(
            "/portal/care/{access}/messages/{id}",
            get(cared_for_show)
                .post(cared_for_reply)
                .layer(DefaultBodyLimit::max(MAX_UPLOAD)),
        )
        .route(
            "/portal/care/{access}/messages/{id}/attachments/{file}",
            get(cared_for_attachment),
        )
}

#[derive(Template)]
#[template(path = "portal_messages.html")]
struct InboxPage {
    csrf: String,
    patient_name: String,
    threads: Vec<ThreadSummary>,
    /// Where each thread's page is (`{base}/{id}`) and where Back leads.
    base: String,
    back: String,
    /// The patient whose messages a caregiver reads.
    acting_for: Option<String>,
    /// Whom the patient may start a conversation with (none for a caregiver).
    recipients: Vec<Recipient>,
    input: PatientThreadInput,
    errors: FieldErrors,
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
    back: String,
    /// False for a caregiver with read-only access.
    can_write: bool,
    acting_for: Option<String>,
    /// The account was just made by registering with an invitation into this conversation.
    welcome: bool,
}

#[derive(serde::Deserialize)]
struct ThreadQuery {
    #[serde(default)]
    welcome: Option<String>,
}

impl ThreadPage {
    /// Where the thread's files are downloaded (`{files}/{id}`): beside the page.
    fn files_base(&self) -> String {
        format!("{}/attachments", self.action)
    }

    /// Where the thread's forms are filled in (`{forms}/{id}`): beside the page.
    fn forms_base(&self) -> String {
        format!("{}/forms", self.action)
    }
}

pub(super) fn name(session: &PatientSession) -> String {
    format!(
        "{} {}",
        session.patient.first_name, session.patient.last_name
    )
}

/// New terms come first, as on every portal page (docs/PRODUCT.md §5).
pub(super) async fn terms_first(
    state: &AppState,
    session: &PatientSession,
) -> Result<Option<Response>, PageError> {
    let due = portico_core::registration::terms::due(&state.core, &session.patient).await?;
    Ok((!due.is_empty()).then(|| Redirect::to("/portal/terms").into_response()))
}

async fn inbox_page(
    state: &AppState,
    session: &PatientSession,
    input: PatientThreadInput,
    errors: FieldErrors,
) -> Result<Response, PageError> {
    let status = match errors.is_empty() {
        true => StatusCode::OK,
        false => StatusCode::UNPROCESSABLE_ENTITY,
    };
    let page = InboxPage {
        csrf: session.csrf.clone(),
        patient_name: name(session),
        threads: threads::patient_inbox(&state.core, &session.patient).await?,
        base: "/portal/messages".to_owned(),
        back: "/portal".to_owned(),
        acting_for: None,
        recipients: from_patient::recipients(&state.core, &session.patient).await?,
        input,
        errors,
    };
    render(status, &page)
}

async fn inbox(
    State(state): State<AppState>,
    PatientPage(session): PatientPage,
) -> Result<Response, PageError> {
    if let Some(terms) = terms_first(&state, &session).await? {
        return Ok(terms);
    }
    inbox_page(
        &state,
        &session,
        PatientThreadInput::default(),
        FieldErrors::new(),
    )
    .await
}

/// The patient starts a conversation; a refused one comes back beside its fields.
async fn start(
    State(state): State<AppState>,
    PatientPage(session): PatientPage,
    CsrfForm(input): CsrfForm<PatientThreadInput>,
) -> Result<Response, PageError> {
    let work = from_patient::start(&state.core, &session.patient, &input);
    match limits::within(&input, work).await {
        Ok(thread) => Ok(
            Redirect::to(&format!("/portal/messages/{}#latest", thread.summary.id)).into_response(),
        ),
        Err(CoreError::Invalid(errors)) => inbox_page(&state, &session, input, errors).await,
        Err(e) => Err(e.into()),
    }
}

async fn thread_page(
    state: &AppState,
    session: &PatientSession,
    id: &str,
    typed: String,
    errors: FieldErrors,
    welcome: bool,
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
        back: "/portal/messages".to_owned(),
        can_write: true,
        acting_for: None,
        welcome,
    };
    render(status, &page)
}

async fn show(
    State(state): State<AppState>,
    PatientPage(session): PatientPage,
    Path(id): Path<String>,
    Query(q): Query<ThreadQuery>,
) -> Result<Response, PageError> {
    if let Some(terms) = terms_first(&state, &session).await? {
        return Ok(terms);
    }
    let welcome = q.welcome.is_some();
    thread_page(
        &state,
        &session,
        &id,
        String::new(),
        FieldErrors::new(),
        welcome,
    )
    .await
}

async fn reply(
    State(state): State<AppState>,
    PatientPage(session): PatientPage,
    Path(id): Path<String>,
    CsrfUpload(fields): CsrfUpload,
) -> Result<Response, PageError> {
    let input = reply_input(&fields);
    let work = threads::patient_reply(&state.core, &session.patient, &id, &input);
    match limits::within(&input, work).await {
        Ok(_) => Ok(Redirect::to(&format!("/portal/messages/{id}#latest")).into_response()),
        Err(CoreError::Invalid(errors)) => {
            thread_page(&state, &session, &id, input.body, errors, false).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn cared_for_inbox(
    State(state): State<AppState>,
    PatientPage(session): PatientPage,
    Path(access): Path<String>,
) -> Result<Response, PageError> {
    let view = caregivers::cared_for(&state.core, &session.patient, &access).await?;
    let page = InboxPage {
        csrf: session.csrf.clone(),
        patient_name: name(&session),
        threads: threads::cared_for_inbox(&state.core, &session.patient, &access).await?,
        base: format!("/portal/care/{access}/messages"),
        back: format!("/portal/care/{access}"),
        acting_for: Some(view.access.patient_name),
        recipients: Vec::new(),
        input: PatientThreadInput::default(),
        errors: FieldErrors::new(),
    };
    render(StatusCode::OK, &page)
}

async fn cared_for_page(
    state: &AppState,
    session: &PatientSession,
    access: &str,
    id: &str,
    typed: String,
    errors: FieldErrors,
) -> Result<Response, PageError> {
    let view = caregivers::cared_for(&state.core, &session.patient, access).await?;
    let thread = threads::cared_for_thread(&state.core, &session.patient, access, id).await?;
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
        action: format!("/portal/care/{access}/messages/{id}"),
        back: format!("/portal/care/{access}/messages"),
        can_write: !view.access.is_read_only(),
        acting_for: Some(view.access.patient_name),
        welcome: false,
    };
    render(status, &page)
}

async fn cared_for_show(
    State(state): State<AppState>,
    PatientPage(session): PatientPage,
    Path((access, id)): Path<(String, String)>,
) -> Result<Response, PageError> {
    cared_for_page(
        &state,
        &session,
        &access,
        &id,
        String::new(),
        FieldErrors::new(),
    )
    .await
}

async fn cared_for_reply(
    State(state): State<AppState>,
    PatientPage(session): PatientPage,
    Path((access, id)): Path<(String, String)>,
    CsrfUpload(fields): CsrfUpload,
) -> Result<Response, PageError> {
    let input = reply_input(&fields);
    let work = threads::cared_for_reply(&state.core, &session.patient, &access, &id, &input);
    match limits::within(&input, work).await {
        Ok(_) => Ok(
            Redirect::to(&format!("/portal/care/{access}/messages/{id}#latest")).into_response(),
        ),
        Err(CoreError::Invalid(errors)) => {
            cared_for_page(&state, &session, &access, &id, input.body, errors).await
        }
        Err(e) => Err(e.into()),
    }
}

/// A file of one of the patient's conversations, as a download.
async fn attachment(
    State(state): State<AppState>,
    PatientPage(session): PatientPage,
    Path((id, file)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let file =
        threads::attachments::patient_file(&state.core, &session.patient, &id, &file).await?;
    Ok(file_response(file))
}

/// A file of a conversation of the patient the caregiver cares for.
async fn cared_for_attachment(
    State(state): State<AppState>,
    PatientPage(session): PatientPage,
    Path((access, id, file)): Path<(String, String, String)>,
) -> Result<Response, PageError> {
    let file =
        threads::attachments::cared_for_file(&state.core, &session.patient, &access, &id, &file)
            .await?;
    Ok(file_response(file))
}
