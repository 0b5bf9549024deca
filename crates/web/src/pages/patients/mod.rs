//! The practice's patients (`portico_core::patients`): the list `/staff/patients` (`list`), one
//! patient's record `/staff/patients/{id}` with the end of their access (`record`), and their
//! consent on paper: the printable form, the scan's upload and download (`consent`).

mod consent;
mod list;
pub(crate) mod record;

use axum::Router;

use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(list::routes())
        .merge(record::routes())
        .merge(consent::routes())
}

/// "Active", "Waiting for approval", "Access ended".
pub(super) fn standing_words(standing: portico_core::patients::Standing) -> &'static str {
    standing.label()
}
