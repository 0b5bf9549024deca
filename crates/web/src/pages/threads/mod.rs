//! Secure threads (`portico_core::threads`) in the browser: the staff member's inbox and
//! conversations (`staff`), and the patient's (`portal`). The pages call the same core functions
//! as the API, so who may read what is decided in one place.

mod portal;
mod staff;

use axum::Router;

use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().merge(staff::routes()).merge(portal::routes())
}
