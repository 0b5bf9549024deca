//! Visit requests (`portico_core::visits`) in the browser: *Tap to begin* on a card of the
//! patient's visit screen opens a short form (`ask`), and the staff waiting list answers each
//! request (`waiting_list`).

mod ask;
mod waiting_list;

use axum::Router;

use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(ask::routes())
        .merge(waiting_list::routes())
}
