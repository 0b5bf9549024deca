//! The practice's staff pages (`portico_core::practices`): the home page with the practice at a
//! glance (`home`), staff members (`staff`), providers (`providers`), the practice's settings
//! (`settings`), and the first-run set-up page reached through the one-time link the server
//! prints (`setup`).

mod home;
mod providers;
mod settings;
mod setup;
mod staff;

use axum::Router;

use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(home::routes())
        .merge(setup::routes())
        .merge(staff::routes())
        .merge(providers::routes())
        .merge(settings::routes())
}
