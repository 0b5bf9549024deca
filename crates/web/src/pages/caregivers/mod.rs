//! Caregivers' proxy access (`portico_core::caregivers`) in the browser: the portal's page of
//! caregivers and people one cares for (`sharing`), the portal of a patient opened by their
//! caregiver (`cared_for`), the switch between "me" and each of them (`switcher`), and the staff
//! forms on a patient's record (`staff`).

mod cared_for;
mod sharing;
mod staff;
pub(crate) mod switcher;

use axum::Router;

use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(sharing::routes())
        .merge(cared_for::routes())
        .merge(staff::routes())
}
