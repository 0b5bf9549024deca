//! The practice's audit trail, for its admins.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use portico_core::audit::{self, TrailItem};

use super::render;
use crate::AppState;
use crate::platform::chrome::Chrome;
use crate::platform::error::PageError;
use crate::platform::local_time::LocalTime;
use crate::platform::sessions::PageSession;

pub fn routes() -> Router<AppState> {
    Router::new().route("/staff/audit", get(show))
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    chrome: Option<Chrome>,
    events: Vec<TrailItem>,
    when: LocalTime,
}

async fn show(
    State(state): State<AppState>,
    PageSession(session): PageSession,
) -> Result<Response, PageError> {
    let events = audit::trail(&state.core, &session.actor, 200).await?;
    render(
        StatusCode::OK,
        &AuditPage {
            when: LocalTime::of_staff(&state, &session.actor).await?,
            chrome: Some(Chrome::of(&session)),
            events,
        },
    )
}
