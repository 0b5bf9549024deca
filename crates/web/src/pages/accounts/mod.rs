//! Account pages (`portico_core::accounts`): a staff member's sign-in and sign-out
//! (`staff_sessions`) and their own account with its password (`staff_account`), the practice's
//! API tokens (`tokens`), a patient's sign-in (`patient_sessions`), and a patient's forgotten
//! password (`recovery`) and username (`username_reminder`).

mod patient_sessions;
mod recovery;
mod staff_account;
pub(crate) mod staff_sessions;
mod tokens;
mod username_reminder;

use axum::Router;

use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(staff_sessions::routes())
        .merge(staff_account::routes())
        .merge(tokens::routes())
        .merge(patient_sessions::routes())
        .merge(recovery::routes())
        .merge(username_reminder::routes())
}
