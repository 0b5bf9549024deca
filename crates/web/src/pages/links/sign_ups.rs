//! Staff page for patients who signed up by themselves (docs/PRODUCT.md §6): sign-ups waiting for approval,
//! with Approve and Decline, and the practice's notifications.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use portico_core::links::{self, Notification, PracticeLink, SignUpDecision};

use crate::AppState;
use crate::pages::render;
use crate::platform::chrome::Chrome;
use crate::platform::csrf::{CsrfForm, NoFields};
use crate::platform::error::{PageError, WebError};
use crate::platform::local_time::LocalTime;
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
    notice: Option<&'static str>,
    when: LocalTime,
}

#[derive(serde::Deserialize)]
struct ShowQuery {
    #[serde(default)]
    decided: Option<String>,
}

async fn show(
    State(state): State<AppState>,
    PageSession(session): PageSession,
    Query(q): Query<ShowQuery>,
) -> Result<Response, PageError> {
    // The decision just made, said back (the page is reached by redirect after the button).
    let notice = match q.decided.as_deref() {
        Some("approved") => {
            Some("Sign-up approved. The patient now sees your practice in the portal.")
        }
        Some("declined") => Some("Sign-up declined. The patient is not linked to your practice."),
        _ => None,
    };
    let page = SignUpsPage {
        when: LocalTime::of_staff(&state, &session.actor).await?,
        notice,
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
    let decided = if approve { "approved" } else { "declined" };
    Ok(Redirect::to(&format!("/staff/sign-ups?decided={decided}")).into_response())
}
