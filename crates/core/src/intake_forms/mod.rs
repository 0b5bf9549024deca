//! Intake forms (docs/PRODUCT.md §7): a practice's questionnaires, built by its staff from seven
//! kinds of question and sent to patients in secure threads (`threads::forms`). Each save of a
//! changed form is a new version; a form already sent keeps the version it was sent with, so its
//! answers are always read against the questions the patient saw.

use portico_domain::{FormDefinition, FormError, FormPart, Question, SubjectKind, TypedQuestion};
use portico_store::intake_forms::{self as store, FormRow, NewVersion, VersionRow};

use crate::audit::{self, Action};
use crate::platform::actor::StaffActor;
use crate::platform::clock::Timestamp;
use crate::{Core, CoreError, FieldErrors, new_id};

/// A form as staff write it.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct FormInput {
    /// What the patient sees the form called (at most 120 characters).
    #[cfg_attr(feature = "openapi", schema(required = true, default))]
    pub title: String,
    /// One to forty questions, in the order they are asked.
    #[cfg_attr(feature = "openapi", schema(required = true, default))]
    pub questions: Vec<QuestionInput>,
}

/// One question as written.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct QuestionInput {
    /// The question (at most 300 characters).
    #[cfg_attr(feature = "openapi", schema(required = true, default))]
    pub prompt: String,
    /// `short_text`, `long_text`, `yes_no`, `single_choice`, `multiple_choice`, `date` or
    /// `number`.
    #[cfg_attr(
        feature = "openapi",
        schema(value_type = portico_domain::QuestionKind, required = true, default)
    )]
    pub kind: String,
    /// Whether the form cannot be submitted without an answer.
    pub required: bool,
    /// For `single_choice` and `multiple_choice`: two to twenty choices (ignored otherwise).
    pub choices: Vec<String>,
}

/// A form as the list shows it.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FormSummary {
    pub id: String,
    pub title: String,
    /// The current version (1, 2, …).
    pub version: i64,
    pub updated_at: String,
}

/// One saved version of a form.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VersionSummary {
    pub version: i64,
    pub saved_by: String,
    pub saved_at: String,
}

/// A form with its current questions and its history of versions.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FormView {
    pub id: String,
    pub title: String,
    pub version: i64,
    pub questions: Vec<Question>,
    /// Latest first.
    pub versions: Vec<VersionSummary>,
}

/// The key a problem of a form is reported under: `title`, `questions`,
/// `questions[2].prompt`, `questions[2].kind`, `questions[2].choices`.
pub fn field_of(part: FormPart) -> String {
    match part {
        FormPart::Title => "title".to_owned(),
        FormPart::Questions => "questions".to_owned(),
        FormPart::Prompt(i) => format!("questions[{i}].prompt"),
        FormPart::Kind(i) => format!("questions[{i}].kind"),
        FormPart::Choices(i) => format!("questions[{i}].choices"),
    }
}

fn parse(input: &FormInput) -> Result<FormDefinition, CoreError> {
    let typed: Vec<TypedQuestion<'_>> = input
        .questions
        .iter()
        .map(|q| TypedQuestion {
            prompt: &q.prompt,
            kind: &q.kind,
            required: q.required,
            choices: &q.choices,
        })
        .collect();
    FormDefinition::parse(&input.title, &typed).map_err(|problems| {
        let mut errors = FieldErrors::new();
        for (part, e) in problems {
            errors.add(field_of(part), FormError::to_string(&e));
        }
        CoreError::Invalid(errors)
    })
}

/// Reads a stored version's questions.
pub(crate) fn definition_of(json: &str) -> Result<FormDefinition, CoreError> {
    serde_json::from_str(json)
        .map_err(|e| CoreError::Internal(format!("a stored intake form does not read: {e}")))
}

fn to_json(definition: &FormDefinition) -> Result<String, CoreError> {
    serde_json::to_string(definition)
        .map_err(|e| CoreError::Internal(format!("an intake form does not write: {e}")))
}

/// A new form, at version 1.
pub async fn create(
    core: &Core,
    actor: &StaffActor,
    input: &FormInput,
) -> Result<FormView, CoreError> {
    let definition = parse(input)?;
    let id = new_id();
    let now = core.now();
    let json = to_json(&definition)?;
    let mut tx = core.store().begin().await?;
    let first = NewVersion {
        form_id: &id,
        version: 1,
        definition: &json,
        saved_by: &actor.staff_id,
        at: now.as_millis(),
    };
    store::insert(&mut tx, &actor.practice_id, definition.title(), &first).await?;
    audit::by_staff(actor, Action::IntakeFormSaved, now)
        .subject(SubjectKind::IntakeForm, &id)
        .detail("version", 1)
        .append(&mut tx)
        .await?;
    tx.commit().await?;
    form(core, actor, &id).await
}

/// Saves a changed form as its next version (an unchanged one stays as it is). `version` is the
/// one the editor started from: if someone else saved meanwhile, the save is refused rather than
/// silently overwriting theirs.
pub async fn revise(
    core: &Core,
    actor: &StaffActor,
    id: &str,
    version: i64,
    input: &FormInput,
) -> Result<FormView, CoreError> {
    let row = find(core, actor, id).await?;
    let definition = parse(input)?;
    if row.version != version {
        return Err(stale());
    }
    let current = current_definition(core, &row).await?;
    if current == definition {
        return form(core, actor, id).await;
    }
    let now = core.now();
    let json = to_json(&definition)?;
    let next = NewVersion {
        form_id: id,
        version: row.version + 1,
        definition: &json,
        saved_by: &actor.staff_id,
        at: now.as_millis(),
    };
    let mut tx = core.store().begin().await?;
    if !store::revise(&mut tx, definition.title(), &next).await? {
        return Err(stale());
    }
    audit::by_staff(actor, Action::IntakeFormSaved, now)
        .subject(SubjectKind::IntakeForm, id)
        .detail("version", next.version)
        .append(&mut tx)
        .await?;
    tx.commit().await?;
    form(core, actor, id).await
}

fn stale() -> CoreError {
    CoreError::Conflict(
        "Someone else saved this form while you were editing it: open it again to see their \
         version, then make your change.",
    )
}

/// The practice's forms, most recently saved first.
pub async fn list(core: &Core, actor: &StaffActor) -> Result<Vec<FormSummary>, CoreError> {
    let rows = store::of_practice(core.store(), &actor.practice_id).await?;
    Ok(rows
        .into_iter()
        .map(|r| FormSummary {
            updated_at: Timestamp::from_millis(r.updated_at).to_rfc3339(),
            id: r.id,
            title: r.title,
            version: r.version,
        })
        .collect())
}

/// One of the practice's forms (another practice's: not found).
pub async fn form(core: &Core, actor: &StaffActor, id: &str) -> Result<FormView, CoreError> {
    let row = find(core, actor, id).await?;
    let versions = store::versions(core.store(), id).await?;
    let current = versions
        .iter()
        .find(|v| v.version == row.version)
        .ok_or_else(|| CoreError::Internal("a form's current version is missing".into()))?;
    let definition = definition_of(&current.definition)?;
    Ok(FormView {
        id: row.id,
        title: definition.title().to_owned(),
        version: row.version,
        questions: definition.questions().to_vec(),
        versions: versions.iter().map(version_summary).collect(),
    })
}

fn version_summary(v: &VersionRow) -> VersionSummary {
    VersionSummary {
        version: v.version,
        saved_by: v.saved_by_name.clone(),
        saved_at: Timestamp::from_millis(v.created_at).to_rfc3339(),
    }
}

async fn find(core: &Core, actor: &StaffActor, id: &str) -> Result<FormRow, CoreError> {
    store::find(core.store(), &actor.practice_id, id)
        .await?
        .ok_or(CoreError::NotFound)
}

async fn current_definition(core: &Core, row: &FormRow) -> Result<FormDefinition, CoreError> {
    let version = store::version(core.store(), &row.id, row.version)
        .await?
        .ok_or_else(|| CoreError::Internal("a form's current version is missing".into()))?;
    definition_of(&version.definition)
}

/// A form of the practice as it stands now: its id, version and questions (for sending it).
pub(crate) async fn current(
    core: &Core,
    practice_id: &str,
    id: &str,
) -> Result<Option<(FormRow, FormDefinition)>, CoreError> {
    let Some(row) = store::find(core.store(), practice_id, id).await? else {
        return Ok(None);
    };
    let definition = current_definition(core, &row).await?;
    Ok(Some((row, definition)))
}
