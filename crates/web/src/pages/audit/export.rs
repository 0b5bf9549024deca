//! The audit log as a CSV file, `/staff/audit/export` (admins), for a compliance request: every
//! event the log's filters choose (not only one page), newest first, one line each after a
//! header; the time on the practice's clock and in UTC, who, what happened in words, about what
//! and which patient; then every field the hash chain covers, as stored, so the file can be
//! checked against the log. Downloading it is audited.
//!
//! Spreadsheets run a cell that starts with `=`, `+`, `-` or `@` as a formula (CSV injection), so
//! such a cell, and one starting with a tab or a carriage return, starts with an apostrophe
//! instead: spreadsheets show it as text, and a program checking the chain drops that one
//! apostrophe. Every cell is quoted.

use axum::Router;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use portico_core::CoreError;
use portico_core::audit::{self, TrailItem};
use portico_core::practices;
use portico_domain::TimeZone;

use super::log::{empty_page, page_of, practice_zone};
use super::query::{self, EXPORT_PATH};
use crate::AppState;
use crate::pages::render;
use crate::platform::csv::{self as spreadsheet, BOM, line};
use crate::platform::error::PageError;
use crate::platform::local_time::LocalTime;
use crate::platform::sessions::PageSession;

pub fn routes() -> Router<AppState> {
    Router::new().route(EXPORT_PATH, get(download))
}

/// The header row: the columns people read, then the chain's fields under their stored names.
const HEADER: [&str; 23] = [
    "Local time",
    "UTC time",
    "Who",
    "What happened",
    "About",
    "Patient",
    "Result",
    "seq",
    "at",
    "practice_id",
    "actor_kind",
    "actor_id",
    "actor_role",
    "action",
    "subject_kind",
    "subject_id",
    "patient_id",
    "ip",
    "user_agent",
    "outcome",
    "details",
    "prev_hash",
    "hash",
];

async fn download(
    State(state): State<AppState>,
    PageSession(session): PageSession,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let query = query::read(raw.as_deref().unwrap_or_default());
    let practice = practices::current(&state.core, &session.actor).await?;
    let zone = practice_zone(&practice);
    match audit::export(&state.core, &session.actor, &query, &zone).await {
        Ok(export) => {
            let today = zone.date_at(state.core.now().as_millis());
            let file = format!("audit-log-{today}.csv");
            Ok(spreadsheet::download(&file, csv(&export.items, &zone)))
        }
        // A query that cannot be exported comes back to the log, saying which filter to change.
        Err(CoreError::Invalid(errors)) => {
            let when = LocalTime::of(&practice, state.core.now().as_millis());
            let page = page_of(&state, &session, query, empty_page(), errors, when).await?;
            render(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(e) => Err(e.into()),
    }
}

/// The file: a byte-order mark (so spreadsheets read it as UTF-8, names with accents included),
/// the header, and one line per event, each ending in CR LF as RFC 4180 has it.
fn csv(items: &[TrailItem], zone: &TimeZone) -> String {
    let mut out = String::from(BOM);
    line(&mut out, HEADER.iter().copied());
    for item in items {
        let e = &item.chain;
        let at = e.at.to_string();
        let seq = e.seq.to_string();
        let local = zone.local_timestamp(e.at);
        let opt = |v: &Option<String>| v.clone().unwrap_or_default();
        let cells: [String; 23] = [
            local,
            item.at.clone(),
            item.who.clone(),
            item.sentence.clone(),
            opt(&item.about),
            opt(&item.patient),
            item.outcome.label().to_owned(),
            seq,
            at,
            opt(&e.practice_id),
            e.actor_kind.clone(),
            opt(&e.actor_id),
            opt(&e.actor_role),
            e.action.clone(),
            opt(&e.subject_kind),
            opt(&e.subject_id),
            opt(&e.patient_id),
            opt(&e.ip),
            opt(&e.user_agent),
            e.outcome.clone(),
            e.details.clone(),
            e.prev_hash.clone(),
            e.hash.clone(),
        ];
        line(&mut out, cells.iter().map(String::as_str));
    }
    out
}
