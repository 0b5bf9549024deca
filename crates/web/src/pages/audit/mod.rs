//! The practice's audit trail for its admins (`portico_core::audit`): the log in words with its
//! filters and pages (`log`, at `/staff/audit`), and the same events as a CSV file for a
//! compliance request (`export`, at `/staff/audit/export`). Both read the filters from the
//! page's address (`query`), so a filtered view can be bookmarked and exported as it is.

mod export;
mod log;
mod query;

use axum::Router;

use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().merge(log::routes()).merge(export::routes())
}
