//! The practice's side of patients: its terms of use, sign-ups awaiting approval, notifications.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use portico_core::links::{self, Notification, PracticeLink};
use portico_core::registration::terms::{self, Terms};
use serde::Deserialize;
use utoipa_axum::router::UtoipaMethodRouter;
use utoipa_axum::routes;

use super::openapi::{
    Forbidden, InvalidFields, MalformedRequest, NotFound, PATIENTS, Unauthenticated,
};
use super::{ApiJson, ApiPath};
use crate::AppState;
use crate::platform::error::ApiError;
use crate::platform::sessions::ApiActor;

pub fn routes() -> Vec<UtoipaMethodRouter<AppState>> {
    vec![
        routes!(current_terms, publish_terms),
        routes!(pending_links),
        routes!(approve_link),
        routes!(decline_link),
        routes!(notifications),
    ]
}

/// The practice's current terms of use.
#[utoipa::path(get, path = "/terms", tag = PATIENTS, operation_id = "get_terms",
    responses(
        (status = OK, description = "The current version", body = Terms),
        (status = UNAUTHORIZED, response = Unauthenticated),
    ))]
async fn current_terms(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<Terms>, ApiError> {
    Ok(Json(terms::current_for_staff(&state.core, &actor).await?))
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
        (status = BAD_REQUEST, response = MalformedRequest),
        (status = UNAUTHORIZED, response = Unauthenticated),
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

/// Sign-ups under a program that requires approval, waiting for a staff member.
#[utoipa::path(get, path = "/patient-links/pending", tag = PATIENTS,
    operation_id = "list_pending_links",
    responses(
        (status = OK, description = "Newest first", body = [PracticeLink]),
        (status = UNAUTHORIZED, response = Unauthenticated),
    ))]
async fn pending_links(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<Vec<PracticeLink>>, ApiError> {
    Ok(Json(links::pending(&state.core, &actor).await?))
}

/// Approves a pending sign-up: the patient sees the practice's card.
#[utoipa::path(post, path = "/patient-links/{id}/approve", tag = PATIENTS,
    operation_id = "approve_link", params(("id" = String, Path)),
    responses(
        (status = NO_CONTENT, description = "Approved"),
        (status = UNAUTHORIZED, response = Unauthenticated),
        (status = FORBIDDEN, response = Forbidden),
        (status = NOT_FOUND, response = NotFound),
    ))]
async fn approve_link(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<String>,
) -> Result<StatusCode, ApiError> {
    links::decide(&state.core, &actor, &id, true).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Declines a pending sign-up: the link ends and never shows to the patient.
#[utoipa::path(post, path = "/patient-links/{id}/decline", tag = PATIENTS,
    operation_id = "decline_link", params(("id" = String, Path)),
    responses(
        (status = NO_CONTENT, description = "Declined"),
        (status = UNAUTHORIZED, response = Unauthenticated),
        (status = FORBIDDEN, response = Forbidden),
        (status = NOT_FOUND, response = NotFound),
    ))]
async fn decline_link(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<String>,
) -> Result<StatusCode, ApiError> {
    links::decide(&state.core, &actor, &id, false).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The practice's newest notifications: sign-ups under notifying programs, approvals waiting.
#[utoipa::path(get, path = "/notifications", tag = PATIENTS, operation_id = "list_notifications",
    responses(
        (status = OK, description = "Newest first, at most 100", body = [Notification]),
        (status = UNAUTHORIZED, response = Unauthenticated),
    ))]
async fn notifications(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<Vec<Notification>>, ApiError> {
    Ok(Json(links::notifications(&state.core, &actor).await?))
}
