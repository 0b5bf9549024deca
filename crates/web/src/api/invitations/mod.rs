//! Invitations (`portico_core::invitations`) for staff and integrators: create, list (filtered,
//! searched, sorted), read with history, re-send (one, or many at once: `bulk`), revoke. The patient's side, redeeming one, is `redemption`.

mod bulk;
mod redemption;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use portico_core::invitations::{
    self, Invitation, InvitePreview, Issued, ListQuery, NewInvitationInput, Page, ResendInput,
};
use portico_domain::{InvitationState, Relation};
use serde::Serialize;
use utoipa_axum::router::UtoipaMethodRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::api::extract::{ApiPath, ApiQuery, BoundedJson, OptionalJson};
use crate::api::openapi::{Forbidden, INVITATIONS, InvalidFields, NotFound, StateConflict};
use crate::platform::error::ApiError;
use crate::platform::sessions::ApiActor;

pub fn routes() -> Vec<UtoipaMethodRouter<AppState>> {
    let mut routes = vec![
        routes!(list, create),
        routes!(preview),
        routes!(read),
        routes!(resend),
        routes!(revoke),
    ];
    routes.extend(bulk::routes());
    routes.extend(redemption::routes());
    routes
}

/// An invitation just issued: the only answer that ever carries its code and link.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct IssuedInvitation {
    pub id: String,
    /// The personal invite code, shown to the patient with their date of birth.
    pub code: String,
    /// The personal invitation link (it carries a token; treat it like the code).
    pub link: String,
    pub state: InvitationState,
    pub expires_at: String,
    pub relation: Relation,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// Household and caregiver invitations made in the same step.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(no_recursion)]
    pub related: Vec<IssuedInvitation>,
}

impl IssuedInvitation {
    fn new(state: &AppState, issued: Issued) -> IssuedInvitation {
        IssuedInvitation {
            link: format!(
                "{}/i/{}",
                state.settings.public_url,
                issued.link_token.expose()
            ),
            code: issued.code.expose_display(),
            id: issued.id,
            state: issued.state,
            expires_at: issued.expires_at.to_rfc3339(),
            relation: issued.relation,
            username: issued.username,
            related: Vec::new(),
        }
    }
}

/// Invites a patient, optionally with a household member and a caregiver.
///
/// The answer is the only one that ever carries the new codes and links.
#[utoipa::path(post, path = "/invitations", tag = INVITATIONS, operation_id = "create_invitation",
    request_body = NewInvitationInput,
    responses(
        (status = CREATED, description = "The new invitation(s), with codes and links",
            body = IssuedInvitation, links(
                ("read" = (operation_id = "get_invitation", parameters(("id" = "$response.body#/id")))),
                ("resend" = (operation_id = "resend_invitation", parameters(("id" = "$response.body#/id")))),
                ("revoke" = (operation_id = "revoke_invitation", parameters(("id" = "$response.body#/id")))),
            )),
        (status = FORBIDDEN, response = Forbidden),
        (status = UNPROCESSABLE_ENTITY, response = InvalidFields),
    ))]
async fn create(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    BoundedJson(input): BoundedJson<NewInvitationInput>,
) -> Result<Response, ApiError> {
    let created = invitations::create(&state.core, &actor, &input).await?;
    let mut body = IssuedInvitation::new(&state, created.invitation);
    body.related = created
        .related
        .into_iter()
        .map(|r| IssuedInvitation::new(&state, r))
        .collect();
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

/// What a new invitation would send, before it is made: each person's message on each chosen
/// channel, in the practice's template for the language, with a sample code and link.
///
/// Takes the body `POST /invitations` takes. Only what changes the words is checked (a typed
/// first name, the language, the channels, the provider and program); nothing is written.
#[utoipa::path(post, path = "/invitations/preview", tag = INVITATIONS,
    operation_id = "preview_invitation",
    request_body = NewInvitationInput,
    responses(
        (status = OK, description = "The messages, as they would be sent", body = InvitePreview),
        (status = UNPROCESSABLE_ENTITY, response = InvalidFields),
    ))]
async fn preview(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    BoundedJson(input): BoundedJson<NewInvitationInput>,
) -> Result<Json<InvitePreview>, ApiError> {
    Ok(Json(
        invitations::preview(&state.core, &actor, &input).await?,
    ))
}

/// The practice's invitations a page at a time: filtered, searched and sorted.
///
/// Newest first unless `sort` says otherwise. A page's `next_cursor` and `previous_cursor` lead
/// to the pages after and before it in the same order and filters.
#[utoipa::path(get, path = "/invitations", tag = INVITATIONS, operation_id = "list_invitations",
    params(ListQuery),
    responses(
        (status = OK, description = "One page of invitations", body = Page),
        (status = UNPROCESSABLE_ENTITY, response = InvalidFields),
    ))]
async fn list(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Json<Page>, ApiError> {
    Ok(Json(invitations::list(&state.core, &actor, &query).await?))
}

/// One invitation with its history (the read is audited: it shows patient data).
#[utoipa::path(get, path = "/invitations/{id}", tag = INVITATIONS, operation_id = "get_invitation",
    params(("id" = String, Path, description = "The invitation's id")),
    responses(
        (status = OK, description = "The invitation and its history", body = Invitation),
        (status = NOT_FOUND, response = NotFound),
    ))]
async fn read(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Invitation>, ApiError> {
    Ok(Json(invitations::get(&state.core, &actor, &id).await?))
}

/// Sends the invitation again with a new code and link; the old ones stop working.
///
/// The body is optional: without one the invitation goes again in its language on its channels;
/// `hand_over` sends nothing (staff hand the new code over in person).
#[utoipa::path(post, path = "/invitations/{id}/resend", tag = INVITATIONS,
    operation_id = "resend_invitation",
    params(("id" = String, Path, description = "The invitation's id")),
    request_body(content = Option<ResendInput>, description = "How to send it this time (optional)"),
    responses(
        (status = OK, description = "The invitation with its new code and link",
            body = IssuedInvitation),
        (status = FORBIDDEN, response = Forbidden),
        (status = NOT_FOUND, response = NotFound),
        (status = CONFLICT, response = StateConflict),
        (status = UNPROCESSABLE_ENTITY, response = InvalidFields),
    ))]
async fn resend(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<String>,
    OptionalJson(input): OptionalJson<ResendInput>,
) -> Result<Json<IssuedInvitation>, ApiError> {
    let issued = invitations::resend(&state.core, &actor, &id, &input).await?;
    Ok(Json(IssuedInvitation::new(&state, issued)))
}

/// Revokes the invitation: its code and link stop working.
#[utoipa::path(post, path = "/invitations/{id}/revoke", tag = INVITATIONS,
    operation_id = "revoke_invitation",
    params(("id" = String, Path, description = "The invitation's id")),
    responses(
        (status = OK, description = "The revoked invitation", body = Invitation),
        (status = FORBIDDEN, response = Forbidden),
        (status = NOT_FOUND, response = NotFound),
        (status = CONFLICT, response = StateConflict),
    ))]
async fn revoke(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Invitation>, ApiError> {
    Ok(Json(invitations::revoke(&state.core, &actor, &id).await?))
}
