//! Your account, `/staff/account` (every staff member): their name, email address and role, and
//! changing their own password (`portico_core::accounts::staff_account`): the current one, then
//! the new one with the same live strength meter as registration. A change keeps this session
//! and signs out every other; the page then says so. A failed change comes back with each
//! message next to its field, the new password kept only when it passed the rules (the current
//! one never).

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum_extra::extract::cookie::CookieJar;
use portico_core::accounts::staff_account::{self, PasswordChangeInput};
use portico_core::practices::staff::{self, StaffMember};
use portico_core::{CoreError, FieldErrors};
use portico_domain::{Password, TextLimit};

use crate::AppState;
use crate::pages::{FieldErrorsExt, render};
use crate::platform::chrome::Chrome;
use crate::platform::csrf::CsrfForm;
use crate::platform::error::PageError;
use crate::platform::flash;
use crate::platform::limits::{self, Bounded};
use crate::platform::sessions::PageSession;

const PATH: &str = "/staff/account";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(PATH, get(show))
        .route("/staff/account/password", post(change_password))
}

/// What the last post did, for the page to say once.
#[derive(serde::Serialize, serde::Deserialize)]
enum Said {
    Changed {
        sessions_ended: u64,
    },
    Refused {
        errors: FieldErrors,
        /// The new password, when it passed the rules (so fixing the current one does not mean
        /// choosing it again).
        kept: String,
    },
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    chrome: Option<Chrome>,
    member: StaffMember,
    notice: Option<String>,
    errors: FieldErrors,
    kept: String,
}

async fn show(
    State(state): State<AppState>,
    PageSession(session): PageSession,
    jar: CookieJar,
) -> Result<Response, PageError> {
    let member = staff::get(&state.core, &session.actor, &session.actor.staff_id).await?;
    let (jar, said) = flash::take_as::<Said>(&state, jar, PATH);
    let mut page = AccountPage {
        chrome: Some(Chrome::of(&session)),
        member,
        notice: None,
        errors: FieldErrors::new(),
        kept: String::new(),
    };
    match said {
        Some(Said::Changed { sessions_ended }) => page.notice = Some(changed(sessions_ended)),
        Some(Said::Refused { errors, kept }) => {
            page.errors = errors;
            page.kept = kept;
        }
        None => {}
    }
    Ok((jar, render(StatusCode::OK, &page)?).into_response())
}

/// "Your password is changed…", saying what happened to the other sessions.
fn changed(sessions_ended: u64) -> String {
    let others = match sessions_ended {
        0 => "You were not signed in anywhere else.".to_owned(),
        1 => "You are still signed in here; 1 other session was signed out.".to_owned(),
        n => format!("You are still signed in here; {n} other sessions were signed out."),
    };
    format!("Your password is changed. {others} Use the new password from now on.")
}

#[derive(serde::Deserialize)]
struct PasswordForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    password: String,
}

impl Bounded for PasswordForm {
    fn fields(&self) -> Vec<(&'static str, &str, TextLimit)> {
        vec![
            ("current_password", &self.current_password, Password::LIMIT),
            ("password", &self.password, Password::LIMIT),
        ]
    }
}

async fn change_password(
    State(state): State<AppState>,
    PageSession(session): PageSession,
    jar: CookieJar,
    CsrfForm(form): CsrfForm<PasswordForm>,
) -> Result<Response, PageError> {
    let input = PasswordChangeInput {
        current_password: form.current_password.clone(),
        password: form.password.clone(),
    };
    let work = staff_account::change_password(&state.core, &session.actor, &session.token, &input);
    let said = match limits::within(&form, work).await {
        Ok(done) => Said::Changed {
            sessions_ended: done.sessions_ended,
        },
        Err(CoreError::Invalid(errors)) => Said::Refused {
            kept: if errors.has("password") {
                String::new()
            } else {
                form.password
            },
            errors,
        },
        // Too many wrong passwords: said next to the field, as the sign-in page would refuse.
        Err(CoreError::Throttled { retry_after }) => {
            let minutes = retry_after.as_secs().div_ceil(60).max(1);
            let wait = match minutes {
                1 => "a minute".to_owned(),
                n => format!("{n} minutes"),
            };
            Said::Refused {
                errors: FieldErrors::single(
                    "current_password",
                    format!("Too many wrong passwords. Wait {wait}, then try again."),
                ),
                kept: String::new(),
            }
        }
        Err(CoreError::Locked) => Said::Refused {
            errors: FieldErrors::single(
                "current_password",
                "Too many wrong passwords: signing in to this account is locked until an admin \
                 saves it on the Staff page.",
            ),
            kept: String::new(),
        },
        Err(e) => return Err(e.into()),
    };
    Ok(flash::redirect_with(&state, jar, PATH, said))
}
