//! Sessions and CSRF for the staff pages and the API. The session cookie carries a random token
//! whose keyed hash names the session row. Every state-changing form carries a CSRF token: an
//! HMAC of the session token (or, before sign-in, of a random anonymous cookie), so a page of
//! another site can neither read nor forge it. `Origin` and `Sec-Fetch-Site` are checked too.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, header};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use portico_core::PatientActor;
use portico_core::platform::secrets::{self, Purpose};
use portico_core::{SecretToken, StaffActor};
use serde::de::DeserializeOwned;

use crate::AppState;
use crate::error::{ApiError, PageError, WebError};
use crate::request::Client;

/// The cookies Portico sets. Behind HTTPS (`Secure` cookies) each name takes the `__Host-` prefix,
/// which browsers accept only from a secure origin, with `Path=/` and no `Domain`: a sibling
/// subdomain or a plain-HTTP page can then neither set nor overwrite them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CookieName {
    /// A staff member's session.
    Session,
    /// A patient's session (kept apart from staff sessions: one browser may hold both).
    Patient,
    /// The ticket of a registration in progress.
    Registration,
    /// Carries a password recovery's token between its two pages.
    Recovery,
    /// The random value anonymous forms' CSRF tokens are bound to.
    Anonymous,
}

impl CookieName {
    /// The name as sent, with or without the `__Host-` prefix.
    pub fn as_str(self, secure: bool) -> &'static str {
        match (self, secure) {
            (CookieName::Session, false) => "portico_session",
            (CookieName::Session, true) => "__Host-portico_session",
            (CookieName::Patient, false) => "portico_patient",
            (CookieName::Patient, true) => "__Host-portico_patient",
            (CookieName::Registration, false) => "portico_registration",
            (CookieName::Registration, true) => "__Host-portico_registration",
            (CookieName::Recovery, false) => "portico_recovery",
            (CookieName::Recovery, true) => "__Host-portico_recovery",
            (CookieName::Anonymous, false) => "portico_csrf",
            (CookieName::Anonymous, true) => "__Host-portico_csrf",
        }
    }
}

pub const SESSION_COOKIE: CookieName = CookieName::Session;
pub const PATIENT_COOKIE: CookieName = CookieName::Patient;
pub const REGISTRATION_COOKIE: CookieName = CookieName::Registration;
pub const RECOVERY_COOKIE: CookieName = CookieName::Recovery;
pub const ANON_COOKIE: CookieName = CookieName::Anonymous;
pub const CSRF_HEADER: &str = "x-csrf-token";

/// The value of one of our cookies in `jar`, under the name this deployment uses.
pub fn read<'j>(state: &AppState, jar: &'j CookieJar, name: CookieName) -> Option<&'j str> {
    jar.get(name.as_str(state.settings.secure_cookies))
        .map(|c| c.value())
}

/// The CSRF token that binds a form to `binding` (a session or anonymous cookie value).
fn csrf_for(state: &AppState, kind: &str, binding: &str) -> String {
    let mac = state
        .core
        .keys()
        .mac(Purpose::Csrf, format!("{kind}\0{binding}").as_bytes());
    secrets::base64url(&mac)
}

fn csrf_matches(state: &AppState, kind: &str, binding: &str, presented: &str) -> bool {
    match secrets::from_base64url(presented) {
        Some(tag) => state.core.keys().verify_mac(
            Purpose::Csrf,
            format!("{kind}\0{binding}").as_bytes(),
            &tag,
        ),
        None => false,
    }
}

/// A session cookie with the attributes every Portico cookie gets.
pub fn cookie(state: &AppState, name: CookieName, value: String) -> Cookie<'static> {
    Cookie::build((name.as_str(state.settings.secure_cookies), value))
        .http_only(true)
        .secure(state.settings.secure_cookies)
        .same_site(SameSite::Lax)
        .path("/")
        .build()
}

pub fn removal(state: &AppState, name: CookieName) -> Cookie<'static> {
    let mut c = cookie(state, name, String::new());
    c.make_removal();
    c
}

/// A CSRF token for a form shown before sign-in, setting the anonymous cookie when missing.
pub fn anonymous_csrf(state: &AppState, jar: CookieJar) -> (CookieJar, String) {
    if let Some(existing) = read(state, &jar, ANON_COOKIE).and_then(SecretToken::parse) {
        let token = csrf_for(state, "anon", existing.expose());
        return (jar, token);
    }
    let fresh = SecretToken::generate();
    let token = csrf_for(state, "anon", fresh.expose());
    (
        jar.add(cookie(state, ANON_COOKIE, fresh.expose().to_owned())),
        token,
    )
}

/// A signed-in staff member, with what their pages need to post forms.
pub struct StaffSession {
    pub actor: StaffActor,
    pub token: SecretToken,
    pub csrf: String,
}

async fn load_session(parts: &mut Parts, state: &AppState) -> Result<StaffSession, WebError> {
    let jar = CookieJar::from_headers(&parts.headers);
    let token = read(state, &jar, SESSION_COOKIE)
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

/// Refuses a cookie-authenticated change that lacks the page's CSRF token in `X-CSRF-Token`
/// (bound to the session of `kind`) or that a browser marks as coming from another site.
fn require_csrf_header(
    parts: &Parts,
    state: &AppState,
    kind: &str,
    token: &SecretToken,
) -> Result<(), WebError> {
    if is_safe(&parts.method) {
        return Ok(());
    }
    let presented = parts
        .headers
        .get(CSRF_HEADER)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if origin_allowed(state, &parts.headers) && csrf_matches(state, kind, token.expose(), presented)
    {
        Ok(())
    } else {
        Err(WebError::CsrfRejected)
    }
}

fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Refuses requests a browser marks as coming from another site.
fn origin_allowed(state: &AppState, headers: &HeaderMap) -> bool {
    let fetch_site = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok());
    if fetch_site == Some("cross-site") {
        return false;
    }
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return true; // Older browsers and non-browser clients send none; the token still protects.
    };
    // Browsers send `Origin: null` from privacy-sensitive contexts; trust it only when the same
    // browser also vouches that the request comes from our own origin.
    if origin == "null" {
        return fetch_site == Some("same-origin");
    }
    if origin == state.settings.public_url {
        return true;
    }
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    origin
        .split_once("://")
        .is_some_and(|(_, rest)| rest == host)
}

/// Whose form a page posts, from its path: what its CSRF token must be bound to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FormOwner {
    Staff,
    Patient,
    Anonymous,
}

impl FormOwner {
    fn of(path: &str) -> FormOwner {
        const BEFORE_SIGN_IN: [&str; 4] = [
            "/staff/sign-in",
            "/portal/sign-in",
            "/portal/forgot",
            "/portal/forgot/code",
        ];
        if BEFORE_SIGN_IN.contains(&path) {
            FormOwner::Anonymous
        } else if path.starts_with("/staff/") || path == "/staff" || path.starts_with("/dev/") {
            FormOwner::Staff
        } else if path.starts_with("/portal/") || path == "/portal" {
            FormOwner::Patient
        } else {
            FormOwner::Anonymous
        }
    }
}

/// A urlencoded form whose CSRF token was checked before its fields are read.
pub struct CsrfForm<T>(pub T);

#[derive(serde::Deserialize)]
struct CsrfField {
    #[serde(default)]
    csrf_token: String,
}

impl<T: DeserializeOwned> FromRequest<AppState> for CsrfForm<T> {
    type Rejection = PageError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let (parts, body) = req.into_parts();
        if !origin_allowed(state, &parts.headers) {
            return Err(WebError::CsrfRejected.into());
        }
        let jar = CookieJar::from_headers(&parts.headers);
        let owner = FormOwner::of(parts.uri.path());
        let bytes = Bytes::from_request(Request::from_parts(parts, body), state)
            .await
            .map_err(|e| WebError::MalformedBody(e.body_text()))?;
        let presented: CsrfField =
            serde_urlencoded::from_bytes(&bytes).map_err(|_| WebError::CsrfRejected)?;
        // Each form accepts only the token of its own kind: a staff page's form the staff
        // session's, a patient page's the patient session's, a form shown before sign-in the
        // anonymous cookie's. A token bound to another cookie never stands in for the session's.
        let (cookie, kind) = match owner {
            FormOwner::Staff => (SESSION_COOKIE, "session"),
            FormOwner::Patient => (PATIENT_COOKIE, "patient"),
            FormOwner::Anonymous => (ANON_COOKIE, "anon"),
        };
        let accepted = read(state, &jar, cookie)
            .is_some_and(|v| csrf_matches(state, kind, v, &presented.csrf_token));
        if presented.csrf_token.is_empty() || !accepted {
            return Err(WebError::CsrfRejected.into());
        }
        let form = serde_urlencoded::from_bytes(&bytes)
            .map_err(|e| WebError::MalformedBody(e.to_string()))?;
        Ok(CsrfForm(form))
    }
}

/// The body of a form that posts nothing but its CSRF token (sign-out buttons).
#[derive(serde::Deserialize)]
pub struct NoFields {}

/// A signed-in patient, with what their pages need to post forms.
pub struct PatientSession {
    pub patient: PatientActor,
    pub token: SecretToken,
    pub csrf: String,
}

/// The CSRF token of a patient session, for the page that just opened it.
pub fn patient_csrf(state: &AppState, token: &SecretToken) -> String {
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
        let token = read(state, &jar, PATIENT_COOKIE)
            .and_then(SecretToken::parse)
            .ok_or(WebError::PatientSignInRequired)?;
        Ok(PatientPage(load_patient(parts, state, token).await?))
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
        let token = read(state, &jar, PATIENT_COOKIE)
            .and_then(SecretToken::parse)
            .ok_or(WebError::PatientSignInRequired)?;
        let session = load_patient(parts, state, token).await?;
        require_csrf_header(parts, state, "patient", &session.token)?;
        Ok(PatientApi(session))
    }
}
