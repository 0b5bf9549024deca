//! A provider code to print: a sheet of ten business cards (3.5 × 2 in, with cut lines) or a
//! one-page pamphlet insert (fits Letter and A4). Each shows the practice's (and provider's)
//! name, the code in large type, the registration address for those who type, a QR code that
//! opens registration with the code filled in, and a few plain steps. The screen shows one
//! card as a preview; the print stylesheet lays out the sheet. Any staff member may print.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use portico_core::codes::provider_codes;
use portico_core::practices;

use super::{Owner, qr, register_url};
use crate::AppState;
use crate::pages::render;
use crate::platform::chrome::Chrome;
use crate::platform::error::PageError;
use crate::platform::sessions::{PageSession, StaffSession};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/staff/codes/practice/card", get(practice_card))
        .route("/staff/codes/providers/{id}/card", get(provider_card))
}

/// How many business cards one printed sheet holds (two columns of five).
const CARDS_PER_SHEET: usize = 10;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Cards,
    Insert,
}

#[derive(serde::Deserialize)]
struct CardQuery {
    #[serde(default)]
    format: Option<String>,
}

impl CardQuery {
    /// Business cards unless the insert is asked for; any other word reads as the default.
    fn format(&self) -> Format {
        match self.format.as_deref() {
            Some("insert") => Format::Insert,
            _ => Format::Cards,
        }
    }
}

#[derive(Template)]
#[template(path = "code_card.html")]
struct CardPage {
    chrome: Option<Chrome>,
    practice_name: String,
    /// `None` on the practice's own card.
    provider_name: Option<String>,
    /// `None` while the code is off: nothing to print.
    code: Option<String>,
    /// The registration address as printed, without `https://`: shorter to type.
    address: String,
    qr_svg: String,
    format: Format,
    /// `/staff/codes/practice` or `/staff/codes/providers/{id}`.
    path: String,
    can_change: bool,
    copies: Vec<usize>,
}

impl CardPage {
    fn insert(&self) -> bool {
        self.format == Format::Insert
    }

    /// Whose code it is, in the page's title.
    fn owner_name(&self) -> &str {
        self.provider_name.as_deref().unwrap_or(&self.practice_name)
    }
}

async fn practice_card(
    State(state): State<AppState>,
    PageSession(session): PageSession,
    Query(q): Query<CardQuery>,
) -> Result<Response, PageError> {
    card(&state, &session, Owner::Practice, q.format()).await
}

async fn provider_card(
    State(state): State<AppState>,
    PageSession(session): PageSession,
    Path(id): Path<String>,
    Query(q): Query<CardQuery>,
) -> Result<Response, PageError> {
    card(&state, &session, Owner::Provider(id), q.format()).await
}

async fn card(
    state: &AppState,
    session: &StaffSession,
    owner: Owner,
    format: Format,
) -> Result<Response, PageError> {
    let view = provider_codes::get(&state.core, &session.actor, owner.provider_id()).await?;
    let practice = practices::current(&state.core, &session.actor).await?;
    let public_url = &state.settings.public_url;
    let qr_svg = match &view.code {
        Some(code) => qr::svg(
            &register_url(public_url, Some(code)),
            &format!("QR code: opens registration with the code {code}"),
        ),
        None => String::new(),
    };
    let address = register_url(public_url, None);
    let address = address
        .split_once("://")
        .map_or(address.as_str(), |(_, rest)| rest)
        .to_owned();
    let copies = match format {
        Format::Cards => (0..CARDS_PER_SHEET).collect(),
        Format::Insert => vec![0],
    };
    let page = CardPage {
        chrome: Some(Chrome::of(session)),
        provider_name: view.provider_id.is_some().then_some(view.display_name),
        practice_name: practice.name,
        code: view.code,
        address,
        qr_svg,
        format,
        path: owner.path(),
        can_change: session.actor.require_admin().is_ok(),
        copies,
    };
    render(StatusCode::OK, &page)
}
