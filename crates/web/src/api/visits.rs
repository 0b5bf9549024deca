//! Visit requests (`portico_core::visits`): the signed-in patient asks to be seen from a card of
//! their visit screen (or their caregiver with full access does, for them) and reads the
//! answers; staff read the practice's waiting list and answer each request once.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use portico_core::visits::settings::{self, VisitSettings, VisitSettingsInput};
use portico_core::visits::{
    self, VisitAnswerInput, VisitQuestions, VisitRequest, VisitRequestInput,
};
use utoipa_axum::router::UtoipaMethodRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::api::extract::{ApiPath, ApiQuery, BoundedJson};
use crate::api::openapi::{
    Forbidden, InvalidFields, NotFound, PATIENT, PATIENTS, PRACTICE, StateConflict,
};
use crate::platform::error::ApiError;
use crate::platform::sessions::{ApiActor, PatientApi};

pub fn routes() -> Vec<UtoipaMethodRouter<AppState>> {
    vec![
        routes!(request, mine),
        routes!(questions),
        routes!(request_for),
        routes!(questions_for),
        routes!(visit_settings, save_visit_settings),
        routes!(waiting_list),
        routes!(answer),
    ]
}

/// Asks the practice of a card to see the patient, now or at a time, with a reason.
#[utoipa::path(post, path = "/patient/visit-requests", tag = PATIENT,
    operation_id = "patient_request_visit", security(("patient_session" = [])),
    request_body = VisitRequestInput,
    responses(
        (status = CREATED, description = "Waiting for the practice", body = VisitRequest),
        (status = NOT_FOUND, response = NotFound),
        (status = CONFLICT, response = StateConflict),
        (status = UNPROCESSABLE_ENTITY, response = InvalidFields),
    ))]
async fn request(
    State(state): State<AppState>,
    PatientApi(session): PatientApi,
    BoundedJson(input): BoundedJson<VisitRequestInput>,
) -> Result<(StatusCode, Json<VisitRequest>), ApiError> {
    let made = visits::request(&state.core, &session.patient, &input).await?;
    Ok((StatusCode::CREATED, Json(made)))
}

/// The signed-in patient's visit requests and their answers, newest first.
#[utoipa::path(get, path = "/patient/visit-requests", tag = PATIENT,
    operation_id = "patient_visit_requests", security(("patient_session" = [])),
    responses((status = OK, description = "Newest first", body = [VisitRequest])))]
async fn mine(
    State(state): State<AppState>,
    PatientApi(session): PatientApi,
) -> Result<Json<Vec<VisitRequest>>, ApiError> {
    Ok(Json(
        visits::for_patient(&state.core, &session.patient).await?,
    ))
}

/// A caregiver with full access asks for a visit for the patient they care for.
#[utoipa::path(post, path = "/patient/cared-for/{id}/visit-requests", tag = PATIENT,
    operation_id = "patient_cared_for_request_visit", security(("patient_session" = [])),
    params(("id" = String, Path, description = "The caregiver access's id")),
    request_body = VisitRequestInput,
    responses(
        (status = CREATED, description = "Waiting for the practice", body = VisitRequest),
        (status = FORBIDDEN, response = Forbidden),
        (status = NOT_FOUND, response = NotFound),
        (status = CONFLICT, response = StateConflict),
        (status = UNPROCESSABLE_ENTITY, response = InvalidFields),
    ))]
async fn request_for(
    State(state): State<AppState>,
    PatientApi(session): PatientApi,
    ApiPath(id): ApiPath<String>,
    BoundedJson(input): BoundedJson<VisitRequestInput>,
) -> Result<(StatusCode, Json<VisitRequest>), ApiError> {
    let made = visits::request_for(&state.core, &session.patient, &id, &input).await?;
    Ok((StatusCode::CREATED, Json(made)))
}

/// The practice's waiting list: requests waiting for an answer (oldest first), then those
/// answered in the last week. Each request shown is audited.
#[utoipa::path(get, path = "/visit-requests", tag = PATIENTS, operation_id = "list_visit_requests",
    responses((status = OK, description = "Waiting first", body = [VisitRequest])))]
async fn waiting_list(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<Vec<VisitRequest>>, ApiError> {
    Ok(Json(visits::waiting_list(&state.core, &actor).await?))
}

/// Answers a waiting request once: accept, propose another time, or decline with a note.
#[utoipa::path(post, path = "/visit-requests/{id}/answer", tag = PATIENTS,
    operation_id = "answer_visit_request", params(("id" = String, Path)),
    request_body = VisitAnswerInput,
    responses(
        (status = OK, description = "Answered", body = VisitRequest),
        (status = NOT_FOUND, response = NotFound),
        (status = CONFLICT, response = StateConflict),
        (status = UNPROCESSABLE_ENTITY, response = InvalidFields),
    ))]
async fn answer(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<String>,
    BoundedJson(input): BoundedJson<VisitAnswerInput>,
) -> Result<Json<VisitRequest>, ApiError> {
    Ok(Json(
        visits::answer(&state.core, &actor, &id, &input).await?,
    ))
}

/// Which card a question list is asked for.
#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct OnCard {
    /// The card's id (`cards[].id` of `GET /patient`).
    link_id: String,
}

/// The questions the provider of a card asks with a visit request, in the order answered.
#[utoipa::path(get, path = "/patient/visit-requests/questions", tag = PATIENT,
    operation_id = "patient_visit_questions", security(("patient_session" = [])),
    params(OnCard),
    responses(
        (status = OK, description = "Possibly none", body = VisitQuestions),
        (status = NOT_FOUND, response = NotFound),
    ))]
async fn questions(
    State(state): State<AppState>,
    PatientApi(session): PatientApi,
    ApiQuery(on): ApiQuery<OnCard>,
) -> Result<Json<VisitQuestions>, ApiError> {
    Ok(Json(
        visits::questions(&state.core, &session.patient, &on.link_id).await?,
    ))
}

/// The questions asked with a visit request a caregiver makes for the patient they care for.
#[utoipa::path(get, path = "/patient/cared-for/{id}/visit-requests/questions", tag = PATIENT,
    operation_id = "patient_cared_for_visit_questions", security(("patient_session" = [])),
    params(("id" = String, Path, description = "The caregiver access's id"), OnCard),
    responses(
        (status = OK, description = "Possibly none", body = VisitQuestions),
        (status = NOT_FOUND, response = NotFound),
    ))]
async fn questions_for(
    State(state): State<AppState>,
    PatientApi(session): PatientApi,
    ApiPath(id): ApiPath<String>,
    ApiQuery(on): ApiQuery<OnCard>,
) -> Result<Json<VisitQuestions>, ApiError> {
    Ok(Json(
        visits::questions_for(&state.core, &session.patient, &id, &on.link_id).await?,
    ))
}

/// A provider's visit settings: the questions asked with each request, and how the provider
/// hears of a new one.
#[utoipa::path(get, path = "/providers/{id}/visit-settings", tag = PRACTICE,
    operation_id = "get_provider_visit_settings", params(("id" = String, Path)),
    responses(
        (status = OK, description = "Empty until saved", body = VisitSettings),
        (status = NOT_FOUND, response = NotFound),
    ))]
async fn visit_settings(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<VisitSettings>, ApiError> {
    Ok(Json(settings::of_provider(&state.core, &actor, &id).await?))
}

/// Saves a provider's visit settings whole (admins).
#[utoipa::path(put, path = "/providers/{id}/visit-settings", tag = PRACTICE,
    operation_id = "save_provider_visit_settings", params(("id" = String, Path)),
    request_body = VisitSettingsInput,
    responses(
        (status = OK, description = "Saved", body = VisitSettings),
        (status = FORBIDDEN, response = Forbidden),
        (status = NOT_FOUND, response = NotFound),
        (status = UNPROCESSABLE_ENTITY, response = InvalidFields),
    ))]
async fn save_visit_settings(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<String>,
    BoundedJson(input): BoundedJson<VisitSettingsInput>,
) -> Result<Json<VisitSettings>, ApiError> {
    Ok(Json(
        settings::save(&state.core, &actor, &id, &input).await?,
    ))
}
