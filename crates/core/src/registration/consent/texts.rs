//! The consent text a practice gives its patients to sign (docs/PRODUCT.md §5), versioned like
//! its terms of use: the built-in text below is version 1 of every practice, an admin publishes
//! the next versions, and a signature records the version it was given (`super::sign_consent`).

use portico_domain::SubjectKind;
use portico_store::practices;
use portico_store::registration::consent_texts as store;

use crate::audit::{self, Action};
use crate::platform::actor::StaffActor;
use crate::registration::versions::{self, TextVersion};
use crate::{Core, CoreError};

/// The consent text every practice starts with (its version 1), as paragraphs.
pub const CONSENT_TEXT: &[&str] = &[
    "I consent to receive care-related communication from my practice through this patient portal, \
     including secure messages, visit requests, forms and notifications by email, text message or \
     voice call to the contact details I have given.",
    "I understand that messages through the portal are not for emergencies, and that I can withdraw \
     this consent at any time by asking my practice; withdrawal does not affect care I have already \
     received.",
    "I confirm that the details I gave are mine and correct, and that typing my full name below is \
     my signature.",
];

/// The longest consent text accepted, in characters: a consent is read on a phone before signing.
const MAX_CONSENT_LEN: usize = 20_000;

/// The built-in text as one body, paragraphs separated by blank lines as published ones are.
fn built_in() -> String {
    CONSENT_TEXT.join("\n\n")
}

/// The consent text a practice's patients sign now, and its version.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConsentText {
    /// The practice's version number (1 is the built-in text); a signature records it.
    pub version: i64,
    pub paragraphs: Vec<String>,
}

impl ConsentText {
    fn of(version: i64, body: &str) -> ConsentText {
        ConsentText {
            version,
            paragraphs: versions::paragraphs(body)
                .into_iter()
                .map(str::to_owned)
                .collect(),
        }
    }
}

/// The version of `practice_id`'s consent text patients sign now.
pub async fn current(core: &Core, practice_id: &str) -> Result<ConsentText, CoreError> {
    Ok(match store::latest(core.store(), practice_id).await? {
        Some(row) => ConsentText::of(row.version, &row.body),
        None => ConsentText::of(1, &built_in()),
    })
}

/// One version of the practice's consent text, as a signature names it (1 is the built-in text;
/// the practice's own texts are numbered from 2); `None` for a version it never had.
pub async fn version(
    core: &Core,
    practice_id: &str,
    version: i64,
) -> Result<Option<ConsentText>, CoreError> {
    let published = store::list(core.store(), practice_id).await?;
    if let Some(row) = published.iter().find(|r| r.version == version) {
        return Ok(Some(ConsentText::of(row.version, &row.body)));
    }
    Ok((version == 1).then(|| ConsentText::of(1, &built_in())))
}

/// The current consent text of the signed-in staff member's practice.
pub async fn current_for_staff(core: &Core, actor: &StaffActor) -> Result<ConsentText, CoreError> {
    current(core, &actor.practice_id).await
}

/// Every version of the practice's consent text, newest first, ending with the built-in text
/// (admins).
pub async fn history(core: &Core, actor: &StaffActor) -> Result<Vec<TextVersion>, CoreError> {
    actor.require_admin()?;
    let published = store::list(core.store(), &actor.practice_id)
        .await?
        .into_iter()
        .map(|row| {
            TextVersion::published(row.version, row.body, row.published_at, row.published_by)
        })
        .collect();
    Ok(versions::with_built_in(published, built_in()))
}

/// Publishes a new version (signed-in admins, not API tokens): registrations that reach the
/// consent step from now on are given it. Consents already signed keep the version they name.
pub async fn publish(
    core: &Core,
    actor: &StaffActor,
    body: &str,
) -> Result<ConsentText, CoreError> {
    // What patients sign is decided by a person who answers for the practice, never by an
    // integrator's API token, as for the terms of use.
    actor.require_staff_admin()?;
    let body = versions::clean_body(body, MAX_CONSENT_LEN, "the consent text")?;
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
        &store::ConsentTextRow {
            practice_id: actor.practice_id.clone(),
            version,
            body: body.clone(),
            published_at: now.as_millis(),
            published_by: actor.staff_id.clone(),
        },
    )
    .await?;
    audit::by_staff(actor, Action::ConsentTextPublished, now)
        .subject(SubjectKind::ConsentText, &version.to_string())
        .detail("version", version)
        .append(&mut tx)
        .await?;
    tx.commit().await?;
    Ok(ConsentText::of(version, &body))
}
