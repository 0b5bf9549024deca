//! `/api/v1/forms`: the practice's intake forms (list, build, read, revise as a new version),
//! and the forms sent in conversations: staff send one (`/threads/{id}/forms`) and read its
//! answers; the patient reads it with their draft, keeps a draft, and submits once
//! (`/patient/threads/{id}/forms/{form}`).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use portico_core::intake_forms::{self, FormInput, FormSummary, FormView, QuestionInput};
use portico_core::threads::ThreadView;
use portico_core::threads::forms::{self, FilledForm, FormAnswersInput, SendFormInput};
use utoipa_axum::router::UtoipaMethodRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::api::extract::{ApiJson, ApiPath};
use crate::api::openapi::{Forbidden, InvalidFields, NotFound, PATIENT, PATIENTS, StateConflict};
use crate::platform::error::ApiError;
use crate::platform::sessions::{ApiActor, PatientApi};

pub fn routes() -> Vec<UtoipaMethodRouter<AppState>> {
    vec![
        routes!(list, create),
        routes!(show, revise),
        routes!(send),
        routes!(staff_form),
        routes!(patient_form),
        routes!(patient_draft),
        routes!(patient_submit),
        routes!(cared_for_form),
        routes!(cared_for_draft),
        routes!(cared_for_submit),
    ]
}

/// A changed form: the version it was edited from, and the whole form as it should now be.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct FormRevision {
    /// The version the change was made to: if someone saved another since, 409.
    #[serde(deserialize_with = "portico_domain::json::whole_number")]
    #[schema(required = true, default)]
    pub version: i64,
    #[schema(required = true, default)]
    pub title: String,
    #[schema(required = true, default)]
    pub questions: Vec<QuestionInput>,
}

/// The practice's intake forms, most recently saved first.
#[utoipa::path(get, path = "/forms", tag = PATIENTS, operation_id = "intake_forms",
    responses(
        (status = OK, description = "Latest saved first", body = [FormSummary]),
    ))]
async fn list(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<Vec<FormSummary>>, ApiError> {
    Ok(Json(intake_forms::list(&state.core, &actor).await?))
}

/// Builds a new intake form (version 1).
#[utoipa::path(post, path = "/forms", tag = PATIENTS, operation_id = "create_intake_form",
    request_body = FormInput,
    responses(
        (status = CREATED, description = "Saved as version 1", body = FormView),
        (status = UNPROCESSABLE_ENTITY, response = InvalidFields),
    ))]
async fn create(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(input): ApiJson<FormInput>,
) -> Result<(StatusCode, Json<FormView>), ApiError> {
    let form = intake_forms::create(&state.core, &actor, &input).await?;
    Ok((StatusCode::CREATED, Json(form)))
}

/// One of the practice's forms: its current questions and its versions.
#[utoipa::path(get, path = "/forms/{id}", tag = PATIENTS, operation_id = "intake_form",
    params(("id" = String, Path)),
    responses(
        (status = OK, description = "The form", body = FormView),
        (status = NOT_FOUND, response = NotFound),
    ))]
async fn show(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<FormView>, ApiError> {
    Ok(Json(intake_forms::form(&state.core, &actor, &id).await?))
}

/// Saves a changed form as its next version (unchanged: it stays as it is). Forms already sent
/// keep the version they were sent with.
#[utoipa::path(put, path = "/forms/{id}", tag = PATIENTS, operation_id = "revise_intake_form",
    params(("id" = String, Path)), request_body = FormRevision,
    responses(
        (status = OK, description = "Saved", body = FormView),
        (status = NOT_FOUND, response = NotFound),
        (status = CONFLICT, response = StateConflict),
        (status = UNPROCESSABLE_ENTITY, response = InvalidFields),
    ))]
async fn revise(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<String>,
    ApiJson(change): ApiJson<FormRevision>,
) -> Result<Json<FormView>, ApiError> {
    let input = FormInput {
        title: change.title,
        questions: change.questions,
    };
    let form = intake_forms::revise(&state.core, &actor, &id, change.version, &input).await?;
    Ok(Json(form))
}

/// Sends the current version of one of the practice's forms in the staff member's conversation
/// (a signed-in staff member; API tokens get 403).
#[utoipa::path(post, path = "/threads/{id}/forms", tag = PATIENTS, operation_id = "send_intake_form",
    params(("id" = String, Path)), request_body = SendFormInput,
    responses(
        (status = CREATED, description = "Sent, with its message", body = ThreadView),
        (status = FORBIDDEN, response = Forbidden),
        (status = NOT_FOUND, response = NotFound),
        (status = CONFLICT, response = StateConflict),
        (status = UNPROCESSABLE_ENTITY, response = InvalidFields),
    ))]
async fn send(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<String>,
    ApiJson(input): ApiJson<SendFormInput>,
) -> Result<(StatusCode, Json<ThreadView>), ApiError> {
    let thread = forms::send(&state.core, &actor, &id, &input).await?;
    Ok((StatusCode::CREATED, Json(thread)))
}

/// A form sent in the staff member's conversation, with its answers once submitted (the
/// patient's draft stays theirs: no values before).
#[utoipa::path(get, path = "/threads/{id}/forms/{form}", tag = PATIENTS,
    operation_id = "staff_thread_form",
    params(("id" = String, Path), ("form" = String, Path)),
    responses(
        (status = OK, description = "The form", body = FilledForm),
        (status = FORBIDDEN, response = Forbidden),
        (status = NOT_FOUND, response = NotFound),
    ))]
async fn staff_form(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath((id, form)): ApiPath<(String, String)>,
) -> Result<Json<FilledForm>, ApiError> {
    Ok(Json(
        forms::staff_form(&state.core, &actor, &id, &form).await?,
    ))
}

/// A form sent to the patient, with their draft or their submitted answers.
#[utoipa::path(get, path = "/patient/threads/{id}/forms/{form}", tag = PATIENT,
    operation_id = "patient_thread_form", security(("patient_session" = [])),
    params(("id" = String, Path), ("form" = String, Path)),
    responses(
        (status = OK, description = "The form", body = FilledForm),
        (status = NOT_FOUND, response = NotFound),
    ))]
async fn patient_form(
    State(state): State<AppState>,
    PatientApi(session): PatientApi,
    ApiPath((id, form)): ApiPath<(String, String)>,
) -> Result<Json<FilledForm>, ApiError> {
    Ok(Json(
        forms::patient_form(&state.core, &session.patient, &id, &form).await?,
    ))
}

/// Keeps the patient's answers so far as the form's draft (not checked; 409 once submitted).
#[utoipa::path(put, path = "/patient/threads/{id}/forms/{form}/draft", tag = PATIENT,
    operation_id = "patient_thread_form_draft", security(("patient_session" = [])),
    params(("id" = String, Path), ("form" = String, Path)), request_body = FormAnswersInput,
    responses(
        (status = NO_CONTENT, description = "Kept"),
        (status = NOT_FOUND, response = NotFound),
        (status = CONFLICT, response = StateConflict),
    ))]
async fn patient_draft(
    State(state): State<AppState>,
    PatientApi(session): PatientApi,
    ApiPath((id, form)): ApiPath<(String, String)>,
    ApiJson(input): ApiJson<FormAnswersInput>,
) -> Result<StatusCode, ApiError> {
    forms::patient_draft(&state.core, &session.patient, &id, &form, &input).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Submits the answers, once: refused answers are kept as the draft and told by question
/// (`answers[2]`); a second submission is 409.
#[utoipa::path(post, path = "/patient/threads/{id}/forms/{form}/submission", tag = PATIENT,
    operation_id = "patient_thread_form_submit", security(("patient_session" = [])),
    params(("id" = String, Path), ("form" = String, Path)), request_body = FormAnswersInput,
    responses(
        (status = CREATED, description = "Submitted", body = FilledForm),
        (status = NOT_FOUND, response = NotFound),
        (status = CONFLICT, response = StateConflict),
        (status = UNPROCESSABLE_ENTITY, response = InvalidFields),
    ))]
async fn patient_submit(
    State(state): State<AppState>,
    PatientApi(session): PatientApi,
    ApiPath((id, form)): ApiPath<(String, String)>,
    ApiJson(input): ApiJson<FormAnswersInput>,
) -> Result<(StatusCode, Json<FilledForm>), ApiError> {
    let filled = forms::patient_submit(&state.core, &session.patient, &id, &form, &input).await?;
    Ok((StatusCode::CREATED, Json(filled)))
}

/// A form sent in a conversation of the patient the caregiver cares for.
#[utoipa::path(get, path = "/patient/cared-for/{id}/threads/{thread}/forms/{form}", tag = PATIENT,
    operation_id = "cared_for_thread_form", security(("patient_session" = [])),
    params(("id" = String, Path), ("thread" = String, Path), ("form" = String, Path)),
    responses(
        (status = OK, description = "The form", body = FilledForm),
        (status = NOT_FOUND, response = NotFound),
    ))]
async fn cared_for_form(
    State(state): State<AppState>,
    PatientApi(session): PatientApi,
    ApiPath((access, id, form)): ApiPath<(String, String, String)>,
) -> Result<Json<FilledForm>, ApiError> {
    let filled = forms::cared_for_form(&state.core, &session.patient, &access, &id, &form).await?;
    Ok(Json(filled))
}

/// A caregiver with full access keeps a draft for the patient (read-only access: 403).
#[utoipa::path(put, path = "/patient/cared-for/{id}/threads/{thread}/forms/{form}/draft",
    tag = PATIENT, operation_id = "cared_for_thread_form_draft",
    security(("patient_session" = [])),
    params(("id" = String, Path), ("thread" = String, Path), ("form" = String, Path)),
    request_body = FormAnswersInput,
    responses(
        (status = NO_CONTENT, description = "Kept"),
        (status = FORBIDDEN, response = Forbidden),
        (status = NOT_FOUND, response = NotFound),
        (status = CONFLICT, response = StateConflict),
    ))]
async fn cared_for_draft(
    State(state): State<AppState>,
    PatientApi(session): PatientApi,
    ApiPath((access, id, form)): ApiPath<(String, String, String)>,
    ApiJson(input): ApiJson<FormAnswersInput>,
) -> Result<StatusCode, ApiError> {
    let who = &session.patient;
    forms::cared_for_draft(&state.core, who, &access, &id, &form, &input).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A caregiver with full access submits the form for the patient, once (read-only access: 403).
#[utoipa::path(post, path = "/patient/cared-for/{id}/threads/{thread}/forms/{form}/submission",
    tag = PATIENT, operation_id = "cared_for_thread_form_submit",
    security(("patient_session" = [])),
    params(("id" = String, Path), ("thread" = String, Path), ("form" = String, Path)),
    request_body = FormAnswersInput,
    responses(
        (status = CREATED, description = "Submitted", body = FilledForm),
        (status = FORBIDDEN, response = Forbidden),
        (status = NOT_FOUND, response = NotFound),
        (status = CONFLICT, response = StateConflict),
        (status = UNPROCESSABLE_ENTITY, response = InvalidFields),
    ))]
async fn cared_for_submit(
    State(state): State<AppState>,
    PatientApi(session): PatientApi,
    ApiPath((access, id, form)): ApiPath<(String, String, String)>,
    ApiJson(input): ApiJson<FormAnswersInput>,
) -> Result<(StatusCode, Json<FilledForm>), ApiError> {
    let who = &session.patient;
    let filled = forms::cared_for_submit(&state.core, who, &access, &id, &form, &input).await?;
    Ok((StatusCode::CREATED, Json(filled)))
}
