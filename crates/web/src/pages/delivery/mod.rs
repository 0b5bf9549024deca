//! Delivery's staff pages (`portico_core::delivery`): the practice's message templates, which its
//! admins read, edit with a live preview and reset (`templates`), and the development outbox
//! (`outbox`).

mod outbox;
mod templates;

use axum::Router;

use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(outbox::routes())
        .merge(templates::routes())
}
