//! What machines call: the JSON API under `/api/v1`, described by the OpenAPI document at
//! `/api/openapi.json` (`openapi`), and the signed callbacks of outside services under `/hooks`.
//! One folder or file per feature, named as in `portico_core`: `invitations` (and redeeming
//! one), `codes` (provider codes and their public look-up), `programs` (and the public sign-up
//! code look-up), `registration` (the steps behind a ticket, and the terms of use), `accounts` (a
//! patient's sessions and password recovery), `links` (the patient's cards, sign-ups awaiting
//! approval, notifications), `patients` (the practice's list and record of its patients, and
//! end-dating their access), `practices` (settings, staff, providers) and `delivery` (message
//! templates, the provider's delivery reports). Handlers read requests through `extract`.
//!
//! Every error is an RFC 9457 problem document; every record is scoped to the caller's practice,
//! so another practice's ids answer 404 exactly like unknown ids. No module here uses the pages.

mod accounts;
mod caregivers;
mod codes;
mod delivery;
mod extract;
mod intake_forms;
mod invitations;
mod links;
mod openapi;
mod patients;
mod practices;
mod programs;
mod registration;
mod threads;
mod visits;

pub use delivery::reports::{SMS_STATUS_PATH, SmsHookSettings};

use axum::Router;
use axum::http::Method;
use utoipa::OpenApi as _;
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouter};

use crate::AppState;
use crate::platform::error::{ApiError, WebError};

/// The API under `/api/v1`, and its OpenAPI document (built from the same routes) at
/// `/api/openapi.json`.
pub fn routes() -> Router<AppState> {
    let (api, document) = with_document();
    api.merge(openapi::routes(document))
        .method_not_allowed_fallback(method_not_allowed)
}

/// The callbacks of outside services (the SMS provider's delivery reports): signed, outside
/// `/api/v1` and its document, and answered without problem documents.
pub fn callbacks() -> Router<AppState> {
    delivery::callbacks()
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
    let named = crate::platform::request::standard_method_name(&method);
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
        practices::routes(),
        invitations::routes(),
        codes::routes(),
        programs::routes(),
        registration::routes(),
        accounts::routes(),
        links::routes(),
        patients::routes(),
        caregivers::routes(),
        visits::routes(),
        threads::routes(),
        intake_forms::routes(),
        delivery::routes(),
    ]
    .into_iter()
    .flatten()
    .collect()
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
