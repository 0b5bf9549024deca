//! Staff pages for invitations (`portico_core::invitations`): the list with its filters and bulk
//! re-send (`list`), the invite form with its live preview (`new`), and one invitation's page with
//! its history, re-send, revoke and hand-over sheet (`show`); the hand-over sheets of a bulk
//! import (`import_sheets`). Each calls the same core function
//! as its API route.
//!
//! A new code is shown once: a post that issues one (create, re-send, a new hand-over sheet)
//! redirects to the invitation's page with the code sealed in a read-once flash ([`show_once`]);
//! reloading that page shows the invitation without it.

mod history;
mod import_sheets;
mod list;
mod new;
mod sheet;
mod show;

use axum::Router;
use axum::response::Response;
use axum_extra::extract::cookie::CookieJar;
use portico_core::invitations::Issued;
use portico_domain::Relation;

use crate::AppState;
use crate::platform::flash;

pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(list::routes())
        .merge(new::routes())
        .merge(show::routes())
        .merge(import_sheets::routes())
}

/// Codes just issued, for the invitation page to show once (and print on a hand-over sheet).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub(crate) struct JustIssued {
    pub codes: Vec<IssuedCode>,
}

/// One invitation's new code and link, as handed over.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub(crate) struct IssuedCode {
    pub id: String,
    pub relation: Relation,
    pub code: String,
    pub link: String,
    pub username: Option<String>,
    /// RFC 3339.
    pub expires_at: String,
    /// Nothing was sent: staff hand this code over in person.
    pub handed_over: bool,
}

impl IssuedCode {
    pub fn new(state: &AppState, issued: &Issued) -> IssuedCode {
        IssuedCode {
            id: issued.id.clone(),
            relation: issued.relation,
            code: issued.code.expose_display(),
            link: format!(
                "{}/i/{}",
                state.settings.public_url,
                issued.link_token.expose()
            ),
            username: issued.username.clone(),
            expires_at: issued.expires_at.to_rfc3339(),
            handed_over: issued.handed_over,
        }
    }
}

/// A 303 to the first invitation's page, carrying the codes for it to show once.
pub(crate) fn show_once(state: &AppState, jar: CookieJar, issued: Vec<IssuedCode>) -> Response {
    show_once_after(state, jar, issued, "created")
}

/// [`show_once`] after `done` (`created`, `resent`, `sheet`), which the page says back.
pub(crate) fn show_once_after(
    state: &AppState,
    jar: CookieJar,
    issued: Vec<IssuedCode>,
    done: &str,
) -> Response {
    let page = format!(
        "/staff/invitations/{}?done={done}",
        issued.first().map_or("", |c| c.id.as_str())
    );
    flash::redirect_with(state, jar, &page, JustIssued { codes: issued })
}
