//! What a patient is linked to (`portico_core::links`), from both sides: for the signed-in
//! patient, the visit screen's data (one card per practice or provider, and terms due) and adding
//! a provider code; for staff and integrators, sign-ups awaiting approval, approving or declining
//! them, and the practice's notifications.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use portico_core::links::{self, Card, Notification, PracticeLink};
use portico_core::registration::terms::{self, Terms};
use serde::{Deserialize, Serialize};
use utoipa_axum::router::UtoipaMethodRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::api::extract::{ApiPath, BoundedJson};
use crate::api::openapi::{
    CodeNotAccepted, Forbidden, InvalidFields, NotFound, PATIENT, PATIENTS, StateConflict,
    TooManyAttempts,
};
use crate::platform::error::ApiError;
use crate::platform::limits::Bounded;
use crate::platform::sessions::{ApiActor, PatientApi};
use portico_domain::{CODE_ENTRY_LIMIT, TextLimit};

pub fn routes() -> Vec<UtoipaMethodRouter<AppState>> {
    vec![
        routes!(me),
        routes!(add_provider_code),
        routes!(pending_links),
        routes!(approve_link),
        routes!(decline_link),
        routes!(notifications),
    ]
}

/// The signed-in patient: their cards and the terms they still have to accept.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Me {
    pub patient_id: String,
    pub first_name: String,
    pub last_name: String,
    pub username: Option<String>,
    pub cards: Vec<Card>,
    /// Practices that wait for the patient's signed paper consent form (handed in at the front
    /// desk) before they show a card.
    pub consent_awaited_from: Vec<String>,
    /// Terms of practices that published a version the patient has not accepted yet.
    pub terms_due: Vec<Terms>,
}

/// The visit screen's data: one card per linked practice or provider, and terms due.
#[utoipa::path(get, path = "/patient", tag = PATIENT, operation_id = "patient_me",
    security(("patient_session" = [])),
    responses(
        (status = OK, description = "The patient", body = Me),
    ))]
async fn me(
    State(state): State<AppState>,
    PatientApi(session): PatientApi,
) -> Result<Json<Me>, ApiError> {
    let p = &session.patient;
    Ok(Json(Me {
        cards: links::cards(&state.core, p).await?,
        consent_awaited_from: links::consent_awaited(&state.core, p).await?,
        terms_due: terms::due(&state.core, p).await?,
        patient_id: p.patient_id.clone(),
        first_name: p.first_name.clone(),
        last_name: p.last_name.clone(),
        username: p.username.clone(),
    }))
}

/// A provider code from a pamphlet or card.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct ProviderCodeInput {
    /// Any other text gets the same 400 as a wrong code.
    #[schema(value_type = portico_domain::ProviderCode)]
    pub code: String,
}

impl Bounded for ProviderCodeInput {
    fn fields(&self) -> Vec<(&'static str, &str, TextLimit)> {
        vec![("code", &self.code, CODE_ENTRY_LIMIT)]
    }
}

/// Links another practice or provider with its provider code ("Add provider code").
#[utoipa::path(post, path = "/patient/provider-codes", tag = PATIENT,
    operation_id = "patient_add_provider_code", security(("patient_session" = [])),
    request_body = ProviderCodeInput,
    responses(
        (status = OK, description = "The new (or existing) card", body = Card),
        (status = BAD_REQUEST, response = CodeNotAccepted),
        (status = FORBIDDEN, response = Forbidden),
        (status = CONFLICT, response = StateConflict),
        (status = UNPROCESSABLE_ENTITY, response = InvalidFields),
        (status = TOO_MANY_REQUESTS, response = TooManyAttempts),
    ))]
async fn add_provider_code(
    State(state): State<AppState>,
    PatientApi(session): PatientApi,
    BoundedJson(input): BoundedJson<ProviderCodeInput>,
) -> Result<Json<Card>, ApiError> {
    let (card, _) = links::add_provider_code(&state.core, &session.patient, &input.code).await?;
    Ok(Json(card))
}

/// Sign-ups under a program that requires approval, waiting for a staff member.
#[utoipa::path(get, path = "/patient-links/pending", tag = PATIENTS,
    operation_id = "list_pending_links",
    responses(
        (status = OK, description = "Newest first", body = [PracticeLink]),
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
    ))]
async fn notifications(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<Vec<Notification>>, ApiError> {
    Ok(Json(links::notifications(&state.core, &actor).await?))
}
