//! Delivery (`portico_core::delivery`) for machines: the message templates staff and integrators
//! edit and preview under `/api/v1` (`templates`), and the delivery reports the SMS / voice
//! provider posts to `/hooks/sms/status` (`reports`), which are signed instead of authenticated
//! and are not part of the API document.

pub mod reports;
mod templates;

use axum::Router;
use utoipa_axum::router::UtoipaMethodRouter;

use crate::AppState;

/// The routes of `/api/v1`.
pub fn routes() -> Vec<UtoipaMethodRouter<AppState>> {
    templates::routes()
}

/// The provider's callbacks, outside `/api/v1`.
pub fn callbacks() -> Router<AppState> {
    reports::routes()
}
