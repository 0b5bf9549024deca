//! The invitation list, `/staff/invitations`: the front desk's view of every invitation, filtered
//! by state, provider, program and relation, searched by name, email or phone, sorted, a page at a
//! time (keyset cursors both ways); every choice is in the address, so a page can be bookmarked
//! (the dashboard links `?state=locked`). Expired and locked invitations can be re-sent from here,
//! one (the row's button) or many (the checkboxes), through `invitations::resend_many`; the post
//! redirects back to the same page with what happened in a read-once notice.
//!
//! A query the list cannot read (a stale cursor, an unknown state) gets the page with a calm
//! message and the filters as typed, never an error page.

use askama::Template;
use axum::Router;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum_extra::extract::cookie::CookieJar;
use portico_core::invitations::{
    self, BulkOutcome, BulkResend, BulkResent, InvitationSummary, ListOrder, ListQuery, Page,
};
use portico_core::{CoreError, practices, practices::providers, programs};
use portico_domain::{InvitationState, Relation};

use crate::AppState;
use crate::pages::render;
use crate::platform::chrome::Chrome;
use crate::platform::csrf::CsrfForm;
use crate::platform::error::PageError;
use crate::platform::flash;
use crate::platform::local_time::LocalTime;
use crate::platform::masked;
use crate::platform::sessions::PageSession;

const PATH: &str = "/staff/invitations";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(PATH, get(show))
        .route("/staff/invitations/resend", post(resend_selected))
}

#[derive(Template)]
#[template(path = "invitation_list.html")]
struct ListPage {
    chrome: Option<Chrome>,
    when: LocalTime,
    query: ListQuery,
    rows: Vec<Row>,
    /// Whether any row can be re-sent from here (the bulk controls show only then).
    selectable: bool,
    /// This page's query string (filters, order and cursor), for the re-send to come back to.
    here: String,
    /// Whether a filter or a search narrows the list (so "Clear filters" helps).
    filtered: bool,
    next: Option<String>,
    previous: Option<String>,
    providers: Vec<Choice>,
    programs: Vec<Choice>,
    states: Vec<Choice>,
    relations: Vec<Choice>,
    orders: Vec<Choice>,
    /// What the last re-send did (read once).
    notice: Option<String>,
    /// Why the query could not be read.
    problems: Vec<String>,
}

impl ListPage {
    /// The value of a filter as asked for ("" when none).
    fn asked(&self, field: &str) -> &str {
        let value = match field {
            "q" => &self.query.q,
            "state" => &self.query.state,
            "provider_id" => &self.query.provider_id,
            "program_id" => &self.query.program_id,
            "relation" => &self.query.relation,
            "sort" => &self.query.sort,
            _ => &None,
        };
        value.as_deref().unwrap_or_default()
    }

    fn is_chosen(&self, field: &str, value: &str) -> bool {
        self.asked(field) == value
    }
}

/// An option of a filter.
struct Choice {
    value: String,
    label: String,
}

/// One invitation as the list shows it.
struct Row {
    id: String,
    name: String,
    relation: &'static str,
    state: InvitationState,
    state_words: &'static str,
    contact: String,
    provider: Option<String>,
    program: Option<String>,
    created_at: String,
    expires_at: String,
    /// Expired or locked, with channels: re-sent from the list.
    resendable: bool,
    /// Expired or locked, handed over in person: re-sent on its own page (which shows the code).
    resend_on_its_page: bool,
}

/// What the re-send post leaves for the list to say.
#[derive(serde::Serialize, serde::Deserialize)]
struct Notice {
    message: String,
}

async fn show(
    State(state): State<AppState>,
    PageSession(session): PageSession,
    jar: CookieJar,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let query = read_query(raw.as_deref().unwrap_or_default());
    let actor = &session.actor;
    let (page, problems) = match invitations::list(&state.core, actor, &query).await {
        Ok(page) => (page, Vec::new()),
        Err(CoreError::Invalid(errors)) => {
            let problems = errors.iter().map(|e| e.message.clone()).collect();
            (empty_page(), problems)
        }
        Err(e) => return Err(e.into()),
    };
    let practice = practices::current(&state.core, actor).await?;
    let providers: Vec<Choice> = providers::list(&state.core, actor)
        .await?
        .into_iter()
        .map(|p| choice(p.id, p.display_name))
        .collect();
    let programs: Vec<Choice> = programs::list(&state.core, actor)
        .await?
        .into_iter()
        .map(|p| choice(p.id, p.name))
        .collect();
    let (jar, notice) = flash::take_as::<Notice>(&state, jar, PATH);
    let rows: Vec<Row> = page
        .items
        .into_iter()
        .map(|item| row(item, &providers, &programs))
        .collect();
    let here = encode(&query, cursor_of(&query));
    let filtered = [
        &query.q,
        &query.state,
        &query.provider_id,
        &query.program_id,
        &query.relation,
    ]
    .iter()
    .any(|v| v.is_some());
    let page = ListPage {
        chrome: Some(Chrome::of(&session)),
        when: LocalTime::of(&practice, state.core.now().as_millis()),
        selectable: rows.iter().any(|r| r.resendable),
        rows,
        filtered,
        next: page
            .next_cursor
            .map(|c| address(&encode(&query, Some(("cursor", &c))))),
        previous: page
            .previous_cursor
            .map(|c| address(&encode(&query, Some(("before", &c))))),
        here,
        providers,
        programs,
        states: InvitationState::ALL
            .iter()
            .map(|s| choice(s.as_str(), state_words(*s)))
            .collect(),
        relations: [Relation::Patient, Relation::Household, Relation::Caregiver]
            .into_iter()
            .map(|r| choice(r.as_str(), relation_words(r)))
            .collect(),
        orders: ListOrder::ALL
            .iter()
            .map(|o| choice(o.as_str(), order_words(*o)))
            .collect(),
        query,
        notice: notice.map(|n| n.message),
        problems,
    };
    let status = if page.problems.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    Ok((jar, render(status, &page)?).into_response())
}

/// Re-sends the selected invitations (`ids`), or the one whose row button was pressed (`only`),
/// then goes back to the list the form was on (`return_to`, its query string).
async fn resend_selected(
    State(state): State<AppState>,
    PageSession(session): PageSession,
    jar: CookieJar,
    CsrfForm(fields): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let field = |name: &str| fields.iter().find(|(k, _)| k == name).map(|(_, v)| v);
    let ids: Vec<String> = match field("only") {
        Some(id) => vec![id.clone()],
        None => fields
            .iter()
            .filter(|(k, _)| k == "ids")
            .map(|(_, v)| v.clone())
            .collect(),
    };
    let message =
        match invitations::resend_many(&state.core, &session.actor, &BulkResend { ids }).await {
            Ok(done) => describe(&done),
            Err(CoreError::Invalid(errors)) => errors
                .iter()
                .map(|e| e.message.clone())
                .collect::<Vec<_>>()
                .join(" "),
            Err(e) => return Err(e.into()),
        };
    // Back to the same filters and page; only the list's own parameters are carried.
    let back = read_query(field("return_to").map_or("", String::as_str));
    let back = encode(&back, cursor_of(&back));
    let back = match back.as_str() {
        "" => PATH.to_owned(),
        _ => address(&back),
    };
    Ok(flash::redirect_with(&state, jar, &back, Notice { message }))
}

/// "Re-sent 3 invitations. 1 could not be re-sent: Maria Lopez (already registered)."
fn describe(done: &BulkResent) -> String {
    let resent = done
        .items
        .iter()
        .filter(|i| i.outcome == BulkOutcome::Resent)
        .count();
    let mut said = match resent {
        0 => "No invitation was re-sent.".to_owned(),
        1 => "Re-sent 1 invitation.".to_owned(),
        n => format!("Re-sent {n} invitations."),
    };
    let left: Vec<String> = done
        .items
        .iter()
        .filter(|i| i.outcome != BulkOutcome::Resent)
        .map(|i| {
            let why = match i.outcome {
                BulkOutcome::Redeemed => "already registered",
                BulkOutcome::Revoked => "revoked",
                BulkOutcome::StillOpen => "still open",
                BulkOutcome::HandedOver => "handed over in person; re-send it from its page",
                BulkOutcome::NotFound | BulkOutcome::Resent => "not found",
            };
            let who = i.name.as_deref().unwrap_or("An invitation");
            format!("{who} ({why})")
        })
        .collect();
    if !left.is_empty() {
        said.push_str(&format!(
            " {} could not be re-sent: {}.",
            left.len(),
            left.join(", ")
        ));
    }
    said
}

/// The list's parameters from a query string; the first of repeated ones counts, unknown ones
/// are ignored, so no address makes the page fail before the list reads it.
fn read_query(raw: &str) -> ListQuery {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(raw).unwrap_or_default();
    let get = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .filter(|v| !v.trim().is_empty())
    };
    ListQuery {
        state: get("state"),
        q: get("q"),
        provider_id: get("provider_id"),
        program_id: get("program_id"),
        relation: get("relation"),
        sort: get("sort"),
        limit: None,
        cursor: get("cursor"),
        before: get("before"),
    }
}

/// The query string of the list's filters and order, with `page` (a cursor) when given.
fn encode(query: &ListQuery, page: Option<(&str, &str)>) -> String {
    let mut pairs: Vec<(&str, &str)> = [
        ("q", &query.q),
        ("state", &query.state),
        ("provider_id", &query.provider_id),
        ("program_id", &query.program_id),
        ("relation", &query.relation),
        ("sort", &query.sort),
    ]
    .into_iter()
    .filter_map(|(k, v)| v.as_deref().map(|v| (k, v)))
    .collect();
    pairs.extend(page);
    serde_urlencoded::to_string(pairs).unwrap_or_default()
}

/// The page's cursor, as its parameter: after one, or before one.
fn cursor_of(query: &ListQuery) -> Option<(&'static str, &str)> {
    match (&query.cursor, &query.before) {
        (Some(c), _) => Some(("cursor", c)),
        (None, Some(c)) => Some(("before", c)),
        (None, None) => None,
    }
}

fn address(query: &str) -> String {
    format!("{PATH}?{query}")
}

fn empty_page() -> Page {
    Page {
        items: Vec::new(),
        next_cursor: None,
        previous_cursor: None,
    }
}

fn choice(value: impl Into<String>, label: impl Into<String>) -> Choice {
    Choice {
        value: value.into(),
        label: label.into(),
    }
}

fn row(item: InvitationSummary, providers: &[Choice], programs: &[Choice]) -> Row {
    let named = |choices: &[Choice], id: &Option<String>| {
        id.as_ref().map(|id| {
            choices
                .iter()
                .find(|c| &c.value == id)
                .map_or_else(|| "(removed)".to_owned(), |c| c.label.clone())
        })
    };
    let stuck = matches!(
        item.state,
        InvitationState::Expired | InvitationState::Locked
    );
    let handed_over = item.channels.is_empty();
    Row {
        name: format!("{} {}", item.first_name, item.last_name),
        relation: relation_words(item.relation),
        state_words: state_words(item.state),
        state: item.state,
        contact: contact(&item),
        provider: named(providers, &item.provider_id),
        program: named(programs, &item.program_id),
        resendable: stuck && !handed_over,
        resend_on_its_page: stuck && handed_over,
        id: item.id,
        created_at: item.created_at,
        expires_at: item.expires_at,
    }
}

/// How the invitation reaches the patient, masked as a list seen over a shoulder should be.
fn contact(item: &InvitationSummary) -> String {
    masked::contact(
        item.email.as_deref(),
        item.phone.as_deref(),
        item.username.as_deref(),
    )
}

/// A state as the front desk reads it.
fn state_words(state: InvitationState) -> &'static str {
    match state {
        InvitationState::Draft => "Not sent yet",
        InvitationState::Sent => "Sent",
        InvitationState::Delivered => "Delivered",
        InvitationState::Redeemed => "Registered",
        InvitationState::Expired => "Expired",
        InvitationState::Revoked => "Revoked",
        InvitationState::Locked => "Locked",
    }
}

fn relation_words(relation: Relation) -> &'static str {
    match relation {
        Relation::Patient => "Patient",
        Relation::Household => "Household member",
        Relation::Caregiver => "Caregiver",
    }
}

fn order_words(order: ListOrder) -> &'static str {
    match order {
        ListOrder::Newest => "Newest first",
        ListOrder::Oldest => "Oldest first",
        ListOrder::Name => "Last name A–Z",
        ListOrder::Expiring => "Expiring soonest (open only)",
    }
}
