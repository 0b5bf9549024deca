//! The entry to registration (docs/PRODUCT.md §5): one page with two ways in — an invited patient's code
//! (or invitation link, `/i/{token}`) with their date of birth, redeemed through
//! `invitations::redemption`; or a provider or sign-up code for a patient signing up by
//! themselves. Either gives a ticket, kept in the registration cookie, and leads to the details
//! step.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum_extra::extract::cookie::CookieJar;
use portico_core::invitations::redemption::{self, LinkLook, RedeemInput};
use portico_core::registration;
use portico_core::{CoreError, FieldErrors};

use crate::AppState;
use crate::pages::{FieldErrorsExt as _, render};
use crate::platform::cookies::{self, REGISTRATION_COOKIE, TABLET_COOKIE};
use crate::platform::csrf::{CsrfForm, anonymous_csrf};
use crate::platform::error::{PageError, WebError};
use crate::platform::limits::{self, Bounded};
use crate::platform::request::Client;
use portico_domain::{CODE_ENTRY_LIMIT, TextLimit};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/register", get(start_page))
        .route("/i/{token}", get(invite_link))
        .route("/register/invited", post(invited))
        .route("/register/self", post(self_registration))
}

#[derive(Template)]
#[template(path = "register_start.html")]
struct StartPage {
    csrf: String,
    expired: bool,
    errors: FieldErrors,
    code: String,
    link_token: String,
    /// What the invitation link is, when the page was opened from one.
    link: Option<LinkLook>,
    birth_date: String,
    invited_error: Option<String>,
    self_code: String,
    self_error: Option<String>,
    /// A code came with the address (a card's QR code): registering by oneself comes first.
    self_first: bool,
    /// Set on the answer to a failed post: the page the browser's history should hold instead
    /// of the post (`post-result.js`), so Back and reload never send the code again.
    history_page: Option<String>,
}

impl StartPage {
    fn new(csrf: String) -> StartPage {
        StartPage {
            csrf,
            expired: false,
            errors: FieldErrors::new(),
            code: String::new(),
            link_token: String::new(),
            link: None,
            birth_date: String::new(),
            invited_error: None,
            self_code: String::new(),
            self_error: None,
            self_first: false,
            history_page: None,
        }
    }
}

impl StartPage {
    /// The practice of an invitation link that can be used.
    fn link_practice(&self) -> Option<&str> {
        match &self.link {
            Some(LinkLook::Open { practice_name }) => Some(practice_name),
            _ => None,
        }
    }

    fn link_used(&self) -> bool {
        self.link == Some(LinkLook::Used)
    }

    fn link_not_usable(&self) -> bool {
        self.link == Some(LinkLook::NotUsable)
    }
}

#[derive(serde::Deserialize)]
struct StartQuery {
    #[serde(default)]
    expired: Option<String>,
    /// A provider or sign-up code to fill in, from a printed card's QR code.
    #[serde(default)]
    code: Option<String>,
}

async fn start_page(
    State(state): State<AppState>,
    jar: CookieJar,
    Query(q): Query<StartQuery>,
) -> Result<Response, PageError> {
    // The front-desk tablet after (or during) a patient's turn: nothing starts from here.
    if cookies::read(&state, &jar, TABLET_COOKIE).is_some() {
        return Ok(Redirect::to("/tablet/done").into_response());
    }
    let (jar, csrf) = anonymous_csrf(&state, jar);
    let mut page = StartPage::new(csrf);
    page.expired = q.expired.is_some();
    // Only filled in, never looked up: the patient still presses Continue, which counts the
    // guess. Text too long to be a code is left out rather than shown back.
    if let Some(code) = q.code.filter(|c| !CODE_ENTRY_LIMIT.exceeded_by(c)) {
        page.self_first = !code.trim().is_empty();
        page.self_code = code;
    }
    Ok((jar, render(StatusCode::OK, &page)?).into_response())
}

/// The link from an invitation: says which practice sent it and asks only for the birth date,
/// or says the invitation was used (sign in) or cannot be used (ask the practice).
async fn invite_link(
    State(state): State<AppState>,
    jar: CookieJar,
    Path(token): Path<String>,
) -> Result<Response, PageError> {
    let (jar, csrf) = anonymous_csrf(&state, jar);
    let mut page = StartPage::new(csrf);
    page.link = Some(redemption::look_at_link(&state.core, &token).await?);
    page.link_token = token;
    Ok((jar, render(StatusCode::OK, &page)?).into_response())
}

/// What went wrong at the entry, as the page shows it; other errors become error pages.
fn entry_error(e: CoreError) -> Result<(StatusCode, FieldErrors, Option<String>), PageError> {
    match e {
        CoreError::Invalid(fields) => Ok((StatusCode::UNPROCESSABLE_ENTITY, fields, None)),
        e @ (CoreError::CodeNotAccepted(_) | CoreError::Throttled { .. }) => {
            let web = WebError::Core(e);
            Ok((web.status(), FieldErrors::new(), Some(web.public_message())))
        }
        other => Err(other.into()),
    }
}

#[derive(serde::Deserialize)]
struct InvitedForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    link_token: String,
    #[serde(default)]
    birth_date: String,
}

async fn invited(
    State(state): State<AppState>,
    Client(client): Client,
    jar: CookieJar,
    CsrfForm(form): CsrfForm<InvitedForm>,
) -> Result<Response, PageError> {
    let input = RedeemInput {
        code: Some(form.code.clone()).filter(|c| !c.trim().is_empty()),
        link_token: Some(form.link_token.clone()).filter(|c| !c.trim().is_empty()),
        birth_date: form.birth_date.clone(),
    };
    match limits::within(&input, redemption::redeem(&state.core, &input, &client)).await {
        Ok(done) => {
            let jar = jar.add(cookies::cookie(
                &state,
                REGISTRATION_COOKIE,
                done.ticket.expose().to_owned(),
            ));
            Ok((jar, Redirect::to("/register/details")).into_response())
        }
        Err(e) => {
            let (status, errors, message) = entry_error(e)?;
            let (jar, csrf) = anonymous_csrf(&state, jar);
            let mut page = StartPage::new(csrf);
            page.errors = errors;
            page.invited_error = message;
            page.code = form.code;
            if !form.link_token.trim().is_empty() {
                page.link = Some(redemption::look_at_link(&state.core, &form.link_token).await?);
            }
            page.history_page = Some(if form.link_token.trim().is_empty() {
                "/register".to_owned()
            } else {
                format!("/i/{}", form.link_token.trim())
            });
            page.link_token = form.link_token;
            page.birth_date = form.birth_date;
            Ok((jar, render(status, &page)?).into_response())
        }
    }
}

#[derive(serde::Deserialize)]
struct SelfForm {
    #[serde(default)]
    code: String,
}

impl Bounded for SelfForm {
    fn fields(&self) -> Vec<(&'static str, &str, TextLimit)> {
        vec![("code", &self.code, CODE_ENTRY_LIMIT)]
    }
}

async fn self_registration(
    State(state): State<AppState>,
    Client(client): Client,
    jar: CookieJar,
    CsrfForm(form): CsrfForm<SelfForm>,
) -> Result<Response, PageError> {
    let work = registration::start_with_code(&state.core, &form.code, &client);
    match limits::within(&form, work).await {
        Ok(started) => {
            let jar = jar.add(cookies::cookie(
                &state,
                REGISTRATION_COOKIE,
                started.ticket.expose().to_owned(),
            ));
            Ok((jar, Redirect::to("/register/details")).into_response())
        }
        Err(e) => {
            let (status, errors, message) = entry_error(e)?;
            let (jar, csrf) = anonymous_csrf(&state, jar);
            let mut page = StartPage::new(csrf);
            page.self_error = message.or_else(|| errors.get("code").map(str::to_owned));
            page.self_code = form.code;
            page.history_page = Some("/register".to_owned());
            Ok((jar, render(status, &page)?).into_response())
        }
    }
}
