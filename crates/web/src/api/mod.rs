//! The JSON API under `/api/v1`, described by the OpenAPI document at `/api/openapi.json`
//! (`openapi`). Every error is an RFC 9457 problem document; every record is scoped to the
//! caller's practice, so another practice's ids answer 404 exactly like unknown ids.

mod codes;
mod invitations;
mod openapi;
mod patient;
mod patients;
mod practice;
mod programs;
mod public;
mod registration;
mod templates;

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, FromRequestParts, Query, Request};
use axum::http::request::Parts;
use axum::{Json, Router};
use serde::de::DeserializeOwned;
use utoipa::OpenApi as _;
use utoipa_axum::router::OpenApiRouter;

use crate::AppState;
use crate::error::{ApiError, WebError};
use crate::limits::{self, Bounded};

/// The API under `/api/v1`, and its OpenAPI document (built from the same routes) at
/// `/api/openapi.json`.
pub fn routes() -> Router<AppState> {
    let (api, document) = OpenApiRouter::with_openapi(openapi::Base::openapi())
        .nest("/api/v1", v1())
        .split_for_parts();
    api.merge(openapi::routes(document))
}

fn v1() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .merge(practice::routes())
        .merge(invitations::routes())
        .merge(codes::routes())
        .merge(programs::routes())
        .merge(public::routes())
        .merge(templates::routes())
        .merge(registration::routes())
        .merge(patient::routes())
        .merge(patients::routes())
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

/// A JSON body like [`ApiJson`] whose text fields are also checked against their limits
/// (`limits`) before the handler sees it: the public, anonymous endpoints take these.
pub struct BoundedJson<T>(pub T);

impl<T: DeserializeOwned + Bounded> FromRequest<AppState> for BoundedJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let ApiJson(value) = ApiJson::<T>::from_request(req, state).await?;
        limits::check(&value)?;
        Ok(BoundedJson(value))
    }
}

/// A query string whose parse errors are problem documents too (e.g. `limit=abc`).
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned> FromRequestParts<AppState> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        match Query::<T>::from_request_parts(parts, state).await {
            Ok(Query(value)) => Ok(ApiQuery(value)),
            Err(rejection) => Err(WebError::MalformedBody(rejection.body_text()).into()),
        }
    }
}

fn rejection_text(rejection: &JsonRejection) -> String {
    // serde's message names the field and position, never echoes the value.
    rejection.body_text()
}
