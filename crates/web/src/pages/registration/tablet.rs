//! Consent on the front-desk tablet (`portico_core::registration::tablet`): *Start on tablet* on
//! an invitation's page signs the staff member out on this device — the patient is about to hold
//! it — and opens the invitation's registration there, its ticket in the registration cookie as
//! for any registration. When the patient finishes, the account is created without a session and
//! the tablet shows a neutral screen (`/tablet/done`) that names no one; every page is sent
//! `no-store`, so Back finds nothing of the patient either. Until staff sign in on it again, the
//! tablet keeps a mark (`TABLET_COOKIE`) that sends the registration's entry page — where Back,
//! an expired ticket or a re-sent invitation lead — to that neutral screen too. Every step on the
//! tablet offers "give the tablet back", which leaves the registration for that screen.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum_extra::extract::cookie::CookieJar;
use portico_core::accounts::staff_sessions;
use portico_core::registration::tablet;

use crate::AppState;
use crate::pages::render;
use crate::platform::cookies::{
    self, PATIENT_COOKIE, REGISTRATION_COOKIE, SESSION_COOKIE, TABLET_COOKIE,
};
use crate::platform::csrf::{CsrfForm, NoFields};
use crate::platform::error::PageError;
use crate::platform::sessions::PageSession;

/// The neutral screen a tablet shows when a registration on it is done.
pub(super) const DONE: &str = "/tablet/done";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/staff/invitations/{id}/tablet", post(start))
        .route(DONE, get(done))
        .route("/tablet/hand-back", get(hand_back))
}

async fn start(
    State(state): State<AppState>,
    PageSession(session): PageSession,
    jar: CookieJar,
    Path(id): Path<String>,
    CsrfForm(NoFields {}): CsrfForm<NoFields>,
) -> Result<Response, PageError> {
    let ticket = tablet::start_on_tablet(&state.core, &session.actor, &id).await?;
    // The patient is about to hold this device: nothing of the staff console stays open on it.
    staff_sessions::sign_out(&state.core, &session.token, &session.actor).await?;
    let jar = jar
        .add(cookies::removal(&state, SESSION_COOKIE))
        .add(cookies::removal(&state, PATIENT_COOKIE))
        .add(cookies::cookie(
            &state,
            REGISTRATION_COOKIE,
            ticket.expose().to_owned(),
        ))
        .add(cookies::cookie(&state, TABLET_COOKIE, "1".to_owned()));
    Ok((jar, Redirect::to("/register/details")).into_response())
}

/// "Stop, and give the tablet back": the patient (or staff) leaves the registration on the
/// tablet. The tablet forgets its ticket (which expires unused) and shows the neutral screen; the
/// invitation stays open, to start again or to redeem at home. A plain link, since it changes
/// nothing but this device's cookies.
async fn hand_back(jar: CookieJar, State(state): State<AppState>) -> Response {
    if cookies::read(&state, &jar, TABLET_COOKIE).is_none() {
        return Redirect::to("/register").into_response();
    }
    let jar = jar.add(cookies::removal(&state, REGISTRATION_COOKIE));
    (jar, Redirect::to(DONE)).into_response()
}

#[derive(Template)]
#[template(path = "tablet_done.html")]
struct DonePage {}

async fn done() -> Result<Response, PageError> {
    render(StatusCode::OK, &DonePage {})
}
