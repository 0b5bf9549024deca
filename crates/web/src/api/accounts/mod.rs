//! Accounts for API clients (`portico_core::accounts`): a patient's sessions (`patient_sessions`)
//! and a patient's forgotten password (`recovery`). Staff and integrators authenticate with a
//! session cookie or an API token (`platform::sessions`); they have no endpoints here.

mod patient_sessions;
mod recovery;

use utoipa_axum::router::UtoipaMethodRouter;

use crate::AppState;

pub fn routes() -> Vec<UtoipaMethodRouter<AppState>> {
    [patient_sessions::routes(), recovery::routes()]
        .into_iter()
        .flatten()
        .collect()
}
