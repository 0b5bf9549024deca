//! The audit log, `/staff/audit` (admins): the practice's events in words, newest first, fifty a
//! page, narrowed by who, what, which patient (found by name) and which days; with the link that
//! downloads the same events as a CSV file. A query the log cannot read gets the page with each
//! problem next to its filter, never an error page.

use askama::Template;
use axum::Router;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use portico_core::accounts::api_tokens;
use portico_core::audit::{self, Action, Area, Outcome, Person, PersonKind, TrailPage, TrailQuery};
use portico_core::practices::{self, staff};
use portico_core::{CoreError, FieldErrors};
use portico_domain::TimeZone;

use super::query::{self, EXPORT_PATH, PATH};
use crate::AppState;
use crate::pages::{FieldErrorsExt, render};
use crate::platform::chrome::Chrome;
use crate::platform::error::PageError;
use crate::platform::local_time::LocalTime;
use crate::platform::sessions::{PageSession, StaffSession};

pub fn routes() -> Router<AppState> {
    Router::new().route(PATH, get(show))
}

#[derive(Template)]
#[template(path = "audit.html")]
pub(super) struct AuditPage {
    chrome: Option<Chrome>,
    when: LocalTime,
    query: TrailQuery,
    rows: Vec<Row>,
    older: Option<String>,
    newer: Option<String>,
    /// The CSV file of the events these filters choose.
    export: Option<String>,
    who: Vec<Group>,
    what: Vec<Group>,
    about: Option<Person>,
    /// The parameter that keeps `about` when the filters are changed (`patient`, `invitation`).
    about_parameter: Option<&'static str>,
    /// The people a typed name may mean, each with the address that chooses them.
    choices: Vec<(Person, String)>,
    nobody_named: bool,
    /// Whether a filter narrows the log (so "Show everything" helps).
    filtered: bool,
    errors: FieldErrors,
}

impl AuditPage {
    /// The value of a filter as asked ("" when none).
    fn asked(&self, field: &str) -> &str {
        let value = match field {
            "who" => &self.query.who,
            "what" => &self.query.what,
            "from" => &self.query.from,
            "to" => &self.query.to,
            "patient_name" => &self.query.patient_name,
            _ => &None,
        };
        value.as_deref().unwrap_or_default()
    }
}

/// A labelled group of a filter's options.
struct Group {
    label: &'static str,
    choices: Vec<(String, String)>,
}

/// One event as the log shows it.
struct Row {
    at: String,
    sentence: String,
    outcome: Outcome,
}

async fn show(
    State(state): State<AppState>,
    PageSession(session): PageSession,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let query = query::read(raw.as_deref().unwrap_or_default());
    let practice = practices::current(&state.core, &session.actor).await?;
    let zone = practice_zone(&practice);
    let (page, errors) = match audit::trail(&state.core, &session.actor, &query, &zone).await {
        Ok(page) => (page, FieldErrors::new()),
        Err(CoreError::Invalid(errors)) => (empty_page(), errors),
        Err(e) => return Err(e.into()),
    };
    let when = LocalTime::of(&practice, state.core.now().as_millis());
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    let page = page_of(&state, &session, query, page, errors, when).await?;
    render(status, &page)
}

/// The log page for `query`, showing `page` (or, with `errors`, why it could not be read); the
/// export answers with it too when its query is refused.
pub(super) async fn page_of(
    state: &AppState,
    session: &StaffSession,
    query: TrailQuery,
    page: TrailPage,
    errors: FieldErrors,
    when: LocalTime,
) -> Result<AuditPage, PageError> {
    let pairs = query::filters(&query, page.about.as_ref());
    let choices = page
        .choices
        .into_iter()
        .map(|person| {
            let mut pairs = query::filters(&query, None);
            pairs.retain(|(k, _)| !matches!(*k, "patient_name" | "patient" | "invitation"));
            let link = query::address(
                PATH,
                &pairs,
                Some((query::person_parameter(person.kind), &person.id)),
            );
            (person, link)
        })
        .collect();
    let filtered = !pairs.is_empty();
    Ok(AuditPage {
        chrome: Some(Chrome::of(session)),
        when,
        rows: page
            .items
            .into_iter()
            .map(|item| Row {
                at: item.at,
                sentence: item.sentence,
                outcome: item.outcome,
            })
            .collect(),
        older: page
            .older
            .map(|seq| query::address(PATH, &pairs, Some(("older", &seq.to_string())))),
        newer: page
            .newer
            .map(|seq| query::address(PATH, &pairs, Some(("newer", &seq.to_string())))),
        export: (errors.is_empty() && page_is_decided(&query, &page.about))
            .then(|| query::address(EXPORT_PATH, &pairs, None)),
        who: who_choices(state, session).await?,
        what: what_choices(),
        choices,
        nobody_named: page.nobody_named,
        filtered,
        errors,
        about_parameter: page.about.as_ref().map(|p| query::person_parameter(p.kind)),
        query: TrailQuery {
            // The name field starts empty once it found its person, who is shown above it (and
            // kept by a hidden field) instead.
            patient_name: query.patient_name.filter(|_| page.about.is_none()),
            ..query
        },
        about: page.about,
    })
}

/// Whether the page knows whom it is about: a typed name that found one person, or none asked.
fn page_is_decided(query: &TrailQuery, about: &Option<Person>) -> bool {
    query.patient_name.is_none() || about.is_some()
}

/// Staff members and API tokens by name, then the other kinds of actor.
async fn who_choices(state: &AppState, session: &StaffSession) -> Result<Vec<Group>, PageError> {
    let actor = &session.actor;
    let staff = staff::list(&state.core, actor)
        .await?
        .into_iter()
        .map(|m| (format!("staff:{}", m.id), m.display_name))
        .collect();
    let tokens = api_tokens::list(&state.core, actor)
        .await?
        .into_iter()
        .map(|t| {
            (
                format!("api_token:{}", t.id),
                format!("Token ‘{}’", t.label),
            )
        })
        .collect();
    let others = [
        ("patients", "Patients"),
        ("anyone", "Someone not signed in"),
        ("portico", "Portico itself"),
    ]
    .into_iter()
    .map(|(v, l)| (v.to_owned(), l.to_owned()))
    .collect();
    Ok(vec![
        Group {
            label: "Staff",
            choices: staff,
        },
        Group {
            label: "API tokens",
            choices: tokens,
        },
        Group {
            label: "Others",
            choices: others,
        },
    ]
    .into_iter()
    .filter(|g| !g.choices.is_empty())
    .collect())
}

/// Every kind of event, by the part of the product it belongs to.
fn what_choices() -> Vec<Group> {
    Area::ALL
        .iter()
        .map(|&area| {
            let mut choices: Vec<(String, String)> = Action::ALL
                .iter()
                .filter(|a| a.area() == area)
                .map(|a| (a.as_str().to_owned(), a.label().to_owned()))
                .collect();
            choices.sort_by(|a, b| a.1.cmp(&b.1));
            Group {
                label: area.label(),
                choices,
            }
        })
        .collect()
}

/// The practice's zone, as its pages read time: the default for a stored name no longer known.
pub(super) fn practice_zone(practice: &practices::Practice) -> TimeZone {
    TimeZone::parse(&practice.time_zone)
        .or_else(|_| TimeZone::parse(portico_domain::DEFAULT_TIME_ZONE))
        .expect("the default time zone is in the built-in database")
}

pub(super) fn empty_page() -> TrailPage {
    TrailPage {
        items: Vec::new(),
        older: None,
        newer: None,
        about: None,
        choices: Vec::new(),
        nobody_named: false,
    }
}
