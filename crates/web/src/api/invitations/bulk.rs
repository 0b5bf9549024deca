//! Re-sending many expired or locked invitations in one call (`portico_core::invitations::
//! resend_many`), the API twin of the list page's "Re-send selected".

use axum::Json;
use axum::extract::State;
use portico_core::invitations::{self, BulkResend, BulkResent};
use utoipa_axum::router::UtoipaMethodRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::api::extract::ApiJson;
use crate::api::openapi::{Forbidden, INVITATIONS, InvalidFields};
use crate::platform::error::ApiError;
use crate::platform::sessions::ApiActor;

pub fn routes() -> Vec<UtoipaMethodRouter<AppState>> {
    vec![routes!(resend_many)]
}

/// Re-sends many expired or locked invitations, each with a new code on its own channels.
///
/// Each id is answered on its own, in the order asked: `resent`, or why it was left alone
/// (`not_found` for an id of no invitation of the practice, `redeemed`, `revoked`, `still_open`,
/// `handed_over`). New codes are not in the answer: they go to the patients. Re-send an invitation
/// that is handed over in person on its own (`resend_invitation`) to get its new code. At most 200
/// ids a call (otherwise 422, and nothing is re-sent).
#[utoipa::path(post, path = "/invitations/resend", tag = INVITATIONS,
    operation_id = "resend_invitations",
    request_body = BulkResend,
    responses(
        (status = OK, description = "What became of each invitation", body = BulkResent),
        (status = FORBIDDEN, response = Forbidden),
        (status = UNPROCESSABLE_ENTITY, response = InvalidFields),
    ))]
async fn resend_many(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(input): ApiJson<BulkResend>,
) -> Result<Json<BulkResent>, ApiError> {
    Ok(Json(
        invitations::resend_many(&state.core, &actor, &input).await?,
    ))
}
