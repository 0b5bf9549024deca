//! Consent texts (`portico_core::registration::consent`) for staff and integrators: the
//! practice's current version, every version, and publishing a new one, beside the terms of use
//! (`terms`). Signing the consent during registration is a step of the registration.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use portico_core::registration::TextVersion;
use portico_core::registration::consent::{self, ConsentText};
use serde::Deserialize;
use utoipa_axum::router::UtoipaMethodRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::api::extract::ApiJson;
use crate::api::openapi::{Forbidden, InvalidFields, PATIENTS};
use crate::platform::error::ApiError;
use crate::platform::sessions::ApiActor;

pub fn routes() -> Vec<UtoipaMethodRouter<AppState>> {
    vec![
        routes!(current_consent_text, publish_consent_text),
        routes!(consent_text_history),
    ]
}

/// The consent text the practice's patients sign now (when an invitation asks for consent in
/// the app), with its version.
#[utoipa::path(get, path = "/consent-text", tag = PATIENTS, operation_id = "get_consent_text",
    responses(
        (status = OK, description = "The current version", body = ConsentText),
    ))]
async fn current_consent_text(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<ConsentText>, ApiError> {
    Ok(Json(consent::current_for_staff(&state.core, &actor).await?))
}

/// Every version of the practice's consent text, newest (the one in force) first, ending with
/// the built-in text as version 1 (admins).
#[utoipa::path(get, path = "/consent-text/versions", tag = PATIENTS,
    operation_id = "list_consent_text_versions",
    responses(
        (status = OK, description = "Every version, newest first", body = Vec<TextVersion>),
        (status = FORBIDDEN, response = Forbidden),
    ))]
async fn consent_text_history(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<Vec<TextVersion>>, ApiError> {
    Ok(Json(consent::history(&state.core, &actor).await?))
}

/// The text of a new version.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct PublishConsentText {
    #[schema(schema_with = consent_body)]
    pub body: String,
}

fn consent_body() -> utoipa::openapi::schema::Object {
    portico_domain::schema::filled(
        "Plain text; blank lines separate paragraphs. At most 20,000 characters once surrounding \
         whitespace is trimmed.",
    )
    .max_length(Some(20_000))
    .build()
}

/// Publishes a new version of the consent text (a signed-in admin's session; API tokens get
/// 403). Registrations that reach the consent step from now on are given it; consents already
/// signed keep the version they name.
#[utoipa::path(post, path = "/consent-text", tag = PATIENTS, operation_id = "publish_consent_text",
    request_body = PublishConsentText,
    responses(
        (status = CREATED, description = "The new current version", body = ConsentText),
        (status = FORBIDDEN, response = Forbidden),
        (status = UNPROCESSABLE_ENTITY, response = InvalidFields),
    ))]
async fn publish_consent_text(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(input): ApiJson<PublishConsentText>,
) -> Result<(StatusCode, Json<ConsentText>), ApiError> {
    let text = consent::publish(&state.core, &actor, &input.body).await?;
    Ok((StatusCode::CREATED, Json(text)))
}
