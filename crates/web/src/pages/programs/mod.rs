//! The practice's programs on staff pages, for admins (`portico_core::programs`): the list with
//! the patients each holds and the form to add one (`list`), and one program's page to change it
//! or turn its sign-up code off and on (`edit`); the fields both forms share are `form`. Each
//! calls the core functions the `/api/v1/programs` routes call, so other staff get 403 here as
//! there. A failed form is answered with the form itself, as typed, its errors beside the
//! fields; a saved one redirects to the list, which says what was done.

mod edit;
mod form;
mod list;

use axum::Router;

use crate::AppState;

/// The list page, where every change comes back to.
const PAGE: &str = "/staff/programs";

pub fn routes() -> Router<AppState> {
    Router::new().merge(list::routes()).merge(edit::routes())
}
