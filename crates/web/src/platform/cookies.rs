//! The cookies Portico sets — a staff member's session, a patient's session, a registration's
//! ticket, a password recovery's token, the anonymous value CSRF tokens bind to before sign-in and
//! the browser's device cookie, the front-desk tablet's mark — with their names and the attributes every one of them gets. It reads and writes cookies; what
//! a cookie's value means is decided by `sessions`, `csrf` and the pages that set it.

use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};

use crate::AppState;

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
    /// The random value that tells browsers sharing one address apart for guessing limits.
    Browser,
    /// What a failed form post leaves for the page it redirects to (`flash`): sealed, read once.
    Flash,
    /// Marks the practice's front-desk tablet while a patient holds it (set by *Start on tablet*,
    /// removed when staff sign in on it): the registration's entry page then shows the neutral
    /// screen instead of starting another registration.
    Tablet,
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
            (CookieName::Browser, false) => "portico_browser",
            (CookieName::Browser, true) => "__Host-portico_browser",
            (CookieName::Flash, false) => "portico_flash",
            (CookieName::Flash, true) => "__Host-portico_flash",
            (CookieName::Tablet, false) => "portico_tablet",
            (CookieName::Tablet, true) => "__Host-portico_tablet",
        }
    }
}

pub const SESSION_COOKIE: CookieName = CookieName::Session;
pub const PATIENT_COOKIE: CookieName = CookieName::Patient;
pub const REGISTRATION_COOKIE: CookieName = CookieName::Registration;
pub const RECOVERY_COOKIE: CookieName = CookieName::Recovery;
pub const ANON_COOKIE: CookieName = CookieName::Anonymous;
pub const BROWSER_COOKIE: CookieName = CookieName::Browser;
pub const FLASH_COOKIE: CookieName = CookieName::Flash;
pub const TABLET_COOKIE: CookieName = CookieName::Tablet;

/// The value of one of our cookies in `jar`, under the name this deployment uses.
pub fn read<'j>(state: &AppState, jar: &'j CookieJar, name: CookieName) -> Option<&'j str> {
    jar.get(name.as_str(state.settings.secure_cookies))
        .map(|c| c.value())
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

/// A cookie that outlives the browser session, for `max_age`, with the same attributes.
pub fn lasting_cookie(
    state: &AppState,
    name: CookieName,
    value: String,
    max_age: time::Duration,
) -> Cookie<'static> {
    let mut c = cookie(state, name, value);
    c.set_max_age(max_age);
    c
}

pub fn removal(state: &AppState, name: CookieName) -> Cookie<'static> {
    let mut c = cookie(state, name, String::new());
    c.make_removal();
    c
}

/// After signing out: the session cookie `name` removed, and the sign-in page `sign_in` saying
/// that the person signed out.
pub fn signed_out(state: &AppState, jar: CookieJar, name: CookieName, sign_in: &str) -> Response {
    let jar = jar.add(removal(state, name));
    (jar, Redirect::to(&format!("{sign_in}?signed_out=1"))).into_response()
}
