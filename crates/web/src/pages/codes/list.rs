//! `/staff/codes`: the practice's code and each provider's, for every staff member to see and
//! print; admins also get Replace and Turn off (or Turn on, for a code that is off). What a
//! change just did comes back in a read-once flash.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum_extra::extract::cookie::CookieJar;
use portico_core::codes::provider_codes;

use super::{Owner, PAGE, register_url};
use crate::AppState;
use crate::pages::render;
use crate::platform::chrome::Chrome;
use crate::platform::error::PageError;
use crate::platform::flash;
use crate::platform::local_time::LocalTime;
use crate::platform::sessions::PageSession;

pub fn routes() -> Router<AppState> {
    Router::new().route(PAGE, get(page))
}

#[derive(Template)]
#[template(path = "codes.html")]
struct CodesPage {
    chrome: Option<Chrome>,
    rows: Vec<Row>,
    /// Admins replace and turn off codes; other staff only see and print them.
    can_change: bool,
    notice: Option<String>,
    /// Where patients type a code, as printed on the cards.
    register_url: String,
}

/// One code owner as the table shows it.
struct Row {
    /// `/staff/codes/practice` or `/staff/codes/providers/{id}`, under which its pages live.
    path: String,
    who: String,
    is_practice: bool,
    code: Option<String>,
    /// The day the code was made, on the practice's clock.
    since: Option<String>,
}

async fn page(
    State(state): State<AppState>,
    PageSession(session): PageSession,
    jar: CookieJar,
) -> Result<Response, PageError> {
    let (jar, done) = flash::take(&state, jar, PAGE);
    let when = LocalTime::of_staff(&state, &session.actor).await?;
    let rows = provider_codes::list(&state.core, &session.actor)
        .await?
        .into_iter()
        .map(|view| Row {
            path: Owner::of(&view).path(),
            is_practice: view.provider_id.is_none(),
            since: view.since.as_deref().map(|s| when.day(s)),
            who: view.display_name,
            code: view.code,
        })
        .collect();
    let page = CodesPage {
        chrome: Some(Chrome::of(&session)),
        rows,
        can_change: session.actor.require_admin().is_ok(),
        notice: done.and_then(|f| f.message),
        register_url: register_url(&state.settings.public_url, None),
    };
    Ok((jar, render(StatusCode::OK, &page)?).into_response())
}
