//! Per-practice API tokens for integrators (`Authorization: Bearer …`). A token is shown once,
//! when created; the database keeps only its keyed hash. A token acts with an admin's rights
//! within its own practice, and its actions are audited as `api_token` with the token's id.

use portico_domain::StaffRole;
use portico_domain::SubjectKind;
use portico_store::{accounts::api_tokens, practices};

use crate::audit::{self, Action};
use crate::platform::actor::{ActorKind, ClientInfo, StaffActor};
use crate::platform::secrets::{Purpose, SecretToken};
use crate::{Core, CoreError, new_id};

/// Tokens are `portico_` followed by 256 random bits, so a leaked one is recognisable in a scan.
const PREFIX: &str = "portico_";

/// A token just made: its id (for revoking) and its text (shown once).
#[derive(Debug)]
pub struct CreatedToken {
    pub id: String,
    pub token: String,
}

/// Creates a token for a practice (from the command line).
pub async fn create(
    core: &Core,
    practice_id: &str,
    label: &str,
) -> Result<CreatedToken, CoreError> {
    practices::find(core.store(), practice_id)
        .await?
        .ok_or(CoreError::NotFound)?;
    let now = core.now();
    let secret = SecretToken::generate();
    let row = api_tokens::ApiTokenRow {
        id: new_id(),
        practice_id: practice_id.to_owned(),
        token_hash: secret.lookup_hash(core.keys(), Purpose::ApiToken),
        label: label.chars().take(100).collect(),
        created_at: now.as_millis(),
        last_used_at: None,
        revoked_at: None,
    };
    let mut tx = core.store().begin().await?;
    api_tokens::insert(&mut tx, &row).await?;
    audit::by_system("cli", Action::ApiTokenCreated, now)
        .practice(practice_id)
        .subject(SubjectKind::ApiToken, &row.id)
        .append(&mut tx)
        .await?;
    tx.commit().await?;
    Ok(CreatedToken {
        id: row.id,
        token: format!("{PREFIX}{}", secret.expose()),
    })
}

/// Who holds this bearer token; `None` for anything unknown, malformed or revoked.
pub async fn authenticate(
    core: &Core,
    bearer: &str,
    client: ClientInfo,
) -> Result<Option<StaffActor>, CoreError> {
    let Some(secret) = bearer.strip_prefix(PREFIX).and_then(SecretToken::parse) else {
        return Ok(None);
    };
    let Some(row) = api_tokens::find_active(
        core.store(),
        &secret.lookup_hash(core.keys(), Purpose::ApiToken),
    )
    .await?
    else {
        return Ok(None);
    };
    api_tokens::touch(core.store(), &row.id, core.now().as_millis()).await?;
    Ok(Some(StaffActor {
        kind: ActorKind::ApiToken,
        staff_id: row.id,
        practice_id: row.practice_id,
        role: StaffRole::Admin,
        display_name: row.label,
        client,
    }))
}

/// Revokes a token of a practice (from the command line); it stops working at once.
pub async fn revoke(core: &Core, practice_id: &str, token_id: &str) -> Result<(), CoreError> {
    let now = core.now();
    let mut tx = core.store().begin().await?;
    if !api_tokens::revoke(&mut tx, practice_id, token_id, now.as_millis()).await? {
        return Err(CoreError::NotFound);
    }
    audit::by_system("cli", Action::ApiTokenRevoked, now)
        .practice(practice_id)
        .subject(SubjectKind::ApiToken, token_id)
        .append(&mut tx)
        .await?;
    tx.commit().await?;
    Ok(())
}
