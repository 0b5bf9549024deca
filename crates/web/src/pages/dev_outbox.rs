//! `/dev/outbox`: while messages go to the development `log` transport, signed-in staff read
//! their practice's messages here — codes and links included — instead of in a mailbox.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use portico_core::outbox::{self, LoggedMessage};

use super::{Chrome, render};
use crate::AppState;
use crate::auth::PageSession;
use crate::error::{PageError, WebError};

pub fn routes() -> Router<AppState> {
    Router::new().route("/dev/outbox", get(show))
}

#[derive(Template)]
#[template(path = "dev_outbox.html")]
struct OutboxPage {
    chrome: Option<Chrome>,
    messages: Vec<LoggedMessage>,
}

async fn show(
    State(state): State<AppState>,
    PageSession(session): PageSession,
) -> Result<Response, PageError> {
    if !state.settings.dev_outbox {
        return Err(WebError::NotFound.into());
    }
    let messages = outbox::recent_with_content(&state.core, &session.actor, 100).await?;
    render(
        StatusCode::OK,
        &OutboxPage {
            chrome: Some(Chrome::of(&session)),
            messages,
        },
    )
}
