//! CSRF protection for the pages' forms and for cookie-authenticated API calls. A token is an HMAC
//! of the session token it belongs to — a staff member's or a patient's — or, before sign-in, of a
//! random anonymous cookie, so a page of another site can neither read nor forge it. `Origin` and
//! `Sec-Fetch-Site` are checked too. Forms are checked by [`CsrfForm`] before a field is read; API
//! calls by [`require_csrf_header`], which the session extractors in `sessions` call.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, header};
use axum_extra::extract::cookie::CookieJar;
use portico_core::SecretToken;
use portico_core::platform::secrets::{self, Purpose};
use portico_core::platform::upload::Upload;
use serde::de::DeserializeOwned;

use super::cookies::{self, ANON_COOKIE, PATIENT_COOKIE, SESSION_COOKIE};
use super::error::{PageError, WebError};
use crate::AppState;

pub const CSRF_HEADER: &str = "x-csrf-token";

/// The CSRF token that binds a form to `binding` (a session or anonymous cookie value).
pub(crate) fn csrf_for(state: &AppState, kind: &str, binding: &str) -> String {
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

/// A CSRF token for a form shown before sign-in, setting the anonymous cookie when missing.
pub fn anonymous_csrf(state: &AppState, jar: CookieJar) -> (CookieJar, String) {
    if let Some(existing) = cookies::read(state, &jar, ANON_COOKIE).and_then(SecretToken::parse) {
        let token = csrf_for(state, "anon", existing.expose());
        return (jar, token);
    }
    let fresh = SecretToken::generate();
    let token = csrf_for(state, "anon", fresh.expose());
    (
        jar.add(cookies::cookie(
            state,
            ANON_COOKIE,
            fresh.expose().to_owned(),
        )),
        token,
    )
}

/// Refuses a cookie-authenticated change that lacks the page's CSRF token in `X-CSRF-Token`
/// (bound to the session of `kind`) or that a browser marks as coming from another site.
pub(crate) fn require_csrf_header(
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
        const BEFORE_SIGN_IN: [&str; 5] = [
            "/staff/sign-in",
            "/portal/sign-in",
            "/portal/forgot",
            "/portal/forgot/code",
            "/portal/forgot/username",
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
        let accepted = cookies::read(state, &jar, cookie)
            .is_some_and(|v| csrf_matches(state, kind, v, &presented.csrf_token));
        if presented.csrf_token.is_empty() || !accepted {
            return Err(WebError::CsrfRejected.into());
        }
        let form = serde_urlencoded::from_bytes(&bytes)
            .map_err(|e| WebError::MalformedBody(e.to_string()))?;
        Ok(CsrfForm(form))
    }
}

/// A signed-in page's file upload (`multipart/form-data`, a staff member's or a patient's) whose
/// CSRF token — which must be its first field, as the page's form puts it — was checked before any
/// other field is read; then its fields in order.
pub struct CsrfUpload(pub UploadFields);

/// One field of an upload: its name, the file name a file field came with, and its bytes.
pub struct UploadField {
    name: String,
    file_name: Option<String>,
    bytes: Vec<u8>,
}

/// The fields of an upload, read by name.
pub struct UploadFields(Vec<UploadField>);

impl UploadFields {
    /// A text field's value (lossy UTF-8), if the form sent it.
    pub fn text(&self, name: &str) -> Option<String> {
        self.find(name)
            .map(|f| String::from_utf8_lossy(&f.bytes).into_owned())
    }

    /// Every value a repeated text field sent (checkboxes of one name), in order.
    pub fn texts(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|f| f.name == name && f.file_name.is_none())
            .map(|f| String::from_utf8_lossy(&f.bytes).into_owned())
            .collect()
    }

    /// A file field: the file name it came with (blank when none) and its bytes. A file input
    /// left empty sends an empty part: an upload with no bytes.
    pub fn file(&self, name: &str) -> Option<Upload> {
        self.find(name).map(|f| Upload {
            file_name: f.file_name.clone().unwrap_or_default(),
            bytes: f.bytes.clone(),
        })
    }

    fn find(&self, name: &str) -> Option<&UploadField> {
        self.0.iter().find(|f| f.name == name)
    }
}

impl FromRequest<AppState> for CsrfUpload {
    type Rejection = PageError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let (cookie, kind) = match FormOwner::of(req.uri().path()) {
            FormOwner::Staff => (SESSION_COOKIE, "session"),
            FormOwner::Patient => (PATIENT_COOKIE, "patient"),
            FormOwner::Anonymous => return Err(WebError::CsrfRejected.into()),
        };
        if !origin_allowed(state, req.headers()) {
            return Err(WebError::CsrfRejected.into());
        }
        let jar = CookieJar::from_headers(req.headers());
        let mut multipart = axum::extract::Multipart::from_request(req, state)
            .await
            .map_err(|e| WebError::MalformedBody(e.body_text()))?;
        let malformed = |e: axum::extract::multipart::MultipartError| {
            PageError::from(WebError::MalformedBody(e.body_text()))
        };
        let first = multipart.next_field().await.map_err(malformed)?;
        let presented = match first {
            Some(field) if field.name() == Some("csrf_token") => {
                field.text().await.map_err(malformed)?
            }
            _ => return Err(WebError::CsrfRejected.into()),
        };
        let accepted = cookies::read(state, &jar, cookie)
            .is_some_and(|v| csrf_matches(state, kind, v, &presented));
        if presented.is_empty() || !accepted {
            return Err(WebError::CsrfRejected.into());
        }
        let mut fields = Vec::new();
        while let Some(field) = multipart.next_field().await.map_err(malformed)? {
            let name = field.name().unwrap_or_default().to_owned();
            let file_name = field.file_name().map(str::to_owned);
            let bytes = field.bytes().await.map_err(malformed)?.to_vec();
            fields.push(UploadField {
                name,
                file_name,
                bytes,
            });
        }
        Ok(CsrfUpload(UploadFields(fields)))
    }
}

/// The body of a form that posts nothing but its CSRF token (sign-out buttons).
#[derive(serde::Deserialize)]
pub struct NoFields {}
