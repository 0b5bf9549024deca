//! The caregiver forms on a patient's record (`/staff/patients/{id}`): record a caregiver's
//! authority (which approves their access at the level chosen), change the level, withdraw the
//! access. `{id}` is the record the form is on — the patient's or the caregiver's. Each post
//! comes back to that record with what it did; a refused one is said next to its form.

use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use portico_core::caregivers::{self, CaregiverAccess};
use portico_core::{CoreError, FieldErrors};
use portico_domain::TextLimit;

use crate::AppState;
use crate::pages::patients::record;
use crate::platform::csrf::{CsrfForm, NoFields};
use crate::platform::error::{PageError, WebError};
use crate::platform::limits::{self, Bounded};
use crate::platform::sessions::{PageSession, StaffSession};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/staff/patients/{id}/caregivers/{access}/authority",
            post(record_authority),
        )
        .route(
            "/staff/patients/{id}/caregivers/{access}/level",
            post(set_level),
        )
        .route(
            "/staff/patients/{id}/caregivers/{access}/withdraw",
            post(withdraw),
        )
}

const WORD: TextLimit = TextLimit {
    typed: 64,
    told: 32,
};

#[derive(serde::Deserialize)]
struct AuthorityForm {
    #[serde(default)]
    authority: String,
    #[serde(default)]
    level: String,
}

impl Bounded for AuthorityForm {
    fn fields(&self) -> Vec<(&'static str, &str, TextLimit)> {
        vec![
            ("authority", &self.authority, WORD),
            ("level", &self.level, WORD),
        ]
    }
}

#[derive(serde::Deserialize)]
struct LevelForm {
    #[serde(default)]
    level: String,
}

impl Bounded for LevelForm {
    fn fields(&self) -> Vec<(&'static str, &str, TextLimit)> {
        vec![("level", &self.level, WORD)]
    }
}

async fn outcome(
    state: &AppState,
    session: &StaffSession,
    (id, access): (&str, &str),
    result: Result<CaregiverAccess, CoreError>,
    done: &str,
) -> Result<Response, PageError> {
    let errors = match result {
        Ok(_) => {
            return Ok(Redirect::to(&format!("/staff/patients/{id}?done={done}")).into_response());
        }
        Err(CoreError::Invalid(errors)) => errors,
        Err(e @ CoreError::Conflict(_)) => {
            FieldErrors::single("level", WebError::Core(e).public_message())
        }
        Err(e) => return Err(e.into()),
    };
    record::with_caregiver_errors(state, session, id, access, errors).await
}

async fn record_authority(
    State(state): State<AppState>,
    PageSession(session): PageSession,
    Path((id, access)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<AuthorityForm>,
) -> Result<Response, PageError> {
    let work = caregivers::record_authority(
        &state.core,
        &session.actor,
        &id,
        &access,
        &form.authority,
        &form.level,
    );
    let result = limits::within(&form, work).await;
    outcome(
        &state,
        &session,
        (&id, &access),
        result,
        "caregiver-approved",
    )
    .await
}

async fn set_level(
    State(state): State<AppState>,
    PageSession(session): PageSession,
    Path((id, access)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<LevelForm>,
) -> Result<Response, PageError> {
    let work =
        caregivers::set_level_by_staff(&state.core, &session.actor, &id, &access, &form.level);
    let result = limits::within(&form, work).await;
    outcome(&state, &session, (&id, &access), result, "caregiver-level").await
}

async fn withdraw(
    State(state): State<AppState>,
    PageSession(session): PageSession,
    Path((id, access)): Path<(String, String)>,
    CsrfForm(NoFields {}): CsrfForm<NoFields>,
) -> Result<Response, PageError> {
    let result = caregivers::end_by_staff(&state.core, &session.actor, &id, &access).await;
    outcome(
        &state,
        &session,
        (&id, &access),
        result,
        "caregiver-withdrawn",
    )
    .await
}
