//! One invitation as its practice's staff see it: who it is for, where it stands and what
//! happened to it, in words and on the practice's clock; each message's delivery with the
//! provider's reason when it failed; the related household and caregiver invitations; and what
//! can be done: re-send (choosing the language, and so the template), print a new hand-over sheet
//! (a new code: a code is shown only once), revoke. Right after a code is issued the page shows
//! it once, with the link as a QR code and a printable hand-over sheet.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum_extra::extract::cookie::CookieJar;
use portico_core::invitations::{self, Invitation, ResendInput};
use portico_core::practices::{self, providers, staff};
use portico_core::programs;

use super::history::{self, Line, MessageLine};
use super::sheet::Handover;
use super::{IssuedCode, JustIssued, show_once_after};
use crate::AppState;
use crate::pages::render;
use crate::platform::chrome::Chrome;
use crate::platform::csrf::{CsrfForm, NoFields};
use crate::platform::error::PageError;
use crate::platform::flash;
use crate::platform::local_time::LocalTime;
use crate::platform::sessions::PageSession;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/staff/invitations/{id}", get(show))
        .route("/staff/invitations/{id}/resend", post(resend))
        .route("/staff/invitations/{id}/sheet", post(new_sheet))
        .route("/staff/invitations/{id}/revoke", post(revoke))
}

#[derive(Template)]
#[template(path = "invitation.html")]
struct InvitationPage {
    chrome: Option<Chrome>,
    inv: Invitation,
    name: String,
    /// What the state means and what to do about it, when there is something to say.
    state_note: Option<&'static str>,
    facts: Vec<(&'static str, String)>,
    history: Vec<Line>,
    messages: Vec<MessageLine>,
    /// Codes issued by the post that led here, shown this once.
    handovers: Vec<Handover>,
    related: Vec<Related>,
    notice: Option<&'static str>,
}

/// An invitation made in the same step, as listed on this one's page.
struct Related {
    id: String,
    name: String,
    relation: &'static str,
    state: &'static str,
}

#[derive(serde::Deserialize)]
struct ShowQuery {
    #[serde(default)]
    done: Option<String>,
}

async fn show(
    State(state): State<AppState>,
    PageSession(session): PageSession,
    jar: CookieJar,
    Path(id): Path<String>,
    Query(q): Query<ShowQuery>,
) -> Result<Response, PageError> {
    let page_path = format!("/staff/invitations/{id}");
    let (jar, issued) = flash::take_as::<JustIssued>(&state, jar, &page_path);
    let inv = invitations::get(&state.core, &session.actor, &id).await?;
    let practice = practices::current(&state.core, &session.actor).await?;
    let when = LocalTime::of(&practice, state.core.now().as_millis());
    let staff = staff::list(&state.core, &session.actor).await?;
    let provider = match &inv.provider_id {
        Some(pid) => providers::list(&state.core, &session.actor)
            .await?
            .into_iter()
            .find(|p| &p.id == pid)
            .map(|p| p.display_name),
        None => None,
    };
    let program = match &inv.program_id {
        Some(pid) => programs::list(&state.core, &session.actor)
            .await?
            .into_iter()
            .find(|p| &p.id == pid)
            .map(|p| p.name),
        None => None,
    };
    let name = format!("{} {}", inv.first_name, inv.last_name);
    let handovers = issued
        .map(|i| i.codes)
        .unwrap_or_default()
        .into_iter()
        .map(|code| {
            let person = person_named(&inv, &code);
            Handover::new(
                code,
                person,
                &practice.name,
                &state.settings.public_url,
                &when,
            )
        })
        .collect();
    let page = InvitationPage {
        facts: history::facts(&inv, provider, program, &when),
        history: history::lines(&inv, &staff, &when),
        messages: history::messages(&inv, &when),
        state_note: history::state_note(&inv),
        related: inv
            .made_with
            .iter()
            .map(|r| Related {
                id: r.id.clone(),
                name: format!("{} {}", r.first_name, r.last_name),
                relation: r.relation.label(),
                state: r.state.label(),
            })
            .collect(),
        notice: notice(q.done.as_deref()),
        chrome: Some(Chrome::of(&session)),
        handovers,
        name,
        inv,
    };
    let page = render(StatusCode::OK, &page)?;
    Ok((jar, page).into_response())
}

/// The name of the person a just-issued code is for: this invitation's, or one made with it.
fn person_named(inv: &Invitation, code: &IssuedCode) -> String {
    if code.id == inv.id {
        return format!("{} {}", inv.first_name, inv.last_name);
    }
    inv.made_with
        .iter()
        .find(|r| r.id == code.id)
        .map(|r| format!("{} {}", r.first_name, r.last_name))
        .unwrap_or_default()
}

/// What the post that led here did, said back.
fn notice(done: Option<&str>) -> Option<&'static str> {
    match done? {
        "created" => Some("Invitation created."),
        "resent" => Some("Sent again with a new code. The old code and link no longer work."),
        "sheet" => Some(
            "A new code was issued for a hand-over sheet; nothing was sent. The old code and link no longer work.",
        ),
        "revoked" => Some("Invitation revoked. Its code and link no longer work."),
        _ => None,
    }
}

#[derive(serde::Deserialize)]
struct ResendForm {
    #[serde(default)]
    language: Option<String>,
}

async fn resend(
    State(state): State<AppState>,
    PageSession(session): PageSession,
    jar: CookieJar,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<ResendForm>,
) -> Result<Response, PageError> {
    let input = ResendInput {
        language: form.language,
        hand_over: false,
    };
    let issued = invitations::resend(&state.core, &session.actor, &id, &input).await?;
    let code = IssuedCode::new(&state, &issued);
    Ok(show_once_after(&state, jar, vec![code], "resent"))
}

async fn new_sheet(
    State(state): State<AppState>,
    PageSession(session): PageSession,
    jar: CookieJar,
    Path(id): Path<String>,
    CsrfForm(NoFields {}): CsrfForm<NoFields>,
) -> Result<Response, PageError> {
    let input = ResendInput {
        language: None,
        hand_over: true,
    };
    let issued = invitations::resend(&state.core, &session.actor, &id, &input).await?;
    let code = IssuedCode::new(&state, &issued);
    Ok(show_once_after(&state, jar, vec![code], "sheet"))
}

async fn revoke(
    State(state): State<AppState>,
    PageSession(session): PageSession,
    Path(id): Path<String>,
    CsrfForm(NoFields {}): CsrfForm<NoFields>,
) -> Result<Response, PageError> {
    invitations::revoke(&state.core, &session.actor, &id).await?;
    Ok(Redirect::to(&format!("/staff/invitations/{id}?done=revoked")).into_response())
}
