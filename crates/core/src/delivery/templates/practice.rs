//! A practice's own templates as its admins see, preview and edit them (saving and going back
//! to the default is for signed-in admins, not API tokens), and the template a message is sent
//! with: the practice's own, or the shipped one.

use portico_domain::{Channel, SubjectKind};
use portico_store::delivery::templates::{self as store, TemplateRow};

use super::{
    Language, TemplateKind, TemplateText, default_template, render, sample_vars, sms_segments,
    validate,
};
use crate::audit::{self, Action};
use crate::platform::actor::StaffActor;
use crate::platform::clock::Timestamp;
use crate::{Core, CoreError, FieldErrors};

/// A template as staff see it.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TemplateView {
    pub kind: TemplateKind,
    pub language: Language,
    pub channel: Channel,
    pub subject: Option<String>,
    pub body: String,
    /// False while the shipped default is in use.
    pub customized: bool,
    pub variables: Vec<&'static str>,
    pub updated_at: Option<String>,
}

fn view(kind: TemplateKind, language: Language, row: Option<TemplateRow>) -> TemplateView {
    let (text, customized, updated_at) = match row {
        Some(r) => (
            TemplateText {
                subject: r.subject,
                body: r.body,
            },
            true,
            Some(Timestamp::from_millis(r.updated_at).to_rfc3339()),
        ),
        None => (default_template(kind, language), false, None),
    };
    TemplateView {
        kind,
        language,
        channel: kind.channel(),
        subject: text.subject,
        body: text.body,
        customized,
        variables: kind.variables().to_vec(),
        updated_at,
    }
}

/// The template a practice sends for a kind and language: its own, or the shipped default.
pub async fn for_sending(
    core: &Core,
    practice_id: &str,
    kind: TemplateKind,
    language: Language,
) -> Result<TemplateText, CoreError> {
    Ok(
        match store::find(core.store(), practice_id, kind.as_str(), language.as_str()).await? {
            Some(row) => TemplateText {
                subject: row.subject,
                body: row.body,
            },
            None => default_template(kind, language),
        },
    )
}

/// Every kind in every language, as the practice has them (admins).
pub async fn list(core: &Core, actor: &StaffActor) -> Result<Vec<TemplateView>, CoreError> {
    actor.require_admin()?;
    let rows = store::list_for_practice(core.store(), &actor.practice_id).await?;
    let mut out = Vec::new();
    for &kind in TemplateKind::ALL {
        for &language in Language::ALL {
            let row = rows
                .iter()
                .find(|r| r.kind == kind.as_str() && r.language == language.as_str())
                .cloned();
            out.push(view(kind, language, row));
        }
    }
    Ok(out)
}

/// One kind in one language, as the practice has it (admins).
pub async fn get(
    core: &Core,
    actor: &StaffActor,
    kind: &str,
    language: &str,
) -> Result<TemplateView, CoreError> {
    actor.require_admin()?;
    let (kind, language) = parse_key(kind, language)?;
    let row = store::find(
        core.store(),
        &actor.practice_id,
        kind.as_str(),
        language.as_str(),
    )
    .await?;
    Ok(view(kind, language, row))
}

fn parse_key(kind: &str, language: &str) -> Result<(TemplateKind, Language), CoreError> {
    match (TemplateKind::parse(kind), Language::parse(language)) {
        (Some(k), Some(l)) => Ok((k, l)),
        _ => Err(CoreError::NotFound),
    }
}

/// Saves a practice's own version of a template (admins), after every check.
pub async fn save(
    core: &Core,
    actor: &StaffActor,
    kind: &str,
    language: &str,
    input: &TemplateText,
) -> Result<TemplateView, CoreError> {
    actor.require_staff_admin()?;
    let (kind, language) = parse_key(kind, language)?;
    validate(kind, input)?;
    let now = core.now();
    let row = TemplateRow {
        practice_id: actor.practice_id.clone(),
        kind: kind.as_str().to_owned(),
        language: language.as_str().to_owned(),
        subject: input.subject.clone(),
        body: input.body.clone(),
        updated_at: now.as_millis(),
        updated_by: actor.staff_id.clone(),
    };
    let mut tx = core.store().begin().await?;
    store::upsert(&mut tx, &row).await?;
    audit::by_staff(actor, Action::TemplateSaved, now)
        .subject(SubjectKind::Template, &audit_id(kind, language))
        .append(&mut tx)
        .await?;
    tx.commit().await?;
    Ok(view(kind, language, Some(row)))
}

/// How the audit trail names one of the practice's templates: its kind and language.
fn audit_id(kind: TemplateKind, language: Language) -> String {
    format!("{}/{}", kind.as_str(), language.as_str())
}

/// Goes back to the shipped default (admins).
pub async fn reset(
    core: &Core,
    actor: &StaffActor,
    kind: &str,
    language: &str,
) -> Result<TemplateView, CoreError> {
    actor.require_staff_admin()?;
    let (kind, language) = parse_key(kind, language)?;
    let now = core.now();
    let mut tx = core.store().begin().await?;
    store::delete(
        &mut tx,
        &actor.practice_id,
        kind.as_str(),
        language.as_str(),
    )
    .await?;
    audit::by_staff(actor, Action::TemplateReset, now)
        .subject(SubjectKind::Template, &audit_id(kind, language))
        .append(&mut tx)
        .await?;
    tx.commit().await?;
    Ok(view(kind, language, None))
}

/// What a template would send, filled with sample values.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Preview {
    pub channel: Channel,
    pub subject: Option<String>,
    pub body: String,
    /// Email only: the HTML part exactly as it will be sent.
    pub html: Option<String>,
    /// SMS only: how many segments the text takes.
    pub sms_segments: Option<u32>,
    pub characters: usize,
}

/// Previews a draft (or, when the draft is empty, the template in use), exactly as it would be
/// sent; for the admins who edit templates (the invite form's own preview, which every staff
/// member sees, renders a whole invitation instead).
pub async fn preview(
    core: &Core,
    actor: &StaffActor,
    kind: &str,
    language: &str,
    draft: &TemplateText,
) -> Result<Preview, CoreError> {
    actor.require_admin()?;
    let (kind, language) = parse_key(kind, language)?;
    let text = if draft.body.trim().is_empty() {
        for_sending(core, &actor.practice_id, kind, language).await?
    } else {
        validate(kind, draft)?;
        draft.clone()
    };
    let rendered = render(&text, &sample_vars(kind))
        .map_err(|e| CoreError::Invalid(FieldErrors::single("body", e.to_string())))?;
    let channel = kind.channel();
    Ok(Preview {
        channel,
        html: (channel == Channel::Email)
            .then(|| crate::delivery::email_html::from_text(&rendered.body)),
        sms_segments: (channel == Channel::Sms).then(|| sms_segments(&rendered.body)),
        characters: rendered.body.chars().count(),
        subject: rendered.subject,
        body: rendered.body,
    })
}
