//! Intake forms in secure threads (docs/PRODUCT.md §7): the staff member sends one of the
//! practice's forms with a message; whoever reads the thread on the patient's side fills it in,
//! kept as a draft while they type, and submits it once; the staff member reads the answers in the
//! thread and on the patient's record, and downloads a form's answers as a table. Access is the
//! thread's: a form is found only within a thread its reader may read. The answers and the draft
//! are health data, sealed at rest.

use std::collections::HashMap;

use portico_domain::{
    AnswerError, FormAnswers, FormDefinition, MessageText, QuestionKind, SubjectKind,
};
use portico_store::threads::forms::{self as store, ThreadFormRow};

use super::access::{self, Seen};
use super::{Message, Poster, ThreadView, post, writable};
use crate::audit::{self, Action};
use crate::intake_forms::{self, definition_of};
use crate::platform::actor::StaffActor;
use crate::platform::clock::Timestamp;
use crate::platform::secrets::Purpose;
use crate::{Core, CoreError, FieldErrors, PatientActor, new_id};

/// Which form to send.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct SendFormInput {
    /// One of the practice's intake forms: its current version is sent.
    #[cfg_attr(feature = "openapi", schema(required = true, default))]
    pub form_id: String,
}

/// Answers as typed: one list of values per question, in the form's order (one value for most
/// questions, any number of the choices for a multiple-choice question; `yes` or `no` for yes/no;
/// `YYYY-MM-DD` for a date). Missing ones are blank.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct FormAnswersInput {
    #[cfg_attr(feature = "openapi", schema(required = true, default))]
    pub answers: Vec<Vec<String>>,
}

/// A form as its message in the thread shows it.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SentForm {
    pub id: String,
    pub title: String,
    pub version: i64,
    /// When the answers came (none: not yet).
    pub submitted_at: Option<String>,
}

/// One question with its answer (or the draft's, while not submitted).
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FilledQuestion {
    pub prompt: String,
    pub kind: QuestionKind,
    pub required: bool,
    pub choices: Vec<String>,
    /// The values given so far.
    pub values: Vec<String>,
    /// How the answer reads ("Yes", "Asthma, Diabetes"; empty when unanswered).
    pub answer: String,
}

impl FilledQuestion {
    /// Whether `choice` is among the values (checkboxes and radio buttons).
    pub fn has(&self, choice: &str) -> bool {
        self.values.iter().any(|v| v == choice)
    }

    /// The single value typed so far (text, date, number).
    pub fn value(&self) -> &str {
        self.values.first().map_or("", String::as_str)
    }
}

/// A form sent in a thread, with its questions and answers.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FilledForm {
    pub id: String,
    pub thread_id: String,
    pub title: String,
    pub version: i64,
    pub patient_name: String,
    pub questions: Vec<FilledQuestion>,
    /// When the draft was last kept (none once submitted).
    pub draft_saved_at: Option<String>,
    pub submitted_at: Option<String>,
    /// Who submitted: the patient, or their caregiver for them.
    pub submitted_by: Option<String>,
    /// When it was submitted, on the practice's clock.
    #[serde(skip)]
    pub submitted_words: String,
}

/// A form sent to a patient, as their record lists it.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PatientForm {
    pub id: String,
    pub thread_id: String,
    pub title: String,
    pub version: i64,
    pub sent_at: String,
    pub submitted_at: Option<String>,
}

/// A form's submitted answers as a table: one row per submission.
pub struct FormExport {
    /// Plain ASCII, safe in a header: `intake-form-{id}.csv`.
    pub file_name: String,
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// Who fills the form in on the patient's side.
enum Filler<'a> {
    Patient(&'a PatientActor),
    Caregiver(&'a PatientActor),
}

fn title_of(definition: &FormDefinition) -> String {
    definition.title().to_owned()
}

fn seal(core: &Core, answers: &FormAnswers) -> Result<String, CoreError> {
    let json = serde_json::to_string(answers)
        .map_err(|e| CoreError::Internal(format!("answers do not write: {e}")))?;
    Ok(core.keys().seal(Purpose::FormAnswers, &json))
}

fn unseal(core: &Core, sealed: &str) -> Result<FormAnswers, CoreError> {
    let json = core
        .keys()
        .open(Purpose::FormAnswers, sealed)
        .ok_or_else(|| CoreError::Internal("a form's answers do not open".into()))?;
    serde_json::from_str(&json)
        .map_err(|e| CoreError::Internal(format!("answers do not read: {e}")))
}

/// The thread's forms by the message that sent them.
pub(super) async fn by_message(
    core: &Core,
    thread_id: &str,
) -> Result<HashMap<String, SentForm>, CoreError> {
    store::of_thread(core.store(), thread_id)
        .await?
        .into_iter()
        .map(|row| {
            let definition = definition_of(&row.definition)?;
            Ok((
                row.message_id,
                SentForm {
                    id: row.id,
                    title: title_of(&definition),
                    version: row.version,
                    submitted_at: row
                        .submitted_at
                        .map(|t| Timestamp::from_millis(t).to_rfc3339()),
                },
            ))
        })
        .collect()
}

/// The staff member sends the current version of one of the practice's forms in their thread,
/// with a message saying what to do.
pub async fn send(
    core: &Core,
    actor: &StaffActor,
    thread_id: &str,
    input: &SendFormInput,
) -> Result<ThreadView, CoreError> {
    let seen = access::as_staff(core, actor, thread_id).await?;
    let Some((form, definition)) =
        intake_forms::current(core, &actor.practice_id, input.form_id.trim()).await?
    else {
        return Err(CoreError::Invalid(FieldErrors::single(
            "form_id",
            "Choose one of the practice's forms.",
        )));
    };
    writable(&seen)?;
    let words = format!(
        "Please fill in the form “{}”: open it below. Your answers are kept as you type, and \
         reach me when you press Submit.",
        definition.title()
    );
    let message = Message {
        text: Some(
            MessageText::parse(&words)
                .map_err(|_| CoreError::Internal("a form's message does not read".into()))?,
        ),
        file: None,
    };
    let now = core.now();
    let id = new_id();
    let mut tx = core.store().begin().await?;
    let message_id = post(
        core,
        &mut tx,
        &seen.thread,
        Poster::Staff(actor),
        &message,
        now,
    )
    .await?;
    store::insert(
        &mut tx,
        &id,
        thread_id,
        &message_id,
        &form.id,
        form.version,
        now.as_millis(),
    )
    .await?;
    audit::by_staff(actor, Action::ThreadFormSent, now)
        .subject(SubjectKind::Thread, thread_id)
        .patient(&seen.thread.patient_id)
        .detail("form_id", form.id.as_str())
        .detail("version", form.version)
        .append(&mut tx)
        .await?;
    tx.commit().await?;
    super::staff_thread(core, actor, thread_id).await
}

async fn find(core: &Core, seen: &Seen, id: &str) -> Result<ThreadFormRow, CoreError> {
    store::find(core.store(), &seen.thread.id, id)
        .await?
        .ok_or(CoreError::NotFound)
}

async fn filled(core: &Core, seen: &Seen, row: ThreadFormRow) -> Result<FilledForm, CoreError> {
    let definition = definition_of(&row.definition)?;
    let answers = match (&row.answers_sealed, &row.draft_sealed) {
        (Some(sealed), _) | (None, Some(sealed)) => unseal(core, sealed)?,
        (None, None) => FormAnswers::default(),
    };
    let questions = definition
        .questions()
        .iter()
        .enumerate()
        .map(|(i, q)| FilledQuestion {
            prompt: q.prompt.clone(),
            kind: q.kind,
            required: q.required,
            choices: q.choices.clone(),
            values: answers.of(i).to_vec(),
            answer: answers.words(q, i),
        })
        .collect();
    let submitted_by = match (row.submitted_by_kind.as_deref(), &row.submitted_by) {
        (Some("caregiver"), Some(id)) => Some(
            portico_store::accounts::patients::find(core.store(), id)
                .await?
                .map_or_else(
                    || "A caregiver".to_owned(),
                    |c| format!("{} {} (caregiver)", c.first_name, c.last_name),
                ),
        ),
        (Some(_), _) => Some(format!(
            "{} {}",
            seen.thread.first_name, seen.thread.last_name
        )),
        _ => None,
    };
    let zone = super::zone_of(&seen.thread)?;
    let now = core.now().as_millis();
    Ok(FilledForm {
        submitted_words: row
            .submitted_at
            .map(|t| zone.readable(t, now))
            .unwrap_or_default(),
        id: row.id,
        thread_id: row.thread_id,
        title: title_of(&definition),
        version: row.version,
        patient_name: format!("{} {}", seen.thread.first_name, seen.thread.last_name),
        questions,
        draft_saved_at: row
            .draft_saved_at
            .map(|t| Timestamp::from_millis(t).to_rfc3339()),
        submitted_at: row
            .submitted_at
            .map(|t| Timestamp::from_millis(t).to_rfc3339()),
        submitted_by,
    })
}

/// A form of one of the staff member's threads with its answers (reading submitted answers is
/// audited as a read of the patient's record).
pub async fn staff_form(
    core: &Core,
    actor: &StaffActor,
    thread_id: &str,
    id: &str,
) -> Result<FilledForm, CoreError> {
    let seen = access::as_staff(core, actor, thread_id).await?;
    let row = find(core, &seen, id).await?;
    let submitted = row.submitted_at.is_some();
    let mut form = filled(core, &seen, row).await?;
    if submitted {
        audit::by_staff(actor, Action::ThreadFormRead, core.now())
            .subject(SubjectKind::Thread, thread_id)
            .patient(&seen.thread.patient_id)
            .append_alone(core.store())
            .await?;
    } else {
        // The patient's draft is theirs until they submit it.
        for q in &mut form.questions {
            q.values.clear();
            q.answer.clear();
        }
        form.draft_saved_at = None;
    }
    Ok(form)
}

/// A form of the patient's own thread, with their draft or their answers.
pub async fn patient_form(
    core: &Core,
    patient: &PatientActor,
    thread_id: &str,
    id: &str,
) -> Result<FilledForm, CoreError> {
    let seen = access::as_patient(core, patient, thread_id).await?;
    let row = find(core, &seen, id).await?;
    filled(core, &seen, row).await
}

/// Keeps what the patient has typed so far (not checked: a draft may be half done).
pub async fn patient_draft(
    core: &Core,
    patient: &PatientActor,
    thread_id: &str,
    id: &str,
    input: &FormAnswersInput,
) -> Result<(), CoreError> {
    let seen = access::as_patient(core, patient, thread_id).await?;
    draft(core, &seen, id, input).await
}

/// Submits the patient's answers, once.
pub async fn patient_submit(
    core: &Core,
    patient: &PatientActor,
    thread_id: &str,
    id: &str,
    input: &FormAnswersInput,
) -> Result<FilledForm, CoreError> {
    let seen = access::as_patient(core, patient, thread_id).await?;
    submit(core, &seen, id, input, Filler::Patient(patient)).await
}

/// A form of a thread of the patient the caregiver cares for.
pub async fn cared_for_form(
    core: &Core,
    caregiver: &PatientActor,
    access_id: &str,
    thread_id: &str,
    id: &str,
) -> Result<FilledForm, CoreError> {
    let (seen, _) = access::as_caregiver(core, caregiver, access_id, thread_id).await?;
    let row = find(core, &seen, id).await?;
    filled(core, &seen, row).await
}

/// A caregiver with full access keeps a draft for the patient (read-only access: 403).
pub async fn cared_for_draft(
    core: &Core,
    caregiver: &PatientActor,
    access_id: &str,
    thread_id: &str,
    id: &str,
    input: &FormAnswersInput,
) -> Result<(), CoreError> {
    let seen = caregiver_writing(core, caregiver, access_id, thread_id).await?;
    draft(core, &seen, id, input).await
}

/// A caregiver with full access submits the form for the patient (read-only access: 403).
pub async fn cared_for_submit(
    core: &Core,
    caregiver: &PatientActor,
    access_id: &str,
    thread_id: &str,
    id: &str,
    input: &FormAnswersInput,
) -> Result<FilledForm, CoreError> {
    let seen = caregiver_writing(core, caregiver, access_id, thread_id).await?;
    submit(core, &seen, id, input, Filler::Caregiver(caregiver)).await
}

async fn caregiver_writing(
    core: &Core,
    caregiver: &PatientActor,
    access_id: &str,
    thread_id: &str,
) -> Result<Seen, CoreError> {
    let (seen, read_only_access) =
        access::as_caregiver(core, caregiver, access_id, thread_id).await?;
    match read_only_access {
        true => Err(CoreError::Forbidden),
        false => Ok(seen),
    }
}

const ALREADY_SUBMITTED: &str =
    "This form has already been submitted: its answers are with the practice.";

async fn draft(
    core: &Core,
    seen: &Seen,
    id: &str,
    input: &FormAnswersInput,
) -> Result<(), CoreError> {
    let row = find(core, seen, id).await?;
    let definition = definition_of(&row.definition)?;
    let sealed = seal(core, &definition.draft(&input.answers))?;
    match store::save_draft(core.store(), id, &sealed, core.now().as_millis()).await? {
        true => Ok(()),
        false => Err(CoreError::Conflict(ALREADY_SUBMITTED)),
    }
}

/// The key an answer's problem is reported under: `answers[3]`.
pub fn answer_field(i: usize) -> String {
    format!("answers[{i}]")
}

async fn submit(
    core: &Core,
    seen: &Seen,
    id: &str,
    input: &FormAnswersInput,
    filler: Filler<'_>,
) -> Result<FilledForm, CoreError> {
    let row = find(core, seen, id).await?;
    if row.submitted_at.is_some() {
        return Err(CoreError::Conflict(ALREADY_SUBMITTED));
    }
    let definition = definition_of(&row.definition)?;
    let answers = match definition.answers(&input.answers) {
        Ok(answers) => answers,
        Err(problems) => {
            // What was typed is kept as the draft: the page comes back with it.
            draft(core, seen, id, input).await?;
            return Err(CoreError::Invalid(answer_errors(problems)));
        }
    };
    let sealed = seal(core, &answers)?;
    let now = core.now();
    let (kind, by, event, poster) = match filler {
        Filler::Patient(p) => (
            "patient",
            p.patient_id.as_str(),
            audit::by_patient(p, Action::ThreadFormSubmitted, now)
                .practice(&seen.thread.practice_id),
            Poster::Patient(p),
        ),
        Filler::Caregiver(c) => (
            "caregiver",
            c.patient_id.as_str(),
            audit::by_caregiver(c, &seen.thread.patient_id, Action::ThreadFormSubmitted, now)
                .practice(&seen.thread.practice_id),
            Poster::Caregiver(c),
        ),
    };
    // The submission is said in the conversation: the staff member finds it as a new message
    // (unread, and told by email as for any message), nothing of the answers in it.
    let words = format!("I have filled in the form “{}”.", definition.title());
    let said = Message {
        text: Some(
            MessageText::parse(&words)
                .map_err(|_| CoreError::Internal("a form's message does not read".into()))?,
        ),
        file: None,
    };
    let mut tx = core.store().begin().await?;
    if !store::submit(&mut tx, id, &sealed, kind, by, now.as_millis()).await? {
        return Err(CoreError::Conflict(ALREADY_SUBMITTED));
    }
    event
        .subject(SubjectKind::Thread, &seen.thread.id)
        .detail("form_id", row.form_id.as_str())
        .detail("version", row.version)
        .append(&mut tx)
        .await?;
    post(core, &mut tx, &seen.thread, poster, &said, now).await?;
    tx.commit().await?;
    let row = find(core, seen, id).await?;
    filled(core, seen, row).await
}

fn answer_errors(problems: Vec<(usize, AnswerError)>) -> FieldErrors {
    let mut errors = FieldErrors::new();
    for (i, e) in problems {
        errors.add(answer_field(i), e.to_string());
    }
    errors
}

/// The forms the staff member sent the patient in their own threads (the patient's record).
pub async fn sent_to_patient(
    core: &Core,
    actor: &StaffActor,
    patient_id: &str,
) -> Result<Vec<PatientForm>, CoreError> {
    store::sent_to_patient(
        core.store(),
        &actor.practice_id,
        &actor.staff_id,
        patient_id,
    )
    .await?
    .into_iter()
    .map(|row| {
        let definition = definition_of(&row.definition)?;
        Ok(PatientForm {
            id: row.id,
            thread_id: row.thread_id,
            title: title_of(&definition),
            version: row.version,
            sent_at: Timestamp::from_millis(row.created_at).to_rfc3339(),
            submitted_at: row
                .submitted_at
                .map(|t| Timestamp::from_millis(t).to_rfc3339()),
        })
    })
    .collect()
}

/// The answers to one of the practice's forms submitted in the staff member's own threads (the
/// threads are private: another staff member's patients' answers are theirs to download). One
/// row per submission; one column per question, in the order the versions ask them, a question
/// asked by several versions in one column.
pub async fn export(
    core: &Core,
    actor: &StaffActor,
    form_id: &str,
) -> Result<FormExport, CoreError> {
    access::require_person(actor)?;
    let form = intake_forms::form(core, actor, form_id).await?;
    let rows = store::submitted_in_staff_threads(
        core.store(),
        &actor.practice_id,
        &actor.staff_id,
        form_id,
    )
    .await?;
    let mut prompts: Vec<String> = form.questions.iter().map(|q| q.prompt.clone()).collect();
    let mut read = Vec::with_capacity(rows.len());
    for row in rows {
        let definition = definition_of(&row.definition)?;
        for q in definition.questions() {
            if !prompts.contains(&q.prompt) {
                prompts.push(q.prompt.clone());
            }
        }
        let answers = unseal(core, &row.answers_sealed)?;
        read.push((row, definition, answers));
    }
    let mut header = vec![
        "Patient".to_owned(),
        "Birth date".to_owned(),
        "Submitted (UTC)".to_owned(),
        "Form version".to_owned(),
    ];
    header.extend(prompts.iter().cloned());
    let table = read
        .iter()
        .map(|(row, definition, answers)| {
            let mut cells = vec![
                format!("{} {}", row.first_name, row.last_name),
                row.birth_date.clone(),
                Timestamp::from_millis(row.submitted_at).to_rfc3339(),
                row.version.to_string(),
            ];
            cells.extend(prompts.iter().map(|prompt| {
                definition
                    .questions()
                    .iter()
                    .position(|q| &q.prompt == prompt)
                    .map(|i| answers.words(&definition.questions()[i], i))
                    .unwrap_or_default()
            }));
            cells
        })
        .collect();
    audit::by_staff(actor, Action::IntakeFormExported, core.now())
        .subject(SubjectKind::IntakeForm, form_id)
        .detail("submissions", i64::try_from(read.len()).unwrap_or(i64::MAX))
        .append_alone(core.store())
        .await?;
    Ok(FormExport {
        file_name: format!("intake-form-{}.csv", form.id),
        header,
        rows: table,
    })
}
