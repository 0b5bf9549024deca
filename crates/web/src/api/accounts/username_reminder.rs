//! "Forgot your username?", for apps (anonymous, under `/public`): the usernames of the accounts
//! with a phone number, texted to it. The answer is the same whether or not an account matched.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use portico_core::accounts::username_reminder::{self, UsernameReminder};
use serde::Serialize;
use utoipa_axum::router::UtoipaMethodRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::api::extract::BoundedJson;
use crate::api::openapi::{InvalidFields, PUBLIC, TooManyAttempts};
use crate::platform::error::ApiError;
use crate::platform::request::Client;

pub fn routes() -> Vec<UtoipaMethodRouter<AppState>> {
    vec![routes!(remind_username)]
}

/// The same answer whether or not an account matched.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct UsernameReminderSent {
    pub message: &'static str,
}

/// Texts the username of every account without email that has this verified phone number.
#[utoipa::path(post, path = "/public/username-reminder", tag = PUBLIC,
    operation_id = "remind_username", security(()), request_body = UsernameReminder,
    responses(
        (status = ACCEPTED, description = "The same answer for every number", body = UsernameReminderSent),
        (status = UNPROCESSABLE_ENTITY, response = InvalidFields),
        (status = TOO_MANY_REQUESTS, response = TooManyAttempts),
    ))]
async fn remind_username(
    State(state): State<AppState>,
    Client(client): Client,
    BoundedJson(input): BoundedJson<UsernameReminder>,
) -> Result<(StatusCode, Json<UsernameReminderSent>), ApiError> {
    username_reminder::send(&state.core, &input, &client).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(UsernameReminderSent {
            message: username_reminder::ANSWER,
        }),
    ))
}
