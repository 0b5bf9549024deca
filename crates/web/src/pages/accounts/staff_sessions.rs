//! Staff sign-in and sign-out.

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum_extra::extract::cookie::CookieJar;
use portico_core::{CoreError, SecretToken, accounts::staff_sessions};

use crate::AppState;
use crate::pages::render;
use crate::platform::chrome::Chrome;
use crate::platform::cookies::{self, REGISTRATION_COOKIE, SESSION_COOKIE, TABLET_COOKIE};
use crate::platform::csrf::{CsrfForm, NoFields, anonymous_csrf};
use crate::platform::error::PageError;
use crate::platform::limits::{self, Bounded};
use crate::platform::request::Client;
use crate::platform::sessions::PageSession;
use portico_domain::{EmailAddress, Password, TextLimit};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/staff/sign-in", get(show).post(submit))
        .route("/staff/sign-out", post(sign_out))
        .route("/staff/sign-out-everywhere", post(sign_out_everywhere))
}

#[derive(Template)]
#[template(path = "sign_in.html")]
struct SignInPage {
    chrome: Option<Chrome>,
    csrf: String,
    email: String,
    error: Option<String>,
    notice: Option<&'static str>,
}

#[derive(serde::Deserialize)]
struct Notice {
    #[serde(default)]
    signed_out: Option<String>,
}

async fn show(
    State(state): State<AppState>,
    jar: CookieJar,
    Query(q): Query<Notice>,
) -> Result<Response, PageError> {
    let (jar, csrf) = anonymous_csrf(&state, jar);
    let notice = q.signed_out.map(|_| "You have signed out.");
    let page = SignInPage {
        chrome: None,
        csrf,
        email: String::new(),
        error: None,
        notice,
    };
    Ok((jar, render(StatusCode::OK, &page)?).into_response())
}

#[derive(serde::Deserialize)]
struct SignInForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
}

impl Bounded for SignInForm {
    fn fields(&self) -> Vec<(&'static str, &str, TextLimit)> {
        vec![
            ("email", &self.email, EmailAddress::LIMIT),
            ("password", &self.password, Password::LIMIT),
        ]
    }
}

async fn submit(
    State(state): State<AppState>,
    Client(client): Client,
    jar: CookieJar,
    CsrfForm(form): CsrfForm<SignInForm>,
) -> Result<Response, PageError> {
    let work = staff_sessions::sign_in(&state.core, &form.email, &form.password, client);
    match limits::within(&form, work).await {
        Ok(session) => Ok(into_staff_console(&state, jar, &session.token)),
        Err(CoreError::SignInFailed) => {
            let (jar, csrf) = anonymous_csrf(&state, jar);
            let page = SignInPage {
                chrome: None,
                csrf,
                email: form.email,
                error: Some("That email address and password do not match an account. Check both and try again.".into()),
                notice: None,
            };
            Ok((jar, render(StatusCode::UNAUTHORIZED, &page)?).into_response())
        }
        Err(CoreError::Invalid(fields)) => {
            let (jar, csrf) = anonymous_csrf(&state, jar);
            let message: Vec<&str> = fields.iter().map(|f| f.message.as_str()).collect();
            let page = SignInPage {
                chrome: None,
                csrf,
                email: String::new(),
                error: Some(message.join(" ")),
                notice: None,
            };
            Ok((jar, render(StatusCode::UNPROCESSABLE_ENTITY, &page)?).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

/// A staff session has just begun (sign-in, or the first administrator's set-up): its cookie is
/// set and the member lands on the console's home.
pub(crate) fn into_staff_console(
    state: &AppState,
    jar: CookieJar,
    token: &SecretToken,
) -> Response {
    let mut jar = jar.add(cookies::cookie(
        state,
        SESSION_COOKIE,
        token.expose().to_owned(),
    ));
    // Staff taking the front-desk tablet back: a registration left open on it ends here.
    if cookies::read(state, &jar, TABLET_COOKIE).is_some() {
        jar = jar
            .add(cookies::removal(state, TABLET_COOKIE))
            .add(cookies::removal(state, REGISTRATION_COOKIE));
    }
    (jar, Redirect::to("/staff")).into_response()
}

async fn sign_out(
    State(state): State<AppState>,
    PageSession(session): PageSession,
    jar: CookieJar,
    CsrfForm(NoFields {}): CsrfForm<NoFields>,
) -> Result<Response, PageError> {
    staff_sessions::sign_out(&state.core, &session.token, &session.actor).await?;
    Ok(cookies::signed_out(
        &state,
        jar,
        SESSION_COOKIE,
        "/staff/sign-in",
    ))
}

async fn sign_out_everywhere(
    State(state): State<AppState>,
    PageSession(session): PageSession,
    jar: CookieJar,
    CsrfForm(NoFields {}): CsrfForm<NoFields>,
) -> Result<Response, PageError> {
    staff_sessions::sign_out_everywhere(&state.core, &session.actor).await?;
    Ok(cookies::signed_out(
        &state,
        jar,
        SESSION_COOKIE,
        "/staff/sign-in",
    ))
}
