//! The signed-in patient's pages (DESIGN §5, §7): sign-in, the visit screen with one card per
//! practice or provider and "Add provider code", terms to accept again, sign-out, and the
//! forgotten-password pages.

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum_extra::extract::cookie::CookieJar;
use portico_core::accounts::patient_sessions;
use portico_core::accounts::recovery::{self, RecoveryFinish};
use portico_core::links::{self, Card};
use portico_core::registration::terms;
use portico_core::{CoreError, FieldErrors};

use super::register::TermsPage;
use super::{FieldErrorsExt as _, field_errors, render};
use crate::AppState;
use crate::platform::cookies::{self, PATIENT_COOKIE, RECOVERY_COOKIE};
use crate::platform::csrf::{CsrfForm, NoFields, anonymous_csrf};
use crate::platform::error::{PageError, WebError};
use crate::platform::limits::{self, Bounded, SIGN_IN_NAME};
use crate::platform::request::Client;
use crate::platform::sessions::{PatientPage, PatientSession};
use portico_domain::{CODE_ENTRY_LIMIT, Channel, Password, TextLimit};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/portal/sign-in", get(sign_in_page).post(sign_in))
        .route("/portal", get(visit))
        .route("/portal/terms", get(terms_page).post(accept_terms))
        .route("/portal/provider-codes", post(add_provider_code))
        .route("/portal/sign-out", post(sign_out))
        .route("/portal/sign-out-everywhere", post(sign_out_everywhere))
        .route("/portal/forgot", get(forgot_page).post(forgot))
        .route("/portal/forgot/code", get(code_page).post(reset))
}

#[derive(Template)]
#[template(path = "portal_sign_in.html")]
struct SignInPage {
    csrf: String,
    name: String,
    error: Option<String>,
    notice: Option<&'static str>,
}

#[derive(serde::Deserialize)]
struct SignInQuery {
    #[serde(default)]
    signed_out: Option<String>,
    #[serde(default)]
    reset: Option<String>,
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
    let page = SignInPage {
        csrf,
        name: String::new(),
        error: None,
        notice,
    };
    Ok((jar, render(StatusCode::OK, &page)?).into_response())
}

#[derive(serde::Deserialize)]
struct SignInForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    password: String,
}

impl Bounded for SignInForm {
    fn fields(&self) -> Vec<(&'static str, &str, TextLimit)> {
        vec![
            ("name", &self.name, SIGN_IN_NAME),
            ("password", &self.password, Password::LIMIT),
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
            Ok((jar, Redirect::to("/portal")).into_response())
        }
        Err(
            e @ (CoreError::SignInFailed
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
            };
            Ok((jar, render(status.status(), &page)?).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(Template)]
#[template(path = "portal_visit.html")]
struct VisitPage {
    csrf: String,
    patient_name: String,
    username: Option<String>,
    cards: Vec<Card>,
    errors: FieldErrors,
    code: String,
    notice: Option<&'static str>,
}

#[derive(serde::Deserialize)]
struct VisitQuery {
    #[serde(default)]
    welcome: Option<String>,
    #[serde(default)]
    added: Option<String>,
}

async fn visit_page(
    state: &AppState,
    session: &PatientSession,
    errors: FieldErrors,
    code: String,
    notice: Option<&'static str>,
) -> Result<VisitPage, PageError> {
    let p = &session.patient;
    Ok(VisitPage {
        csrf: session.csrf.clone(),
        patient_name: format!("{} {}", p.first_name, p.last_name),
        username: p.username.clone(),
        cards: links::cards(&state.core, p).await?,
        errors,
        code,
        notice,
    })
}

async fn visit(
    State(state): State<AppState>,
    PatientPage(session): PatientPage,
    Query(q): Query<VisitQuery>,
) -> Result<Response, PageError> {
    // New terms come first: nothing else until they are accepted (DESIGN §5).
    if !terms::due(&state.core, &session.patient).await?.is_empty() {
        return Ok(Redirect::to("/portal/terms").into_response());
    }
    let notice = match (q.welcome, q.added) {
        (Some(_), _) => Some("Welcome! Your account is ready."),
        (_, Some(_)) => Some("The provider was added."),
        _ => None,
    };
    let page = visit_page(&state, &session, FieldErrors::new(), String::new(), notice).await?;
    render(StatusCode::OK, &page)
}

async fn terms_page(
    State(state): State<AppState>,
    PatientPage(session): PatientPage,
) -> Result<Response, PageError> {
    let Some(terms) = terms::due(&state.core, &session.patient)
        .await?
        .into_iter()
        .next()
    else {
        return Ok(Redirect::to("/portal").into_response());
    };
    let page = TermsPage {
        csrf: session.csrf,
        terms,
        step: 0,
        consent_required: false,
        action: "/portal/terms",
        error: None,
    };
    render(StatusCode::OK, &page)
}

#[derive(serde::Deserialize)]
struct TermsForm {
    #[serde(default)]
    practice_id: String,
    #[serde(default)]
    version: i64,
}

async fn accept_terms(
    State(state): State<AppState>,
    PatientPage(session): PatientPage,
    CsrfForm(form): CsrfForm<TermsForm>,
) -> Result<Response, PageError> {
    match terms::accept(
        &state.core,
        &session.patient,
        &form.practice_id,
        form.version,
    )
    .await
    {
        // Accepted, or superseded by a newer version meanwhile: either way, back to what is due.
        Ok(()) | Err(CoreError::Conflict(_)) => Ok(Redirect::to("/portal").into_response()),
        Err(e) => Err(e.into()),
    }
}

#[derive(serde::Deserialize)]
struct CodeForm {
    #[serde(default)]
    code: String,
}

impl Bounded for CodeForm {
    fn fields(&self) -> Vec<(&'static str, &str, TextLimit)> {
        vec![("code", &self.code, CODE_ENTRY_LIMIT)]
    }
}

async fn add_provider_code(
    State(state): State<AppState>,
    PatientPage(session): PatientPage,
    CsrfForm(form): CsrfForm<CodeForm>,
) -> Result<Response, PageError> {
    let work = links::add_provider_code(&state.core, &session.patient, &form.code);
    match limits::within(&form, work).await {
        Ok(_) => Ok(Redirect::to("/portal?added=1").into_response()),
        Err(CoreError::Invalid(errors)) => {
            let page = visit_page(&state, &session, errors, form.code, None).await?;
            render(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(e @ (CoreError::CodeNotAccepted(_) | CoreError::Throttled { .. })) => {
            let web = WebError::Core(e);
            let errors = FieldErrors::single("code", web.public_message());
            let page = visit_page(&state, &session, errors, form.code, None).await?;
            render(web.status(), &page)
        }
        Err(e) => Err(e.into()),
    }
}

async fn sign_out(
    State(state): State<AppState>,
    PatientPage(session): PatientPage,
    jar: CookieJar,
    CsrfForm(NoFields {}): CsrfForm<NoFields>,
) -> Result<Response, PageError> {
    patient_sessions::sign_out(&state.core, &session.token, &session.patient).await?;
    let jar = jar.add(cookies::removal(&state, PATIENT_COOKIE));
    Ok((jar, Redirect::to("/portal/sign-in?signed_out=1")).into_response())
}

async fn sign_out_everywhere(
    State(state): State<AppState>,
    PatientPage(session): PatientPage,
    jar: CookieJar,
    CsrfForm(NoFields {}): CsrfForm<NoFields>,
) -> Result<Response, PageError> {
    patient_sessions::sign_out_everywhere(&state.core, &session.patient).await?;
    let jar = jar.add(cookies::removal(&state, PATIENT_COOKIE));
    Ok((jar, Redirect::to("/portal/sign-in?signed_out=1")).into_response())
}

#[derive(Template)]
#[template(path = "portal_forgot.html")]
struct ForgotPage {
    csrf: String,
    code_step: bool,
    errors: FieldErrors,
    typed_name: String,
    notice: Option<&'static str>,
}

async fn forgot_page(State(state): State<AppState>, jar: CookieJar) -> Result<Response, PageError> {
    let (jar, csrf) = anonymous_csrf(&state, jar);
    let page = ForgotPage {
        csrf,
        code_step: false,
        errors: FieldErrors::new(),
        typed_name: String::new(),
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
                notice: None,
            };
            Ok((jar, render(StatusCode::UNPROCESSABLE_ENTITY, &page)?).into_response())
        }
    }
}
