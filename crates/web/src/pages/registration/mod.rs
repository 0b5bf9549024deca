//! The registration pages (docs/PRODUCT.md §5): the entry page (`start`: invited or self), then one page
//! per step — details, phone, terms of use (`terms`), consent (`consent`) — and completion, also
//! on the practice's front-desk tablet (`tablet`). The
//! ticket lives in an HttpOnly cookie, never in a URL; each step's page is chosen from where the
//! registration stands, so reloading or going back never skips a step.

mod consent;
mod start;
mod tablet;
mod terms;

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum_extra::extract::cookie::CookieJar;
use portico_core::registration::{self, DetailsInput, RegistrationView, Step};
use portico_core::{CoreError, FieldErrors};

use crate::AppState;
use crate::pages::{FieldErrorsExt as _, field_errors, render};
use crate::platform::cookies::{self, PATIENT_COOKIE, REGISTRATION_COOKIE};
use crate::platform::csrf::{CsrfForm, NoFields, anonymous_csrf};
use crate::platform::error::{PageError, WebError};
use crate::platform::flash::{self, Flash};
use crate::platform::limits::{self, Bounded};
use crate::platform::request::Client;
use portico_domain::{Channel, OneTimeCode, TextLimit};

pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(start::routes())
        .route("/register/details", get(details_page).post(details))
        .route("/register/phone", get(phone_page))
        .route("/register/phone/send", post(send_code))
        .route("/register/phone/verify", post(verify_code))
        .merge(terms::routes())
        .merge(consent::routes())
        .merge(tablet::routes())
        .route("/register/complete", get(complete_page).post(complete))
}

/// The page of a registration's next step.
fn step_path(step: Step) -> &'static str {
    match step {
        Step::Details => "/register/details",
        Step::Phone => "/register/phone",
        Step::Terms => "/register/terms",
        Step::Consent => "/register/consent",
        Step::Complete => "/register/complete",
    }
}

fn ticket(state: &AppState, jar: &CookieJar) -> Result<String, PageError> {
    cookies::read(state, jar, REGISTRATION_COOKIE)
        .map(str::to_owned)
        .ok_or(WebError::Core(CoreError::RegistrationExpired).into())
}

#[derive(Template)]
#[template(path = "register_details.html")]
struct DetailsPage {
    csrf: String,
    view: RegistrationView,
    errors: FieldErrors,
    first_name: String,
    last_name: String,
    birth_date: String,
    email: String,
    phone: String,
    no_email: bool,
    /// A password that passed the rules in a post that failed for another field.
    password: String,
}

/// The details form: what was saved, or — after a failed post — what was typed, with its errors.
async fn details_page(
    State(state): State<AppState>,
    jar: CookieJar,
) -> Result<Response, PageError> {
    let view = registration::view(&state.core, &ticket(&state, &jar)?).await?;
    let (jar, typed) = flash::take(&state, jar, "/register/details");
    let (jar, csrf) = anonymous_csrf(&state, jar);
    let d = view.details.clone();
    let page = match typed {
        Some(typed) => DetailsPage {
            csrf,
            no_email: typed.field("no_email") == "true",
            view,
            first_name: typed.field("first_name"),
            last_name: typed.field("last_name"),
            birth_date: typed.field("birth_date"),
            email: typed.field("email"),
            phone: typed.field("phone"),
            password: typed.field("password"),
            errors: typed.errors,
        },
        None => DetailsPage {
            csrf,
            no_email: view.username.is_some() && !view.username_account,
            view,
            errors: FieldErrors::new(),
            first_name: d.first_name,
            last_name: d.last_name,
            birth_date: d.birth_date,
            email: d.email,
            phone: d.phone,
            password: String::new(),
        },
    };
    Ok((jar, render(StatusCode::OK, &page)?).into_response())
}

async fn details(
    State(state): State<AppState>,
    Client(client): Client,
    jar: CookieJar,
    CsrfForm(form): CsrfForm<DetailsInput>,
) -> Result<Response, PageError> {
    let ticket = ticket(&state, &jar)?;
    let work = registration::submit_details(&state.core, &ticket, &form, &client);
    match limits::within(&form, work).await {
        Ok(view) => Ok(Redirect::to(step_path(view.next)).into_response()),
        Err(e) => {
            let errors = field_errors(e)?;
            // Everything typed comes back; the password only when it passed the rules, so that
            // fixing another field does not mean choosing it again.
            let password_passed = !errors.has("password");
            let mut typed = Flash::default()
                .with_errors(errors)
                .with_field("first_name", &form.first_name)
                .with_field("last_name", &form.last_name)
                .with_field("birth_date", &form.birth_date)
                .with_field("email", &form.email)
                .with_field("phone", &form.phone)
                .with_field("no_email", if form.no_email { "true" } else { "" });
            if password_passed {
                typed = typed.with_field("password", &form.password);
            }
            Ok(flash::redirect(&state, jar, "/register/details", typed))
        }
    }
}

#[derive(Template)]
#[template(path = "register_phone.html")]
struct PhonePage {
    csrf: String,
    view: RegistrationView,
    errors: FieldErrors,
    /// The code as typed in a failed try.
    code: String,
    channel: Option<String>,
    notice: Option<String>,
    /// Seconds until "Re-send code" may be pressed (the page counts them down).
    resend_wait_seconds: u64,
}

#[derive(serde::Deserialize)]
struct PhoneQuery {
    #[serde(default)]
    sent: Option<String>,
}

fn sent_channel(channel: &str) -> Option<String> {
    matches!(channel, "sms" | "voice").then(|| channel.to_owned())
}

async fn phone_page(
    State(state): State<AppState>,
    jar: CookieJar,
    Query(q): Query<PhoneQuery>,
) -> Result<Response, PageError> {
    let (view, codes) = registration::phone_step(&state.core, &ticket(&state, &jar)?).await?;
    if view.next != Step::Phone {
        return Ok(Redirect::to(step_path(view.next)).into_response());
    }
    let (jar, typed) = flash::take(&state, jar, "/register/phone");
    let (jar, csrf) = anonymous_csrf(&state, jar);
    let channel = q.sent.as_deref().and_then(sent_channel);
    let typed = typed.unwrap_or_default();
    // The page says where the code went; a second code needs saying that the first is dead.
    // After a failed post the flash says what went wrong instead.
    let notice = typed.message.clone().or_else(|| {
        (channel.is_some() && codes.codes_sent > 1 && typed.errors.is_empty())
            .then(|| "We sent you a new code. Only the newest code works.".to_owned())
    });
    let page = PhonePage {
        csrf,
        view,
        code: typed.field("code"),
        errors: typed.errors,
        channel,
        notice,
        resend_wait_seconds: codes.resend_wait_seconds,
    };
    Ok((jar, render(StatusCode::OK, &page)?).into_response())
}

#[derive(serde::Deserialize)]
struct ChannelForm {
    #[serde(default)]
    channel: String,
    #[serde(default)]
    code: String,
}

impl Bounded for ChannelForm {
    fn fields(&self) -> Vec<(&'static str, &str, TextLimit)> {
        vec![
            ("channel", &self.channel, Channel::LIMIT),
            ("code", &self.code, OneTimeCode::LIMIT),
        ]
    }
}

async fn send_code(
    State(state): State<AppState>,
    Client(client): Client,
    jar: CookieJar,
    CsrfForm(form): CsrfForm<ChannelForm>,
) -> Result<Response, PageError> {
    let ticket = ticket(&state, &jar)?;
    let work = registration::send_phone_code(&state.core, &ticket, &form.channel, &client);
    match limits::within(&form, work).await {
        Ok(sent) => {
            Ok(Redirect::to(&format!("/register/phone?sent={}", sent.channel)).into_response())
        }
        Err(CoreError::Throttled { retry_after }) => {
            let typed = Flash {
                message: Some(format!(
                    "Please wait {} seconds before asking for another code.",
                    retry_after.as_secs().max(1)
                )),
                ..Flash::default()
            };
            let page = match sent_channel(&form.channel) {
                Some(channel) => format!("/register/phone?sent={channel}"),
                None => "/register/phone".to_owned(),
            };
            Ok(flash::redirect(&state, jar, &page, typed))
        }
        Err(e) => Err(e.into()),
    }
}

async fn verify_code(
    State(state): State<AppState>,
    Client(client): Client,
    jar: CookieJar,
    CsrfForm(form): CsrfForm<ChannelForm>,
) -> Result<Response, PageError> {
    let ticket = ticket(&state, &jar)?;
    let work = registration::verify_phone(&state.core, &ticket, &form.code, &client);
    match limits::within(&form, work).await {
        Ok(view) => Ok(Redirect::to(step_path(view.next)).into_response()),
        Err(e) => {
            let channel = sent_channel(&form.channel).unwrap_or_else(|| "sms".into());
            // The code typed stays in its field, so a slip of one digit is fixed, not retyped.
            let typed = Flash::default()
                .with_errors(field_errors(e)?)
                .with_field("code", &form.code);
            let page = format!("/register/phone?sent={channel}");
            Ok(flash::redirect(&state, jar, &page, typed))
        }
    }
}

#[derive(Template)]
#[template(path = "register_complete.html")]
struct CompletePage {
    csrf: String,
    view: RegistrationView,
}

/// Every step is done but the account is not made yet (a reload, a back button): a GET never
/// creates it, so the page asks for one more press.
async fn complete_page(
    State(state): State<AppState>,
    jar: CookieJar,
) -> Result<Response, PageError> {
    let view = registration::view(&state.core, &ticket(&state, &jar)?).await?;
    if view.next != Step::Complete {
        return Ok(Redirect::to(step_path(view.next)).into_response());
    }
    let (jar, csrf) = anonymous_csrf(&state, jar);
    let page = CompletePage { csrf, view };
    Ok((jar, render(StatusCode::OK, &page)?).into_response())
}

async fn complete(
    State(state): State<AppState>,
    Client(client): Client,
    jar: CookieJar,
    CsrfForm(NoFields {}): CsrfForm<NoFields>,
) -> Result<Response, PageError> {
    let ticket = ticket(&state, &jar)?;
    finish(&state, jar, &ticket, &client).await
}

/// Creates the account, swaps the registration cookie for a session, and opens the visit screen
/// (or the conversation the patient was invited into);
/// on the practice's tablet, creates it without a session and shows the neutral screen.
async fn finish(
    state: &AppState,
    jar: CookieJar,
    ticket: &str,
    client: &portico_core::ClientInfo,
) -> Result<Response, PageError> {
    if registration::view(&state.core, ticket).await?.on_tablet {
        registration::complete_on_tablet(&state.core, ticket, client).await?;
        let jar = jar.add(cookies::removal(state, REGISTRATION_COOKIE));
        return Ok((jar, Redirect::to(tablet::DONE)).into_response());
    }
    let done = registration::complete(&state.core, ticket, client).await?;
    let jar = jar
        .add(cookies::removal(state, REGISTRATION_COOKIE))
        .add(cookies::cookie(
            state,
            PATIENT_COOKIE,
            done.session.token.expose().to_owned(),
        ));
    // Invited into a conversation: straight to it.
    let landing = match &done.thread_id {
        Some(id) => format!("/portal/messages/{id}?welcome=1"),
        None => "/portal?welcome=1".to_owned(),
    };
    Ok((jar, Redirect::to(&landing)).into_response())
}
