//! Terms of use (`portico_core::registration::terms`): a practice's current version and publishing
//! a new one, for staff and integrators; a signed-in patient accepting the version a practice
//! published since. Accepting the terms during registration is a step of the registration
//! (`registration`).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use portico_core::registration::TextVersion;
use portico_core::registration::terms::{self, Terms};
use serde::Deserialize;
use utoipa_axum::router::UtoipaMethodRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::api::extract::ApiJson;
use crate::api::openapi::{Forbidden, InvalidFields, NotFound, PATIENT, PATIENTS, StateConflict};
use crate::platform::error::ApiError;
use crate::platform::sessions::{ApiActor, PatientApi};

pub fn routes() -> Vec<UtoipaMethodRouter<AppState>> {
    vec![
        routes!(current_terms, publish_terms),
        routes!(terms_history),
        routes!(accept_terms),
    ]
}

/// The practice's current terms of use.
#[utoipa::path(get, path = "/terms", tag = PATIENTS, operation_id = "get_terms",
    responses(
        (status = OK, description = "The current version", body = Terms),
    ))]
async fn current_terms(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<Terms>, ApiError> {
    Ok(Json(terms::current_for_staff(&state.core, &actor).await?))
}

/// Every version of the practice's terms of use, newest (the one in force) first, ending with
/// the built-in text as version 1 (admins).
#[utoipa::path(get, path = "/terms/versions", tag = PATIENTS, operation_id = "list_terms_versions",
    responses(
        (status = OK, description = "Every version, newest first", body = Vec<TextVersion>),
        (status = FORBIDDEN, response = Forbidden),
    ))]
async fn terms_history(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<Vec<TextVersion>>, ApiError> {
    Ok(Json(terms::history(&state.core, &actor).await?))
}

/// The text of a new version.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct PublishTerms {
    #[schema(schema_with = terms_body)]
    pub body: String,
}

fn terms_body() -> utoipa::openapi::schema::Object {
    portico_domain::schema::filled(
        "Plain text; blank lines separate paragraphs. At most 100,000 characters once surrounding \
         whitespace is trimmed.",
    )
    .max_length(Some(100_000))
    .build()
}

/// Publishes a new version of the terms (a signed-in admin's session; API tokens get 403);
/// patients accept it at their next sign-in.
#[utoipa::path(post, path = "/terms", tag = PATIENTS, operation_id = "publish_terms",
    request_body = PublishTerms,
    responses(
        (status = CREATED, description = "The new current version", body = Terms),
        (status = FORBIDDEN, response = Forbidden),
        (status = UNPROCESSABLE_ENTITY, response = InvalidFields),
    ))]
async fn publish_terms(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(input): ApiJson<PublishTerms>,
) -> Result<(StatusCode, Json<Terms>), ApiError> {
    let terms = terms::publish(&state.core, &actor, &input.body).await?;
    Ok((StatusCode::CREATED, Json(terms)))
}

/// Which practice's terms, and which version was read (from `terms_due` of `GET /patient`).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct AcceptPracticeTerms {
    /// A practice the patient is linked to (otherwise 404).
    pub practice_id: String,
    /// The current version; an older one answers 409.
    #[serde(deserialize_with = "portico_domain::json::whole_number")]
    pub version: i64,
}

/// Accepts a practice's current terms of use.
#[utoipa::path(post, path = "/patient/terms", tag = PATIENT, operation_id = "patient_accept_terms",
    security(("patient_session" = [])), request_body = AcceptPracticeTerms,
    responses(
        (status = NO_CONTENT, description = "Accepted"),
        (status = FORBIDDEN, response = Forbidden),
        (status = NOT_FOUND, response = NotFound),
        (status = CONFLICT, response = StateConflict),
    ))]
async fn accept_terms(
    State(state): State<AppState>,
    PatientApi(session): PatientApi,
    ApiJson(input): ApiJson<AcceptPracticeTerms>,
) -> Result<StatusCode, ApiError> {
    terms::accept(
        &state.core,
        &session.patient,
        &input.practice_id,
        input.version,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}
