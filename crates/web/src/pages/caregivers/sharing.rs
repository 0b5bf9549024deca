//! `/portal/caregivers`: for the signed-in patient, the caregivers who ask for or have access to
//! their portal (approve with a level, change it, withdraw); for a caregiver, the patients they
//! care for (confirm a birth date, open, stop) and "Add a caregiver invitation" — the code of a
//! further invitation added to the same account. Every post comes back here with what it did;
//! a refused one is said next to the form it came from, as typed.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use portico_core::caregivers::{self, AccessState, CaregiverAccess, Sharing};
use portico_core::invitations::redemption::RedeemInput;
use portico_core::registration::terms;
use portico_core::{CoreError, FieldErrors};
use portico_domain::{AccessLevel, BirthDate, CODE_ENTRY_LIMIT, TextLimit};

use super::switcher::{self, Whose};
use crate::AppState;
use crate::pages::{FieldErrorsExt as _, render};
use crate::platform::csrf::{CsrfForm, NoFields};
use crate::platform::error::{PageError, WebError};
use crate::platform::limits::{self, Bounded};
use crate::platform::sessions::{PatientPage, PatientSession};

const PATH: &str = "/portal/caregivers";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(PATH, get(show))
        .route("/portal/caregivers/{id}/approve", post(approve))
        .route("/portal/caregivers/{id}/level", post(set_level))
        .route("/portal/caregivers/{id}/withdraw", post(withdraw))
        .route(
            "/portal/cared-for/{id}/birth-date",
            post(confirm_birth_date),
        )
        .route("/portal/cared-for/{id}/give-up", post(give_up))
        .route("/portal/caregiver-invitations", post(accept_invitation))
}

#[derive(Template)]
#[template(path = "portal_caregivers.html")]
struct SharingPage {
    csrf: String,
    patient_name: String,
    switcher: Vec<Whose>,
    sharing: Sharing,
    errors: FieldErrors,
    /// The access whose form the errors belong to; `None`: the invitation form's.
    error_for: Option<String>,
    code: String,
    birth_date: String,
    notice: Option<&'static str>,
}

impl SharingPage {
    fn errors_here(&self, access: &CaregiverAccess) -> bool {
        self.error_for.as_deref() == Some(access.id.as_str())
    }

    fn invitation_errors(&self) -> bool {
        self.error_for.is_none()
    }

    fn needs_birth_date(&self, access: &CaregiverAccess) -> bool {
        access.approved_by.is_some() && !access.birth_date_confirmed && !access.is_ended()
    }

    fn awaits_approval(&self, access: &CaregiverAccess) -> bool {
        access.state == AccessState::AwaitingApproval
    }

    fn approved(&self, access: &CaregiverAccess) -> bool {
        access.approved_by.is_some() && !access.is_ended()
    }

    fn levels(&self) -> &'static [AccessLevel] {
        AccessLevel::ALL
    }
}

#[derive(serde::Deserialize)]
struct ShowQuery {
    #[serde(default)]
    done: Option<String>,
}

async fn show(
    State(state): State<AppState>,
    PatientPage(session): PatientPage,
    Query(q): Query<ShowQuery>,
) -> Result<Response, PageError> {
    if !terms::due(&state.core, &session.patient).await?.is_empty() {
        return Ok(Redirect::to("/portal/terms").into_response());
    }
    let notice = match q.done.as_deref() {
        Some("approved") => Some(
            "Approved. Your caregiver can open your portal once they have confirmed your date of birth.",
        ),
        Some("level") => Some("Access level changed."),
        Some("withdrawn") => Some("Access withdrawn. From now on they cannot see your portal."),
        Some("confirmed") => Some("Date of birth confirmed."),
        Some("given-up") => Some("You no longer have access to their portal."),
        Some("added") => Some(
            "Caregiver invitation added to your account. It waits for the patient (or the practice) to approve.",
        ),
        _ => None,
    };
    page(&state, &session, notice, Failed::none()).await
}

/// A refused post, shown again next to its form.
struct Failed {
    errors: FieldErrors,
    error_for: Option<String>,
    code: String,
    birth_date: String,
}

impl Failed {
    fn none() -> Failed {
        Failed {
            errors: FieldErrors::new(),
            error_for: Some(String::new()),
            code: String::new(),
            birth_date: String::new(),
        }
    }
}

async fn page(
    state: &AppState,
    session: &PatientSession,
    notice: Option<&'static str>,
    failed: Failed,
) -> Result<Response, PageError> {
    let p = &session.patient;
    let (sharing, switcher) = switcher::for_own_portal(state, p).await?;
    let status = match failed.errors.is_empty() {
        true => StatusCode::OK,
        false => StatusCode::UNPROCESSABLE_ENTITY,
    };
    let page = SharingPage {
        csrf: session.csrf.clone(),
        patient_name: format!("{} {}", p.first_name, p.last_name),
        switcher,
        sharing,
        errors: failed.errors,
        error_for: failed.error_for,
        code: failed.code,
        birth_date: failed.birth_date,
        notice,
    };
    render(status, &page)
}

/// What a refused post says next to `field`, or the error page for what is not the user's
/// mistake (another account's access is not found).
fn refusal(e: CoreError, field: &str) -> Result<FieldErrors, PageError> {
    match e {
        CoreError::Invalid(errors) => Ok(errors),
        e @ (CoreError::Conflict(_)
        | CoreError::CodeNotAccepted(_)
        | CoreError::Throttled { .. }
        | CoreError::RegistrationExpired) => Ok(FieldErrors::single(
            field,
            WebError::Core(e).public_message(),
        )),
        e => Err(e.into()),
    }
}

async fn outcome(
    state: &AppState,
    session: &PatientSession,
    result: Result<CaregiverAccess, CoreError>,
    done: &str,
    field: &str,
    access: &str,
    typed: String,
) -> Result<Response, PageError> {
    match result {
        Ok(_) => Ok(Redirect::to(&format!("{PATH}?done={done}")).into_response()),
        Err(e) => {
            let failed = Failed {
                errors: refusal(e, field)?,
                error_for: Some(access.to_owned()),
                code: String::new(),
                birth_date: typed,
            };
            page(state, session, None, failed).await
        }
    }
}

#[derive(serde::Deserialize)]
struct LevelForm {
    #[serde(default)]
    level: String,
}

impl Bounded for LevelForm {
    fn fields(&self) -> Vec<(&'static str, &str, TextLimit)> {
        vec![(
            "level",
            &self.level,
            TextLimit {
                typed: 64,
                told: 32,
            },
        )]
    }
}

async fn approve(
    State(state): State<AppState>,
    PatientPage(session): PatientPage,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<LevelForm>,
) -> Result<Response, PageError> {
    let work = caregivers::approve(&state.core, &session.patient, &id, &form.level);
    let result = limits::within(&form, work).await;
    outcome(
        &state,
        &session,
        result,
        "approved",
        "level",
        &id,
        String::new(),
    )
    .await
}

async fn set_level(
    State(state): State<AppState>,
    PatientPage(session): PatientPage,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<LevelForm>,
) -> Result<Response, PageError> {
    let work = caregivers::set_level_by_patient(&state.core, &session.patient, &id, &form.level);
    let result = limits::within(&form, work).await;
    outcome(
        &state,
        &session,
        result,
        "level",
        "level",
        &id,
        String::new(),
    )
    .await
}

async fn withdraw(
    State(state): State<AppState>,
    PatientPage(session): PatientPage,
    Path(id): Path<String>,
    CsrfForm(NoFields {}): CsrfForm<NoFields>,
) -> Result<Response, PageError> {
    let result = caregivers::end_by_patient(&state.core, &session.patient, &id).await;
    outcome(
        &state,
        &session,
        result,
        "withdrawn",
        "level",
        &id,
        String::new(),
    )
    .await
}

#[derive(serde::Deserialize)]
struct BirthDateForm {
    #[serde(default)]
    birth_date: String,
}

impl Bounded for BirthDateForm {
    fn fields(&self) -> Vec<(&'static str, &str, TextLimit)> {
        vec![("birth_date", &self.birth_date, BirthDate::LIMIT)]
    }
}

async fn confirm_birth_date(
    State(state): State<AppState>,
    PatientPage(session): PatientPage,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<BirthDateForm>,
) -> Result<Response, PageError> {
    let work = caregivers::confirm_birth_date(&state.core, &session.patient, &id, &form.birth_date);
    let result = limits::within(&form, work).await;
    let typed = form.birth_date.clone();
    outcome(
        &state,
        &session,
        result,
        "confirmed",
        "birth_date",
        &id,
        typed,
    )
    .await
}

async fn give_up(
    State(state): State<AppState>,
    PatientPage(session): PatientPage,
    Path(id): Path<String>,
    CsrfForm(NoFields {}): CsrfForm<NoFields>,
) -> Result<Response, PageError> {
    let result = caregivers::end_by_caregiver(&state.core, &session.patient, &id).await;
    outcome(
        &state,
        &session,
        result,
        "given-up",
        "birth_date",
        &id,
        String::new(),
    )
    .await
}

#[derive(serde::Deserialize)]
struct InvitationForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    birth_date: String,
}

impl Bounded for InvitationForm {
    fn fields(&self) -> Vec<(&'static str, &str, TextLimit)> {
        vec![
            ("code", &self.code, CODE_ENTRY_LIMIT),
            ("birth_date", &self.birth_date, BirthDate::LIMIT),
        ]
    }
}

async fn accept_invitation(
    State(state): State<AppState>,
    PatientPage(session): PatientPage,
    CsrfForm(form): CsrfForm<InvitationForm>,
) -> Result<Response, PageError> {
    let input = RedeemInput {
        code: Some(form.code.clone()),
        link_token: None,
        birth_date: form.birth_date.clone(),
    };
    let work = caregivers::accept_invitation(&state.core, &session.patient, &input);
    match limits::within(&form, work).await {
        Ok(_) => Ok(Redirect::to(&format!("{PATH}?done=added")).into_response()),
        Err(e) => {
            let failed = Failed {
                errors: refusal(e, "code")?,
                error_for: None,
                code: form.code,
                birth_date: form.birth_date,
            };
            page(&state, &session, None, failed).await
        }
    }
}
