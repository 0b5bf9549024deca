//! How API handlers read a request: JSON bodies, query strings and path parameters whose errors
//! are problem documents rather than axum's plain-text rejections, and JSON bodies whose text
//! fields are checked against their limits first. The OpenAPI document (`openapi`) adds the
//! answers these extractors can give to every operation that takes a body or parameters.

use axum::Json;
use axum::extract::path::ErrorKind;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use crate::AppState;
use crate::platform::error::{ApiError, WebError};
use crate::platform::limits::{self, Bounded};

/// A JSON body whose parse errors are problem documents, not axum's plain-text rejections.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(value)) => Ok(ApiJson(value)),
            Err(JsonRejection::MissingJsonContentType(_)) => {
                Err(WebError::UnsupportedMediaType.into())
            }
            Err(rejection) => Err(WebError::MalformedBody(rejection_text(&rejection)).into()),
        }
    }
}

/// A JSON body that may be left out: no body at all reads as `T::default()` (an action whose
/// options are all optional, such as a re-send), any body is read as [`ApiJson`] reads it.
pub struct OptionalJson<T>(pub T);

impl<T: DeserializeOwned + Default> FromRequest<AppState> for OptionalJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let empty = req
            .headers()
            .get(axum::http::header::CONTENT_LENGTH)
            .is_some_and(|len| len == "0")
            || (!req.headers().contains_key(axum::http::header::CONTENT_TYPE)
                && !req
                    .headers()
                    .contains_key(axum::http::header::TRANSFER_ENCODING)
                && !req
                    .headers()
                    .contains_key(axum::http::header::CONTENT_LENGTH));
        if empty {
            return Ok(OptionalJson(T::default()));
        }
        // `null` says "no options" as plainly as no body does.
        let ApiJson(value) = ApiJson::<Option<T>>::from_request(req, state).await?;
        Ok(OptionalJson(value.unwrap_or_default()))
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
            Err(rejection) => Err(WebError::MalformedQuery(query_text(&rejection)).into()),
        }
    }
}

/// Path parameters whose errors are problem documents too (e.g. `%FF`, which is not UTF-8 text).
pub struct ApiPath<T>(pub T);

impl<T: DeserializeOwned + Send> FromRequestParts<AppState> for ApiPath<T> {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        match Path::<T>::from_request_parts(parts, state).await {
            Ok(Path(value)) => Ok(ApiPath(value)),
            Err(rejection) => Err(WebError::MalformedPath(path_text(&rejection)).into()),
        }
    }
}

/// What was wrong with the query string, without axum's prefix: serde names the parameter.
fn query_text(rejection: &QueryRejection) -> String {
    match rejection {
        QueryRejection::FailedToDeserializeQueryString(e) => {
            std::error::Error::source(e).map_or_else(|| e.body_text(), ToString::to_string)
        }
        other => other.body_text(),
    }
}

/// Which part of the path could not be read. Never the value: paths can carry tokens.
fn path_text(rejection: &PathRejection) -> String {
    match rejection {
        PathRejection::FailedToDeserializePathParams(e) => match e.kind() {
            ErrorKind::InvalidUtf8InPathParam { key } => {
                format!("`{key}` is not valid UTF-8 text.")
            }
            ErrorKind::ParseErrorAtKey { key, .. } | ErrorKind::DeserializeError { key, .. } => {
                format!("`{key}` is not a valid value.")
            }
            _ => "a part of it is not a valid value.".to_owned(),
        },
        _ => "a part of it is not a valid value.".to_owned(),
    }
}

fn rejection_text(rejection: &JsonRejection) -> String {
    // serde's message names the field and position, never echoes the value.
    rejection.body_text()
}
