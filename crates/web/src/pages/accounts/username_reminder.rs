//! "Forgot your username?" (docs/PRODUCT.md §5): a patient without email types their mobile phone
//! number and the usernames of its accounts go to it by SMS. The same answer shows whether or not
//! an account matched.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum_extra::extract::cookie::CookieJar;
use portico_core::FieldErrors;
use portico_core::accounts::username_reminder::{self, UsernameReminder};

use crate::AppState;
use crate::pages::{FieldErrorsExt as _, field_errors, render};
use crate::platform::csrf::{CsrfForm, anonymous_csrf};
use crate::platform::error::PageError;
use crate::platform::limits;
use crate::platform::request::Client;

pub fn routes() -> Router<AppState> {
    Router::new().route("/portal/forgot/username", get(form_page).post(send))
}

#[derive(Template)]
#[template(path = "portal_forgot_username.html")]
struct ForgotUsernamePage {
    csrf: String,
    errors: FieldErrors,
    typed_phone: String,
    /// Set once a request went through: the answer every number gets.
    notice: Option<&'static str>,
}

async fn form_page(State(state): State<AppState>, jar: CookieJar) -> Result<Response, PageError> {
    let (jar, csrf) = anonymous_csrf(&state, jar);
    let page = ForgotUsernamePage {
        csrf,
        errors: FieldErrors::new(),
        typed_phone: String::new(),
        notice: None,
    };
    Ok((jar, render(StatusCode::OK, &page)?).into_response())
}

async fn send(
    State(state): State<AppState>,
    Client(client): Client,
    jar: CookieJar,
    CsrfForm(form): CsrfForm<UsernameReminder>,
) -> Result<Response, PageError> {
    let work = username_reminder::send(&state.core, &form, &client);
    let (status, errors, notice) = match limits::within(&form, work).await {
        Ok(()) => (
            StatusCode::OK,
            FieldErrors::new(),
            Some(username_reminder::ANSWER),
        ),
        Err(e) => (StatusCode::UNPROCESSABLE_ENTITY, field_errors(e)?, None),
    };
    let (jar, csrf) = anonymous_csrf(&state, jar);
    let page = ForgotUsernamePage {
        csrf,
        errors,
        typed_phone: form.phone,
        notice,
    };
    Ok((jar, render(status, &page)?).into_response())
}
