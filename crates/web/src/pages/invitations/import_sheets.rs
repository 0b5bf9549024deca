//! `POST /staff/imports/{id}/sheets`: the hand-over sheets of a bulk import, printed once right
//! after the run. Each still-open invitation the import made without an email address or mobile
//! phone gets a new code, shown here and nowhere else (rendered in the answer to the post, not
//! carried in a flash: a practice may have hundreds). The import's own page is `pages::imports`.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::post;
use portico_core::{imports, practices};

use super::IssuedCode;
use super::sheet::Handover;
use crate::AppState;
use crate::pages::render;
use crate::platform::chrome::Chrome;
use crate::platform::csrf::{CsrfForm, NoFields};
use crate::platform::error::PageError;
use crate::platform::local_time::LocalTime;
use crate::platform::sessions::PageSession;

pub fn routes() -> Router<AppState> {
    Router::new().route("/staff/imports/{id}/sheets", post(print))
}

#[derive(Template)]
#[template(path = "import_sheets.html")]
struct SheetsPage {
    chrome: Option<Chrome>,
    import_id: String,
    handovers: Vec<Handover>,
}

async fn print(
    State(state): State<AppState>,
    PageSession(session): PageSession,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> Result<Response, PageError> {
    let sheets = imports::print_sheets(&state.core, &session.actor, &id).await?;
    let practice = practices::current(&state.core, &session.actor).await?;
    let when = LocalTime::of(&practice, state.core.now().as_millis());
    let handovers = sheets
        .into_iter()
        .map(|sheet| {
            Handover::new(
                IssuedCode::new(&state, &sheet.issued),
                sheet.name,
                &practice.name,
                &state.settings.public_url,
                &when,
            )
        })
        .collect();
    let page = SheetsPage {
        chrome: Some(Chrome::of(&session)),
        import_id: id,
        handovers,
    };
    render(StatusCode::OK, &page)
}
