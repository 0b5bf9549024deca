//! Provider codes for staff and integrators: list, rotate, disable — for the practice itself and
//! for each provider.

use axum::Json;
use axum::extract::State;
use portico_core::codes::provider_codes::{self, ProviderCodeView};
use utoipa_axum::router::UtoipaMethodRouter;
use utoipa_axum::routes;

use super::ApiPath;
use super::openapi::{Forbidden, NotFound, PROVIDER_CODES, Unauthenticated};
use crate::AppState;
use crate::platform::error::ApiError;
use crate::platform::sessions::ApiActor;

pub fn routes() -> Vec<UtoipaMethodRouter<AppState>> {
    vec![
        routes!(list),
        routes!(rotate_practice),
        routes!(disable_practice),
        routes!(rotate_provider),
        routes!(disable_provider),
    ]
}

/// The practice's code and each provider's, with the active code if any.
#[utoipa::path(get, path = "/provider-codes", tag = PROVIDER_CODES,
    operation_id = "list_provider_codes",
    responses(
        (status = OK, description = "The practice's code and each provider's",
            body = Vec<ProviderCodeView>),
        (status = UNAUTHORIZED, response = Unauthenticated),
    ))]
async fn list(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<Vec<ProviderCodeView>>, ApiError> {
    Ok(Json(provider_codes::list(&state.core, &actor).await?))
}

/// Issues a new code for the practice itself; the old one stops working (admins only).
#[utoipa::path(post, path = "/provider-codes/practice/rotate", tag = PROVIDER_CODES,
    operation_id = "rotate_practice_code",
    responses(
        (status = OK, description = "The code owner with its code now", body = ProviderCodeView),
        (status = UNAUTHORIZED, response = Unauthenticated),
        (status = FORBIDDEN, response = Forbidden),
    ))]
async fn rotate_practice(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<ProviderCodeView>, ApiError> {
    Ok(Json(
        provider_codes::rotate(&state.core, &actor, None).await?,
    ))
}

/// Disables the practice's own code; rotating issues a new one (admins only).
#[utoipa::path(post, path = "/provider-codes/practice/disable", tag = PROVIDER_CODES,
    operation_id = "disable_practice_code",
    responses(
        (status = OK, description = "The code owner with its code now", body = ProviderCodeView),
        (status = UNAUTHORIZED, response = Unauthenticated),
        (status = FORBIDDEN, response = Forbidden),
    ))]
async fn disable_practice(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<ProviderCodeView>, ApiError> {
    Ok(Json(
        provider_codes::disable(&state.core, &actor, None).await?,
    ))
}

/// Issues a new code for one provider; the old one stops working (admins only).
#[utoipa::path(post, path = "/provider-codes/providers/{provider_id}/rotate", tag = PROVIDER_CODES,
    operation_id = "rotate_provider_code",
    params(("provider_id" = String, Path, description = "The provider's id")),
    responses(
        (status = OK, description = "The code owner with its code now", body = ProviderCodeView),
        (status = UNAUTHORIZED, response = Unauthenticated),
        (status = FORBIDDEN, response = Forbidden),
        (status = NOT_FOUND, response = NotFound),
    ))]
async fn rotate_provider(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(provider_id): ApiPath<String>,
) -> Result<Json<ProviderCodeView>, ApiError> {
    Ok(Json(
        provider_codes::rotate(&state.core, &actor, Some(&provider_id)).await?,
    ))
}

/// Disables one provider's code; rotating issues a new one (admins only).
#[utoipa::path(post, path = "/provider-codes/providers/{provider_id}/disable", tag = PROVIDER_CODES,
    operation_id = "disable_provider_code",
    params(("provider_id" = String, Path, description = "The provider's id")),
    responses(
        (status = OK, description = "The code owner with its code now", body = ProviderCodeView),
        (status = UNAUTHORIZED, response = Unauthenticated),
        (status = FORBIDDEN, response = Forbidden),
        (status = NOT_FOUND, response = NotFound),
    ))]
async fn disable_provider(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(provider_id): ApiPath<String>,
) -> Result<Json<ProviderCodeView>, ApiError> {
    Ok(Json(
        provider_codes::disable(&state.core, &actor, Some(&provider_id)).await?,
    ))
}
