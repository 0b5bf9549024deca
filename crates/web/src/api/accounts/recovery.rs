//! A patient's forgotten password, for apps (anonymous, under `/public`): a code by email or SMS,
//! then a new password with it. The answer is the same whether or not an account matched.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use portico_core::accounts::recovery::{self, RecoveryFinish};
use serde::{Deserialize, Serialize};
use utoipa_axum::router::UtoipaMethodRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::api::extract::BoundedJson;
use crate::api::openapi::{InvalidFields, PUBLIC, TooManyAttempts};
use crate::platform::error::ApiError;
use crate::platform::limits::{Bounded, SIGN_IN_NAME};
use crate::platform::request::Client;
use portico_domain::{Channel, TextLimit};

pub fn routes() -> Vec<UtoipaMethodRouter<AppState>> {
    vec![routes!(start_recovery), routes!(finish_recovery)]
}

/// Who forgot their password, and where the code should go.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct StartRecovery {
    #[schema(schema_with = crate::api::openapi::recovery_name)]
    pub name: String,
    #[schema(schema_with = crate::api::openapi::recovery_channel)]
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
