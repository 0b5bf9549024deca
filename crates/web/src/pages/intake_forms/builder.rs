//! The form builder: a title and rows of questions (the question, the kind of answer, the choices
//! one per line, whether an answer is required). Rows left blank are ignored, so a form grows by
//! filling the empty rows below it ("Add more questions" adds rows without saving). It works
//! without scripts; a refused save comes back with every row as typed and each problem beside
//! its field.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use portico_core::intake_forms::{self, FormInput, FormView, QuestionInput};
use portico_core::{CoreError, FieldErrors};
use portico_domain::{FormDefinition, QuestionKind};

use crate::AppState;
use crate::pages::{FieldErrorsExt as _, render};
use crate::platform::chrome::Chrome;
use crate::platform::csrf::CsrfForm;
use crate::platform::error::{PageError, WebError};
use crate::platform::sessions::{PageSession, StaffSession};

/// Empty rows offered below the questions, and added by "Add more questions".
const SPARE_ROWS: usize = 3;

/// One row of the builder as shown.
pub(super) struct Row {
    pub prompt: String,
    pub kind: String,
    /// The choices, one per line.
    pub choices: String,
    pub required: bool,
    pub prompt_error: Option<String>,
    pub kind_error: Option<String>,
    pub choices_error: Option<String>,
}

impl Row {
    fn blank() -> Row {
        Row {
            prompt: String::new(),
            kind: QuestionKind::ShortText.as_str().to_owned(),
            choices: String::new(),
            required: false,
            prompt_error: None,
            kind_error: None,
            choices_error: None,
        }
    }

    fn is_blank(&self) -> bool {
        self.prompt.trim().is_empty() && self.choices.trim().is_empty()
    }

    fn has_error(&self) -> bool {
        self.prompt_error.is_some() || self.kind_error.is_some() || self.choices_error.is_some()
    }
}

#[derive(Template)]
#[template(path = "intake_form_edit.html")]
struct BuilderPage {
    chrome: Option<Chrome>,
    /// The form being edited (none: a new form).
    form_id: Option<String>,
    /// The version the editor started from.
    version: i64,
    title: String,
    rows: Vec<Row>,
    errors: FieldErrors,
    kinds: &'static [QuestionKind],
}

impl BuilderPage {
    fn action(&self) -> String {
        match &self.form_id {
            Some(id) => format!("/staff/forms/{id}/edit"),
            None => "/staff/forms".to_owned(),
        }
    }
}

/// The builder's fields as posted: `title`, `version`, `rows`, and per row `q{i}_prompt`,
/// `q{i}_kind`, `q{i}_choices`, `q{i}_required`; `more` when rows are to be added.
struct Posted {
    title: String,
    version: i64,
    rows: Vec<Row>,
    more: bool,
}

fn read(pairs: Vec<(String, String)>) -> Posted {
    let field = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    // Never more rows than a form may hold questions (and a few blank ones).
    let count = field("rows")
        .parse::<usize>()
        .unwrap_or(SPARE_ROWS)
        .min(FormDefinition::MOST_QUESTIONS + SPARE_ROWS);
    let rows = (0..count)
        .map(|i| Row {
            prompt: field(&format!("q{i}_prompt")),
            kind: field(&format!("q{i}_kind")),
            choices: field(&format!("q{i}_choices")),
            required: !field(&format!("q{i}_required")).is_empty(),
            prompt_error: None,
            kind_error: None,
            choices_error: None,
        })
        .collect();
    Posted {
        title: field("title"),
        version: field("version").parse().unwrap_or(0),
        rows,
        more: !field("more").is_empty(),
    }
}

/// The rows that hold a question, as the core takes them, and the row each came from.
fn input_of(posted: &Posted) -> (FormInput, Vec<usize>) {
    let mut at = Vec::new();
    let mut questions = Vec::new();
    for (i, row) in posted
        .rows
        .iter()
        .enumerate()
        .filter(|(_, r)| !r.is_blank())
    {
        at.push(i);
        questions.push(QuestionInput {
            prompt: row.prompt.clone(),
            kind: row.kind.clone(),
            required: row.required,
            choices: row.choices.lines().map(str::to_owned).collect(),
        });
    }
    let input = FormInput {
        title: posted.title.clone(),
        questions,
    };
    (input, at)
}

/// Puts each question's problem beside its row; the rest stay on the page's summary.
fn place(rows: &mut [Row], at: &[usize], errors: &FieldErrors) -> FieldErrors {
    let mut left = FieldErrors::new();
    for e in errors.iter() {
        let row = at.iter().enumerate().find_map(|(k, &i)| {
            let prefix = format!("questions[{k}].");
            e.field
                .strip_prefix(&prefix)
                .map(|part| (i, part.to_owned()))
        });
        match row {
            Some((i, part)) => {
                let slot = match part.as_str() {
                    "prompt" => &mut rows[i].prompt_error,
                    "kind" => &mut rows[i].kind_error,
                    _ => &mut rows[i].choices_error,
                };
                *slot = Some(e.message.clone());
            }
            None => left.add(e.field.clone(), e.message.clone()),
        }
    }
    // The summary links each row's problem to the row's first field with one.
    for (i, row) in rows.iter().enumerate().filter(|(_, r)| r.has_error()) {
        let (field, message) = match (&row.prompt_error, &row.kind_error, &row.choices_error) {
            (Some(m), _, _) => (format!("q{i}_prompt"), m),
            (None, Some(m), _) => (format!("q{i}_kind"), m),
            (None, None, Some(m)) => (format!("q{i}_choices"), m),
            (None, None, None) => continue,
        };
        left.add(field, format!("Question {}: {message}", i + 1));
    }
    left
}

fn rows_of(form: &FormView) -> Vec<Row> {
    form.questions
        .iter()
        .map(|q| Row {
            prompt: q.prompt.clone(),
            kind: q.kind.as_str().to_owned(),
            choices: q.choices.join("\n"),
            required: q.required,
            prompt_error: None,
            kind_error: None,
            choices_error: None,
        })
        .collect()
}

fn with_spare_rows(mut rows: Vec<Row>) -> Vec<Row> {
    rows.extend((0..SPARE_ROWS).map(|_| Row::blank()));
    rows
}

fn page(
    session: &StaffSession,
    form_id: Option<String>,
    version: i64,
    title: String,
    rows: Vec<Row>,
    errors: FieldErrors,
) -> Result<Response, PageError> {
    let status = match errors.is_empty() {
        true => StatusCode::OK,
        false => StatusCode::UNPROCESSABLE_ENTITY,
    };
    let page = BuilderPage {
        chrome: Some(Chrome::of(session)),
        form_id,
        version,
        title,
        rows,
        errors,
        kinds: QuestionKind::ALL,
    };
    render(status, &page)
}

pub(super) async fn new(PageSession(session): PageSession) -> Result<Response, PageError> {
    let rows = with_spare_rows(Vec::new());
    page(&session, None, 0, String::new(), rows, FieldErrors::new())
}

pub(super) async fn edit(
    State(state): State<AppState>,
    PageSession(session): PageSession,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let form = intake_forms::form(&state.core, &session.actor, &id).await?;
    let rows = with_spare_rows(rows_of(&form));
    page(
        &session,
        Some(form.id),
        form.version,
        form.title,
        rows,
        FieldErrors::new(),
    )
}

/// Saves the form, or — for "Add more questions" — shows it again with more empty rows.
async fn save(
    state: &AppState,
    session: &StaffSession,
    form_id: Option<String>,
    pairs: Vec<(String, String)>,
) -> Result<Response, PageError> {
    let mut posted = read(pairs);
    if posted.more {
        let rows = with_spare_rows(posted.rows);
        return page(
            session,
            form_id,
            posted.version,
            posted.title,
            rows,
            FieldErrors::new(),
        );
    }
    let (input, at) = input_of(&posted);
    let saved = match &form_id {
        Some(id) => {
            intake_forms::revise(&state.core, &session.actor, id, posted.version, &input).await
        }
        None => intake_forms::create(&state.core, &session.actor, &input).await,
    };
    match saved {
        Ok(form) => {
            let done = match form.version == posted.version {
                true => "unchanged",
                false => "saved",
            };
            Ok(Redirect::to(&format!("/staff/forms/{}?done={done}", form.id)).into_response())
        }
        Err(CoreError::Invalid(errors)) => {
            let errors = place(&mut posted.rows, &at, &errors);
            page(
                session,
                form_id,
                posted.version,
                posted.title,
                posted.rows,
                errors,
            )
        }
        Err(e @ CoreError::Conflict(_)) => {
            let errors = FieldErrors::single("title", WebError::Core(e).public_message());
            page(
                session,
                form_id,
                posted.version,
                posted.title,
                posted.rows,
                errors,
            )
        }
        Err(e) => Err(e.into()),
    }
}

pub(super) async fn create(
    State(state): State<AppState>,
    PageSession(session): PageSession,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    save(&state, &session, None, pairs).await
}

pub(super) async fn revise(
    State(state): State<AppState>,
    PageSession(session): PageSession,
    Path(id): Path<String>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    save(&state, &session, Some(id), pairs).await
}
