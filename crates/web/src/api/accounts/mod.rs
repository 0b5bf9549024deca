//! Accounts for API clients (`portico_core::accounts`): a patient's sessions (`patient_sessions`),
//! a patient's forgotten password (`recovery`) and forgotten username (`username_reminder`), and
//! the practice's API tokens for its signed-in admins (`tokens`). Staff and integrators
//! authenticate with a session cookie or an API token (`platform::sessions`).

mod patient_sessions;
mod recovery;
mod tokens;
mod username_reminder;

use utoipa_axum::router::UtoipaMethodRouter;

use crate::AppState;

pub fn routes() -> Vec<UtoipaMethodRouter<AppState>> {
    [
        patient_sessions::routes(),
        recovery::routes(),
        tokens::routes(),
        username_reminder::routes(),
    ]
    .into_iter()
    .flatten()
    .collect()
}
