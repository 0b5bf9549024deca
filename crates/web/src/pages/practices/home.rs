//! The front desk's dashboard (`/staff`): what needs action first (locked invitations, messages
//! that were not delivered, sign-ups waiting for approval), the invitations by state with links
//! to the filtered list, and who registered lately. And the patients' door (`/`): sign in or
//! register, with the practice's name when the deployment serves one practice.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use portico_core::invitations::{self, InvitationSummary, ListQuery, StateCount, Undelivered};
use portico_core::links::{self, PracticeLink};
use portico_core::practices;

use crate::AppState;
use crate::pages::render;
use crate::platform::chrome::Chrome;
use crate::platform::error::PageError;
use crate::platform::local_time::LocalTime;
use crate::platform::sessions::PageSession;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(door))
        .route("/staff", get(dashboard))
}

/// How many of each list the dashboard shows; the full lists are a link away.
const SHOWN: i64 = 8;

#[derive(Template)]
#[template(path = "home.html")]
struct Dashboard {
    chrome: Option<Chrome>,
    practice_name: String,
    when: LocalTime,
    counts: Vec<StateCount>,
    locked: Vec<InvitationSummary>,
    /// More are locked than shown: link to the list.
    more_locked: bool,
    undelivered: Vec<Undelivered>,
    pending: Vec<PracticeLink>,
    recent: Vec<PracticeLink>,
}

async fn dashboard(
    State(state): State<AppState>,
    PageSession(session): PageSession,
) -> Result<Response, PageError> {
    let core = &state.core;
    let actor = &session.actor;
    let practice = practices::current(core, actor).await?;
    let locked_only = ListQuery {
        state: Some("locked".into()),
        limit: Some(SHOWN),
        ..ListQuery::default()
    };
    let locked = invitations::list(core, actor, &locked_only).await?;
    let page = Dashboard {
        more_locked: locked.next_cursor.is_some(),
        locked: locked.items,
        chrome: Some(Chrome::of(&session)),
        when: LocalTime::of(&practice, core.now().as_millis()),
        practice_name: practice.name,
        counts: invitations::counts(core, actor).await?,
        undelivered: invitations::undelivered(core, actor, SHOWN).await?,
        pending: links::pending(core, actor).await?,
        recent: links::recently_linked(core, actor, SHOWN).await?,
    };
    render(StatusCode::OK, &page)
}

#[derive(Template)]
#[template(path = "door.html")]
struct Door {
    practice_name: Option<String>,
}

async fn door(State(state): State<AppState>) -> Result<Response, PageError> {
    let page = Door {
        practice_name: practices::served_alone(&state.core).await?,
    };
    render(StatusCode::OK, &page)
}
