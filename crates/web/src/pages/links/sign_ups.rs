//! Staff page for patients who signed up by themselves (docs/PRODUCT.md §6): sign-ups waiting for approval,
//! with Approve and Decline, and the practice's notifications.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use portico_core::links::{self, Notification, PracticeLink};

use crate::AppState;
use crate::pages::render;
use crate::platform::chrome::Chrome;
use crate::platform::csrf::{CsrfForm, NoFields};
use crate::platform::error::{PageError, WebError};
use crate::platform::sessions::PageSession;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/staff/sign-ups", get(show))
        .route("/staff/sign-ups/{id}/{decision}", post(decide))
}

#[derive(Template)]
#[template(path = "sign_ups.html")]
struct SignUpsPage {
    chrome: Option<Chrome>,
    pending: Vec<PracticeLink>,
    notifications: Vec<Notification>,
}

async fn show(
    State(state): State<AppState>,
    PageSession(session): PageSession,
) -> Result<Response, PageError> {
    let page = SignUpsPage {
        pending: links::pending(&state.core, &session.actor).await?,
        notifications: links::notifications(&state.core, &session.actor).await?,
        chrome: Some(Chrome::of(&session)),
    };
    render(StatusCode::OK, &page)
}

/// Approve or decline, from the button's form.
async fn decide(
    State(state): State<AppState>,
    PageSession(session): PageSession,
    Path((id, decision)): Path<(String, String)>,
    CsrfForm(NoFields {}): CsrfForm<NoFields>,
) -> Result<Response, PageError> {
    let approve = match decision.as_str() {
        "approve" => true,
        "decline" => false,
        _ => return Err(WebError::NotFound.into()),
    };
    links::decide(&state.core, &session.actor, &id, approve).await?;
    Ok(Redirect::to("/staff/sign-ups").into_response())
}
