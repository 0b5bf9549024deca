//! The signed-in patient's visit screen (docs/PRODUCT.md §7): one card per practice or provider the
//! patient is linked to, and "Add provider code" to link another. Terms a practice published
//! since the last visit come first (`registration::terms`).

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use portico_core::links::{self, Card, CodeAdded};
use portico_core::registration::terms;
use portico_core::{CoreError, FieldErrors};

use crate::AppState;
use crate::pages::caregivers::switcher::{self, Whose};
use crate::pages::{FieldErrorsExt as _, render};
use crate::platform::csrf::CsrfForm;
use crate::platform::error::{PageError, WebError};
use crate::platform::limits::{self, Bounded};
use crate::platform::sessions::{PatientPage, PatientSession};
use portico_domain::{CODE_ENTRY_LIMIT, TextLimit, VisitState};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/portal", get(visit))
        .route("/portal/provider-codes", post(add_provider_code))
}

#[derive(Template)]
#[template(path = "portal_visit.html")]
struct VisitPage {
    csrf: String,
    patient_name: String,
    username: Option<String>,
    cards: Vec<Card>,
    /// Practices waiting for the patient's signed paper consent form.
    consent_awaited: Vec<String>,
    errors: FieldErrors,
    code: String,
    notice: Option<&'static str>,
    /// "Me" and each person the patient may open the portal of as their caregiver.
    switcher: Vec<Whose>,
    /// Caregivers waiting for the patient's approval.
    caregiver_requests: Vec<String>,
    /// The patient's visit requests, newest first.
    visits: Vec<portico_core::visits::VisitRequest>,
}

#[derive(serde::Deserialize)]
struct VisitQuery {
    #[serde(default)]
    welcome: Option<String>,
    #[serde(default)]
    added: Option<String>,
    #[serde(default)]
    already: Option<String>,
    #[serde(default)]
    asked: Option<String>,
}

async fn visit_page(
    state: &AppState,
    session: &PatientSession,
    errors: FieldErrors,
    code: String,
    notice: Option<&'static str>,
) -> Result<VisitPage, PageError> {
    let p = &session.patient;
    let (sharing, switcher) = switcher::for_own_portal(state, p).await?;
    let caregiver_requests = sharing
        .requests()
        .map(|a| a.caregiver_name.clone())
        .collect();
    let visits = portico_core::visits::for_patient(&state.core, p).await?;
    Ok(VisitPage {
        visits,
        switcher,
        caregiver_requests,
        csrf: session.csrf.clone(),
        patient_name: format!("{} {}", p.first_name, p.last_name),
        username: p.username.clone(),
        cards: links::cards(&state.core, p).await?,
        consent_awaited: links::consent_awaited(&state.core, p).await?,
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
    // New terms come first: nothing else until they are accepted (docs/PRODUCT.md §5).
    if !terms::due(&state.core, &session.patient).await?.is_empty() {
        return Ok(Redirect::to("/portal/terms").into_response());
    }
    let notice = match (q.welcome, q.added, q.already) {
        _ if q.asked.is_some() => Some("Your request was sent. The practice's answer shows here."),
        (Some(_), _, _) => Some("Welcome! Your account is ready."),
        (_, Some(_), _) => Some("The provider was added."),
        (_, _, Some(_)) => Some("This provider is already on your visit screen."),
        _ => None,
    };
    let page = visit_page(&state, &session, FieldErrors::new(), String::new(), notice).await?;
    render(StatusCode::OK, &page)
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
        Ok((_, CodeAdded::Linked)) => Ok(Redirect::to("/portal?added=1").into_response()),
        Ok((_, CodeAdded::AlreadyLinked)) => Ok(Redirect::to("/portal?already=1").into_response()),
        Err(CoreError::Invalid(errors)) => {
            let page = visit_page(&state, &session, errors, form.code, None).await?;
            render(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(
            e @ (CoreError::CodeNotAccepted(_)
            | CoreError::Throttled { .. }
            | CoreError::Conflict(_)),
        ) => {
            let web = WebError::Core(e);
            let errors = FieldErrors::single("code", web.public_message());
            let page = visit_page(&state, &session, errors, form.code, None).await?;
            render(web.status(), &page)
        }
        Err(e) => Err(e.into()),
    }
}
