//! The OpenAPI 3 document of the JSON API, served at `GET /api/openapi.json`. Its paths come from
//! the same `#[utoipa::path]` attributes and `routes!` calls that route the handlers, so the
//! document cannot list a route the service lacks or miss one it has. This module adds what no
//! handler knows: the title and version, the security scheme, the tags and the problem responses
//! that handlers name. It describes the API; it never changes how a request is answered.

use std::sync::Arc;

use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi, ToResponse};

use crate::AppState;
use crate::error::Problem;

pub const PRACTICE: &str = "practice";
pub const INVITATIONS: &str = "invitations";
pub const PROVIDER_CODES: &str = "provider codes";
pub const PROGRAMS: &str = "programs";
pub const PUBLIC: &str = "public";
pub const TEMPLATES: &str = "templates";
pub const PATIENT: &str = "patient";
pub const PATIENTS: &str = "patients";

const DESCRIPTION: &str = "Patient onboarding for a practice: invitations, provider codes and \
programs for staff and integrators, and the anonymous endpoints a patient's app calls.

Every `/api/v1` endpoint outside `/api/v1/public` needs a caller. Integrators send an API token as \
`Authorization: Bearer <token>` (scheme `api_token`). A staff member signed in to Portico's pages \
may call the same endpoints with the session cookie `portico_session` (`__Host-portico_session` behind HTTPS) instead; with the cookie, \
every request that changes something (`POST`, `PUT`, `DELETE`) must also send the page's CSRF \
token in the `X-CSRF-Token` header and come from Portico's own origin, or it is refused with 403. \
Every record belongs to the caller's practice: another practice's ids answer 404 like unknown ids.

Every error is an RFC 9457 problem document (`application/problem+json`).";

#[derive(OpenApi)]
#[openapi(
    info(title = "Portico API", version = env!("CARGO_PKG_VERSION"), description = DESCRIPTION),
    security(("api_token" = [])),
    modifiers(&ApiToken),
    components(
        schemas(Problem),
        responses(
            MalformedBody,
            CodeNotAccepted,
            Unauthenticated,
            Forbidden,
            NotFound,
            StateConflict,
            RegistrationExpired,
            InvalidFields,
            TooManyAttempts,
        )
    ),
    tags(
        (name = PRACTICE,
            description = "The caller's practice, its staff accounts and providers."),
        (name = INVITATIONS,
            description = "Invitations: create, list, read with history, re-send, revoke."),
        (name = PROVIDER_CODES,
            description = "The practice's and each provider's shared code: list, rotate, disable."),
        (name = PROGRAMS, description = "Programs and their sign-up codes."),
        (name = PATIENTS,
            description = "The practice's side of patients: terms of use, sign-ups awaiting \
                approval, notifications."),
        (name = PATIENT,
            description = "A signed-in patient's own account: cards, terms, provider codes, \
                sign-out. Send the session token from registration or sign-in as \
                `Authorization: Bearer <token>` (scheme `patient_session`)."),
        (name = TEMPLATES, description = "Message templates per kind and language: list, save, reset, preview."),
        (name = PUBLIC,
            description = "Anonymous endpoints for patients: redeem an invitation, look up a code. \
                Wrong codes get one fixed answer per endpoint, and guessing is throttled per \
                client address."),
    )
)]
pub struct Base;

/// Adds the bearer scheme that the document's global `security` names.
struct ApiToken;

impl Modify for ApiToken {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let scheme = HttpBuilder::new()
            .scheme(HttpAuthScheme::Bearer)
            .description(Some(
                "An API token made with `portico admin token create`. Signed-in staff may send the \
                 session cookie `portico_session` (`__Host-portico_session` behind HTTPS) instead (see the description above).",
            ))
            .build();
        let patient = HttpBuilder::new()
            .scheme(HttpAuthScheme::Bearer)
            .description(Some(
                "A patient's session token, from `POST /api/v1/public/registrations/complete` or \
                 `POST /api/v1/public/patient-sessions`.",
            ))
            .build();
        let components = openapi.components.get_or_insert_default();
        components.add_security_scheme("api_token", SecurityScheme::Http(scheme));
        components.add_security_scheme("patient_session", SecurityScheme::Http(patient));
    }
}

/// The route that serves the document.
pub fn routes(document: utoipa::openapi::OpenApi) -> Router<AppState> {
    let document = Arc::new(document);
    Router::new().route(
        "/api/openapi.json",
        get(move || async move { serve(&document) }),
    )
}

fn serve(document: &utoipa::openapi::OpenApi) -> Response {
    Json(document).into_response()
}

// The problem responses handlers name in `#[utoipa::path(responses(...))]`. They are never built:
// each only describes, once, a problem document the error mapping in `crate::error` can answer.

/// The request body is not JSON, or a field has the wrong type.
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
#[expect(dead_code, reason = "describes a response; never built")]
pub struct MalformedBody(Problem);

/// The code (or the code with this date of birth) was not accepted; the answer is the same for
/// every wrong code, or the body is not JSON.
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
#[expect(dead_code, reason = "describes a response; never built")]
pub struct CodeNotAccepted(Problem);

/// No API token or staff session, or one that is no longer valid.
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
#[expect(dead_code, reason = "describes a response; never built")]
pub struct Unauthenticated(Problem);

/// The caller's role may not do this, or a cookie-authenticated change lacked its CSRF token.
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
#[expect(dead_code, reason = "describes a response; never built")]
pub struct Forbidden(Problem);

/// No such record in the caller's practice.
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
#[expect(dead_code, reason = "describes a response; never built")]
pub struct NotFound(Problem);

/// Not possible in the record's present state (e.g. re-sending a redeemed invitation).
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
#[expect(dead_code, reason = "describes a response; never built")]
pub struct StateConflict(Problem);

/// The registration ticket is unknown, used or expired: start again with the code.
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
#[expect(dead_code, reason = "describes a response; never built")]
pub struct RegistrationExpired(Problem);

/// Some fields are not valid; `errors` lists each one as `{field, message}`.
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
#[expect(dead_code, reason = "describes a response; never built")]
pub struct InvalidFields(Problem);

/// Too many failed attempts from this client address; `Retry-After` says when to try again.
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    headers(("Retry-After" = u64, description = "Seconds to wait before trying again"))
)]
#[expect(dead_code, reason = "describes a response; never built")]
pub struct TooManyAttempts(Problem);
