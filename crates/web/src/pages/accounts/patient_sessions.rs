//! A patient's sign-in and sign-out pages (docs/PRODUCT.md §7): sign-in by email address or username,
//! signing out of this browser or of every device. The session they open is read by
//! `platform::sessions`; the forgotten-password pages are `recovery`.

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum_extra::extract::cookie::CookieJar;
use portico_core::CoreError;
use portico_core::accounts::patient_sessions;

use crate::AppState;
use crate::pages::render;
use crate::platform::cookies::{self, PATIENT_COOKIE};
use crate::platform::csrf::{CsrfForm, NoFields, anonymous_csrf};
use crate::platform::error::{PageError, WebError};
use crate::platform::limits::{self, Bounded, SIGN_IN_NAME};
use crate::platform::request::Client;
use crate::platform::return_to::{NEXT, after_sign_in};
use crate::platform::sessions::PatientPage;
use portico_domain::{Password, TextLimit};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/portal/sign-in", get(sign_in_page).post(sign_in))
        .route("/portal/sign-out", post(sign_out))
        .route("/portal/sign-out-everywhere", post(sign_out_everywhere))
}

#[derive(Template)]
#[template(path = "portal_sign_in.html")]
struct SignInPage {
    csrf: String,
    name: String,
    error: Option<String>,
    notice: Option<&'static str>,
    /// The portal page to go on to after signing in ("" for the visit screen).
    next: String,
}

#[derive(serde::Deserialize)]
struct SignInQuery {
    #[serde(default)]
    signed_out: Option<String>,
    #[serde(default)]
    reset: Option<String>,
    #[serde(default)]
    next: String,
}

async fn sign_in_page(
    State(state): State<AppState>,
    jar: CookieJar,
    Query(q): Query<SignInQuery>,
) -> Result<Response, PageError> {
    let (jar, csrf) = anonymous_csrf(&state, jar);
    let notice = match (q.signed_out, q.reset) {
        (_, Some(_)) => Some("Your password is changed. Sign in with it."),
        (Some(_), _) => Some("You have signed out."),
        _ => None,
    };
    let next = after_sign_in(&q.next).unwrap_or_default().to_owned();
    let notice = notice.or((!next.is_empty()).then_some("Sign in to continue."));
    let page = SignInPage {
        csrf,
        name: String::new(),
        error: None,
        notice,
        next,
    };
    Ok((jar, render(StatusCode::OK, &page)?).into_response())
}

#[derive(serde::Deserialize)]
struct SignInForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

impl Bounded for SignInForm {
    fn fields(&self) -> Vec<(&'static str, &str, TextLimit)> {
        vec![
            ("name", &self.name, SIGN_IN_NAME),
            ("password", &self.password, Password::LIMIT),
            ("next", &self.next, NEXT),
        ]
    }
}

async fn sign_in(
    State(state): State<AppState>,
    Client(client): Client,
    jar: CookieJar,
    CsrfForm(form): CsrfForm<SignInForm>,
) -> Result<Response, PageError> {
    let work = patient_sessions::sign_in(&state.core, &form.name, &form.password, client);
    match limits::within(&form, work).await {
        Ok(session) => {
            let jar = jar.add(cookies::cookie(
                &state,
                PATIENT_COOKIE,
                session.token.expose().to_owned(),
            ));
            let to = after_sign_in(&form.next).unwrap_or("/portal");
            Ok((jar, Redirect::to(to)).into_response())
        }
        Err(
            e @ (CoreError::SignInFailed
            | CoreError::AccessEnded
            | CoreError::Throttled { .. }
            | CoreError::Locked
            | CoreError::Invalid(_)),
        ) => {
            let status = WebError::Core(e);
            let message = match status {
                WebError::Core(CoreError::SignInFailed) => "That email address or username and \
                    password do not match an account. Check both and try again."
                    .to_owned(),
                WebError::Core(CoreError::Invalid(ref fields)) => fields
                    .iter()
                    .map(|f| f.message.as_str())
                    .collect::<Vec<_>>()
                    .join(" "),
                ref other => other.public_message(),
            };
            let (jar, csrf) = anonymous_csrf(&state, jar);
            // An over-long name is not worth sending back.
            let over_long = matches!(status, WebError::Core(CoreError::Invalid(_)));
            let page = SignInPage {
                csrf,
                name: if over_long { String::new() } else { form.name },
                error: Some(message),
                notice: None,
                next: after_sign_in(&form.next).unwrap_or_default().to_owned(),
            };
            Ok((jar, render(status.status(), &page)?).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

async fn sign_out(
    State(state): State<AppState>,
    PatientPage(session): PatientPage,
    jar: CookieJar,
    CsrfForm(NoFields {}): CsrfForm<NoFields>,
) -> Result<Response, PageError> {
    patient_sessions::sign_out(&state.core, &session.token, &session.patient).await?;
    Ok(cookies::signed_out(
        &state,
        jar,
        PATIENT_COOKIE,
        "/portal/sign-in",
    ))
}

async fn sign_out_everywhere(
    State(state): State<AppState>,
    PatientPage(session): PatientPage,
    jar: CookieJar,
    CsrfForm(NoFields {}): CsrfForm<NoFields>,
) -> Result<Response, PageError> {
    patient_sessions::sign_out_everywhere(&state.core, &session.patient).await?;
    Ok(cookies::signed_out(
        &state,
        jar,
        PATIENT_COOKIE,
        "/portal/sign-in",
    ))
}
