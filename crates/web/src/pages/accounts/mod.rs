//! Sign-in pages (`portico_core::accounts`): a staff member's sign-in and sign-out
//! (`staff_sessions`), a patient's (`patient_sessions`), and a patient's forgotten password
//! (`recovery`) and username (`username_reminder`).

mod patient_sessions;
mod recovery;
pub(crate) mod staff_sessions;
mod username_reminder;

use axum::Router;

use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(staff_sessions::routes())
        .merge(patient_sessions::routes())
        .merge(recovery::routes())
        .merge(username_reminder::routes())
}
