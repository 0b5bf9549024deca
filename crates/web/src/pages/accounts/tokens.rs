//! The practice's API tokens, `/staff/tokens` (signed-in admins): every token with who made it,
//! when, and when it was last used; making one, whose text this page shows once (with a copy
//! button and a warning) and a reload no longer can; and revoking one after a confirmation.
//! Calls the same core functions as `/api/v1/tokens`.
//!
//! Every post redirects back here with what happened in a sealed, read-once flash: a new token's
//! text exists only in that flash and in the page it opens.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum_extra::extract::cookie::CookieJar;
use portico_core::accounts::api_tokens::{self, ApiToken, NewApiTokenInput};
use portico_core::{CoreError, FieldErrors};
use portico_domain::{DisplayName, TextLimit};

use crate::AppState;
use crate::pages::{FieldErrorsExt, render};
use crate::platform::chrome::Chrome;
use crate::platform::csrf::{CsrfForm, NoFields};
use crate::platform::error::PageError;
use crate::platform::flash;
use crate::platform::limits::{self, Bounded};
use crate::platform::local_time::LocalTime;
use crate::platform::sessions::PageSession;

const PATH: &str = "/staff/tokens";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(PATH, get(show).post(create))
        .route("/staff/tokens/{id}/revoke", post(revoke))
}

/// What the last post did, for the page to say once.
#[derive(serde::Serialize, serde::Deserialize)]
enum Said {
    /// A token was made: its text, shown this once.
    Made {
        label: String,
        token: String,
    },
    Revoked {
        label: String,
    },
    AlreadyRevoked,
    /// The new token's name was refused.
    Refused {
        label: String,
        errors: FieldErrors,
    },
}

#[derive(Template)]
#[template(path = "tokens.html")]
struct TokensPage {
    chrome: Option<Chrome>,
    when: LocalTime,
    tokens: Vec<ApiToken>,
    /// The token just made, with its text.
    made: Option<(String, String)>,
    notice: Option<String>,
    /// The name typed for a refused token (not `label`: the form macro's own parameter is).
    typed_label: String,
    errors: FieldErrors,
}

async fn show(
    State(state): State<AppState>,
    PageSession(session): PageSession,
    jar: CookieJar,
) -> Result<Response, PageError> {
    let tokens = api_tokens::list(&state.core, &session.actor).await?;
    let (jar, said) = flash::take_as::<Said>(&state, jar, PATH);
    let mut page = TokensPage {
        chrome: Some(Chrome::of(&session)),
        when: LocalTime::of_staff(&state, &session.actor).await?,
        tokens,
        made: None,
        notice: None,
        typed_label: String::new(),
        errors: FieldErrors::new(),
    };
    match said {
        Some(Said::Made { label, token }) => page.made = Some((label, token)),
        Some(Said::Revoked { label }) => {
            page.notice = Some(format!(
                "The token ‘{label}’ is revoked. Systems that use it are refused from now on."
            ));
        }
        Some(Said::AlreadyRevoked) => {
            page.notice = Some("That token was already revoked.".to_owned());
        }
        Some(Said::Refused { label, errors }) => {
            page.typed_label = label;
            page.errors = errors;
        }
        None => {}
    }
    Ok((jar, render(StatusCode::OK, &page)?).into_response())
}

#[derive(serde::Deserialize)]
struct NewTokenForm {
    #[serde(default)]
    label: String,
}

impl Bounded for NewTokenForm {
    fn fields(&self) -> Vec<(&'static str, &str, TextLimit)> {
        vec![("label", &self.label, DisplayName::LIMIT)]
    }
}

async fn create(
    State(state): State<AppState>,
    PageSession(session): PageSession,
    jar: CookieJar,
    CsrfForm(form): CsrfForm<NewTokenForm>,
) -> Result<Response, PageError> {
    let input = NewApiTokenInput {
        label: form.label.clone(),
    };
    let work = api_tokens::create(&state.core, &session.actor, &input);
    let said = match limits::within(&form, work).await {
        Ok(made) => Said::Made {
            label: made.api_token.label,
            token: made.token,
        },
        Err(CoreError::Invalid(errors)) => Said::Refused {
            label: form.label,
            errors,
        },
        Err(e) => return Err(e.into()),
    };
    Ok(flash::redirect_with(&state, jar, PATH, said))
}

async fn revoke(
    State(state): State<AppState>,
    PageSession(session): PageSession,
    jar: CookieJar,
    Path(id): Path<String>,
    CsrfForm(NoFields {}): CsrfForm<NoFields>,
) -> Result<Response, PageError> {
    let said = match api_tokens::revoke(&state.core, &session.actor, &id).await {
        Ok(token) => Said::Revoked { label: token.label },
        Err(CoreError::Conflict(_)) => Said::AlreadyRevoked,
        Err(e) => return Err(e.into()),
    };
    Ok(flash::redirect_with(&state, jar, PATH, said))
}
