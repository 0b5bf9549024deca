//! The first-run set-up page reached through the one-time link the server prints.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum_extra::extract::cookie::CookieJar;
use portico_core::practices::setup::{self, SetupInput};
use portico_core::{FieldErrors, SecretToken};

use crate::AppState;
use crate::pages::accounts::staff_sessions;
use crate::pages::{FieldErrorsExt, field_errors, render};
use crate::platform::chrome::Chrome;
use crate::platform::csrf::{CsrfForm, anonymous_csrf};
use crate::platform::error::{PageError, WebError};
use crate::platform::request::Client;

pub fn routes() -> Router<AppState> {
    Router::new().route("/setup/{token}", get(show).post(submit))
}

#[derive(Template)]
#[template(path = "setup.html")]
struct SetupPage {
    chrome: Option<Chrome>,
    csrf: String,
    action: String,
    input: SetupInput,
    errors: FieldErrors,
}

fn gone() -> PageError {
    WebError::Core(portico_core::CoreError::SetupLinkInvalid).into()
}

async fn show(
    State(state): State<AppState>,
    jar: CookieJar,
    Path(token): Path<String>,
) -> Result<Response, PageError> {
    let token = SecretToken::parse(&token).ok_or_else(gone)?;
    if !setup::link_is_usable(&state.core, &token).await? {
        return Err(gone());
    }
    let (jar, csrf) = anonymous_csrf(&state, jar);
    let page = SetupPage {
        chrome: None,
        csrf,
        action: format!("/setup/{}", token.expose()),
        input: SetupInput::default(),
        errors: FieldErrors::new(),
    };
    Ok((jar, render(StatusCode::OK, &page)?).into_response())
}

async fn submit(
    State(state): State<AppState>,
    Client(client): Client,
    jar: CookieJar,
    Path(token): Path<String>,
    CsrfForm(mut input): CsrfForm<SetupInput>,
) -> Result<Response, PageError> {
    let token = SecretToken::parse(&token).ok_or_else(gone)?;
    match setup::complete(&state.core, &token, &input, client).await {
        Ok(session) => Ok(staff_sessions::into_staff_console(
            &state,
            jar,
            &session.token,
        )),
        Err(e) => {
            let errors = field_errors(e)?;
            input.admin.password.clear();
            let (jar, csrf) = anonymous_csrf(&state, jar);
            let action = format!("/setup/{}", token.expose());
            let page = SetupPage {
                chrome: None,
                csrf,
                action,
                input,
                errors,
            };
            Ok((jar, render(StatusCode::UNPROCESSABLE_ENTITY, &page)?).into_response())
        }
    }
}
