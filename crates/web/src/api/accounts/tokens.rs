//! The practice's API tokens (`portico_core::accounts::api_tokens`) for its signed-in admins:
//! list, make (the answer carries the token's text, shown this once) and revoke. An API token
//! calling these gets 403: a token never manages tokens.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use portico_core::accounts::api_tokens::{self, ApiToken, CreatedApiToken, NewApiTokenInput};
use portico_domain::{DisplayName, TextLimit};
use utoipa_axum::router::UtoipaMethodRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::api::extract::{ApiPath, BoundedJson};
use crate::api::openapi::{API_TOKENS, Forbidden, InvalidFields, NotFound, StateConflict};
use crate::platform::error::ApiError;
use crate::platform::limits::Bounded;
use crate::platform::sessions::ApiActor;

pub fn routes() -> Vec<UtoipaMethodRouter<AppState>> {
    vec![routes!(list, create), routes!(revoke)]
}

impl Bounded for NewApiTokenInput {
    fn fields(&self) -> Vec<(&'static str, &str, TextLimit)> {
        vec![("label", &self.label, DisplayName::LIMIT)]
    }
}

/// The practice's API tokens, revoked ones too, newest first (signed-in admins).
#[utoipa::path(get, path = "/tokens", tag = API_TOKENS, operation_id = "list_api_tokens",
    responses(
        (status = OK, description = "Every token of the practice", body = Vec<ApiToken>),
        (status = FORBIDDEN, response = Forbidden),
    ))]
async fn list(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<Vec<ApiToken>>, ApiError> {
    Ok(Json(api_tokens::list(&state.core, &actor).await?))
}

/// Makes an API token (signed-in admins). The answer is the only place its text ever appears.
#[utoipa::path(post, path = "/tokens", tag = API_TOKENS, operation_id = "create_api_token",
    request_body = NewApiTokenInput,
    responses(
        (status = CREATED, description = "The new token, with its text (shown once)",
            body = CreatedApiToken, links(
                ("revoke" = (operation_id = "revoke_api_token",
                    parameters(("id" = "$response.body#/api_token/id")))),
            )),
        (status = FORBIDDEN, response = Forbidden),
        (status = UNPROCESSABLE_ENTITY, response = InvalidFields),
    ))]
async fn create(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    BoundedJson(input): BoundedJson<NewApiTokenInput>,
) -> Result<Response, ApiError> {
    let made = api_tokens::create(&state.core, &actor, &input).await?;
    Ok((StatusCode::CREATED, Json(made)).into_response())
}

/// Revokes an API token (signed-in admins): it is refused from the next request on.
#[utoipa::path(post, path = "/tokens/{id}/revoke", tag = API_TOKENS,
    operation_id = "revoke_api_token",
    params(("id" = String, Path, description = "The token's id")),
    responses(
        (status = OK, description = "The revoked token", body = ApiToken),
        (status = FORBIDDEN, response = Forbidden),
        (status = NOT_FOUND, response = NotFound),
        (status = CONFLICT, response = StateConflict),
    ))]
async fn revoke(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<ApiToken>, ApiError> {
    Ok(Json(api_tokens::revoke(&state.core, &actor, &id).await?))
}
