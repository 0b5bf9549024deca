//! The practice (`portico_core::practices`) for staff and integrators: its settings, its staff
//! accounts and its providers.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use portico_core::practices::providers::{self, NewProviderInput, Provider};
use portico_core::practices::staff::{self, NewStaffInput, StaffMember};
use portico_core::practices::{self, Practice, PracticeSettingsInput};
use utoipa_axum::router::UtoipaMethodRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::api::extract::{ApiJson, ApiPath};
use crate::api::openapi::{Forbidden, InvalidFields, NotFound, PRACTICE};
use crate::platform::error::ApiError;
use crate::platform::sessions::ApiActor;

pub fn routes() -> Vec<UtoipaMethodRouter<AppState>> {
    vec![
        routes!(practice, update_practice),
        routes!(list_staff, create_staff),
        routes!(get_staff),
        routes!(list_providers, create_provider),
        routes!(get_provider),
    ]
}

/// The caller's own practice.
#[utoipa::path(get, path = "/practice", tag = PRACTICE, operation_id = "get_practice",
    responses(
        (status = OK, description = "The practice", body = Practice),
    ))]
async fn practice(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<Practice>, ApiError> {
    Ok(Json(practices::current(&state.core, &actor).await?))
}

/// Changes the practice's settings (admins): invitation expiry, the default phone country, the
/// countries codes may be sent to, and the time zone of the dates in its messages.
#[utoipa::path(patch, path = "/practice", tag = PRACTICE, operation_id = "update_practice",
    request_body = PracticeSettingsInput,
    responses(
        (status = OK, description = "The practice with its new settings", body = Practice),
        (status = FORBIDDEN, response = Forbidden),
        (status = UNPROCESSABLE_ENTITY, response = InvalidFields),
    ))]
async fn update_practice(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(input): ApiJson<PracticeSettingsInput>,
) -> Result<Json<Practice>, ApiError> {
    Ok(Json(
        practices::update_settings(&state.core, &actor, &input).await?,
    ))
}

/// The practice's staff accounts.
#[utoipa::path(get, path = "/staff", tag = PRACTICE, operation_id = "list_staff",
    responses(
        (status = OK, description = "Every staff account", body = Vec<StaffMember>),
    ))]
async fn list_staff(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<Vec<StaffMember>>, ApiError> {
    Ok(Json(staff::list(&state.core, &actor).await?))
}

/// One staff account.
#[utoipa::path(get, path = "/staff/{id}", tag = PRACTICE, operation_id = "get_staff",
    params(("id" = String, Path, description = "The staff account's id")),
    responses(
        (status = OK, description = "The staff account", body = StaffMember),
        (status = NOT_FOUND, response = NotFound),
    ))]
async fn get_staff(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<StaffMember>, ApiError> {
    Ok(Json(staff::get(&state.core, &actor, &id).await?))
}

/// Adds a staff account (admins only).
#[utoipa::path(post, path = "/staff", tag = PRACTICE, operation_id = "create_staff",
    request_body = NewStaffInput,
    responses(
        (status = CREATED, description = "The new staff account", body = StaffMember, links(
            ("read" = (operation_id = "get_staff", parameters(("id" = "$response.body#/id")))),
        )),
        (status = FORBIDDEN, response = Forbidden),
        (status = UNPROCESSABLE_ENTITY, response = InvalidFields),
    ))]
async fn create_staff(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(input): ApiJson<NewStaffInput>,
) -> Result<Response, ApiError> {
    let member = staff::create(&state.core, &actor, &input).await?;
    Ok((StatusCode::CREATED, Json(member)).into_response())
}

/// The practice's providers.
#[utoipa::path(get, path = "/providers", tag = PRACTICE, operation_id = "list_providers",
    responses(
        (status = OK, description = "Every provider", body = Vec<Provider>),
    ))]
async fn list_providers(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<Vec<Provider>>, ApiError> {
    Ok(Json(providers::list(&state.core, &actor).await?))
}

/// One provider.
#[utoipa::path(get, path = "/providers/{id}", tag = PRACTICE, operation_id = "get_provider",
    params(("id" = String, Path, description = "The provider's id")),
    responses(
        (status = OK, description = "The provider", body = Provider),
        (status = NOT_FOUND, response = NotFound),
    ))]
async fn get_provider(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Provider>, ApiError> {
    Ok(Json(providers::get(&state.core, &actor, &id).await?))
}

/// Adds a provider (admins only).
#[utoipa::path(post, path = "/providers", tag = PRACTICE, operation_id = "create_provider",
    request_body = NewProviderInput,
    responses(
        (status = CREATED, description = "The new provider", body = Provider, links(
            ("read" = (operation_id = "get_provider", parameters(("id" = "$response.body#/id")))),
            ("rotate_code" = (operation_id = "rotate_provider_code", parameters(("provider_id" = "$response.body#/id")))),
            ("disable_code" = (operation_id = "disable_provider_code", parameters(("provider_id" = "$response.body#/id")))),
        )),
        (status = FORBIDDEN, response = Forbidden),
        (status = UNPROCESSABLE_ENTITY, response = InvalidFields),
    ))]
async fn create_provider(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(input): ApiJson<NewProviderInput>,
) -> Result<Response, ApiError> {
    let provider = providers::create(&state.core, &actor, &input).await?;
    Ok((StatusCode::CREATED, Json(provider)).into_response())
}
