//! POST/redirect/GET also after a mistake. A form post that fails does not answer with a page —
//! that page would sit in the history as a POST, and Back or reload would ask to send the form
//! again — but redirects to the form's own page, leaving it a *flash*: the fields as typed, the
//! messages, and the page it is for. The flash is sealed (XChaCha20-Poly1305 under the server
//! secret: it may hold what a patient typed), lives in an HttpOnly cookie for a few minutes, and is
//! read once: the page that shows it removes it, so a reload shows where things stand.

use std::collections::BTreeMap;
use std::time::Duration;

use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::CookieJar;
use portico_core::{FieldErrors, Purpose};

use crate::AppState;
use crate::platform::cookies::{self, FLASH_COOKIE};

/// Long enough for the redirect to be followed on a slow phone, short enough to leave nothing.
const LIFETIME: Duration = Duration::from_secs(5 * 60);

/// What a failed post leaves for its page.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct Flash {
    /// The fields as typed, by name (only those the page may show again).
    pub fields: BTreeMap<String, String>,
    /// Messages for fields.
    pub errors: FieldErrors,
    /// A message for the whole form.
    pub message: Option<String>,
}

impl Flash {
    pub fn field(&self, name: &str) -> String {
        self.fields.get(name).cloned().unwrap_or_default()
    }

    pub fn with_errors(mut self, errors: FieldErrors) -> Flash {
        self.errors = errors;
        self
    }

    pub fn with_field(mut self, name: &str, value: &str) -> Flash {
        self.fields.insert(name.to_owned(), value.to_owned());
        self
    }
}

/// What is sealed: the flash, the page it is for and when it stops being good.
#[derive(serde::Serialize, serde::Deserialize)]
struct Sealed<T> {
    page: String,
    expires_at: i64,
    flash: T,
}

/// A 303 to `page` carrying `flash`.
pub fn redirect(state: &AppState, jar: CookieJar, page: &str, flash: Flash) -> Response {
    redirect_with(state, jar, page, flash)
}

/// A 303 to `page` carrying any sealed value for it to show once: a failed form's [`Flash`], or
/// what a successful post produced that may be shown only once (a new invitation's code).
pub fn redirect_with<T: serde::Serialize>(
    state: &AppState,
    jar: CookieJar,
    page: &str,
    flash: T,
) -> Response {
    let sealed = Sealed {
        page: path_of(page).to_owned(),
        expires_at: state.core.now().plus(LIFETIME).as_millis(),
        flash,
    };
    let json = serde_json::to_string(&sealed).expect("a flash serialises");
    let value = state.core.keys().seal(Purpose::PageFlash, &json);
    let jar = jar.add(cookies::cookie(state, FLASH_COOKIE, value));
    (jar, Redirect::to(page)).into_response()
}

/// The flash left for `page`, if any (and still good), with the cookie removed from `jar`.
pub fn take(state: &AppState, jar: CookieJar, page: &str) -> (CookieJar, Option<Flash>) {
    take_as(state, jar, page)
}

/// The value [`redirect_with`] left for `page`, read once like [`take`]; a flash of another
/// shape (left by another form) reads as none.
pub fn take_as<T: serde::de::DeserializeOwned>(
    state: &AppState,
    jar: CookieJar,
    page: &str,
) -> (CookieJar, Option<T>) {
    let Some(value) = cookies::read(state, &jar, FLASH_COOKIE).map(str::to_owned) else {
        return (jar, None);
    };
    let jar = jar.add(cookies::removal(state, FLASH_COOKIE));
    let flash = state
        .core
        .keys()
        .open(Purpose::PageFlash, &value)
        .and_then(|json| serde_json::from_str::<Sealed<T>>(&json).ok())
        .filter(|s| s.page == path_of(page) && s.expires_at > state.core.now().as_millis())
        .map(|s| s.flash);
    (jar, flash)
}

fn path_of(page: &str) -> &str {
    page.split('?').next().unwrap_or(page)
}
