//! Providers of the practice: the list, adding one (admins), one provider's page.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use portico_core::FieldErrors;
use portico_core::practices::providers::{self, NewProviderInput, Provider};
use portico_core::practices::staff::{self, StaffMember};

use crate::AppState;
use crate::pages::{FieldErrorsExt, field_errors, render};
use crate::platform::chrome::Chrome;
use crate::platform::csrf::CsrfForm;
use crate::platform::error::PageError;
use crate::platform::local_time::LocalTime;
use crate::platform::sessions::PageSession;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/staff/providers", get(list).post(create))
        .route("/staff/providers/{id}", get(show))
}

#[derive(Template)]
#[template(path = "providers.html")]
struct ProvidersPage {
    chrome: Option<Chrome>,
    providers: Vec<Provider>,
    members: Vec<StaffMember>,
    input: NewProviderInput,
    errors: FieldErrors,
}

impl ProvidersPage {
    fn is_selected(&self, staff_id: &str) -> bool {
        self.input.staff_id.as_deref() == Some(staff_id)
    }
}

async fn list(
    State(state): State<AppState>,
    PageSession(session): PageSession,
) -> Result<Response, PageError> {
    let page = ProvidersPage {
        chrome: Some(Chrome::of(&session)),
        providers: providers::list(&state.core, &session.actor).await?,
        members: staff::list(&state.core, &session.actor).await?,
        input: NewProviderInput::default(),
        errors: FieldErrors::new(),
    };
    render(StatusCode::OK, &page)
}

async fn create(
    State(state): State<AppState>,
    PageSession(session): PageSession,
    CsrfForm(input): CsrfForm<NewProviderInput>,
) -> Result<Response, PageError> {
    match providers::create(&state.core, &session.actor, &input).await {
        Ok(provider) => {
            Ok(Redirect::to(&format!("/staff/providers/{}", provider.id)).into_response())
        }
        Err(e) => {
            let errors = field_errors(e)?;
            let page = ProvidersPage {
                chrome: Some(Chrome::of(&session)),
                providers: providers::list(&state.core, &session.actor).await?,
                members: staff::list(&state.core, &session.actor).await?,
                input,
                errors,
            };
            render(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
    }
}

#[derive(Template)]
#[template(path = "provider.html")]
struct ProviderPage {
    chrome: Option<Chrome>,
    provider: Provider,
    when: LocalTime,
}

async fn show(
    State(state): State<AppState>,
    PageSession(session): PageSession,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let provider = providers::get(&state.core, &session.actor, &id).await?;
    render(
        StatusCode::OK,
        &ProviderPage {
            when: LocalTime::of_staff(&state, &session.actor).await?,
            chrome: Some(Chrome::of(&session)),
            provider,
        },
    )
}
