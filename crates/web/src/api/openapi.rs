//! The OpenAPI 3 document of the JSON API, served at `GET /api/openapi.json`. Its paths come from
//! the same `#[utoipa::path]` attributes and `routes!` calls that route the handlers, so the
//! document cannot list a route the service lacks or miss one it has. This module adds what no
//! handler knows: the title and version, the security scheme, the tags and the problem responses
//! that handlers name. It describes the API; it never changes how a request is answered.

use std::sync::Arc;

use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use portico_core::SecretToken;
use portico_domain::{Channel, Password, TextLimit};
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::schema::Object;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{Ref, RefOr};
use utoipa::{Modify, OpenApi, ToResponse};

use crate::AppState;
use crate::platform::error::Problem;
use crate::platform::limits::SIGN_IN_NAME;

pub const PRACTICE: &str = "practice";
pub const INVITATIONS: &str = "invitations";
pub const PROVIDER_CODES: &str = "provider codes";
pub const PROGRAMS: &str = "programs";
pub const PUBLIC: &str = "public";
pub const TEMPLATES: &str = "templates";
pub const PATIENT: &str = "patient";
pub const PATIENTS: &str = "patients";
pub const API_TOKENS: &str = "api tokens";

const DESCRIPTION: &str = "Patient onboarding for a practice: invitations, provider codes and \
programs for staff and integrators, and the anonymous endpoints a patient's app calls.

Every `/api/v1` endpoint outside `/api/v1/public` needs a caller. Integrators send an API token as \
`Authorization: Bearer <token>` (scheme `api_token`). A staff member signed in to Portico's pages \
may call the same endpoints with the session cookie `portico_session` (`__Host-portico_session` behind HTTPS) instead; with the cookie, \
every request that changes something (`POST`, `PUT`, `PATCH`, `DELETE`) must also send the page's CSRF \
token in the `X-CSRF-Token` header and come from Portico's own origin, or it is refused with 403. \
Every record belongs to the caller's practice: another practice's ids answer 404 like unknown ids.

Every error under `/api` is an RFC 9457 problem document (`application/problem+json`), with the \
request's path in `instance` and its id in `request_id`. Besides the answers each operation lists: \
an address no route answers is a 404 problem; a known address called with a method it does not \
take is a 405 problem whose `Allow` header lists the methods it takes (`MethodNotAllowed` under \
`components/responses`); a request body over 2 MiB is refused with 413 before it is read, and one \
that arrives too slowly with 408.

Each field's schema states the rule the service applies: lengths, patterns, enums and bounds come \
from the same types that parse the field. Where a rule depends on more than the field (a date of \
birth against today, a phone number against its numbering plan, a password's strength, an id that \
must exist, a value that must be unique), the field's description says so and the service answers \
422 with the field named in `errors[]`.";

#[derive(OpenApi)]
#[openapi(
    info(title = "Portico API", version = env!("CARGO_PKG_VERSION"), description = DESCRIPTION),
    security(("api_token" = [])),
    modifiers(&ApiToken),
    components(
        // Named only inside a query parameter, which does not register what it names.
        schemas(Problem, portico_core::invitations::ListOrder),
        responses(
            MalformedRequest,
            MethodNotAllowed,
            BodyTooLarge,
            BodyTimeout,
            UnsupportedMediaType,
            CodeNotAccepted,
            Unauthenticated,
            Forbidden,
            AccessEnded,
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
            description = "The practice's patients: their list and records, the end of their \
                access, terms of use, sign-ups awaiting \
                approval, notifications."),
        (name = PATIENT,
            description = "A signed-in patient's own account: cards, terms, provider codes, \
                sign-out. Send the session token from registration or sign-in as \
                `Authorization: Bearer <token>` (scheme `patient_session`)."),
        (name = API_TOKENS,
            description = "The practice's API tokens, for its signed-in admins (an API token \
                gets 403): list, make (its text is in that answer only), revoke."),
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
                "An API token made by an admin on the staff page `/staff/tokens` or with `portico admin token create`. Signed-in staff may send the \
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

/// The document once every route is in it: the answers operations share are added (a modifier
/// on [`Base`] would run before the routes are there).
pub fn finish(mut document: utoipa::openapi::OpenApi) -> utoipa::openapi::OpenApi {
    SharedAnswers.modify(&mut document);
    document
}

/// Adds the answers that follow from what an operation takes, so no operation can forget them: a
/// JSON body can be malformed (400), too large (413), too slow (408) or not JSON (415); a path or
/// query parameter can be unreadable (400); a credential (an API token or a patient's session) can
/// be missing, wrong or expired (401). The extractors that give these answers (`ApiJson`,
/// `BoundedJson`, `ApiPath`, `ApiQuery`, `ApiActor`, `PatientApi`) are how every handler reads
/// bodies, parameters and credentials.
struct SharedAnswers;

impl Modify for SharedAnswers {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for item in openapi.paths.paths.values_mut() {
            let operations = [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.patch,
            ];
            for operation in operations.into_iter().flatten() {
                add_shared_answers(operation);
            }
        }
    }
}

fn add_shared_answers(operation: &mut Operation) {
    let takes_parameters = operation.parameters.iter().flatten().any(|p| match p {
        RefOr::T(p) => matches!(p.parameter_in, ParameterIn::Path | ParameterIn::Query),
        RefOr::Ref(_) => false,
    });
    let takes_body = operation.request_body.is_some();
    // No `security` of its own means the document's (an API token); `security(())` is public.
    let takes_credential = operation.security.as_ref().is_none_or(|requirements| {
        requirements
            .iter()
            .any(|r| *r != SecurityRequirement::default())
    });
    let responses = &mut operation.responses.responses;
    let mut add = |status: &str, response: &str| {
        responses
            .entry(status.to_owned())
            .or_insert_with(|| RefOr::Ref(Ref::from_response_name(response)));
    };
    if takes_body || takes_parameters {
        add("400", "MalformedRequest");
    }
    if takes_credential {
        add("401", "Unauthenticated");
    }
    if takes_body {
        add("408", "BodyTimeout");
        add("413", "BodyTooLarge");
        add("415", "UnsupportedMediaType");
    }
}

// Schemas of fields the web layer reads itself, built from the limits it checks them against.

/// A token the service issued (a registration ticket): 43 characters of unpadded base64url. Any
/// other text is answered like an unknown or expired ticket.
pub fn token() -> Object {
    portico_domain::schema::text(&format!(
        "A token the service issued: {} characters of unpadded base64url.",
        SecretToken::LEN
    ))
    .min_length(Some(SecretToken::LEN))
    .max_length(Some(SecretToken::LEN))
    .pattern(Some(format!("^[A-Za-z0-9_-]{{{}}}$", SecretToken::LEN)))
    .build()
}

/// Text up to `limit.typed` characters, the most the edge lets through (`limits`).
fn typed(description: &str, limit: TextLimit) -> Object {
    portico_domain::schema::text(description)
        .max_length(Some(limit.typed))
        .build()
}

/// What a patient signs in with.
pub fn sign_in_name() -> Object {
    typed(
        "The email address or username the patient signs in with.",
        SIGN_IN_NAME,
    )
}

/// Whose password to recover: like [`sign_in_name`], and not blank (otherwise 422).
pub fn recovery_name() -> Object {
    portico_domain::schema::filled("The email address or username the patient signs in with.")
        .max_length(Some(SIGN_IN_NAME.typed))
        .build()
}

/// A password being presented (not chosen): any text up to the typed limit.
pub fn presented_password() -> Object {
    typed("The password.", Password::LIMIT)
}

fn channels(description: &str, channels: &[Channel]) -> Object {
    portico_domain::schema::text(description)
        .enum_values(Some(channels.iter().map(|c| c.as_str())))
        .build()
}

/// How a phone verification code is sent.
pub fn phone_channel() -> Object {
    channels(
        "`sms` (a text message) or `voice` (a call that reads the code).",
        &[Channel::Sms, Channel::Voice],
    )
}

/// Where a recovery code is sent.
pub fn recovery_channel() -> Object {
    channels(
        "`email` or `sms` (a text message to the account's phone).",
        &[Channel::Email, Channel::Sms],
    )
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
// each only describes, once, a problem document the error mapping in `crate::platform::error` can answer.

/// The request could not be read: the body is not JSON or a field has the wrong type or is
/// missing, a path parameter is not UTF-8 text, or the query string does not fit.
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
#[expect(dead_code, reason = "describes a response; never built")]
pub struct MalformedRequest(Problem);

/// The address does not take this method; `Allow` lists the methods it takes.
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    headers(("Allow" = String, description = "The methods the address takes, e.g. `GET,HEAD,POST`"))
)]
#[expect(dead_code, reason = "describes a response; never built")]
pub struct MethodNotAllowed(Problem);

/// The request body is larger than 2 MiB; it was refused before it was read.
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
#[expect(dead_code, reason = "describes a response; never built")]
pub struct BodyTooLarge(Problem);

/// The request body did not arrive in time.
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
#[expect(dead_code, reason = "describes a response; never built")]
pub struct BodyTimeout(Problem);

/// The body was not sent as `Content-Type: application/json`.
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
#[expect(dead_code, reason = "describes a response; never built")]
pub struct UnsupportedMediaType(Problem);

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

/// The right password, but the patient's access has ended at every practice they were linked to:
/// the account can no longer sign in.
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
#[expect(dead_code, reason = "describes a response; never built")]
pub struct AccessEnded(Problem);

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
