//! Who is calling, for the pages and the API: staff members and patients alike. A staff member
//! is known by the staff session cookie (and, on the API, an integrator by an API token); a
//! patient by the patient session cookie (and, on the API, by the same session token sent as a
//! bearer token by apps). Each extractor asks `portico_core::accounts` whether the session is
//! live; a missing or ended one answers with a redirect to the right sign-in page (pages) or 401
//! (API). Cookie-authenticated API changes must also carry the CSRF header (`csrf`). A session
//! cookie carries a random token whose keyed hash names the session row; signing in and out is
//! the pages' and the API's `accounts`, never this module's.

use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use axum_extra::extract::cookie::CookieJar;
use portico_core::PatientActor;
use portico_core::{SecretToken, StaffActor};

use super::cookies::{self, PATIENT_COOKIE, SESSION_COOKIE};
use super::csrf::{csrf_for, require_csrf_header};
use super::error::{ApiError, PageError, WebError};
use super::request::Client;
use crate::AppState;

/// A signed-in staff member, with what their pages need to post forms.
pub struct StaffSession {
    pub actor: StaffActor,
    pub token: SecretToken,
    pub csrf: String,
}

async fn load_session(parts: &mut Parts, state: &AppState) -> Result<StaffSession, WebError> {
    let jar = CookieJar::from_headers(&parts.headers);
    let token = cookies::read(state, &jar, SESSION_COOKIE)
        .and_then(SecretToken::parse)
        .ok_or(WebError::SignInRequired)?;
    let Ok(Client(client)) = Client::from_request_parts(parts, state).await;
    let actor = portico_core::accounts::staff_sessions::authenticate(&state.core, &token, client)
        .await?
        .ok_or(WebError::SignInRequired)?;
    let csrf = csrf_for(state, "session", token.expose());
    Ok(StaffSession { actor, token, csrf })
}

/// A staff session for pages: no session redirects to the sign-in page.
pub struct PageSession(pub StaffSession);

impl FromRequestParts<AppState> for PageSession {
    type Rejection = PageError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(PageSession(load_session(parts, state).await?))
    }
}

/// A staff session for the API: no session answers 401. Cookie-authenticated requests that
/// change state must also send the CSRF token in `X-CSRF-Token`.
pub struct ApiSession(pub StaffSession);

impl FromRequestParts<AppState> for ApiSession {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let session = load_session(parts, state).await?;
        require_csrf_header(parts, state, "session", &session.token)?;
        Ok(ApiSession(session))
    }
}

/// Whoever may call the practice API: an integrator's bearer token (`Authorization: Bearer …`) or
/// a signed-in staff member's session (with the CSRF header for changes, as above).
pub struct ApiActor(pub StaffActor);

impl FromRequestParts<AppState> for ApiActor {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let Some(auth) = parts.headers.get(header::AUTHORIZATION) else {
            let ApiSession(session) = ApiSession::from_request_parts(parts, state).await?;
            return Ok(ApiActor(session.actor));
        };
        let bearer = auth
            .to_str()
            .ok()
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(|t| t.trim().to_owned())
            .ok_or(WebError::SignInRequired)?;
        let Ok(Client(client)) = Client::from_request_parts(parts, state).await;
        let actor = portico_core::accounts::api_tokens::authenticate(&state.core, &bearer, client)
            .await?
            .ok_or(WebError::SignInRequired)?;
        Ok(ApiActor(actor))
    }
}

/// A signed-in patient, with what their pages need to post forms.
pub struct PatientSession {
    pub patient: PatientActor,
    pub token: SecretToken,
    pub csrf: String,
}

/// The CSRF token of a patient session, for its pages' forms.
fn patient_csrf(state: &AppState, token: &SecretToken) -> String {
    csrf_for(state, "patient", token.expose())
}

async fn load_patient(
    parts: &mut Parts,
    state: &AppState,
    token: SecretToken,
) -> Result<PatientSession, WebError> {
    let Ok(Client(client)) = Client::from_request_parts(parts, state).await;
    let patient =
        portico_core::accounts::patient_sessions::authenticate(&state.core, &token, client)
            .await?
            .ok_or(WebError::PatientSignInRequired)?;
    let csrf = patient_csrf(state, &token);
    Ok(PatientSession {
        patient,
        token,
        csrf,
    })
}

/// A patient session for pages: no session redirects to the patient sign-in page.
pub struct PatientPage(pub PatientSession);

impl FromRequestParts<AppState> for PatientPage {
    type Rejection = PageError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let jar = CookieJar::from_headers(&parts.headers);
        let session = match cookies::read(state, &jar, PATIENT_COOKIE).and_then(SecretToken::parse)
        {
            Some(token) => load_patient(parts, state, token).await,
            None => Err(WebError::PatientSignInRequired),
        };
        match session {
            Ok(session) => Ok(PatientPage(session)),
            // A page opened from a link (a message's email): back to it after signing in.
            Err(WebError::PatientSignInRequired) if parts.method == axum::http::Method::GET => {
                let path = parts.uri.path();
                Err(match super::return_to::after_sign_in(path) {
                    Some(next) => WebError::PatientSignInThen(next.to_owned()),
                    None => WebError::PatientSignInRequired,
                }
                .into())
            }
            Err(e) => Err(e.into()),
        }
    }
}

/// A patient for the API: a session token as `Authorization: Bearer …` (apps), or the session
/// cookie with the CSRF header for changes (pages' scripts). No session answers 401.
pub struct PatientApi(pub PatientSession);

impl FromRequestParts<AppState> for PatientApi {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if let Some(auth) = parts.headers.get(header::AUTHORIZATION) {
            let token = auth
                .to_str()
                .ok()
                .and_then(|v| v.strip_prefix("Bearer "))
                .and_then(|t| SecretToken::parse(t.trim()))
                .ok_or(WebError::PatientSignInRequired)?;
            return Ok(PatientApi(load_patient(parts, state, token).await?));
        }
        let jar = CookieJar::from_headers(&parts.headers);
        let token = cookies::read(state, &jar, PATIENT_COOKIE)
            .and_then(SecretToken::parse)
            .ok_or(WebError::PatientSignInRequired)?;
        let session = load_patient(parts, state, token).await?;
        require_csrf_header(parts, state, "patient", &session.token)?;
        Ok(PatientApi(session))
    }
}
