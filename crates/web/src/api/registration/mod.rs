//! Registration for app clients (docs/PRODUCT.md §5), anonymous: a code gives a ticket, and each step
//! sends the ticket in its body (never in the URL); also the password check and passphrase
//! suggestion the registration form uses. The same core functions serve the pages. The terms of
//! use outside registration (publishing them, a signed-in patient accepting them) are `terms`;
//! the practice's consent texts are `consent_texts`.

mod consent_texts;
mod terms;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use portico_core::registration::{
    self, CodeSent, DetailsInput, PasswordCheck, PasswordCheckInput, RegistrationView,
};
use serde::{Deserialize, Serialize};
use utoipa_axum::router::UtoipaMethodRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::api::extract::BoundedJson;
use crate::api::openapi::{
    CodeNotAccepted, InvalidFields, PUBLIC, RegistrationExpired, StateConflict, TooManyAttempts,
};
use crate::platform::error::ApiError;
use crate::platform::limits::Bounded;
use crate::platform::request::Client;
use portico_core::SecretToken;
use portico_core::registration::consent::SIGNATURE_LIMIT;
use portico_domain::{CODE_ENTRY_LIMIT, Channel, OneTimeCode, TextLimit};

pub fn routes() -> Vec<UtoipaMethodRouter<AppState>> {
    let mut routes = vec![
        routes!(start),
        routes!(status),
        routes!(details),
        routes!(send_phone_code),
        routes!(verify_phone),
        routes!(accept_terms),
        routes!(sign_consent),
        routes!(complete),
        routes!(password_check),
        routes!(passphrase),
    ];
    routes.extend(terms::routes());
    routes.extend(consent_texts::routes());
    routes
}

/// The ticket of a registration in progress.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct TicketOnly {
    #[schema(schema_with = crate::api::openapi::token)]
    pub ticket: String,
}

/// A started self-registration: the ticket (single use, 30 minutes, extended as steps are done).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Started {
    #[schema(schema_with = crate::api::openapi::token)]
    pub ticket: String,
    pub registration: RegistrationView,
}

/// The code from a pamphlet, card or letter.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct StartInput {
    /// A provider code (`K7M2QX`) or a program's sign-up code (`Welcome123`); a provider code
    /// has the shape of a sign-up code. Any other text gets the same 400 as a wrong code.
    #[schema(value_type = portico_domain::SignupCode)]
    pub code: String,
}

/// Starts a self-registration with a provider code or a sign-up code.
///
/// An invited patient starts with `POST /public/invitations/redeem` instead.
#[utoipa::path(post, path = "/public/registrations", tag = PUBLIC,
    operation_id = "start_registration", security(()), request_body = StartInput,
    responses(
        (status = CREATED, description = "The ticket and the first step", body = Started),
        (status = BAD_REQUEST, response = CodeNotAccepted),
        (status = UNPROCESSABLE_ENTITY, response = InvalidFields),
        (status = TOO_MANY_REQUESTS, response = TooManyAttempts),
    ))]
async fn start(
    State(state): State<AppState>,
    Client(client): Client,
    BoundedJson(input): BoundedJson<StartInput>,
) -> Result<(StatusCode, Json<Started>), ApiError> {
    let started = registration::start_with_code(&state.core, &input.code, &client).await?;
    Ok((
        StatusCode::CREATED,
        Json(Started {
            ticket: started.ticket.expose().to_owned(),
            registration: started.view,
        }),
    ))
}

/// Where a registration stands: the next step, and what it needs (terms or consent text).
#[utoipa::path(post, path = "/public/registrations/status", tag = PUBLIC,
    operation_id = "registration_status", security(()), request_body = TicketOnly,
    responses(
        (status = OK, description = "The registration", body = RegistrationView),
        (status = GONE, response = RegistrationExpired),
        (status = UNPROCESSABLE_ENTITY, response = InvalidFields),
    ))]
async fn status(
    State(state): State<AppState>,
    BoundedJson(input): BoundedJson<TicketOnly>,
) -> Result<Json<RegistrationView>, ApiError> {
    Ok(Json(registration::view(&state.core, &input.ticket).await?))
}

/// The registration form with its ticket.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct DetailsWithTicket {
    #[schema(schema_with = crate::api::openapi::token)]
    pub ticket: String,
    #[serde(flatten)]
    pub details: DetailsInput,
}

/// Sends the registration form: names, date of birth, email (or none), mobile phone, password.
///
/// Every invalid field is reported at once, each with a message to show next to it.
#[utoipa::path(post, path = "/public/registrations/details", tag = PUBLIC,
    operation_id = "registration_details", security(()), request_body = DetailsWithTicket,
    responses(
        (status = OK, description = "Saved; the next step is phone verification", body = RegistrationView),
        (status = GONE, response = RegistrationExpired),
        (status = UNPROCESSABLE_ENTITY, response = InvalidFields),
    ))]
async fn details(
    State(state): State<AppState>,
    Client(client): Client,
    BoundedJson(input): BoundedJson<DetailsWithTicket>,
) -> Result<Json<RegistrationView>, ApiError> {
    Ok(Json(
        registration::submit_details(&state.core, &input.ticket, &input.details, &client).await?,
    ))
}

/// How the code should reach the phone.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct SendCode {
    #[schema(schema_with = crate::api::openapi::token)]
    pub ticket: String,
    #[schema(schema_with = crate::api::openapi::phone_channel)]
    pub channel: String,
}

/// Sends a six-digit code to the registration's phone by SMS or voice call.
///
/// The code is valid for 10 minutes. Asking again waits 30 seconds, then twice as long each time
/// (429 with `Retry-After`); a new code replaces the previous one.
#[utoipa::path(post, path = "/public/registrations/phone/send", tag = PUBLIC,
    operation_id = "registration_send_phone_code", security(()), request_body = SendCode,
    responses(
        (status = ACCEPTED, description = "The code is on its way", body = CodeSent),
        (status = CONFLICT, response = StateConflict),
        (status = GONE, response = RegistrationExpired),
        (status = UNPROCESSABLE_ENTITY, response = InvalidFields),
        (status = TOO_MANY_REQUESTS, response = TooManyAttempts),
    ))]
async fn send_phone_code(
    State(state): State<AppState>,
    Client(client): Client,
    BoundedJson(input): BoundedJson<SendCode>,
) -> Result<(StatusCode, Json<CodeSent>), ApiError> {
    let sent =
        registration::send_phone_code(&state.core, &input.ticket, &input.channel, &client).await?;
    Ok((StatusCode::ACCEPTED, Json(sent)))
}

/// The code the phone received.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct VerifyPhone {
    #[schema(schema_with = crate::api::openapi::token)]
    pub ticket: String,
    #[schema(value_type = portico_domain::OneTimeCode)]
    pub code: String,
}

/// Checks the code sent to the phone. Five wrong entries use a code up.
#[utoipa::path(post, path = "/public/registrations/phone/verify", tag = PUBLIC,
    operation_id = "registration_verify_phone", security(()), request_body = VerifyPhone,
    responses(
        (status = OK, description = "Verified; the next step is the terms of use", body = RegistrationView),
        (status = CONFLICT, response = StateConflict),
        (status = GONE, response = RegistrationExpired),
        (status = UNPROCESSABLE_ENTITY, response = InvalidFields),
    ))]
async fn verify_phone(
    State(state): State<AppState>,
    Client(client): Client,
    BoundedJson(input): BoundedJson<VerifyPhone>,
) -> Result<Json<RegistrationView>, ApiError> {
    Ok(Json(
        registration::verify_phone(&state.core, &input.ticket, &input.code, &client).await?,
    ))
}

/// Which version of the terms was read and accepted, for the registration behind the ticket.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct AcceptRegistrationTerms {
    #[schema(schema_with = crate::api::openapi::token)]
    pub ticket: String,
    /// The version shown by the registration's status; another one answers 409.
    #[serde(deserialize_with = "portico_domain::json::whole_number")]
    pub version: i64,
}

/// Accepts the practice's current terms of use (the version shown by the status).
#[utoipa::path(post, path = "/public/registrations/terms", tag = PUBLIC,
    operation_id = "registration_accept_terms", security(()), request_body = AcceptRegistrationTerms,
    responses(
        (status = OK, description = "Accepted", body = RegistrationView),
        (status = CONFLICT, response = StateConflict),
        (status = GONE, response = RegistrationExpired),
        (status = UNPROCESSABLE_ENTITY, response = InvalidFields),
    ))]
async fn accept_terms(
    State(state): State<AppState>,
    Client(client): Client,
    BoundedJson(input): BoundedJson<AcceptRegistrationTerms>,
) -> Result<Json<RegistrationView>, ApiError> {
    Ok(Json(
        registration::accept_terms(&state.core, &input.ticket, input.version, &client).await?,
    ))
}

/// The typed full name that signs the consent.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct SignConsent {
    #[schema(schema_with = crate::api::openapi::token)]
    pub ticket: String,
    /// The patient's full name as registered (first and last name; case and spacing do not
    /// matter), otherwise 422.
    #[schema(schema_with = signature)]
    pub signature: String,
    /// The version of the consent text the patient read (`consent.version` of the registration
    /// view). When given and a newer version was published meanwhile, the answer is 409: read
    /// the registration again for the new text. Without it, the current version is recorded.
    #[serde(
        default,
        deserialize_with = "portico_domain::json::optional_whole_number"
    )]
    #[schema(minimum = 1)]
    pub version: Option<i64>,
}

fn signature() -> utoipa::openapi::schema::Object {
    portico_domain::schema::text("The patient's full name, typed as a signature.")
        .max_length(Some(SIGNATURE_LIMIT.typed))
        .build()
}

/// Signs the digital consent (when the invitation asks for it in the app).
#[utoipa::path(post, path = "/public/registrations/consent", tag = PUBLIC,
    operation_id = "registration_sign_consent", security(()), request_body = SignConsent,
    responses(
        (status = OK, description = "Signed", body = RegistrationView),
        (status = CONFLICT, response = StateConflict),
        (status = GONE, response = RegistrationExpired),
        (status = UNPROCESSABLE_ENTITY, response = InvalidFields),
    ))]
async fn sign_consent(
    State(state): State<AppState>,
    Client(client): Client,
    BoundedJson(input): BoundedJson<SignConsent>,
) -> Result<Json<RegistrationView>, ApiError> {
    Ok(Json(
        registration::sign_consent(
            &state.core,
            &input.ticket,
            &input.signature,
            input.version,
            &client,
        )
        .await?,
    ))
}

/// A new account, signed in.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Registered {
    /// The session token: send it as `Authorization: Bearer …` to the patient endpoints.
    pub session_token: String,
    pub patient_id: String,
    /// For accounts without email: the username to sign in with.
    pub username: Option<String>,
    /// The conversation staff invited the patient into, now open: where to take them.
    pub thread_id: Option<String>,
}

/// Creates the account once every step is done, links it and signs it in.
#[utoipa::path(post, path = "/public/registrations/complete", tag = PUBLIC,
    operation_id = "registration_complete", security(()), request_body = TicketOnly,
    responses(
        (status = CREATED, description = "The account exists and is signed in", body = Registered),
        (status = CONFLICT, response = StateConflict),
        (status = GONE, response = RegistrationExpired),
        (status = UNPROCESSABLE_ENTITY, response = InvalidFields),
    ))]
async fn complete(
    State(state): State<AppState>,
    Client(client): Client,
    BoundedJson(input): BoundedJson<TicketOnly>,
) -> Result<(StatusCode, Json<Registered>), ApiError> {
    let done = registration::complete(&state.core, &input.ticket, &client).await?;
    Ok((
        StatusCode::CREATED,
        Json(Registered {
            session_token: done.session.token.expose().to_owned(),
            patient_id: done.session.patient.patient_id,
            username: done.username,
            thread_id: done.thread_id,
        }),
    ))
}

impl Bounded for TicketOnly {
    fn fields(&self) -> Vec<(&'static str, &str, TextLimit)> {
        vec![("ticket", &self.ticket, SecretToken::LIMIT)]
    }
}

impl Bounded for StartInput {
    fn fields(&self) -> Vec<(&'static str, &str, TextLimit)> {
        vec![("code", &self.code, CODE_ENTRY_LIMIT)]
    }
}

impl Bounded for DetailsWithTicket {
    fn fields(&self) -> Vec<(&'static str, &str, TextLimit)> {
        let mut fields = vec![("ticket", self.ticket.as_str(), SecretToken::LIMIT)];
        fields.extend(self.details.fields());
        fields
    }
}

impl Bounded for SendCode {
    fn fields(&self) -> Vec<(&'static str, &str, TextLimit)> {
        vec![
            ("ticket", &self.ticket, SecretToken::LIMIT),
            ("channel", &self.channel, Channel::LIMIT),
        ]
    }
}

impl Bounded for VerifyPhone {
    fn fields(&self) -> Vec<(&'static str, &str, TextLimit)> {
        vec![
            ("ticket", &self.ticket, SecretToken::LIMIT),
            ("code", &self.code, OneTimeCode::LIMIT),
        ]
    }
}

impl Bounded for AcceptRegistrationTerms {
    fn fields(&self) -> Vec<(&'static str, &str, TextLimit)> {
        vec![("ticket", &self.ticket, SecretToken::LIMIT)]
    }
}

impl Bounded for SignConsent {
    fn fields(&self) -> Vec<(&'static str, &str, TextLimit)> {
        vec![
            ("ticket", &self.ticket, SecretToken::LIMIT),
            ("signature", &self.signature, SIGNATURE_LIMIT),
        ]
    }
}

/// Rates a password as it is typed, by the rules registration applies (nothing is stored).
#[utoipa::path(post, path = "/public/password-check", tag = PUBLIC,
    operation_id = "check_password", security(()), request_body = PasswordCheckInput,
    responses(
        (status = OK, description = "The rating", body = PasswordCheck),
        (status = UNPROCESSABLE_ENTITY, response = InvalidFields),
        (status = TOO_MANY_REQUESTS, response = TooManyAttempts),
    ))]
async fn password_check(
    State(state): State<AppState>,
    Client(client): Client,
    BoundedJson(input): BoundedJson<PasswordCheckInput>,
) -> Result<Json<PasswordCheck>, ApiError> {
    Ok(Json(
        registration::check_password(&state.core, input, &client).await?,
    ))
}

/// A suggested passphrase.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Passphrase {
    /// Four random words from a list of 7,772 (about 51 bits).
    pub passphrase: String,
}

/// Suggests a passphrase of four random words that meets the password rules.
#[utoipa::path(get, path = "/public/passphrase", tag = PUBLIC,
    operation_id = "suggest_passphrase", security(()),
    responses((status = OK, description = "A suggestion", body = Passphrase)))]
async fn passphrase() -> Json<Passphrase> {
    Json(Passphrase {
        passphrase: registration::suggest_passphrase(),
    })
}
