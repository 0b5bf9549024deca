//! Provider codes (`portico_core::codes`): for staff and integrators, list, rotate and disable —
//! for the practice itself and for each provider; for anyone (under `/public`), looking up which
//! practice and provider a code belongs to, with one fixed answer for every wrong code and
//! guessing throttled.

use axum::Json;
use axum::extract::State;
use portico_core::codes::provider_codes::{self, ProviderCodeMatch, ProviderCodeView};
use serde::Deserialize;
use utoipa_axum::router::UtoipaMethodRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::api::extract::{ApiPath, BoundedJson};
use crate::api::openapi::{
    CodeNotAccepted, Forbidden, InvalidFields, NotFound, PROVIDER_CODES, PUBLIC, TooManyAttempts,
};
use crate::platform::error::ApiError;
use crate::platform::limits::Bounded;
use crate::platform::request::Client;
use crate::platform::sessions::ApiActor;

pub fn routes() -> Vec<UtoipaMethodRouter<AppState>> {
    vec![
        routes!(list),
        routes!(rotate_practice),
        routes!(disable_practice),
        routes!(rotate_provider),
        routes!(disable_provider),
        routes!(provider_code),
    ]
}

/// The practice's code and each provider's, with the active code if any.
#[utoipa::path(get, path = "/provider-codes", tag = PROVIDER_CODES,
    operation_id = "list_provider_codes",
    responses(
        (status = OK, description = "The practice's code and each provider's",
            body = Vec<ProviderCodeView>),
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

/// A provider code as typed, in any case, with or without spaces and dashes.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ProviderCodeLookup {
    /// Any other text gets the same 400 as a wrong code.
    #[schema(value_type = portico_domain::ProviderCode, required = true, default)]
    pub code: String,
}

impl Bounded for ProviderCodeLookup {
    fn fields(&self) -> Vec<(&'static str, &str, portico_domain::TextLimit)> {
        vec![("code", &self.code, portico_domain::CODE_ENTRY_LIMIT)]
    }
}

/// Which practice (and provider) a provider code belongs to.
#[utoipa::path(post, path = "/public/provider-codes/lookup", tag = PUBLIC,
    operation_id = "look_up_provider_code", security(()),
    request_body = ProviderCodeLookup,
    responses(
        (status = OK, description = "The practice and provider the code belongs to",
            body = ProviderCodeMatch),
        (status = BAD_REQUEST, response = CodeNotAccepted),
        (status = UNPROCESSABLE_ENTITY, response = InvalidFields),
        (status = TOO_MANY_REQUESTS, response = TooManyAttempts),
    ))]
async fn provider_code(
    State(state): State<AppState>,
    Client(client): Client,
    BoundedJson(input): BoundedJson<ProviderCodeLookup>,
) -> Result<Json<ProviderCodeMatch>, ApiError> {
    Ok(Json(
        provider_codes::lookup(&state.core, &input.code, &client).await?,
    ))
}
