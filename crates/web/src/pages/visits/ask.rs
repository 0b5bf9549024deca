//! `/portal/visits/new?card={link}`: the patient asks the practice of a card to see them — as soon
//! as possible or at a day and time on the practice's clock — and says why. A refused form comes
//! back with every field as typed and the message beside the field; a sent one returns to the
//! visit screen, which lists the request and, later, the practice's answer. A caregiver with full
//! access asks the same way from the portal of the patient they care for
//! (`/portal/care/{access}/visits/new`).

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use portico_core::caregivers;
use portico_core::links;
use portico_core::visits::{self, VisitRequestInput};
use portico_core::{CoreError, FieldErrors};

use crate::AppState;
use crate::pages::{FieldErrorsExt as _, render};
use crate::platform::csrf::CsrfForm;
use crate::platform::error::{PageError, WebError};
use crate::platform::limits;
use crate::platform::sessions::{PatientPage, PatientSession};

const PATH: &str = "/portal/visits/new";

pub fn routes() -> Router<AppState> {
    Router::new().route(PATH, get(show).post(send)).route(
        "/portal/care/{access}/visits/new",
        get(show_for).post(send_for),
    )
}

#[derive(Template)]
#[template(path = "portal_visit_new.html")]
struct AskPage {
    csrf: String,
    patient_name: String,
    /// What the card is: the provider, or the practice.
    card_name: String,
    /// The provider's questions, each answered in `input.answers` at the same place.
    questions: Vec<String>,
    input: VisitRequestInput,
    errors: FieldErrors,
    /// Where the form posts and Back leads: the patient's own visit screen, or the screen of
    /// the patient their caregiver opened.
    action: String,
    back: String,
}

impl AskPage {
    fn at_chosen(&self) -> bool {
        self.input.when == "at"
    }

    fn at_value(&self) -> &str {
        self.input.at.as_deref().unwrap_or_default()
    }

    /// The answer typed to the `n`-th question (from 1).
    fn answer(&self, n: &usize) -> &str {
        n.checked_sub(1)
            .and_then(|i| self.input.answers.get(i))
            .map_or("", String::as_str)
    }

    /// The field (and error) name of the `n`-th answer, as the core names it.
    fn answer_field(&self, n: &usize) -> String {
        format!("answer_{n}")
    }
}

/// The form as posted: the answers come as `answer_1` … `answer_5` (a form has no lists).
#[derive(serde::Deserialize)]
struct AskForm {
    #[serde(default)]
    link_id: String,
    #[serde(default)]
    when: String,
    at: Option<String>,
    #[serde(default)]
    reason: String,
    answer_1: Option<String>,
    answer_2: Option<String>,
    answer_3: Option<String>,
    answer_4: Option<String>,
    answer_5: Option<String>,
}

impl From<AskForm> for VisitRequestInput {
    fn from(form: AskForm) -> VisitRequestInput {
        let mut answers: Vec<String> = [
            form.answer_1,
            form.answer_2,
            form.answer_3,
            form.answer_4,
            form.answer_5,
        ]
        .into_iter()
        .map(Option::unwrap_or_default)
        .collect();
        while answers.last().is_some_and(String::is_empty) {
            answers.pop();
        }
        VisitRequestInput {
            link_id: form.link_id,
            when: form.when,
            at: form.at,
            reason: form.reason,
            answers,
        }
    }
}

#[derive(serde::Deserialize)]
struct CardQuery {
    #[serde(default)]
    card: String,
}

/// Whose card is asked about: the signed-in patient's own, or (by access id) a patient they
/// care for with full access.
enum Whose<'a> {
    Own,
    CaredFor(&'a str),
}

async fn page(
    state: &AppState,
    session: &PatientSession,
    whose: Whose<'_>,
    input: VisitRequestInput,
    errors: FieldErrors,
) -> Result<Response, PageError> {
    let p = &session.patient;
    let (cards, action, back) = match whose {
        Whose::Own => (
            links::cards(&state.core, p).await?,
            PATH.to_owned(),
            "/portal".to_owned(),
        ),
        Whose::CaredFor(access) => {
            let view = caregivers::cared_for(&state.core, p, access).await?;
            if view.access.is_read_only() {
                return Err(WebError::Core(CoreError::Forbidden).into());
            }
            (
                view.cards,
                format!("/portal/care/{access}/visits/new"),
                format!("/portal/care/{access}"),
            )
        }
    };
    let card = cards
        .into_iter()
        .find(|c| c.id == input.link_id)
        .ok_or(WebError::Core(CoreError::NotFound))?;
    let questions = match whose {
        Whose::Own => visits::questions(&state.core, p, &card.id).await?,
        Whose::CaredFor(access) => visits::questions_for(&state.core, p, access, &card.id).await?,
    }
    .questions;
    let status = match errors.is_empty() {
        true => StatusCode::OK,
        false => StatusCode::UNPROCESSABLE_ENTITY,
    };
    let page = AskPage {
        csrf: session.csrf.clone(),
        patient_name: format!("{} {}", p.first_name, p.last_name),
        card_name: card.provider_name.unwrap_or(card.practice_name),
        questions,
        input,
        errors,
        action,
        back,
    };
    render(status, &page)
}

fn first_input(card: String) -> VisitRequestInput {
    VisitRequestInput {
        link_id: card,
        when: "now".to_owned(),
        ..VisitRequestInput::default()
    }
}

async fn show_for(
    State(state): State<AppState>,
    PatientPage(session): PatientPage,
    Path(access): Path<String>,
    Query(q): Query<CardQuery>,
) -> Result<Response, PageError> {
    let whose = Whose::CaredFor(&access);
    page(
        &state,
        &session,
        whose,
        first_input(q.card),
        FieldErrors::new(),
    )
    .await
}

async fn send_for(
    State(state): State<AppState>,
    PatientPage(session): PatientPage,
    Path(access): Path<String>,
    CsrfForm(form): CsrfForm<AskForm>,
) -> Result<Response, PageError> {
    let input = VisitRequestInput::from(form);
    let work = visits::request_for(&state.core, &session.patient, &access, &input);
    match refused(limits::within(&input, work).await)? {
        None => Ok(Redirect::to(&format!("/portal/care/{access}?asked=1")).into_response()),
        Some(errors) => page(&state, &session, Whose::CaredFor(&access), input, errors).await,
    }
}

/// `None` when the request went through; the field errors of a refusal that is the user's to
/// correct; any other error as the error page.
fn refused<T>(result: Result<T, CoreError>) -> Result<Option<FieldErrors>, PageError> {
    match result {
        Ok(_) => Ok(None),
        Err(CoreError::Invalid(errors)) => Ok(Some(errors)),
        Err(e @ CoreError::Conflict(_)) => Ok(Some(FieldErrors::single(
            "when",
            WebError::Core(e).public_message(),
        ))),
        Err(e) => Err(e.into()),
    }
}

async fn show(
    State(state): State<AppState>,
    PatientPage(session): PatientPage,
    Query(q): Query<CardQuery>,
) -> Result<Response, PageError> {
    page(
        &state,
        &session,
        Whose::Own,
        first_input(q.card),
        FieldErrors::new(),
    )
    .await
}

async fn send(
    State(state): State<AppState>,
    PatientPage(session): PatientPage,
    CsrfForm(form): CsrfForm<AskForm>,
) -> Result<Response, PageError> {
    let input = VisitRequestInput::from(form);
    let work = visits::request(&state.core, &session.patient, &input);
    match refused(limits::within(&input, work).await)? {
        None => Ok(Redirect::to("/portal?asked=1").into_response()),
        Some(errors) => page(&state, &session, Whose::Own, input, errors).await,
    }
}
