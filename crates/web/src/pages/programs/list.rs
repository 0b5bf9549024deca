//! `/staff/programs` (admins): every program with its sign-up code, policy, messaging, whether
//! it is on, and how many patients it holds; and the form that adds one.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum_extra::extract::cookie::CookieJar;
use portico_core::FieldErrors;
use portico_core::programs::{self, ProgramOverview};

use super::PAGE;
use super::form::{POLICIES, PolicyChoice, ProgramForm, policy_label};
use crate::AppState;
use crate::pages::{FieldErrorsExt as _, field_errors, render};
use crate::platform::chrome::Chrome;
use crate::platform::csrf::CsrfForm;
use crate::platform::error::PageError;
use crate::platform::flash::{self, Flash};
use crate::platform::sessions::{PageSession, StaffSession};

pub fn routes() -> Router<AppState> {
    Router::new().route(PAGE, get(page).post(create))
}

#[derive(Template)]
#[template(path = "programs.html")]
struct ProgramsPage {
    chrome: Option<Chrome>,
    csrf: String,
    programs: Vec<ProgramOverview>,
    input: ProgramForm,
    errors: FieldErrors,
    policies: &'static [PolicyChoice],
    notice: Option<String>,
    /// Set when a failed post is answered with the page itself: the address the browser's
    /// history should hold instead of the post.
    history_page: Option<&'static str>,
}

impl ProgramsPage {
    fn policy_label(&self, program: &ProgramOverview) -> &'static str {
        policy_label(program.program.policy)
    }
}

async fn page(
    State(state): State<AppState>,
    PageSession(session): PageSession,
    jar: CookieJar,
) -> Result<Response, PageError> {
    let (jar, done) = flash::take(&state, jar, PAGE);
    let mut page =
        programs_page(&state, &session, ProgramForm::fresh(), FieldErrors::new()).await?;
    page.notice = done.and_then(|f| f.message);
    Ok((jar, render(StatusCode::OK, &page)?).into_response())
}

async fn programs_page(
    state: &AppState,
    session: &StaffSession,
    input: ProgramForm,
    errors: FieldErrors,
) -> Result<ProgramsPage, PageError> {
    Ok(ProgramsPage {
        chrome: Some(Chrome::of(session)),
        csrf: session.csrf.clone(),
        programs: programs::overview(&state.core, &session.actor).await?,
        input,
        errors,
        policies: &POLICIES,
        notice: None,
        history_page: None,
    })
}

async fn create(
    State(state): State<AppState>,
    PageSession(session): PageSession,
    jar: CookieJar,
    CsrfForm(form): CsrfForm<ProgramForm>,
) -> Result<Response, PageError> {
    match programs::create(&state.core, &session.actor, &form.to_input(Some(true))).await {
        Ok(program) => {
            let message = format!(
                "Program {} added. Patients can sign up with the code {}.",
                program.name, program.signup_code
            );
            let flash = Flash {
                message: Some(message),
                ..Flash::default()
            };
            Ok(flash::redirect(&state, jar, PAGE, flash))
        }
        Err(e) => {
            let errors = field_errors(e)?;
            let mut page = programs_page(&state, &session, form, errors).await?;
            page.history_page = Some(PAGE);
            render(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
    }
}
