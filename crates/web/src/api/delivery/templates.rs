//! Message templates (`portico_core::delivery::templates`) for admins: every kind in English and
//! Spanish, previews, and — for a signed-in admin, not an API token — saving a practice's own
//! version (checked before it is stored) and going back to the default.

use axum::Json;
use axum::extract::State;
use portico_core::delivery::templates::{
    self, Language, Preview, TemplateKind, TemplateText, TemplateView,
};
use serde::Deserialize;
use utoipa_axum::router::UtoipaMethodRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::api::extract::{ApiJson, ApiPath};
use crate::api::openapi::{Forbidden, InvalidFields, NotFound, TEMPLATES};
use crate::platform::error::ApiError;
use crate::platform::sessions::ApiActor;

pub fn routes() -> Vec<UtoipaMethodRouter<AppState>> {
    vec![routes!(list), routes!(save, reset), routes!(preview)]
}

/// Every template kind in every language, with the practice's own version where it has one
/// (admins).
#[utoipa::path(get, path = "/templates", tag = TEMPLATES, operation_id = "list_templates",
    responses(
        (status = OK, description = "Every template", body = Vec<TemplateView>),
        (status = FORBIDDEN, response = Forbidden),
    ))]
async fn list(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<Vec<TemplateView>>, ApiError> {
    Ok(Json(templates::list(&state.core, &actor).await?))
}

/// Saves the practice's own version of a template (signed-in admins). Unknown variables, syntax
/// errors and templates that cannot render are refused, each named.
#[utoipa::path(put, path = "/templates/{kind}/{language}", tag = TEMPLATES, operation_id = "save_template",
    params(
        ("kind" = TemplateKind, Path, description = "What the template is for"),
        ("language" = Language, Path, description = "The language of the template"),
    ),
    request_body = TemplateText,
    responses(
        (status = OK, description = "The template now in use", body = TemplateView),
        (status = FORBIDDEN, response = Forbidden),
        (status = NOT_FOUND, response = NotFound),
        (status = UNPROCESSABLE_ENTITY, response = InvalidFields),
    ))]
async fn save(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath((kind, language)): ApiPath<(String, String)>,
    ApiJson(input): ApiJson<TemplateText>,
) -> Result<Json<TemplateView>, ApiError> {
    Ok(Json(
        templates::save(&state.core, &actor, &kind, &language, &input).await?,
    ))
}

/// Goes back to the shipped default (signed-in admins).
#[utoipa::path(delete, path = "/templates/{kind}/{language}", tag = TEMPLATES, operation_id = "reset_template",
    params(
        ("kind" = TemplateKind, Path, description = "What the template is for"),
        ("language" = Language, Path, description = "The language of the template"),
    ),
    responses(
        (status = OK, description = "The default, now in use", body = TemplateView),
        (status = FORBIDDEN, response = Forbidden),
        (status = NOT_FOUND, response = NotFound),
    ))]
async fn reset(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath((kind, language)): ApiPath<(String, String)>,
) -> Result<Json<TemplateView>, ApiError> {
    Ok(Json(
        templates::reset(&state.core, &actor, &kind, &language).await?,
    ))
}

/// Renders a draft (or, with an empty body, the template in use) with sample data, exactly as it
/// would be sent, with the SMS segment count (admins).
#[utoipa::path(post, path = "/templates/{kind}/{language}/preview", tag = TEMPLATES, operation_id = "preview_template",
    params(
        ("kind" = TemplateKind, Path, description = "What the template is for"),
        ("language" = Language, Path, description = "The language of the template"),
    ),
    request_body = TemplateDraft,
    responses(
        (status = OK, description = "What would be sent", body = Preview),
        (status = FORBIDDEN, response = Forbidden),
        (status = NOT_FOUND, response = NotFound),
        (status = UNPROCESSABLE_ENTITY, response = InvalidFields),
    ))]
async fn preview(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath((kind, language)): ApiPath<(String, String)>,
    ApiJson(draft): ApiJson<TemplateDraft>,
) -> Result<Json<Preview>, ApiError> {
    let draft = TemplateText {
        subject: draft.subject,
        body: draft.body,
    };
    Ok(Json(
        templates::preview(&state.core, &actor, &kind, &language, &draft).await?,
    ))
}

/// A draft to preview. With a blank body the template in use is shown and the subject is not
/// looked at; otherwise both are checked as `PUT` checks them (422 naming the field).
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct TemplateDraft {
    /// At most 200 characters, when the body is not blank.
    #[schema(default)]
    pub subject: Option<String>,
    /// Blank for the template in use; at most 5,000 characters.
    #[schema(max_length = 5000, default)]
    pub body: String,
}
