//! One program (admins): how many patients it holds, its form to change the name, sign-up code,
//! policy and messaging, and turning its sign-up code off (patients already in it stay) or on
//! again. Both save through `programs::update`, as the API's `PUT /programs/{id}` does.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
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
use crate::platform::sessions::PageSession;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/staff/programs/{id}", get(page).post(save))
        .route("/staff/programs/{id}/enabled", post(switch))
}

#[derive(Template)]
#[template(path = "program.html")]
struct ProgramPage {
    chrome: Option<Chrome>,
    csrf: String,
    current: ProgramOverview,
    input: ProgramForm,
    errors: FieldErrors,
    policies: &'static [PolicyChoice],
    history_page: Option<String>,
}

impl ProgramPage {
    fn policy_label(&self) -> &'static str {
        policy_label(self.current.program.policy)
    }
}

async fn page(
    State(state): State<AppState>,
    PageSession(session): PageSession,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let current = programs::get(&state.core, &session.actor, &id).await?;
    let page = ProgramPage {
        chrome: Some(Chrome::of(&session)),
        csrf: session.csrf.clone(),
        input: ProgramForm::of(&current.program),
        current,
        errors: FieldErrors::new(),
        policies: &POLICIES,
        history_page: None,
    };
    render(StatusCode::OK, &page)
}

async fn save(
    State(state): State<AppState>,
    PageSession(session): PageSession,
    jar: CookieJar,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<ProgramForm>,
) -> Result<Response, PageError> {
    match programs::update(&state.core, &session.actor, &id, &form.to_input(None)).await {
        Ok(program) => Ok(back_to_list(
            &state,
            jar,
            format!("Changes to {} saved.", program.name),
        )),
        Err(e) => {
            let errors = field_errors(e)?;
            let current = programs::get(&state.core, &session.actor, &id).await?;
            let page = ProgramPage {
                chrome: Some(Chrome::of(&session)),
                csrf: session.csrf.clone(),
                current,
                input: form,
                errors,
                policies: &POLICIES,
                history_page: Some(format!("{PAGE}/{id}")),
            };
            render(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
    }
}

#[derive(serde::Deserialize)]
struct SwitchForm {
    #[serde(default)]
    enabled: bool,
}

/// Turns the program's sign-up code off or on, keeping everything else as saved.
async fn switch(
    State(state): State<AppState>,
    PageSession(session): PageSession,
    jar: CookieJar,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<SwitchForm>,
) -> Result<Response, PageError> {
    let current = programs::get(&state.core, &session.actor, &id).await?;
    let input = ProgramForm::of(&current.program).to_input(Some(form.enabled));
    let program = programs::update(&state.core, &session.actor, &id, &input).await?;
    let message = if program.enabled {
        format!(
            "{} is on: patients can sign up with the code {} again.",
            program.name, program.signup_code
        )
    } else {
        format!(
            "{} is off: its sign-up code no longer works. Patients already in it stay.",
            program.name
        )
    };
    Ok(back_to_list(&state, jar, message))
}

fn back_to_list(state: &AppState, jar: CookieJar, message: String) -> Response {
    let flash = Flash {
        message: Some(message),
        ..Flash::default()
    };
    flash::redirect(state, jar, PAGE, flash)
}
