//! The stylesheet and the pages' scripts (`crates/web/assets/`), built into the binary and served
//! under `/assets` with an hour's caching. Nothing here is generated per request.

use axum::Router;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/assets/portico.css", get(stylesheet))
        .route("/assets/password.js", get(password_script))
        .route("/assets/terms.js", get(terms_script))
        .route("/assets/countdown.js", get(countdown_script))
        .route("/assets/post-result.js", get(post_result_script))
        .route("/assets/print.js", get(print_script))
        .route("/assets/favicon.svg", get(favicon))
        // Browsers ask for this address whatever the page says; the same icon answers.
        .route("/favicon.ico", get(favicon))
        .route("/assets/invite-form.js", get(invite_form_script))
        .route("/assets/invitation-list.js", get(invitation_list_script))
        .route("/assets/copy.js", get(copy_script))
        .route("/assets/template-form.js", get(template_form_script))
        .route("/assets/settings.js", get(settings_script))
        .route("/assets/visits.js", get(visits_script))
        .route("/assets/form-draft.js", get(form_draft_script))
        .route("/assets/import-progress.js", get(import_progress_script))
}

async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../assets/portico.css"),
    )
        .into_response()
}

async fn favicon() -> Response {
    (
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        include_str!("../../assets/favicon.svg"),
    )
        .into_response()
}

fn script(body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        body,
    )
        .into_response()
}

async fn visits_script() -> Response {
    script(include_str!("../../assets/visits.js"))
}

async fn form_draft_script() -> Response {
    script(include_str!("../../assets/form-draft.js"))
}

async fn password_script() -> Response {
    script(include_str!("../../assets/password.js"))
}

async fn terms_script() -> Response {
    script(include_str!("../../assets/terms.js"))
}

async fn countdown_script() -> Response {
    script(include_str!("../../assets/countdown.js"))
}

async fn post_result_script() -> Response {
    script(include_str!("../../assets/post-result.js"))
}

async fn print_script() -> Response {
    script(include_str!("../../assets/print.js"))
}

async fn invite_form_script() -> Response {
    script(include_str!("../../assets/invite-form.js"))
}

async fn invitation_list_script() -> Response {
    script(include_str!("../../assets/invitation-list.js"))
}

async fn copy_script() -> Response {
    script(include_str!("../../assets/copy.js"))
}

async fn template_form_script() -> Response {
    script(include_str!("../../assets/template-form.js"))
}

async fn settings_script() -> Response {
    script(include_str!("../../assets/settings.js"))
}

async fn import_progress_script() -> Response {
    script(include_str!("../../assets/import-progress.js"))
}
