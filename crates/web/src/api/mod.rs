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

use axum::extract::path::ErrorKind;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request};
use axum::http::Method;
use axum::http::request::Parts;
use axum::{Json, Router};
use serde::de::DeserializeOwned;
use utoipa::OpenApi as _;
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouter};

use crate::AppState;
use crate::platform::error::{ApiError, WebError};
use crate::platform::limits::{self, Bounded};

/// The API under `/api/v1`, and its OpenAPI document (built from the same routes) at
/// `/api/openapi.json`.
pub fn routes() -> Router<AppState> {
    let (api, document) = with_document();
    api.merge(openapi::routes(document))
        .method_not_allowed_fallback(method_not_allowed)
}

fn with_document() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    let (api, document) = OpenApiRouter::with_openapi(openapi::Base::openapi())
        .nest("/api/v1", v1())
        .split_for_parts();
    (api, openapi::finish(document))
}

/// A known API address called with a method it does not take: a problem document. The router
/// adds the `Allow` header listing the methods the address takes.
async fn method_not_allowed(method: Method) -> ApiError {
    // Only a standard method is named back: any other token is text the client chose.
    let standard = [
        Method::GET,
        Method::HEAD,
        Method::POST,
        Method::PUT,
        Method::DELETE,
        Method::PATCH,
        Method::OPTIONS,
        Method::TRACE,
        Method::CONNECT,
    ];
    let named = standard.contains(&method).then(|| method.to_string());
    WebError::MethodNotAllowed(named).into()
}

fn v1() -> OpenApiRouter<AppState> {
    every_route()
        .into_iter()
        .fold(OpenApiRouter::new(), OpenApiRouter::routes)
}

/// Every route of `/api/v1` with the schemas its document names. The document keeps one schema
/// per name, so two types of one name would silently describe one body with the other's fields:
/// the test below refuses that.
fn every_route() -> Vec<UtoipaMethodRouter<AppState>> {
    [
        practice::routes(),
        invitations::routes(),
        codes::routes(),
        programs::routes(),
        public::routes(),
        templates::routes(),
        registration::routes(),
        patient::routes(),
        patients::routes(),
    ]
    .into_iter()
    .flatten()
    .collect()
}

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

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde_json::Value;

    use super::{every_route, with_document};

    /// Every `$ref` in `value`.
    fn references<'a>(value: &'a Value, found: &mut Vec<&'a str>) {
        match value {
            Value::Object(map) => {
                if let Some(Value::String(reference)) = map.get("$ref") {
                    found.push(reference);
                }
                map.values().for_each(|v| references(v, found));
            }
            Value::Array(items) => items.iter().for_each(|v| references(v, found)),
            _ => {}
        }
    }

    #[test]
    fn every_reference_in_the_document_resolves() {
        let document = serde_json::to_value(with_document().1).expect("the document is JSON");
        let mut found = Vec::new();
        references(&document, &mut found);
        assert!(!found.is_empty());
        for reference in found {
            let pointer = reference.strip_prefix('#').expect("a local reference");
            assert!(
                document.pointer(pointer).is_some(),
                "{reference} names nothing in the document"
            );
        }
    }

    #[test]
    fn every_link_names_an_operation_of_the_document() {
        let document = serde_json::to_value(with_document().1).expect("the document is JSON");
        let mut operations = Vec::new();
        let mut targets = Vec::new();
        for item in document["paths"].as_object().unwrap().values() {
            for operation in item.as_object().unwrap().values() {
                operations.push(operation["operationId"].as_str().unwrap_or_default());
                for response in operation["responses"].as_object().into_iter().flatten() {
                    for link in response.1["links"].as_object().into_iter().flatten() {
                        targets.push(link.1["operationId"].as_str().unwrap_or_default());
                    }
                }
            }
        }
        assert!(!targets.is_empty());
        for target in targets {
            assert!(operations.contains(&target), "a link names {target:?}");
        }
    }

    #[test]
    fn every_schema_in_the_document_has_a_name_of_its_own() {
        let mut seen = BTreeMap::new();
        for (schemas, paths, _) in every_route() {
            let route: Vec<&String> = paths.paths.keys().collect();
            for (name, schema) in schemas {
                let schema = serde_json::to_value(&schema).expect("a schema is JSON");
                if let Some((first_route, first)) = seen.get(&name) {
                    assert_eq!(
                        first, &schema,
                        "two different schemas are named {name}: one in {first_route}, one in {route:?}"
                    );
                } else {
                    seen.insert(name, (format!("{route:?}"), schema));
                }
            }
        }
    }
}
