//! The development outbox, `/dev/outbox` (`portico_core::delivery::outbox`): while every message
//! goes to the development `log` transport (a development set-up), a practice's admins read its
//! messages here — codes and links included — instead of in a mailbox. Each look is audited;
//! account-recovery codes of patients also linked to another practice are withheld. With any real
//! transport configured the page does not exist (404).

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use portico_core::delivery::outbox::{self, LoggedMessage};

use crate::AppState;
use crate::pages::render;
use crate::platform::chrome::Chrome;
use crate::platform::error::{PageError, WebError};
use crate::platform::local_time::LocalTime;
use crate::platform::sessions::PageSession;

pub fn routes() -> Router<AppState> {
    Router::new().route("/dev/outbox", get(show))
}

#[derive(Template)]
#[template(path = "dev_outbox.html")]
struct OutboxPage {
    chrome: Option<Chrome>,
    messages: Vec<LoggedMessage>,
    when: LocalTime,
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
            when: LocalTime::of_staff(&state, &session.actor).await?,
            chrome: Some(Chrome::of(&session)),
            messages,
        },
    )
}
