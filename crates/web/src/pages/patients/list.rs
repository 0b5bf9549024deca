//! The patient list, `/staff/patients`: the practice's patients by last name, searched by name,
//! email, username or phone digits, narrowed by date of birth, provider, program and standing, a
//! page at a time; every choice is in the address, so a page can be bookmarked. A query the list
//! cannot read gets the page with a calm message and the filters as typed, never an error page.

use askama::Template;
use axum::Router;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use portico_core::patients::{self, PatientSummary, PatientsPage, PatientsQuery, Standing};
use portico_core::{CoreError, practices, practices::providers, programs};

use crate::AppState;
use crate::pages::render;
use crate::platform::chrome::Chrome;
use crate::platform::error::PageError;
use crate::platform::local_time::LocalTime;
use crate::platform::masked;
use crate::platform::sessions::PageSession;

const PATH: &str = "/staff/patients";

pub fn routes() -> Router<AppState> {
    Router::new().route(PATH, get(show))
}

#[derive(Template)]
#[template(path = "patient_list.html")]
struct ListPage {
    chrome: Option<Chrome>,
    when: LocalTime,
    query: PatientsQuery,
    rows: Vec<PatientSummary>,
    /// Whether a filter or a search narrows the list (so "Clear filters" helps).
    filtered: bool,
    /// Whether this is a later page (so "First page" helps).
    later_page: bool,
    next: Option<String>,
    providers: Vec<Choice>,
    programs: Vec<Choice>,
    standings: Vec<Choice>,
    /// Why the query could not be read.
    problems: Vec<String>,
}

impl ListPage {
    /// The value of a filter as asked for ("" when none).
    fn asked(&self, field: &str) -> &str {
        let value = match field {
            "q" => &self.query.q,
            "birth_date" => &self.query.birth_date,
            "provider_id" => &self.query.provider_id,
            "program_id" => &self.query.program_id,
            "standing" => &self.query.standing,
            _ => &None,
        };
        value.as_deref().unwrap_or_default()
    }

    fn is_chosen(&self, field: &str, value: &str) -> bool {
        self.asked(field) == value
    }

    /// How to reach the patient, masked as a list seen over a shoulder should be (the record
    /// shows it whole).
    fn contact(&self, p: &PatientSummary) -> String {
        masked::contact(p.email.as_deref(), Some(&p.phone), p.username.as_deref())
    }

    fn standing_words(&self, p: &PatientSummary) -> String {
        if p.consent_awaited && p.standing == Standing::Active {
            return "Waiting for signed consent".to_owned();
        }
        match (&p.access_ends_at, p.standing) {
            (Some(ends), Standing::Active) => {
                format!("Active, no access from {}", self.when.day(ends))
            }
            (_, standing) => super::standing_words(standing).to_owned(),
        }
    }
}

/// An option of a filter.
struct Choice {
    value: String,
    label: String,
}

fn choice(value: impl Into<String>, label: impl Into<String>) -> Choice {
    Choice {
        value: value.into(),
        label: label.into(),
    }
}

async fn show(
    State(state): State<AppState>,
    PageSession(session): PageSession,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let query = read_query(raw.as_deref().unwrap_or_default());
    let actor = &session.actor;
    let (page, problems) = match patients::list(&state.core, actor, &query).await {
        Ok(page) => (page, Vec::new()),
        Err(CoreError::Invalid(errors)) => {
            let problems = errors.iter().map(|e| e.message.clone()).collect();
            let empty = PatientsPage {
                items: Vec::new(),
                next_cursor: None,
            };
            (empty, problems)
        }
        Err(e) => return Err(e.into()),
    };
    let practice = practices::current(&state.core, actor).await?;
    let providers = providers::list(&state.core, actor)
        .await?
        .into_iter()
        .map(|p| choice(p.id, p.display_name))
        .collect();
    let programs = programs::list(&state.core, actor)
        .await?
        .into_iter()
        .map(|p| choice(p.id, p.name))
        .collect();
    let filtered = [
        &query.q,
        &query.birth_date,
        &query.provider_id,
        &query.program_id,
        &query.standing,
    ]
    .iter()
    .any(|v| v.is_some());
    let page = ListPage {
        chrome: Some(Chrome::of(&session)),
        when: LocalTime::of(&practice, state.core.now().as_millis()),
        rows: page.items,
        filtered,
        later_page: query.cursor.is_some(),
        next: page
            .next_cursor
            .map(|c| format!("{PATH}?{}", encode(&query, Some(&c)))),
        providers,
        programs,
        standings: Standing::ALL
            .iter()
            .map(|s| choice(s.as_str(), s.label()))
            .collect(),
        query,
        problems,
    };
    let status = if page.problems.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    render(status, &page)
}

/// The list's query as the page's form and links send it; blank fields are no filter.
fn read_query(raw: &str) -> PatientsQuery {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(raw).unwrap_or_default();
    let get = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .filter(|v| !v.trim().is_empty())
    };
    PatientsQuery {
        q: get("q"),
        birth_date: get("birth_date"),
        provider_id: get("provider_id"),
        program_id: get("program_id"),
        standing: get("standing"),
        limit: None,
        cursor: get("cursor"),
    }
}

/// The query string of the list with these filters, after `cursor` when given.
fn encode(query: &PatientsQuery, cursor: Option<&str>) -> String {
    let mut pairs: Vec<(&str, &str)> = [
        ("q", &query.q),
        ("birth_date", &query.birth_date),
        ("provider_id", &query.provider_id),
        ("program_id", &query.program_id),
        ("standing", &query.standing),
    ]
    .into_iter()
    .filter_map(|(k, v)| v.as_deref().map(|v| (k, v)))
    .collect();
    pairs.extend(cursor.map(|c| ("cursor", c)));
    serde_urlencoded::to_string(pairs).unwrap_or_default()
}
