//! Replacing or turning off a provider code (admins), each behind a confirmation page that says
//! plainly what happens: the old code stops working at once, and printed cards with it must be
//! replaced. A code that is off is turned on by replacing it (a new code). Both post to the
//! core functions the API's `rotate` and `disable` call, then go back to the list, which says
//! what was done.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum_extra::extract::cookie::CookieJar;
use portico_core::codes::provider_codes::{self, ProviderCodeView};

use super::{Owner, PAGE};
use crate::AppState;
use crate::pages::render;
use crate::platform::chrome::Chrome;
use crate::platform::csrf::{CsrfForm, NoFields};
use crate::platform::error::{PageError, WebError};
use crate::platform::flash::{self, Flash};
use crate::platform::sessions::PageSession;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/staff/codes/practice/{change}",
            get(confirm_practice).post(change_practice),
        )
        .route(
            "/staff/codes/providers/{id}/{change}",
            get(confirm_provider).post(change_provider),
        )
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Change {
    /// A new code; the old one stops (also how a code that is off is turned on).
    Rotate,
    /// No code until the next rotation.
    Disable,
}

impl Change {
    /// The last word of the address; any other word is no page.
    fn parse(word: &str) -> Result<Change, PageError> {
        match word {
            "rotate" => Ok(Change::Rotate),
            "disable" => Ok(Change::Disable),
            _ => Err(WebError::NotFound.into()),
        }
    }
}

#[derive(Template)]
#[template(path = "codes_change.html")]
struct ConfirmPage {
    chrome: Option<Chrome>,
    csrf: String,
    view: ProviderCodeView,
    change: Change,
    /// Where the confirmation posts.
    action: String,
}

impl ConfirmPage {
    fn rotating(&self) -> bool {
        self.change == Change::Rotate
    }
}

async fn confirm_practice(
    State(state): State<AppState>,
    PageSession(session): PageSession,
    Path(change): Path<String>,
) -> Result<Response, PageError> {
    confirm(&state, &session, Owner::Practice, &change).await
}

async fn confirm_provider(
    State(state): State<AppState>,
    PageSession(session): PageSession,
    Path((id, change)): Path<(String, String)>,
) -> Result<Response, PageError> {
    confirm(&state, &session, Owner::Provider(id), &change).await
}

async fn confirm(
    state: &AppState,
    session: &crate::platform::sessions::StaffSession,
    owner: Owner,
    change: &str,
) -> Result<Response, PageError> {
    let change = Change::parse(change)?;
    // Only admins change codes: the page that asks is theirs too, whichever code it names.
    session.actor.require_admin()?;
    let view = provider_codes::get(&state.core, &session.actor, owner.provider_id()).await?;
    if change == Change::Disable && !view.active {
        // Already off: nothing to confirm.
        return Ok(Redirect::to(PAGE).into_response());
    }
    let page = ConfirmPage {
        chrome: Some(Chrome::of(session)),
        csrf: session.csrf.clone(),
        action: format!(
            "{}/{}",
            owner.path(),
            match change {
                Change::Rotate => "rotate",
                Change::Disable => "disable",
            }
        ),
        view,
        change,
    };
    render(StatusCode::OK, &page)
}

async fn change_practice(
    State(state): State<AppState>,
    PageSession(session): PageSession,
    jar: CookieJar,
    Path(change): Path<String>,
    CsrfForm(NoFields {}): CsrfForm<NoFields>,
) -> Result<Response, PageError> {
    apply(&state, &session, jar, Owner::Practice, &change).await
}

async fn change_provider(
    State(state): State<AppState>,
    PageSession(session): PageSession,
    jar: CookieJar,
    Path((id, change)): Path<(String, String)>,
    CsrfForm(NoFields {}): CsrfForm<NoFields>,
) -> Result<Response, PageError> {
    apply(&state, &session, jar, Owner::Provider(id), &change).await
}

async fn apply(
    state: &AppState,
    session: &crate::platform::sessions::StaffSession,
    jar: CookieJar,
    owner: Owner,
    change: &str,
) -> Result<Response, PageError> {
    let core = &state.core;
    let actor = &session.actor;
    let message = match Change::parse(change)? {
        Change::Rotate => {
            let view = provider_codes::rotate(core, actor, owner.provider_id()).await?;
            format!(
                "New code for {}: {}. The old code no longer works; print new cards and pamphlets.",
                view.display_name,
                view.code.unwrap_or_default()
            )
        }
        Change::Disable => {
            let view = provider_codes::disable(core, actor, owner.provider_id()).await?;
            format!(
                "The code of {} is off. Nobody can register with it until you turn it on again.",
                view.display_name
            )
        }
    };
    let flash = Flash {
        message: Some(message),
        ..Flash::default()
    };
    Ok(flash::redirect(state, jar, PAGE, flash))
}
