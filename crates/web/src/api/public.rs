//! The public, anonymous endpoints: redeeming an invitation and looking up provider and sign-up
//! codes. Every wrong code gets one fixed answer per endpoint, and guessing is throttled.

use axum::Json;
use axum::extract::State;
use portico_core::codes::provider_codes::{self, ProviderCodeMatch};
use portico_core::invitations::redemption::{self, Prefill, RedeemInput};
use portico_core::programs::{self, SignupCodeMatch};
use serde::{Deserialize, Serialize};
use utoipa_axum::router::UtoipaMethodRouter;
use utoipa_axum::routes;

use super::BoundedJson;
use super::openapi::{CodeNotAccepted, InvalidFields, PUBLIC, TooManyAttempts};
use crate::AppState;
use crate::platform::error::ApiError;
use crate::platform::limits::Bounded;
use crate::platform::request::Client;

pub fn routes() -> Vec<UtoipaMethodRouter<AppState>> {
    vec![
        routes!(redeem),
        routes!(provider_code),
        routes!(signup_code),
    ]
}

/// A registration ticket (single use, 30 minutes) and the details that pre-fill the form.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Redeemed {
    #[schema(schema_with = super::openapi::token)]
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

/// A provider code as typed, in any case, with or without spaces and dashes.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ProviderCodeLookup {
    /// Any other text gets the same 400 as a wrong code.
    #[schema(value_type = portico_domain::ProviderCode, required = true, default)]
    pub code: String,
}

impl Bounded for ProviderCodeLookup {
    fn fields(&self) -> Vec<(&'static str, &str, portico_domain::TextLimit)> {
        vec![("code", &self.code, portico_domain::CODE_ENTRY_LIMIT)]
    }
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

/// Which practice (and provider) a provider code belongs to.
#[utoipa::path(post, path = "/public/provider-codes/lookup", tag = PUBLIC,
    operation_id = "look_up_provider_code", security(()),
    request_body = ProviderCodeLookup,
    responses(
        (status = OK, description = "The practice and provider the code belongs to",
            body = ProviderCodeMatch),
        (status = BAD_REQUEST, response = CodeNotAccepted),
        (status = UNPROCESSABLE_ENTITY, response = InvalidFields),
        (status = TOO_MANY_REQUESTS, response = TooManyAttempts),
    ))]
async fn provider_code(
    State(state): State<AppState>,
    Client(client): Client,
    BoundedJson(input): BoundedJson<ProviderCodeLookup>,
) -> Result<Json<ProviderCodeMatch>, ApiError> {
    Ok(Json(
        provider_codes::lookup(&state.core, &input.code, &client).await?,
    ))
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
