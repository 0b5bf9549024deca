//! Programs and their sign-up codes (`portico_core::programs`): for admins and integrators,
//! create, list and read (with the patients each holds), replace, delete; for anyone (under `/public`), looking up which program and
//! practice a sign-up code belongs to, with one fixed answer for every wrong code and guessing
//! throttled.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use portico_core::programs::{self, Program, ProgramInput, ProgramOverview, SignupCodeMatch};
use serde::Deserialize;
use utoipa_axum::router::UtoipaMethodRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::api::extract::{ApiJson, ApiPath, BoundedJson};
use crate::api::openapi::{
    CodeNotAccepted, Forbidden, InvalidFields, NotFound, PROGRAMS, PUBLIC, TooManyAttempts,
};
use crate::platform::error::ApiError;
use crate::platform::limits::Bounded;
use crate::platform::request::Client;
use crate::platform::sessions::ApiActor;

pub fn routes() -> Vec<UtoipaMethodRouter<AppState>> {
    vec![
        routes!(list, create),
        routes!(read, update, delete),
        routes!(signup_code),
    ]
}

/// The practice's programs, each with how many patients it holds (admins only).
#[utoipa::path(get, path = "/programs", tag = PROGRAMS, operation_id = "list_programs",
    responses(
        (status = OK, description = "Every program with its patients counted",
            body = Vec<ProgramOverview>),
        (status = FORBIDDEN, response = Forbidden),
    ))]
async fn list(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<Vec<ProgramOverview>>, ApiError> {
    Ok(Json(programs::overview(&state.core, &actor).await?))
}

/// Adds a program with its sign-up code (admins only).
///
/// A sign-up code another program holds is refused (422) whoever holds it; after 10 such
/// refusals in an hour the caller gets 429 for any program save until the hour is over.
#[utoipa::path(post, path = "/programs", tag = PROGRAMS, operation_id = "create_program",
    request_body = ProgramInput,
    responses(
        (status = CREATED, description = "The new program", body = Program, links(
            ("read" = (operation_id = "get_program", parameters(("id" = "$response.body#/id")))),
            ("replace" = (operation_id = "update_program", parameters(("id" = "$response.body#/id")))),
            ("delete" = (operation_id = "delete_program", parameters(("id" = "$response.body#/id")))),
        )),
        (status = FORBIDDEN, response = Forbidden),
        (status = UNPROCESSABLE_ENTITY, response = InvalidFields),
        (status = TOO_MANY_REQUESTS, response = TooManyAttempts),
    ))]
async fn create(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(input): ApiJson<ProgramInput>,
) -> Result<Response, ApiError> {
    let program = programs::create(&state.core, &actor, &input).await?;
    Ok((StatusCode::CREATED, Json(program)).into_response())
}

/// One program, with how many patients it holds (admins only).
#[utoipa::path(get, path = "/programs/{id}", tag = PROGRAMS, operation_id = "get_program",
    params(("id" = String, Path, description = "The program's id")),
    responses(
        (status = OK, description = "The program with its patients counted",
            body = ProgramOverview),
        (status = FORBIDDEN, response = Forbidden),
        (status = NOT_FOUND, response = NotFound),
    ))]
async fn read(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<ProgramOverview>, ApiError> {
    Ok(Json(programs::get(&state.core, &actor, &id).await?))
}

/// Replaces a program's name, sign-up code, policy and flags (admins only).
#[utoipa::path(put, path = "/programs/{id}", tag = PROGRAMS, operation_id = "update_program",
    params(("id" = String, Path, description = "The program's id")),
    request_body = ProgramInput,
    responses(
        (status = OK, description = "The program as replaced", body = Program),
        (status = FORBIDDEN, response = Forbidden),
        (status = NOT_FOUND, response = NotFound),
        (status = UNPROCESSABLE_ENTITY, response = InvalidFields),
        (status = TOO_MANY_REQUESTS, response = TooManyAttempts),
    ))]
async fn update(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<String>,
    ApiJson(input): ApiJson<ProgramInput>,
) -> Result<Json<Program>, ApiError> {
    Ok(Json(
        programs::update(&state.core, &actor, &id, &input).await?,
    ))
}

/// Deletes a program (admins only).
///
/// Only a program nobody was invited or enrolled into can go; one in use answers 422 (disable it
/// instead).
#[utoipa::path(delete, path = "/programs/{id}", tag = PROGRAMS, operation_id = "delete_program",
    params(("id" = String, Path, description = "The program's id")),
    responses(
        (status = NO_CONTENT, description = "The program is gone."),
        (status = FORBIDDEN, response = Forbidden),
        (status = NOT_FOUND, response = NotFound),
        (status = UNPROCESSABLE_ENTITY, response = InvalidFields),
    ))]
async fn delete(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<String>,
) -> Result<StatusCode, ApiError> {
    programs::delete(&state.core, &actor, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A program's sign-up code as typed, in any case, with or without spaces and dashes.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct SignupCodeLookup {
    /// Any other text gets the same 400 as a wrong code.
    #[schema(value_type = portico_domain::SignupCode, required = true, default)]
    pub code: String,
}

impl Bounded for SignupCodeLookup {
    fn fields(&self) -> Vec<(&'static str, &str, portico_domain::TextLimit)> {
        vec![("code", &self.code, portico_domain::CODE_ENTRY_LIMIT)]
    }
}

/// Which program (and practice) a sign-up code belongs to; enabled programs only.
#[utoipa::path(post, path = "/public/signup-codes/lookup", tag = PUBLIC,
    operation_id = "look_up_signup_code", security(()),
    request_body = SignupCodeLookup,
    responses(
        (status = OK, description = "The program and practice the code belongs to",
            body = SignupCodeMatch),
        (status = BAD_REQUEST, response = CodeNotAccepted),
        (status = UNPROCESSABLE_ENTITY, response = InvalidFields),
        (status = TOO_MANY_REQUESTS, response = TooManyAttempts),
    ))]
async fn signup_code(
    State(state): State<AppState>,
    Client(client): Client,
    BoundedJson(input): BoundedJson<SignupCodeLookup>,
) -> Result<Json<SignupCodeMatch>, ApiError> {
    Ok(Json(
        programs::lookup(&state.core, &input.code, &client).await?,
    ))
}
