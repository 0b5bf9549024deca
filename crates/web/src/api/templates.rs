//! Message templates for staff: every kind in English and Spanish, saving a practice's own version
//! (admins, checked before it is stored), going back to the default, and previews.

use axum::Json;
use axum::extract::{Path, State};
use portico_core::delivery::templates::{self, Preview, TemplateText, TemplateView};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::ApiJson;
use super::openapi::{
    Forbidden, InvalidFields, MalformedBody, NotFound, TEMPLATES, Unauthenticated,
};
use crate::AppState;
use crate::auth::ApiActor;
use crate::error::ApiError;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(save, reset))
        .routes(routes!(preview))
}

/// Every template kind in every language, with the practice's own version where it has one.
#[utoipa::path(get, path = "/templates", tag = TEMPLATES, operation_id = "list_templates",
    responses(
        (status = OK, description = "Every template", body = Vec<TemplateView>),
        (status = UNAUTHORIZED, response = Unauthenticated),
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
        ("kind" = String, Path, description = "e.g. invite_email, invite_sms, invite_voice"),
        ("language" = String, Path, description = "en or es"),
    ),
    request_body = TemplateText,
    responses(
        (status = OK, description = "The template now in use", body = TemplateView),
        (status = BAD_REQUEST, response = MalformedBody),
        (status = UNAUTHORIZED, response = Unauthenticated),
        (status = FORBIDDEN, response = Forbidden),
        (status = NOT_FOUND, response = NotFound),
        (status = UNPROCESSABLE_ENTITY, response = InvalidFields),
    ))]
async fn save(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path((kind, language)): Path<(String, String)>,
    ApiJson(input): ApiJson<TemplateText>,
) -> Result<Json<TemplateView>, ApiError> {
    Ok(Json(
        templates::save(&state.core, &actor, &kind, &language, &input).await?,
    ))
}

/// Goes back to the shipped default (signed-in admins).
#[utoipa::path(delete, path = "/templates/{kind}/{language}", tag = TEMPLATES, operation_id = "reset_template",
    params(
        ("kind" = String, Path, description = "e.g. invite_email"),
        ("language" = String, Path, description = "en or es"),
    ),
    responses(
        (status = OK, description = "The default, now in use", body = TemplateView),
        (status = UNAUTHORIZED, response = Unauthenticated),
        (status = FORBIDDEN, response = Forbidden),
        (status = NOT_FOUND, response = NotFound),
    ))]
async fn reset(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path((kind, language)): Path<(String, String)>,
) -> Result<Json<TemplateView>, ApiError> {
    Ok(Json(
        templates::reset(&state.core, &actor, &kind, &language).await?,
    ))
}

/// Renders a draft (or, with an empty body, the template in use) with sample data, exactly as it
/// would be sent, with the SMS segment count.
#[utoipa::path(post, path = "/templates/{kind}/{language}/preview", tag = TEMPLATES, operation_id = "preview_template",
    params(
        ("kind" = String, Path, description = "e.g. invite_sms"),
        ("language" = String, Path, description = "en or es"),
    ),
    request_body = TemplateText,
    responses(
        (status = OK, description = "What would be sent", body = Preview),
        (status = BAD_REQUEST, response = MalformedBody),
        (status = UNAUTHORIZED, response = Unauthenticated),
        (status = NOT_FOUND, response = NotFound),
        (status = UNPROCESSABLE_ENTITY, response = InvalidFields),
    ))]
async fn preview(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path((kind, language)): Path<(String, String)>,
    ApiJson(draft): ApiJson<TemplateText>,
) -> Result<Json<Preview>, ApiError> {
    Ok(Json(
        templates::preview(&state.core, &actor, &kind, &language, &draft).await?,
    ))
}
