//! `/staff/forms`: the practice's intake forms. The list; a form with its questions and its
//! versions; the builder (`builder`) that writes a new form or the next version of one; the
//! download of a form's answers from the staff member's own conversations. Forms are sent from a
//! conversation (`threads`).

mod builder;

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use portico_core::intake_forms::{self, FormSummary, FormView};
use portico_core::threads::forms;

use crate::AppState;
use crate::pages::render;
use crate::platform::chrome::Chrome;
use crate::platform::csv;
use crate::platform::error::PageError;
use crate::platform::local_time::LocalTime;
use crate::platform::sessions::PageSession;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/staff/forms", get(list).post(builder::create))
        .route("/staff/forms/new", get(builder::new))
        .route("/staff/forms/{id}", get(show))
        .route(
            "/staff/forms/{id}/edit",
            get(builder::edit).post(builder::revise),
        )
        .route("/staff/forms/{id}/answers.csv", get(export))
}

#[derive(Template)]
#[template(path = "intake_forms.html")]
struct ListPage {
    chrome: Option<Chrome>,
    when: LocalTime,
    forms: Vec<FormSummary>,
}

#[derive(Template)]
#[template(path = "intake_form.html")]
struct FormPage {
    chrome: Option<Chrome>,
    when: LocalTime,
    form: FormView,
    /// What was just done, said once.
    notice: Option<&'static str>,
}

async fn list(
    State(state): State<AppState>,
    PageSession(session): PageSession,
) -> Result<Response, PageError> {
    let page = ListPage {
        chrome: Some(Chrome::of(&session)),
        when: LocalTime::of_staff(&state, &session.actor).await?,
        forms: intake_forms::list(&state.core, &session.actor).await?,
    };
    render(StatusCode::OK, &page)
}

#[derive(serde::Deserialize)]
struct ShowQuery {
    #[serde(default)]
    done: String,
}

async fn show(
    State(state): State<AppState>,
    PageSession(session): PageSession,
    Path(id): Path<String>,
    Query(q): Query<ShowQuery>,
) -> Result<Response, PageError> {
    let page = FormPage {
        chrome: Some(Chrome::of(&session)),
        when: LocalTime::of_staff(&state, &session.actor).await?,
        form: intake_forms::form(&state.core, &session.actor, &id).await?,
        notice: match q.done.as_str() {
            "saved" => Some("The form is saved. Send it from a conversation with a patient."),
            "unchanged" => Some("Nothing had changed: the form stays at this version."),
            _ => None,
        },
    };
    render(StatusCode::OK, &page)
}

/// The answers to the form from the staff member's own conversations, as a spreadsheet.
async fn export(
    State(state): State<AppState>,
    PageSession(session): PageSession,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let export = forms::export(&state.core, &session.actor, &id).await?;
    let body = csv::table(&export.header, &export.rows);
    Ok(csv::download(&export.file_name, body))
}
