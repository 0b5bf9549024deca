//! The JSON API under `/api/v1`. Every error is an RFC 9457 problem document; every record is
//! scoped to the caller's practice, so another practice's ids answer 404 exactly like unknown ids.

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Path, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use portico_core::practices::{self, Practice};
use portico_core::providers::{self, NewProviderInput, Provider};
use portico_core::staff::{self, NewStaffInput, StaffMember};
use serde::de::DeserializeOwned;

use crate::AppState;
use crate::auth::ApiSession;
use crate::error::{ApiError, WebError};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/practice", get(practice))
        .route("/staff", get(list_staff).post(create_staff))
        .route("/staff/{id}", get(get_staff))
        .route("/providers", get(list_providers).post(create_provider))
        .route("/providers/{id}", get(get_provider))
}

/// A JSON body whose parse errors are problem documents, not axum's plain-text rejections.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(value)) => Ok(ApiJson(value)),
            Err(rejection) => Err(WebError::MalformedBody(rejection_text(&rejection)).into()),
        }
    }
}

fn rejection_text(rejection: &JsonRejection) -> String {
    // serde's message names the field and position, never echoes the value.
    rejection.body_text()
}

async fn practice(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
) -> Result<Json<Practice>, ApiError> {
    Ok(Json(practices::current(&state.core, &s.actor).await?))
}

async fn list_staff(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
) -> Result<Json<Vec<StaffMember>>, ApiError> {
    Ok(Json(staff::list(&state.core, &s.actor).await?))
}

async fn get_staff(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    Path(id): Path<String>,
) -> Result<Json<StaffMember>, ApiError> {
    Ok(Json(staff::get(&state.core, &s.actor, &id).await?))
}

async fn create_staff(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    ApiJson(input): ApiJson<NewStaffInput>,
) -> Result<Response, ApiError> {
    let member = staff::create(&state.core, &s.actor, &input).await?;
    Ok((StatusCode::CREATED, Json(member)).into_response())
}

async fn list_providers(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
) -> Result<Json<Vec<Provider>>, ApiError> {
    Ok(Json(providers::list(&state.core, &s.actor).await?))
}

async fn get_provider(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    Path(id): Path<String>,
) -> Result<Json<Provider>, ApiError> {
    Ok(Json(providers::get(&state.core, &s.actor, &id).await?))
}

async fn create_provider(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    ApiJson(input): ApiJson<NewProviderInput>,
) -> Result<Response, ApiError> {
    let provider = providers::create(&state.core, &s.actor, &input).await?;
    Ok((StatusCode::CREATED, Json(provider)).into_response())
}
