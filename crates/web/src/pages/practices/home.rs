//! The staff home page: the practice at a glance.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Redirect, Response};
use axum::routing::get;
use portico_core::{practices, practices::providers, practices::staff};

use crate::AppState;
use crate::pages::render;
use crate::platform::chrome::Chrome;
use crate::platform::error::PageError;
use crate::platform::sessions::PageSession;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(|| async { Redirect::to("/staff") }))
        .route("/staff", get(show))
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    chrome: Option<Chrome>,
    practice_name: String,
    staff_count: usize,
    provider_count: usize,
}

async fn show(
    State(state): State<AppState>,
    PageSession(session): PageSession,
) -> Result<Response, PageError> {
    let practice = practices::current(&state.core, &session.actor).await?;
    let staff_count = staff::list(&state.core, &session.actor).await?.len();
    let provider_count = providers::list(&state.core, &session.actor).await?.len();
    let page = HomePage {
        chrome: Some(Chrome::of(&session)),
        practice_name: practice.name,
        staff_count,
        provider_count,
    };
    render(StatusCode::OK, &page)
}
