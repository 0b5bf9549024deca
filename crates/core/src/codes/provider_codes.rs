//! Provider codes (docs/PRODUCT.md §2): a generic 6-character code for each practice and each provider,
//! printed on pamphlets and cards. Stored as a keyed hash for look-up and sealed for staff to see
//! again; admins rotate (the old code stops at once) or disable them. The public look-up answers
//! only display names, and wrong codes count against the caller's address.

use portico_domain::ProviderCode;
use portico_domain::SubjectKind;
use portico_store::{Tx, codes::provider_codes, practices, practices::providers};

use crate::audit::{self, Action};
use crate::codes::guessing::{CodeGuess, CodeUse};
use crate::platform::actor::{ClientInfo, StaffActor};
use crate::platform::clock::Timestamp;
use crate::platform::secrets::{Keys, Purpose};

use crate::{CodeKind, Core, CoreError, new_id};

/// One code owner as staff see it: the practice or one provider, with its active code if any.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProviderCodeView {
    /// `None` for the practice's own code.
    pub provider_id: Option<String>,
    pub display_name: String,
    /// The code to print, `ABC234`; `None` while disabled.
    pub code: Option<String>,
    pub active: bool,
    pub since: Option<String>,
}

/// Issues a fresh active code for an owner inside the caller's transaction.
pub(crate) async fn issue(
    tx: &mut Tx,
    keys: &Keys,
    practice_id: &str,
    provider_id: Option<&str>,
    now: Timestamp,
) -> Result<ProviderCode, CoreError> {
    // A collision in 32^6 codes is rare; the unique index catches it and we draw again.
    for _ in 0..5 {
        let code = ProviderCode::generate(&mut rand::rng());
        let row = provider_codes::ProviderCodeRow {
            id: new_id(),
            practice_id: practice_id.to_owned(),
            provider_id: provider_id.map(str::to_owned),
            code_hash: keys.lookup_hash(Purpose::ProviderCode, code.expose_normalized().as_bytes()),
            code_sealed: keys.seal(Purpose::ProviderCode, code.expose_normalized()),
            active: true,
            created_at: now.as_millis(),
            ended_at: None,
        };
        if provider_codes::insert(&mut *tx, &row)
            .await
            .map_err(raced)?
        {
            return Ok(code);
        }
    }
    Err(CoreError::Internal(
        "could not draw an unused provider code".into(),
    ))
}

/// Another rotation of the same owner committed first (the one-active-code index refused ours).
fn raced(e: portico_store::StoreError) -> CoreError {
    if e.is_conflict() {
        CoreError::Conflict(
            "This code was just changed by someone else. Reload to see the current code.",
        )
    } else {
        e.into()
    }
}

/// The practice's code and each provider's, for staff to print.
pub async fn list(core: &Core, actor: &StaffActor) -> Result<Vec<ProviderCodeView>, CoreError> {
    let practice = practices::find(core.store(), &actor.practice_id)
        .await?
        .ok_or(CoreError::NotFound)?;
    let codes = provider_codes::list_active(core.store(), &actor.practice_id).await?;
    let view = |provider_id: Option<String>, display_name: String| {
        let active = codes.iter().find(|c| c.provider_id == provider_id);
        ProviderCodeView {
            code: active.and_then(|c| core.keys().open(Purpose::ProviderCode, &c.code_sealed)),
            active: active.is_some(),
            since: active.map(|c| Timestamp::from_millis(c.created_at).to_rfc3339()),
            provider_id,
            display_name,
        }
    };
    let mut out = vec![view(None, practice.name)];
    for p in providers::list_for_practice(core.store(), &actor.practice_id).await? {
        out.push(view(Some(p.id), p.display_name));
    }
    Ok(out)
}

async fn owner_exists(
    core: &Core,
    actor: &StaffActor,
    provider_id: Option<&str>,
) -> Result<(), CoreError> {
    if let Some(id) = provider_id {
        providers::find_in_practice(core.store(), &actor.practice_id, id)
            .await?
            .ok_or(CoreError::NotFound)?;
    }
    Ok(())
}

/// Replaces an owner's code with a new one (admins); the old code stops working at once.
pub async fn rotate(
    core: &Core,
    actor: &StaffActor,
    provider_id: Option<&str>,
) -> Result<ProviderCodeView, CoreError> {
    end_code(core, actor, provider_id, true).await
}

/// Turns an owner's code off (admins) until the next rotation.
pub async fn disable(
    core: &Core,
    actor: &StaffActor,
    provider_id: Option<&str>,
) -> Result<ProviderCodeView, CoreError> {
    end_code(core, actor, provider_id, false).await
}

/// Ends the owner's active code and, when rotating, issues the next one in the same transaction.
async fn end_code(
    core: &Core,
    actor: &StaffActor,
    provider_id: Option<&str>,
    rotate: bool,
) -> Result<ProviderCodeView, CoreError> {
    actor.require_admin()?;
    owner_exists(core, actor, provider_id).await?;
    let now = core.now();
    let mut tx = core.store().begin().await?;
    provider_codes::end_active(&mut tx, &actor.practice_id, provider_id, now.as_millis()).await?;
    if rotate {
        issue(&mut tx, core.keys(), &actor.practice_id, provider_id, now).await?;
    }
    let (subject_kind, subject_id) = match provider_id {
        Some(id) => (SubjectKind::Provider, id),
        None => (SubjectKind::Practice, actor.practice_id.as_str()),
    };
    let action = if rotate {
        Action::ProviderCodeRotated
    } else {
        Action::ProviderCodeDisabled
    };
    audit::by_staff(actor, action, now)
        .subject(subject_kind, subject_id)
        .append(&mut tx)
        .await?;
    tx.commit().await?;
    get(core, actor, provider_id).await
}

/// One owner's code (the practice's for `None`), for any staff member to see and print; a
/// provider of another practice is not found.
pub async fn get(
    core: &Core,
    actor: &StaffActor,
    provider_id: Option<&str>,
) -> Result<ProviderCodeView, CoreError> {
    list(core, actor)
        .await?
        .into_iter()
        .find(|v| v.provider_id.as_deref() == provider_id)
        .ok_or(CoreError::NotFound)
}

/// What an anonymous caller learns from a good provider code: display names only.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProviderCodeMatch {
    pub practice_name: String,
    pub provider_name: Option<String>,
}

/// The active code a patient typed (any case, spaces and dashes ignored); `None` for a malformed,
/// unknown or retired one. Callers throttle and answer wrong codes their own way.
pub(crate) async fn find_active(
    core: &Core,
    typed: &str,
) -> Result<Option<provider_codes::ProviderCodeRow>, CoreError> {
    let Ok(code) = ProviderCode::parse(typed) else {
        return Ok(None);
    };
    let hash = core
        .keys()
        .lookup_hash(Purpose::ProviderCode, code.expose_normalized().as_bytes());
    Ok(provider_codes::find_active_by_hash(core.store(), &hash).await?)
}

/// Public look-up of a provider code, throttled as registration is (it answers the same question).
pub async fn lookup(
    core: &Core,
    typed: &str,
    client: &ClientInfo,
) -> Result<ProviderCodeMatch, CoreError> {
    let guess = CodeGuess::begin(core, client, CodeUse::Registration).await?;
    let Some(row) = find_active(core, typed).await? else {
        return Err(CoreError::CodeNotAccepted(CodeKind::Provider));
    };
    guess.found(core).await?;
    let practice = practices::find(core.store(), &row.practice_id)
        .await?
        .ok_or(CoreError::NotFound)?;
    let provider_name =
        provider_display_name(core, &row.practice_id, row.provider_id.as_deref()).await?;
    Ok(ProviderCodeMatch {
        practice_name: practice.name,
        provider_name,
    })
}

/// The display name of a practice's provider, for answers that name it (`None` for none).
pub(crate) async fn provider_display_name(
    core: &Core,
    practice_id: &str,
    id: Option<&str>,
) -> Result<Option<String>, CoreError> {
    let Some(id) = id else { return Ok(None) };
    Ok(providers::find_in_practice(core.store(), practice_id, id)
        .await?
        .map(|p| p.display_name))
}
