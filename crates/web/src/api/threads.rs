//! Secure threads (`portico_core::threads`): a staff member's conversations with patients, the
//! patient's side, and a caregiver's for the patient they care for. Anyone else gets 404.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use portico_core::threads::{self, NewThreadInput, ReplyInput, ThreadSummary, ThreadView};
use utoipa_axum::router::UtoipaMethodRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::api::extract::{ApiPath, BoundedJson};
use crate::api::openapi::{Forbidden, InvalidFields, NotFound, PATIENT, PATIENTS, StateConflict};
use crate::platform::error::ApiError;
use crate::platform::sessions::{ApiActor, PatientApi};

pub fn routes() -> Vec<UtoipaMethodRouter<AppState>> {
    vec![
        routes!(start, staff_inbox),
        routes!(staff_thread),
        routes!(staff_reply),
        routes!(patient_inbox),
        routes!(patient_thread),
        routes!(patient_reply),
        routes!(cared_for_inbox),
        routes!(cared_for_thread),
        routes!(cared_for_reply),
    ]
}

/// Starts a private conversation with a patient of the practice (a signed-in staff member;
/// API tokens get 403). Only this staff member and the patient's side will read it.
#[utoipa::path(post, path = "/threads", tag = PATIENTS, operation_id = "start_thread",
    request_body = NewThreadInput,
    responses(
        (status = CREATED, description = "Started, with its first message", body = ThreadView),
        (status = FORBIDDEN, response = Forbidden),
        (status = NOT_FOUND, response = NotFound),
        (status = CONFLICT, response = StateConflict),
        (status = UNPROCESSABLE_ENTITY, response = InvalidFields),
    ))]
async fn start(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    BoundedJson(input): BoundedJson<NewThreadInput>,
) -> Result<(StatusCode, Json<ThreadView>), ApiError> {
    let started = threads::start(&state.core, &actor, &input).await?;
    Ok((StatusCode::CREATED, Json(started)))
}

/// The signed-in staff member's conversations, latest message first, with their unread counts.
#[utoipa::path(get, path = "/threads", tag = PATIENTS, operation_id = "staff_threads",
    responses(
        (status = OK, description = "Latest first", body = [ThreadSummary]),
        (status = FORBIDDEN, response = Forbidden),
    ))]
async fn staff_inbox(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<Vec<ThreadSummary>>, ApiError> {
    Ok(Json(threads::staff_inbox(&state.core, &actor).await?))
}

/// One of the staff member's conversations, marked read.
#[utoipa::path(get, path = "/threads/{id}", tag = PATIENTS, operation_id = "staff_thread",
    params(("id" = String, Path)),
    responses(
        (status = OK, description = "Oldest message first", body = ThreadView),
        (status = FORBIDDEN, response = Forbidden),
        (status = NOT_FOUND, response = NotFound),
    ))]
async fn staff_thread(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<ThreadView>, ApiError> {
    Ok(Json(threads::staff_thread(&state.core, &actor, &id).await?))
}

/// The staff member writes in their conversation.
#[utoipa::path(post, path = "/threads/{id}/messages", tag = PATIENTS,
    operation_id = "staff_thread_reply", params(("id" = String, Path)), request_body = ReplyInput,
    responses(
        (status = CREATED, description = "Posted", body = ThreadView),
        (status = FORBIDDEN, response = Forbidden),
        (status = NOT_FOUND, response = NotFound),
        (status = CONFLICT, response = StateConflict),
        (status = UNPROCESSABLE_ENTITY, response = InvalidFields),
    ))]
async fn staff_reply(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<String>,
    BoundedJson(input): BoundedJson<ReplyInput>,
) -> Result<(StatusCode, Json<ThreadView>), ApiError> {
    let view = threads::staff_reply(&state.core, &actor, &id, &input).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

/// The signed-in patient's conversations at the practices they see, latest first.
#[utoipa::path(get, path = "/patient/threads", tag = PATIENT, operation_id = "patient_threads",
    security(("patient_session" = [])),
    responses((status = OK, description = "Latest first", body = [ThreadSummary])))]
async fn patient_inbox(
    State(state): State<AppState>,
    PatientApi(session): PatientApi,
) -> Result<Json<Vec<ThreadSummary>>, ApiError> {
    Ok(Json(
        threads::patient_inbox(&state.core, &session.patient).await?,
    ))
}

/// One of the patient's conversations, marked read.
#[utoipa::path(get, path = "/patient/threads/{id}", tag = PATIENT,
    operation_id = "patient_thread", security(("patient_session" = [])),
    params(("id" = String, Path)),
    responses(
        (status = OK, description = "Oldest message first", body = ThreadView),
        (status = NOT_FOUND, response = NotFound),
    ))]
async fn patient_thread(
    State(state): State<AppState>,
    PatientApi(session): PatientApi,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<ThreadView>, ApiError> {
    Ok(Json(
        threads::patient_thread(&state.core, &session.patient, &id).await?,
    ))
}

/// The patient writes in their conversation.
#[utoipa::path(post, path = "/patient/threads/{id}/messages", tag = PATIENT,
    operation_id = "patient_thread_reply", security(("patient_session" = [])),
    params(("id" = String, Path)), request_body = ReplyInput,
    responses(
        (status = CREATED, description = "Posted", body = ThreadView),
        (status = NOT_FOUND, response = NotFound),
        (status = UNPROCESSABLE_ENTITY, response = InvalidFields),
    ))]
async fn patient_reply(
    State(state): State<AppState>,
    PatientApi(session): PatientApi,
    ApiPath(id): ApiPath<String>,
    BoundedJson(input): BoundedJson<ReplyInput>,
) -> Result<(StatusCode, Json<ThreadView>), ApiError> {
    let view = threads::patient_reply(&state.core, &session.patient, &id, &input).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

/// The conversations of the patient a caregiver cares for, at the practice of the access.
#[utoipa::path(get, path = "/patient/cared-for/{id}/threads", tag = PATIENT,
    operation_id = "patient_cared_for_threads", security(("patient_session" = [])),
    params(("id" = String, Path, description = "The caregiver access's id")),
    responses(
        (status = OK, description = "Latest first", body = [ThreadSummary]),
        (status = NOT_FOUND, response = NotFound),
    ))]
async fn cared_for_inbox(
    State(state): State<AppState>,
    PatientApi(session): PatientApi,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Vec<ThreadSummary>>, ApiError> {
    Ok(Json(
        threads::cared_for_inbox(&state.core, &session.patient, &id).await?,
    ))
}

/// One conversation of the patient a caregiver cares for (the read is audited as theirs).
#[utoipa::path(get, path = "/patient/cared-for/{id}/threads/{thread}", tag = PATIENT,
    operation_id = "patient_cared_for_thread", security(("patient_session" = [])),
    params(("id" = String, Path, description = "The caregiver access's id"), ("thread" = String, Path)),
    responses(
        (status = OK, description = "Oldest message first", body = ThreadView),
        (status = NOT_FOUND, response = NotFound),
    ))]
async fn cared_for_thread(
    State(state): State<AppState>,
    PatientApi(session): PatientApi,
    ApiPath((id, thread)): ApiPath<(String, String)>,
) -> Result<Json<ThreadView>, ApiError> {
    Ok(Json(
        threads::cared_for_thread(&state.core, &session.patient, &id, &thread).await?,
    ))
}

/// A caregiver with full access writes for the patient (read-only access: 403).
#[utoipa::path(post, path = "/patient/cared-for/{id}/threads/{thread}/messages", tag = PATIENT,
    operation_id = "patient_cared_for_thread_reply", security(("patient_session" = [])),
    params(("id" = String, Path, description = "The caregiver access's id"), ("thread" = String, Path)),
    request_body = ReplyInput,
    responses(
        (status = CREATED, description = "Posted", body = ThreadView),
        (status = FORBIDDEN, response = Forbidden),
        (status = NOT_FOUND, response = NotFound),
        (status = UNPROCESSABLE_ENTITY, response = InvalidFields),
    ))]
async fn cared_for_reply(
    State(state): State<AppState>,
    PatientApi(session): PatientApi,
    ApiPath((id, thread)): ApiPath<(String, String)>,
    BoundedJson(input): BoundedJson<ReplyInput>,
) -> Result<(StatusCode, Json<ThreadView>), ApiError> {
    let view =
        threads::cared_for_reply(&state.core, &session.patient, &id, &thread, &input).await?;
    Ok((StatusCode::CREATED, Json(view)))
}
