//! The signed-in patient's own API (apps): sign-in, the visit screen's cards, terms due, adding a
//! provider code, sign-out; and the anonymous password recovery.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use portico_core::accounts::patient_sessions;
use portico_core::accounts::recovery::{self, RecoveryFinish};
use portico_core::links::{self, Card};
use portico_core::registration::terms::{self, Terms};
use serde::{Deserialize, Serialize};
use utoipa_axum::router::UtoipaMethodRouter;
use utoipa_axum::routes;

use super::openapi::{
    CodeNotAccepted, Forbidden, InvalidFields, MalformedRequest, NotFound, PATIENT, PUBLIC,
    StateConflict, TooManyAttempts, Unauthenticated,
};
use super::{ApiJson, BoundedJson};
use crate::AppState;
use crate::platform::error::ApiError;
use crate::platform::limits::{Bounded, SIGN_IN_NAME};
use crate::platform::request::Client;
use crate::platform::sessions::PatientApi;
use portico_domain::{CODE_ENTRY_LIMIT, Channel, Password, TextLimit};

pub fn routes() -> Vec<UtoipaMethodRouter<AppState>> {
    vec![
        routes!(sign_in),
        routes!(me),
        routes!(accept_terms),
        routes!(add_provider_code),
        routes!(sign_out),
        routes!(sign_out_everywhere),
        routes!(start_recovery),
        routes!(finish_recovery),
    ]
}

/// An email address or username, and the password.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct SignIn {
    #[schema(schema_with = super::openapi::sign_in_name)]
    pub name: String,
    #[schema(schema_with = super::openapi::presented_password)]
    pub password: String,
}

impl Bounded for SignIn {
    fn fields(&self) -> Vec<(&'static str, &str, TextLimit)> {
        vec![
            ("name", &self.name, SIGN_IN_NAME),
            ("password", &self.password, Password::LIMIT),
        ]
    }
}

/// A session: send the token as `Authorization: Bearer …`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SessionOpened {
    pub session_token: String,
    pub patient_id: String,
}

/// Signs a patient in by email address or username.
///
/// A wrong name and a wrong password get the same answer.
#[utoipa::path(post, path = "/public/patient-sessions", tag = PUBLIC,
    operation_id = "patient_sign_in", security(()), request_body = SignIn,
    responses(
        (status = CREATED, description = "Signed in", body = SessionOpened),
        (status = BAD_REQUEST, response = MalformedRequest),
        (status = UNAUTHORIZED, response = Unauthenticated),
        (status = UNPROCESSABLE_ENTITY, response = InvalidFields),
        (status = TOO_MANY_REQUESTS, response = TooManyAttempts),
    ))]
async fn sign_in(
    State(state): State<AppState>,
    Client(client): Client,
    BoundedJson(input): BoundedJson<SignIn>,
) -> Result<(StatusCode, Json<SessionOpened>), ApiError> {
    let session =
        patient_sessions::sign_in(&state.core, &input.name, &input.password, client).await?;
    Ok((
        StatusCode::CREATED,
        Json(SessionOpened {
            session_token: session.token.expose().to_owned(),
            patient_id: session.patient.patient_id,
        }),
    ))
}

/// The signed-in patient: their cards and the terms they still have to accept.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Me {
    pub patient_id: String,
    pub first_name: String,
    pub last_name: String,
    pub username: Option<String>,
    pub cards: Vec<Card>,
    /// Terms of practices that published a version the patient has not accepted yet.
    pub terms_due: Vec<Terms>,
}

/// The visit screen's data: one card per linked practice or provider, and terms due.
#[utoipa::path(get, path = "/patient", tag = PATIENT, operation_id = "patient_me",
    security(("patient_session" = [])),
    responses(
        (status = OK, description = "The patient", body = Me),
        (status = UNAUTHORIZED, response = Unauthenticated),
    ))]
async fn me(
    State(state): State<AppState>,
    PatientApi(session): PatientApi,
) -> Result<Json<Me>, ApiError> {
    let p = &session.patient;
    Ok(Json(Me {
        cards: links::cards(&state.core, p).await?,
        terms_due: terms::due(&state.core, p).await?,
        patient_id: p.patient_id.clone(),
        first_name: p.first_name.clone(),
        last_name: p.last_name.clone(),
        username: p.username.clone(),
    }))
}

/// Which practice's terms, and which version was read (from `terms_due` of `GET /patient`).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct AcceptPracticeTerms {
    /// A practice the patient is linked to (otherwise 404).
    pub practice_id: String,
    /// The current version; an older one answers 409.
    #[serde(deserialize_with = "portico_domain::json::whole_number")]
    pub version: i64,
}

/// Accepts a practice's current terms of use.
#[utoipa::path(post, path = "/patient/terms", tag = PATIENT, operation_id = "patient_accept_terms",
    security(("patient_session" = [])), request_body = AcceptPracticeTerms,
    responses(
        (status = NO_CONTENT, description = "Accepted"),
        (status = BAD_REQUEST, response = MalformedRequest),
        (status = UNAUTHORIZED, response = Unauthenticated),
        (status = FORBIDDEN, response = Forbidden),
        (status = NOT_FOUND, response = NotFound),
        (status = CONFLICT, response = StateConflict),
    ))]
async fn accept_terms(
    State(state): State<AppState>,
    PatientApi(session): PatientApi,
    ApiJson(input): ApiJson<AcceptPracticeTerms>,
) -> Result<StatusCode, ApiError> {
    terms::accept(
        &state.core,
        &session.patient,
        &input.practice_id,
        input.version,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A provider code from a pamphlet or card.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct ProviderCodeInput {
    /// Any other text gets the same 400 as a wrong code.
    #[schema(value_type = portico_domain::ProviderCode)]
    pub code: String,
}

impl Bounded for ProviderCodeInput {
    fn fields(&self) -> Vec<(&'static str, &str, TextLimit)> {
        vec![("code", &self.code, CODE_ENTRY_LIMIT)]
    }
}

/// Links another practice or provider with its provider code ("Add provider code").
#[utoipa::path(post, path = "/patient/provider-codes", tag = PATIENT,
    operation_id = "patient_add_provider_code", security(("patient_session" = [])),
    request_body = ProviderCodeInput,
    responses(
        (status = OK, description = "The new (or existing) card", body = Card),
        (status = BAD_REQUEST, response = CodeNotAccepted),
        (status = UNAUTHORIZED, response = Unauthenticated),
        (status = FORBIDDEN, response = Forbidden),
        (status = UNPROCESSABLE_ENTITY, response = InvalidFields),
        (status = TOO_MANY_REQUESTS, response = TooManyAttempts),
    ))]
async fn add_provider_code(
    State(state): State<AppState>,
    PatientApi(session): PatientApi,
    BoundedJson(input): BoundedJson<ProviderCodeInput>,
) -> Result<Json<Card>, ApiError> {
    Ok(Json(
        links::add_provider_code(&state.core, &session.patient, &input.code).await?,
    ))
}

/// Ends this session.
#[utoipa::path(post, path = "/patient/sign-out", tag = PATIENT, operation_id = "patient_sign_out",
    security(("patient_session" = [])),
    responses(
        (status = NO_CONTENT, description = "Signed out"),
        (status = UNAUTHORIZED, response = Unauthenticated),
        (status = FORBIDDEN, response = Forbidden),
    ))]
async fn sign_out(
    State(state): State<AppState>,
    PatientApi(session): PatientApi,
) -> Result<StatusCode, ApiError> {
    patient_sessions::sign_out(&state.core, &session.token, &session.patient).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// How many sessions ended.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SignedOut {
    pub sessions_ended: u64,
}

/// Ends every session of the patient, on every device.
#[utoipa::path(post, path = "/patient/sign-out-everywhere", tag = PATIENT,
    operation_id = "patient_sign_out_everywhere", security(("patient_session" = [])),
    responses(
        (status = OK, description = "Signed out everywhere", body = SignedOut),
        (status = UNAUTHORIZED, response = Unauthenticated),
        (status = FORBIDDEN, response = Forbidden),
    ))]
async fn sign_out_everywhere(
    State(state): State<AppState>,
    PatientApi(session): PatientApi,
) -> Result<Json<SignedOut>, ApiError> {
    let sessions_ended =
        patient_sessions::sign_out_everywhere(&state.core, &session.patient).await?;
    Ok(Json(SignedOut { sessions_ended }))
}

/// Who forgot their password, and where the code should go.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct StartRecovery {
    #[schema(schema_with = super::openapi::recovery_name)]
    pub name: String,
    #[schema(schema_with = super::openapi::recovery_channel)]
    pub channel: String,
}

impl Bounded for StartRecovery {
    fn fields(&self) -> Vec<(&'static str, &str, TextLimit)> {
        vec![
            ("name", &self.name, SIGN_IN_NAME),
            ("channel", &self.channel, Channel::LIMIT),
        ]
    }
}

/// The same answer whether or not an account matched.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RecoveryStarted {
    /// Send it back with the code and the new password.
    pub recovery_token: String,
    pub message: &'static str,
}

const RECOVERY_SENT: &str = "If an account matches, we have sent it a 6-digit code. It expires \
                             in 10 minutes.";

/// Starts a password recovery: a code by email or SMS, if an account matches.
#[utoipa::path(post, path = "/public/password-recovery", tag = PUBLIC,
    operation_id = "start_password_recovery", security(()), request_body = StartRecovery,
    responses(
        (status = ACCEPTED, description = "The same answer for every name", body = RecoveryStarted),
        (status = BAD_REQUEST, response = MalformedRequest),
        (status = UNPROCESSABLE_ENTITY, response = InvalidFields),
        (status = TOO_MANY_REQUESTS, response = TooManyAttempts),
    ))]
async fn start_recovery(
    State(state): State<AppState>,
    Client(client): Client,
    BoundedJson(input): BoundedJson<StartRecovery>,
) -> Result<(StatusCode, Json<RecoveryStarted>), ApiError> {
    let started = recovery::start(&state.core, &input.name, &input.channel, &client).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(RecoveryStarted {
            recovery_token: started.token.expose().to_owned(),
            message: RECOVERY_SENT,
        }),
    ))
}

/// Sets a new password with the code; every session of the account ends.
#[utoipa::path(post, path = "/public/password-recovery/finish", tag = PUBLIC,
    operation_id = "finish_password_recovery", security(()), request_body = RecoveryFinish,
    responses(
        (status = NO_CONTENT, description = "The password is changed; sign in with it"),
        (status = BAD_REQUEST, response = MalformedRequest),
        (status = UNPROCESSABLE_ENTITY, response = InvalidFields),
        (status = TOO_MANY_REQUESTS, response = TooManyAttempts),
    ))]
async fn finish_recovery(
    State(state): State<AppState>,
    Client(client): Client,
    BoundedJson(input): BoundedJson<RecoveryFinish>,
) -> Result<StatusCode, ApiError> {
    recovery::finish(&state.core, &input, &client).await?;
    Ok(StatusCode::NO_CONTENT)
}
