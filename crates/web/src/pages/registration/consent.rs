//! The registration's consent step (docs/PRODUCT.md §5), when the invitation asks for digital consent:
//! the practice's current consent text, signed by typing the patient's full name. The form sends
//! back the version it showed, so a text published meanwhile is shown before anything is signed.
//! Signing it finishes the registration.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum_extra::extract::cookie::CookieJar;
use portico_core::registration::consent::SIGNATURE_LIMIT;
use portico_core::registration::{self, RegistrationView, Step};
use portico_core::{CoreError, FieldErrors};

use super::{finish, step_path, ticket};
use crate::AppState;
use crate::pages::{FieldErrorsExt as _, field_errors, render};
use crate::platform::csrf::{CsrfForm, anonymous_csrf};
use crate::platform::error::PageError;
use crate::platform::flash::{self, Flash};
use crate::platform::limits::{self, Bounded};
use crate::platform::request::Client;
use portico_domain::TextLimit;

pub fn routes() -> Router<AppState> {
    Router::new().route("/register/consent", get(consent_page).post(consent))
}

#[derive(Template)]
#[template(path = "register_consent.html")]
struct ConsentPage {
    csrf: String,
    view: RegistrationView,
    errors: FieldErrors,
    signature: String,
    /// A message for the whole form (a newer text to read).
    message: Option<String>,
    today: String,
}

async fn consent_page(
    State(state): State<AppState>,
    jar: CookieJar,
) -> Result<Response, PageError> {
    let ticket = ticket(&state, &jar)?;
    let view = registration::view(&state.core, &ticket).await?;
    if view.next != Step::Consent {
        return Ok(Redirect::to(step_path(view.next)).into_response());
    }
    let (jar, typed) = flash::take(&state, jar, "/register/consent");
    let typed = typed.unwrap_or_default();
    let (jar, csrf) = anonymous_csrf(&state, jar);
    let page = ConsentPage {
        csrf,
        view,
        signature: typed.field("signature"),
        errors: typed.errors,
        message: typed.message,
        today: state.core.now().date().to_string(),
    };
    Ok((jar, render(StatusCode::OK, &page)?).into_response())
}

#[derive(serde::Deserialize)]
struct ConsentForm {
    #[serde(default)]
    signature: String,
    /// The version of the text the page showed.
    #[serde(default)]
    version: Option<i64>,
}

impl Bounded for ConsentForm {
    fn fields(&self) -> Vec<(&'static str, &str, TextLimit)> {
        vec![("signature", &self.signature, SIGNATURE_LIMIT)]
    }
}

async fn consent(
    State(state): State<AppState>,
    Client(client): Client,
    jar: CookieJar,
    CsrfForm(form): CsrfForm<ConsentForm>,
) -> Result<Response, PageError> {
    let ticket = ticket(&state, &jar)?;
    let work =
        registration::sign_consent(&state.core, &ticket, &form.signature, form.version, &client);
    match limits::within(&form, work).await {
        Ok(_) => finish(&state, jar, &ticket, &client).await,
        // The practice published a new text while the page was open: show it, name kept.
        Err(CoreError::Conflict(why)) => {
            let typed = Flash {
                message: Some(why.to_owned()),
                ..Flash::default()
            }
            .with_field("signature", &form.signature);
            Ok(flash::redirect(&state, jar, "/register/consent", typed))
        }
        Err(e) => {
            let typed = Flash::default()
                .with_errors(field_errors(e)?)
                .with_field("signature", &form.signature);
            Ok(flash::redirect(&state, jar, "/register/consent", typed))
        }
    }
}
