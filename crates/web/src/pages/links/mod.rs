//! What a patient is linked to (`portico_core::links`), from both sides: the patient's visit
//! screen with a card per practice or provider and "Add provider code" (`visit_screen`), and the
//! staff page of sign-ups awaiting approval with the practice's notifications (`sign_ups`).

mod sign_ups;
mod visit_screen;

use axum::Router;

use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(visit_screen::routes())
        .merge(sign_ups::routes())
}
