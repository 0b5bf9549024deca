//! `/staff/visits`: the practice's waiting list — requests waiting for an answer, oldest first,
//! each with the patient, the provider, when they would like to be seen and why, and the three
//! answers (accept, propose another time, decline with a note); below, those answered in the
//! last week. Each answer comes back here saying what it did; a refused one is said next to the
//! request's form, with what was typed kept.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use portico_core::visits::{self, VisitAnswerInput, VisitRequest};
use portico_core::{CoreError, FieldErrors};
use portico_domain::VisitState;
use portico_store::platform::signals::Heard;

use crate::AppState;
use crate::pages::{FieldErrorsExt as _, render};
use crate::platform::chrome::Chrome;
use crate::platform::csrf::CsrfForm;
use crate::platform::error::{PageError, WebError};
use crate::platform::limits;
use crate::platform::local_time::LocalTime;
use crate::platform::sessions::{PageSession, StaffSession};

const PATH: &str = "/staff/visits";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(PATH, get(show))
        .route("/staff/visits/{id}/answer", post(answer))
        .route("/staff/visits/events", get(events))
}

#[derive(Template)]
#[template(path = "visits.html")]
struct ListPage {
    chrome: Option<Chrome>,
    when: LocalTime,
    visits: Vec<VisitRequest>,
    errors: FieldErrors,
    /// The request whose answer was refused, and what was typed.
    failed: Option<(String, VisitAnswerInput)>,
    notice: Option<&'static str>,
}

impl ListPage {
    fn waiting(&self) -> impl Iterator<Item = &VisitRequest> {
        self.visits.iter().filter(|v| v.is_waiting())
    }

    fn answered(&self) -> impl Iterator<Item = &VisitRequest> {
        self.visits.iter().filter(|v| !v.is_waiting())
    }

    fn errors_here(&self, visit: &VisitRequest) -> bool {
        self.failed.as_ref().is_some_and(|(id, _)| *id == visit.id)
    }

    fn typed<'a>(&'a self, visit: &VisitRequest, field: &str) -> &'a str {
        match &self.failed {
            Some((id, input)) if *id == visit.id => match field {
                "at" => input.at.as_deref().unwrap_or_default(),
                "note" => input.note.as_deref().unwrap_or_default(),
                _ => input.decision.as_str(),
            },
            _ => "",
        }
    }

    fn answer_words(&self, visit: &VisitRequest) -> String {
        match (visit.state, &visit.proposed_words) {
            (VisitState::Proposed, Some(at)) => format!("Proposed {at}"),
            (state, _) => state.label().to_owned(),
        }
    }
}

/// Server-sent events for an open waiting list: `changed` whenever a request of the staff
/// member's practice is made or answered, on any node (and after a lag, when some may have been
/// missed). The event carries nothing but its name; the page reloads the list it shows, through
/// the same audited read as any visit of the page.
async fn events(
    State(state): State<AppState>,
    PageSession(session): PageSession,
) -> Result<Sse<impl futures_util::Stream<Item = Result<Event, std::convert::Infallible>>>, PageError>
{
    let topic = visits::topic(&session.actor.practice_id);
    let signals = visits::watch(&state.core).await?;
    let stream = futures_util::stream::unfold(signals, move |mut signals| {
        let topic = topic.clone();
        async move {
            loop {
                match signals.next().await {
                    Heard::Signal(signal) if signal == topic => break,
                    Heard::Signal(_) => continue,
                    Heard::Missed => break,
                    // The service stops: the stream ends (the page reconnects to another node).
                    Heard::Stopped => return None,
                }
            }
            Some((Ok(Event::default().event("changed").data("1")), signals))
        }
    });
    Ok(Sse::new(stream).keep_alive(KeepAlive::default()))
}

#[derive(serde::Deserialize)]
struct ShowQuery {
    #[serde(default)]
    done: Option<String>,
}

async fn page(
    state: &AppState,
    session: &StaffSession,
    notice: Option<&'static str>,
    errors: FieldErrors,
    failed: Option<(String, VisitAnswerInput)>,
) -> Result<Response, PageError> {
    let visits = visits::waiting_list(&state.core, &session.actor).await?;
    let status = match errors.is_empty() {
        true => StatusCode::OK,
        false => StatusCode::UNPROCESSABLE_ENTITY,
    };
    let page = ListPage {
        chrome: Some(Chrome::of(session)),
        when: LocalTime::of_staff(state, &session.actor).await?,
        visits,
        errors,
        failed,
        notice,
    };
    render(status, &page)
}

async fn show(
    State(state): State<AppState>,
    PageSession(session): PageSession,
    Query(q): Query<ShowQuery>,
) -> Result<Response, PageError> {
    let notice = match q.done.as_deref() {
        Some("accepted") => Some("Accepted. The patient sees it on their visit screen."),
        Some("proposed") => {
            Some("Another time proposed. The patient sees it on their visit screen.")
        }
        Some("declined") => Some("Declined. The patient sees your note on their visit screen."),
        _ => None,
    };
    page(&state, &session, notice, FieldErrors::new(), None).await
}

async fn answer(
    State(state): State<AppState>,
    PageSession(session): PageSession,
    Path(id): Path<String>,
    CsrfForm(input): CsrfForm<VisitAnswerInput>,
) -> Result<Response, PageError> {
    let work = visits::answer(&state.core, &session.actor, &id, &input);
    match limits::within(&input, work).await {
        Ok(v) => Ok(Redirect::to(&format!("{PATH}?done={}", v.state.as_str())).into_response()),
        Err(CoreError::Invalid(errors)) => {
            page(&state, &session, None, errors, Some((id, input))).await
        }
        Err(e @ CoreError::Conflict(_)) => {
            let errors = FieldErrors::single("decision", WebError::Core(e).public_message());
            page(&state, &session, None, errors, Some((id, input))).await
        }
        Err(e) => Err(e.into()),
    }
}
