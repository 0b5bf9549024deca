//! Redeeming a personal invitation (anonymous, under `/public`): the invite code or the link's
//! token with the patient's date of birth gives a registration ticket and the details that
//! pre-fill the form. Every wrong code gets one fixed answer, and guessing is throttled.

use axum::Json;
use axum::extract::State;
use portico_core::invitations::redemption::{self, Prefill, RedeemInput};
use serde::Serialize;
use utoipa_axum::router::UtoipaMethodRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::api::extract::BoundedJson;
use crate::api::openapi::{CodeNotAccepted, InvalidFields, PUBLIC, TooManyAttempts};
use crate::platform::error::ApiError;
use crate::platform::request::Client;

pub fn routes() -> Vec<UtoipaMethodRouter<AppState>> {
    vec![routes!(redeem)]
}

/// A registration ticket (single use, 30 minutes) and the details that pre-fill the form.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Redeemed {
    #[schema(schema_with = crate::api::openapi::token)]
    pub ticket: String,
    pub prefill: Prefill,
}

/// Redeems a personal invitation with the patient's date of birth.
///
/// Send the invite code, or the token of the invitation link, with the date of birth.
#[utoipa::path(post, path = "/public/invitations/redeem", tag = PUBLIC,
    operation_id = "redeem_invitation", security(()),
    request_body = RedeemInput,
    responses(
        (status = OK, description = "A registration ticket and the details that pre-fill the form",
            body = Redeemed),
        (status = BAD_REQUEST, response = CodeNotAccepted),
        (status = UNPROCESSABLE_ENTITY, response = InvalidFields),
        (status = TOO_MANY_REQUESTS, response = TooManyAttempts),
    ))]
async fn redeem(
    State(state): State<AppState>,
    Client(client): Client,
    BoundedJson(input): BoundedJson<RedeemInput>,
) -> Result<Json<Redeemed>, ApiError> {
    let done = redemption::redeem(&state.core, &input, &client).await?;
    Ok(Json(Redeemed {
        ticket: done.ticket.expose().to_owned(),
        prefill: done.prefill,
    }))
}
