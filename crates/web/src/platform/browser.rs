//! The browser's device cookie: a random value, set on every page that lacks it, by which the
//! guessing limits tell apart the browsers that share one address (a clinic's tablet and the
//! phones in its waiting room, a family's Wi-Fi). It proves nothing about who is asking — a
//! script can drop it or make one up — so it only ever splits an allowance that the address also
//! bounds; what it is worth is decided in `portico_core::codes`. The value reaches the core only
//! as a keyed hash.

use axum::extract::{Request, State};
use axum::http::HeaderMap;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::CookieJar;
use portico_core::{BrowserKey, SecretToken};

use super::cookies::{self, BROWSER_COOKIE};
use crate::AppState;

/// As long as browsers keep a cookie at all (Chrome caps `Max-Age` at 400 days): the cookie is
/// worth something only to a browser that keeps it.
const LIFETIME: time::Duration = time::Duration::days(400);

/// The browser that sent `headers`, when it sent a well-formed device cookie.
pub(crate) fn key(state: &AppState, headers: &HeaderMap) -> Option<BrowserKey> {
    let jar = CookieJar::from_headers(headers);
    cookies::read(state, &jar, BROWSER_COOKIE)
        .and_then(SecretToken::parse)
        .map(|cookie| BrowserKey::of_cookie(state.core.keys(), &cookie))
}

/// Gives a page's browser its device cookie when it has none. The request itself still counts as
/// one without: otherwise a script dropping its cookies would get a fresh allowance each time.
pub async fn remember(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let known = key(&state, req.headers()).is_some();
    let res = next.run(req).await;
    if known {
        return res;
    }
    let fresh = SecretToken::generate();
    let jar = CookieJar::new().add(cookies::lasting_cookie(
        &state,
        BROWSER_COOKIE,
        fresh.expose().to_owned(),
        LIFETIME,
    ));
    (jar, res).into_response()
}
