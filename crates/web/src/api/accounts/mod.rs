//! Accounts for API clients (`portico_core::accounts`): a patient's sessions (`patient_sessions`),
//! a patient's forgotten password (`recovery`) and forgotten username (`username_reminder`). Staff
//! and integrators authenticate with a session cookie or an API token (`platform::sessions`); they
//! have no endpoints here.

mod patient_sessions;
mod recovery;
mod username_reminder;

use utoipa_axum::router::UtoipaMethodRouter;

use crate::AppState;

pub fn routes() -> Vec<UtoipaMethodRouter<AppState>> {
    [
        patient_sessions::routes(),
        recovery::routes(),
        username_reminder::routes(),
    ]
    .into_iter()
    .flatten()
    .collect()
}
