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
use portico_core::visits::settings::{self as visit_settings, VisitSettings, VisitSettingsInput};
use portico_domain::VisitPrompts;

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
        .route(
            "/staff/providers/{id}/visit-settings",
            axum::routing::post(save_visit_settings),
        )
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
    /// The visit settings form, as saved or as typed.
    visits: VisitSettingsForm,
    errors: FieldErrors,
    notice: Option<&'static str>,
}

/// The visit settings as the form shows and posts them: the questions one per line.
#[derive(Debug, Default, serde::Deserialize)]
struct VisitSettingsForm {
    #[serde(default)]
    prompts: String,
    #[serde(default)]
    notify_by: String,
    #[serde(default)]
    notify_to: String,
}

impl From<VisitSettings> for VisitSettingsForm {
    fn from(saved: VisitSettings) -> VisitSettingsForm {
        VisitSettingsForm {
            prompts: saved.prompts.join("\n"),
            notify_by: saved.notify_by.map_or("none", |by| by.as_str()).to_owned(),
            notify_to: saved.notify_to.unwrap_or_default(),
        }
    }
}

impl ProviderPage {
    fn notify_by_is(&self, by: &str) -> bool {
        self.visits.notify_by == by || (by == "none" && self.visits.notify_by.is_empty())
    }
}

#[derive(serde::Deserialize)]
struct ShowQuery {
    #[serde(default)]
    saved: Option<String>,
}

async fn provider_page(
    state: &AppState,
    session: &crate::platform::sessions::StaffSession,
    id: &str,
    visits: Option<VisitSettingsForm>,
    errors: FieldErrors,
    notice: Option<&'static str>,
) -> Result<Response, PageError> {
    let provider = providers::get(&state.core, &session.actor, id).await?;
    let visits = match visits {
        Some(typed) => typed,
        None => visit_settings::of_provider(&state.core, &session.actor, id)
            .await?
            .into(),
    };
    let status = match errors.is_empty() {
        true => StatusCode::OK,
        false => StatusCode::UNPROCESSABLE_ENTITY,
    };
    render(
        status,
        &ProviderPage {
            when: LocalTime::of_staff(state, &session.actor).await?,
            chrome: Some(Chrome::of(session)),
            provider,
            visits,
            errors,
            notice,
        },
    )
}

async fn show(
    State(state): State<AppState>,
    PageSession(session): PageSession,
    Path(id): Path<String>,
    axum::extract::Query(q): axum::extract::Query<ShowQuery>,
) -> Result<Response, PageError> {
    let notice = q.saved.map(|_| "Visit settings saved.");
    provider_page(&state, &session, &id, None, FieldErrors::new(), notice).await
}

async fn save_visit_settings(
    State(state): State<AppState>,
    PageSession(session): PageSession,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<VisitSettingsForm>,
) -> Result<Response, PageError> {
    // The whole box is bounded before it is split into lines.
    let saved = if VisitPrompts::LIMIT.exceeded_by(&form.prompts) {
        Err(portico_core::CoreError::Invalid(FieldErrors::single(
            "prompts",
            format!("Use at most {} characters.", VisitPrompts::LIMIT.told),
        )))
    } else {
        let input = VisitSettingsInput {
            prompts: form.prompts.lines().map(str::to_owned).collect(),
            notify_by: form.notify_by.clone(),
            notify_to: Some(form.notify_to.clone()),
        };
        crate::platform::limits::within(
            &input,
            visit_settings::save(&state.core, &session.actor, &id, &input),
        )
        .await
    };
    match saved {
        Ok(_) => Ok(Redirect::to(&format!("/staff/providers/{id}?saved=1")).into_response()),
        Err(e) => {
            let errors = field_errors(e)?;
            provider_page(&state, &session, &id, Some(form), errors, None).await
        }
    }
}
