//! Terms of use (docs/PRODUCT.md §5): each practice's current version, which a patient accepts at
//! registration (the terms step, `accept_terms`) and again at the next sign-in after an admin
//! publishes a new one (`accept`). A practice that never published its own uses the built-in text
//! as version 1.

use portico_domain::SubjectKind;
use portico_store::{
    links as patient_links, practices, registration as registrations, registration::terms as store,
};

use super::versions::{self, TextVersion};
use super::{RegistrationView, Step, draft, render_after_step};
use crate::PatientActor;
use crate::audit::{self, Action};
use crate::platform::actor::{ClientInfo, StaffActor};
use crate::{Core, CoreError};

/// The terms every practice starts with.
pub const DEFAULT_TERMS: &str = include_str!("default_terms.txt");
/// The longest terms text accepted, in characters.
const MAX_TERMS_LEN: usize = 100_000;

/// One version of a practice's terms.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Terms {
    pub practice_id: String,
    pub practice_name: String,
    pub version: i64,
    pub body: String,
}

impl Terms {
    /// The text as paragraphs (split on blank lines), for pages.
    pub fn paragraphs(&self) -> Vec<&str> {
        versions::paragraphs(&self.body)
    }
}

/// The version a practice's patients must accept now.
pub async fn current(core: &Core, practice_id: &str) -> Result<Terms, CoreError> {
    let practice = practices::find(core.store(), practice_id)
        .await?
        .ok_or(CoreError::NotFound)?;
    let (version, body) = match store::latest(core.store(), practice_id).await? {
        Some(row) => (row.version, row.body),
        None => (1, DEFAULT_TERMS.to_owned()),
    };
    Ok(Terms {
        practice_id: practice.id,
        practice_name: practice.name,
        version,
        body,
    })
}

/// The current terms of the signed-in staff member's practice.
pub async fn current_for_staff(core: &Core, actor: &StaffActor) -> Result<Terms, CoreError> {
    current(core, &actor.practice_id).await
}

/// Every version of the practice's terms, newest first, ending with the built-in text (admins).
pub async fn history(core: &Core, actor: &StaffActor) -> Result<Vec<TextVersion>, CoreError> {
    actor.require_admin()?;
    let published = store::list(core.store(), &actor.practice_id)
        .await?
        .into_iter()
        .map(|row| {
            TextVersion::published(row.version, row.body, row.published_at, row.published_by)
        })
        .collect();
    Ok(versions::with_built_in(published, DEFAULT_TERMS.to_owned()))
}

/// Publishes a new version (signed-in admins, not API tokens); patients are asked to accept it at their next sign-in.
pub async fn publish(core: &Core, actor: &StaffActor, body: &str) -> Result<Terms, CoreError> {
    // The terms are what patients agree to: a person who answers for the practice publishes
    // them, never an integrator's API token (a practice-level credential in another system).
    actor.require_staff_admin()?;
    let body = versions::clean_body(body, MAX_TERMS_LEN, "the terms of use")?;
    let now = core.now();
    let mut tx = core.store().begin().await?;
    // One publisher at a time per practice, so two admins cannot both take the same number.
    practices::lock(&mut tx, &actor.practice_id).await?;
    let version = store::latest(&mut tx, &actor.practice_id)
        .await?
        .map_or(1, |row| row.version)
        + 1;
    store::insert(
        &mut tx,
        &store::TermsRow {
            practice_id: actor.practice_id.clone(),
            version,
            body,
            published_at: now.as_millis(),
            published_by: actor.staff_id.clone(),
        },
    )
    .await?;
    audit::by_staff(actor, Action::TermsPublished, now)
        .subject(SubjectKind::Terms, &version.to_string())
        .detail("version", version)
        .append(&mut tx)
        .await?;
    tx.commit().await?;
    current(core, &actor.practice_id).await
}

/// The terms a signed-in patient still has to accept: those of each practice they are actively
/// linked to whose current version is newer than the one they accepted. A practice still
/// waiting for the patient's signed paper consent form asks for nothing yet: it does not show.
pub async fn due(core: &Core, patient: &PatientActor) -> Result<Vec<Terms>, CoreError> {
    let now = core.now().as_millis();
    let waiting =
        portico_store::registration::consents::awaited_by(core.store(), &patient.patient_id, now)
            .await?;
    let mut due = Vec::new();
    for practice_id in patient_links::active_practices(core.store(), &patient.patient_id, now)
        .await?
        .into_iter()
        .filter(|p| !waiting.iter().any(|(w, _)| w == p))
    {
        let terms = current(core, &practice_id).await?;
        let accepted =
            store::accepted_version(core.store(), &patient.patient_id, &practice_id).await?;
        if accepted < terms.version {
            due.push(terms);
        }
    }
    Ok(due)
}

/// Records that the patient accepted `version` of a practice's terms; only the current version
/// can be accepted (a newer one published meanwhile must be read first).
pub async fn accept(
    core: &Core,
    patient: &PatientActor,
    practice_id: &str,
    version: i64,
) -> Result<(), CoreError> {
    let linked =
        patient_links::active_practices(core.store(), &patient.patient_id, core.now().as_millis())
            .await?;
    if !linked.iter().any(|p| p == practice_id) {
        return Err(CoreError::NotFound);
    }
    let terms = current(core, practice_id).await?;
    if terms.version != version {
        return Err(CoreError::Conflict(
            "The terms of use changed while you were reading them. Read the new version, then accept it.",
        ));
    }
    let now = core.now();
    let mut tx = core.store().begin().await?;
    store::accept(
        &mut tx,
        &patient.patient_id,
        practice_id,
        version,
        now.as_millis(),
        patient.client.ip.as_deref(),
    )
    .await?;
    audit::by_patient(patient, Action::TermsAccepted, now)
        .practice(practice_id)
        .detail("version", version)
        .append(&mut tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// The registration's terms step: records that the patient accepted `version` of the practice's
/// terms (the current one). The acceptance is kept with the registration and becomes the
/// account's when it is created.
pub async fn accept_terms(
    core: &Core,
    ticket: &str,
    version: i64,
    client: &ClientInfo,
) -> Result<RegistrationView, CoreError> {
    let draft = draft::load(core, ticket).await?;
    draft.require(Step::Terms)?;
    let current = current(core, &draft.practice.id).await?;
    if current.version != version {
        return Err(CoreError::Conflict(
            "The terms of use changed while you were reading them. Read the new version, then accept it.",
        ));
    }
    let now = core.now();
    registrations::accept_terms(
        core.store(),
        &draft.ticket_hash,
        version,
        now.as_millis(),
        client.ip.as_deref(),
    )
    .await?;
    render_after_step(core, draft).await
}
