//! Intake forms in conversations. Staff: `POST /staff/messages/{id}/forms` sends one of the
//! practice's forms; `/staff/messages/{id}/forms/{form}` reads the answers. Patient side:
//! `/portal/messages/{id}/forms/{form}` fills it in (a caregiver's under
//! `/portal/care/{access}/messages/…`), `…/draft` keeps the draft as they type (the page's
//! script), and the form's own buttons keep it for later or submit it, once. A refused submission
//! comes back with every answer as typed and each problem beside its question.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use portico_core::threads::forms::{
    self, FilledForm, FormAnswersInput, SendFormInput, answer_field,
};
use portico_core::{CoreError, FieldErrors};
use portico_domain::{FormDefinition, QuestionKind};

use super::portal::{name, terms_first};
use super::staff::thread_page;
use crate::AppState;
use crate::pages::{FieldErrorsExt as _, render};
use crate::platform::chrome::Chrome;
use crate::platform::csrf::CsrfForm;
use crate::platform::error::{PageError, WebError};
use crate::platform::local_time::LocalTime;
use crate::platform::sessions::{PageSession, PatientPage, PatientSession};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/staff/messages/{id}/forms", post(send))
        .route("/staff/messages/{id}/forms/{form}", get(staff_answers))
        .route(
            "/portal/messages/{id}/forms/{form}",
            get(patient_show).post(patient_post),
        )
        .route(
            "/portal/messages/{id}/forms/{form}/draft",
            post(patient_draft),
        )
        .route(
            "/portal/care/{access}/messages/{id}/forms/{form}",
            get(cared_for_show).post(cared_for_post),
        )
        .route(
            "/portal/care/{access}/messages/{id}/forms/{form}/draft",
            post(cared_for_draft),
        )
}

async fn send(
    State(state): State<AppState>,
    PageSession(session): PageSession,
    Path(id): Path<String>,
    CsrfForm(input): CsrfForm<SendFormInput>,
) -> Result<Response, PageError> {
    match forms::send(&state.core, &session.actor, &id, &input).await {
        Ok(_) => Ok(Redirect::to(&format!("/staff/messages/{id}#latest")).into_response()),
        Err(CoreError::Invalid(errors)) => {
            thread_page(&state, &session, &id, String::new(), errors).await
        }
        Err(e @ CoreError::Conflict(_)) => {
            let errors = FieldErrors::single("form_id", WebError::Core(e).public_message());
            thread_page(&state, &session, &id, String::new(), errors).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "staff_thread_form.html")]
struct AnswersPage {
    chrome: Option<Chrome>,
    when: LocalTime,
    form: FilledForm,
}

async fn staff_answers(
    State(state): State<AppState>,
    PageSession(session): PageSession,
    Path((id, form)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let page = AnswersPage {
        chrome: Some(Chrome::of(&session)),
        when: LocalTime::of_staff(&state, &session.actor).await?,
        form: forms::staff_form(&state.core, &session.actor, &id, &form).await?,
    };
    render(StatusCode::OK, &page)
}

/// Whose form the patient side fills in: the patient's own, or — for a caregiver — the patient's
/// they care for.
enum Side<'a> {
    Patient,
    Caregiver(&'a str),
}

impl Side<'_> {
    fn thread_url(&self, id: &str) -> String {
        match self {
            Side::Patient => format!("/portal/messages/{id}"),
            Side::Caregiver(access) => format!("/portal/care/{access}/messages/{id}"),
        }
    }

    async fn form(
        &self,
        state: &AppState,
        session: &PatientSession,
        id: &str,
        form: &str,
    ) -> Result<FilledForm, CoreError> {
        let (core, who) = (&state.core, &session.patient);
        match self {
            Side::Patient => forms::patient_form(core, who, id, form).await,
            Side::Caregiver(access) => forms::cared_for_form(core, who, access, id, form).await,
        }
    }

    async fn draft(
        &self,
        state: &AppState,
        session: &PatientSession,
        id: &str,
        form: &str,
        input: &FormAnswersInput,
    ) -> Result<(), CoreError> {
        let (core, who) = (&state.core, &session.patient);
        match self {
            Side::Patient => forms::patient_draft(core, who, id, form, input).await,
            Side::Caregiver(access) => {
                forms::cared_for_draft(core, who, access, id, form, input).await
            }
        }
    }

    async fn submit(
        &self,
        state: &AppState,
        session: &PatientSession,
        id: &str,
        form: &str,
        input: &FormAnswersInput,
    ) -> Result<FilledForm, CoreError> {
        let (core, who) = (&state.core, &session.patient);
        match self {
            Side::Patient => forms::patient_submit(core, who, id, form, input).await,
            Side::Caregiver(access) => {
                forms::cared_for_submit(core, who, access, id, form, input).await
            }
        }
    }

    /// The patient a caregiver acts for, and whether they may write (read-only access: no).
    async fn acting(
        &self,
        state: &AppState,
        session: &PatientSession,
    ) -> Result<(Option<String>, bool), CoreError> {
        match self {
            Side::Patient => Ok((None, true)),
            Side::Caregiver(access) => {
                let view =
                    portico_core::caregivers::cared_for(&state.core, &session.patient, access)
                        .await?;
                let can_write = !view.access.is_read_only();
                Ok((Some(view.access.patient_name), can_write))
            }
        }
    }
}

#[derive(Template)]
#[template(path = "portal_form.html")]
struct FillPage {
    csrf: String,
    patient_name: String,
    form: FilledForm,
    /// For the summary: each refused answer under its field (`a2`), with its question.
    errors: FieldErrors,
    /// Beside each question: why its answer was refused.
    answer_errors: FieldErrors,
    /// The form's own address (it posts there; its draft goes to `{action}/draft`).
    action: String,
    /// The conversation it was sent in.
    back: String,
    can_write: bool,
    acting_for: Option<String>,
    /// What was just done, said once.
    notice: Option<&'static str>,
}

impl FillPage {
    /// The field name of the question at `i` (`a0`, `a1`, …).
    fn name_of(&self, i: &usize) -> String {
        format!("a{i}")
    }

    fn error_of(&self, i: &usize) -> &str {
        self.answer_errors.msg(&self.name_of(i))
    }
}

#[allow(clippy::too_many_arguments)] // The page's parts, each needed to draw it again.
async fn fill_page(
    state: &AppState,
    session: &PatientSession,
    side: &Side<'_>,
    id: &str,
    form: &str,
    errors: FieldErrors,
    notice: Option<&'static str>,
) -> Result<Response, PageError> {
    let (acting_for, can_write) = side.acting(state, session).await?;
    let filled = side.form(state, session, id, form).await?;
    let status = match errors.is_empty() {
        true => StatusCode::OK,
        false => StatusCode::UNPROCESSABLE_ENTITY,
    };
    let back = side.thread_url(id);
    // The core names answers `answers[2]`; the page's fields are `a2`.
    let mut answer_errors = FieldErrors::new();
    let mut summary = FieldErrors::new();
    for e in errors.iter() {
        let at = (0..filled.questions.len()).find(|&i| answer_field(i) == e.field);
        match at {
            Some(i) => {
                let prompt = &filled.questions[i].prompt;
                answer_errors.add(format!("a{i}"), e.message.clone());
                summary.add(format!("a{i}"), format!("{prompt} — {}", e.message));
            }
            None => summary.add(e.field.clone(), e.message.clone()),
        }
    }
    let page = FillPage {
        answer_errors,
        csrf: session.csrf.clone(),
        patient_name: name(session),
        action: format!("{back}/forms/{form}"),
        back,
        form: filled,
        errors: summary,
        can_write,
        acting_for,
        notice,
    };
    render(status, &page)
}

/// The answers as posted: `a{i}` per question, repeated for several choices.
fn answers_of(pairs: &[(String, String)]) -> FormAnswersInput {
    let most_values = FormDefinition::MOST_CHOICES;
    let mut answers: Vec<Vec<String>> = Vec::new();
    for (key, value) in pairs {
        let Some(i) = key
            .strip_prefix('a')
            .and_then(|n| n.parse::<usize>().ok())
            .filter(|&i| i < FormDefinition::MOST_QUESTIONS)
        else {
            continue;
        };
        if answers.len() <= i {
            answers.resize(i + 1, Vec::new());
        }
        if answers[i].len() < most_values {
            answers[i].push(value.clone());
        }
    }
    FormAnswersInput { answers }
}

/// "Save for later" keeps the draft; "Submit" sends the answers, once.
async fn fill_post(
    state: &AppState,
    session: &PatientSession,
    side: Side<'_>,
    id: &str,
    form: &str,
    pairs: Vec<(String, String)>,
) -> Result<Response, PageError> {
    let input = answers_of(&pairs);
    let submitting = pairs.iter().any(|(k, v)| k == "action" && v == "submit");
    if !submitting {
        return match side.draft(state, session, id, form, &input).await {
            Ok(()) => {
                let notice = Some("Your answers are kept. Come back to finish them any time.");
                fill_page(state, session, &side, id, form, FieldErrors::new(), notice).await
            }
            Err(CoreError::Conflict(_)) => {
                fill_page(state, session, &side, id, form, FieldErrors::new(), None).await
            }
            Err(e) => Err(e.into()),
        };
    }
    match side.submit(state, session, id, form, &input).await {
        Ok(_) => {
            let to = format!("{}/forms/{form}?done=submitted", side.thread_url(id));
            Ok(Redirect::to(&to).into_response())
        }
        Err(CoreError::Invalid(errors)) => {
            fill_page(state, session, &side, id, form, errors, None).await
        }
        // Submitted already (another tab, or a caregiver): the page shows the answers given.
        Err(CoreError::Conflict(_)) => {
            fill_page(state, session, &side, id, form, FieldErrors::new(), None).await
        }
        Err(e) => Err(e.into()),
    }
}

/// The script's draft: 204 when kept, 409 when the form was submitted meanwhile.
async fn draft_post(
    state: &AppState,
    session: &PatientSession,
    side: Side<'_>,
    id: &str,
    form: &str,
    pairs: Vec<(String, String)>,
) -> Result<Response, PageError> {
    let input = answers_of(&pairs);
    match side.draft(state, session, id, form, &input).await {
        Ok(()) => Ok(StatusCode::NO_CONTENT.into_response()),
        Err(CoreError::Conflict(_)) => Ok(StatusCode::CONFLICT.into_response()),
        Err(e) => Err(e.into()),
    }
}

#[derive(serde::Deserialize)]
struct Done {
    #[serde(default)]
    done: String,
}

fn notice_of(done: &Done) -> Option<&'static str> {
    (done.done == "submitted").then_some("Thank you: your answers are sent to the practice.")
}

async fn patient_show(
    State(state): State<AppState>,
    PatientPage(session): PatientPage,
    Path((id, form)): Path<(String, String)>,
    axum::extract::Query(done): axum::extract::Query<Done>,
) -> Result<Response, PageError> {
    if let Some(terms) = terms_first(&state, &session).await? {
        return Ok(terms);
    }
    let notice = notice_of(&done);
    fill_page(
        &state,
        &session,
        &Side::Patient,
        &id,
        &form,
        FieldErrors::new(),
        notice,
    )
    .await
}

async fn patient_post(
    State(state): State<AppState>,
    PatientPage(session): PatientPage,
    Path((id, form)): Path<(String, String)>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    fill_post(&state, &session, Side::Patient, &id, &form, pairs).await
}

async fn patient_draft(
    State(state): State<AppState>,
    PatientPage(session): PatientPage,
    Path((id, form)): Path<(String, String)>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    draft_post(&state, &session, Side::Patient, &id, &form, pairs).await
}

async fn cared_for_show(
    State(state): State<AppState>,
    PatientPage(session): PatientPage,
    Path((access, id, form)): Path<(String, String, String)>,
    axum::extract::Query(done): axum::extract::Query<Done>,
) -> Result<Response, PageError> {
    let side = Side::Caregiver(&access);
    let notice = notice_of(&done);
    fill_page(
        &state,
        &session,
        &side,
        &id,
        &form,
        FieldErrors::new(),
        notice,
    )
    .await
}

async fn cared_for_post(
    State(state): State<AppState>,
    PatientPage(session): PatientPage,
    Path((access, id, form)): Path<(String, String, String)>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    fill_post(
        &state,
        &session,
        Side::Caregiver(&access),
        &id,
        &form,
        pairs,
    )
    .await
}

async fn cared_for_draft(
    State(state): State<AppState>,
    PatientPage(session): PatientPage,
    Path((access, id, form)): Path<(String, String, String)>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    draft_post(
        &state,
        &session,
        Side::Caregiver(&access),
        &id,
        &form,
        pairs,
    )
    .await
}
