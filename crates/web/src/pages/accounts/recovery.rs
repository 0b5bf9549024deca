//! A patient's forgotten-password pages (docs/PRODUCT.md §7): asking for a code by email or SMS, then
//! setting a new password with it. The recovery's token travels between the two pages in an
//! HttpOnly cookie; the same answer shows whether or not an account matched.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum_extra::extract::cookie::CookieJar;
use portico_core::FieldErrors;
use portico_core::accounts::recovery::{self, RecoveryFinish};

use crate::AppState;
use crate::pages::{FieldErrorsExt as _, field_errors, render};
use crate::platform::cookies::{self, PATIENT_COOKIE, RECOVERY_COOKIE};
use crate::platform::csrf::{CsrfForm, anonymous_csrf};
use crate::platform::error::PageError;
use crate::platform::limits::{self, Bounded, SIGN_IN_NAME};
use crate::platform::request::Client;
use portico_domain::{Channel, TextLimit};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/portal/forgot", get(forgot_page).post(forgot))
        .route("/portal/forgot/code", get(code_page).post(reset))
}

#[derive(Template)]
#[template(path = "portal_forgot.html")]
struct ForgotPage {
    csrf: String,
    code_step: bool,
    errors: FieldErrors,
    typed_name: String,
    /// What was typed in the code field, kept when a try fails.
    typed_code: String,
    notice: Option<&'static str>,
}

async fn forgot_page(State(state): State<AppState>, jar: CookieJar) -> Result<Response, PageError> {
    let (jar, csrf) = anonymous_csrf(&state, jar);
    let page = ForgotPage {
        csrf,
        code_step: false,
        errors: FieldErrors::new(),
        typed_name: String::new(),
        typed_code: String::new(),
        notice: None,
    };
    Ok((jar, render(StatusCode::OK, &page)?).into_response())
}

#[derive(serde::Deserialize)]
struct ForgotForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    channel: String,
}

impl Bounded for ForgotForm {
    fn fields(&self) -> Vec<(&'static str, &str, TextLimit)> {
        vec![
            ("name", &self.name, SIGN_IN_NAME),
            ("channel", &self.channel, Channel::LIMIT),
        ]
    }
}

async fn forgot(
    State(state): State<AppState>,
    Client(client): Client,
    jar: CookieJar,
    CsrfForm(form): CsrfForm<ForgotForm>,
) -> Result<Response, PageError> {
    let work = recovery::start(&state.core, &form.name, &form.channel, &client);
    match limits::within(&form, work).await {
        Ok(started) => {
            let jar = jar.add(cookies::cookie(
                &state,
                RECOVERY_COOKIE,
                started.token.expose().to_owned(),
            ));
            Ok((jar, Redirect::to("/portal/forgot/code")).into_response())
        }
        Err(e) => {
            let errors = field_errors(e)?;
            let (jar, csrf) = anonymous_csrf(&state, jar);
            let page = ForgotPage {
                csrf,
                code_step: false,
                errors,
                typed_name: form.name,
                typed_code: String::new(),
                notice: None,
            };
            Ok((jar, render(StatusCode::UNPROCESSABLE_ENTITY, &page)?).into_response())
        }
    }
}

const SENT: &str =
    "If an account matches, we have sent it a 6-digit code. It expires in 10 minutes.";

async fn code_page(State(state): State<AppState>, jar: CookieJar) -> Result<Response, PageError> {
    if cookies::read(&state, &jar, RECOVERY_COOKIE).is_none() {
        return Ok(Redirect::to("/portal/forgot").into_response());
    }
    let (jar, csrf) = anonymous_csrf(&state, jar);
    let page = ForgotPage {
        csrf,
        code_step: true,
        errors: FieldErrors::new(),
        typed_name: String::new(),
        typed_code: String::new(),
        notice: Some(SENT),
    };
    Ok((jar, render(StatusCode::OK, &page)?).into_response())
}

#[derive(serde::Deserialize)]
struct ResetForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    password: String,
}

async fn reset(
    State(state): State<AppState>,
    Client(client): Client,
    jar: CookieJar,
    CsrfForm(form): CsrfForm<ResetForm>,
) -> Result<Response, PageError> {
    let input = RecoveryFinish {
        recovery_token: cookies::read(&state, &jar, RECOVERY_COOKIE)
            .unwrap_or_default()
            .to_owned(),
        code: form.code,
        password: form.password,
    };
    match limits::within(&input, recovery::finish(&state.core, &input, &client)).await {
        Ok(()) => {
            let jar = jar
                .add(cookies::removal(&state, RECOVERY_COOKIE))
                .add(cookies::removal(&state, PATIENT_COOKIE));
            Ok((jar, Redirect::to("/portal/sign-in?reset=1")).into_response())
        }
        Err(e) => {
            let errors = field_errors(e)?;
            let (jar, csrf) = anonymous_csrf(&state, jar);
            let page = ForgotPage {
                csrf,
                code_step: true,
                errors,
                typed_name: String::new(),
                typed_code: input.code,
                notice: None,
            };
            Ok((jar, render(StatusCode::UNPROCESSABLE_ENTITY, &page)?).into_response())
        }
    }
}
