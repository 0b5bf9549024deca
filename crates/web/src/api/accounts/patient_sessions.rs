//! A patient's sessions for apps: signing in by email address or username (anonymous, under
//! `/public`), which answers a session token to send as `Authorization: Bearer …`, and signing
//! out of this session or of every device.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use portico_core::accounts::patient_sessions;
use serde::{Deserialize, Serialize};
use utoipa_axum::router::UtoipaMethodRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::api::extract::BoundedJson;
use crate::api::openapi::{
    AccessEnded, Forbidden, InvalidFields, PATIENT, PUBLIC, TooManyAttempts, Unauthenticated,
};
use crate::platform::error::ApiError;
use crate::platform::limits::{Bounded, SIGN_IN_NAME};
use crate::platform::request::Client;
use crate::platform::sessions::PatientApi;
use portico_domain::{Password, TextLimit};

pub fn routes() -> Vec<UtoipaMethodRouter<AppState>> {
    vec![
        routes!(sign_in),
        routes!(sign_out),
        routes!(sign_out_everywhere),
    ]
}

/// An email address or username, and the password.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct SignIn {
    #[schema(schema_with = crate::api::openapi::sign_in_name)]
    pub name: String,
    #[schema(schema_with = crate::api::openapi::presented_password)]
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
        (status = UNAUTHORIZED, response = Unauthenticated),
        (status = FORBIDDEN, response = AccessEnded),
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

/// Ends this session.
#[utoipa::path(post, path = "/patient/sign-out", tag = PATIENT, operation_id = "patient_sign_out",
    security(("patient_session" = [])),
    responses(
        (status = NO_CONTENT, description = "Signed out"),
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
