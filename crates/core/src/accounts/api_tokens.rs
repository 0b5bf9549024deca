//! Per-practice API tokens for integrators (`Authorization: Bearer …`). A token is shown once,
//! when created; the database keeps only its keyed hash. A token acts with an admin's rights
//! within its own practice, and its actions are audited as `api_token` with the token's id.
//!
//! Admins make, list and revoke their practice's tokens on the staff pages and through the API
//! with their own session; a token cannot manage tokens (a leaked one must not be able to mint
//! more, or revoke the others). `portico admin token create|revoke` does the same from the
//! command line, for a practice named by its id.

use portico_domain::{DisplayName, NameError, StaffRole, SubjectKind};
use portico_store::{accounts::api_tokens, practices};

use crate::audit::{self, Action, Entry};
use crate::platform::actor::{ActorKind, ClientInfo, StaffActor};
use crate::platform::clock::Timestamp;
use crate::platform::secrets::{Purpose, SecretToken};
use crate::{Core, CoreError, FieldErrors, new_id};

/// Tokens are `portico_` followed by 256 random bits, so a leaked one is recognisable in a scan.
const PREFIX: &str = "portico_";

/// A token as its practice's admins see it (never its secret, which is not kept).
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApiToken {
    pub id: String,
    /// What the token is for, as its maker named it.
    pub label: String,
    pub created_at: String,
    /// The staff member who made it; absent when it was made from the command line.
    pub created_by: Option<String>,
    /// Their name.
    pub created_by_name: Option<String>,
    /// When it was last used to call the API (recorded at most once a minute); absent if never.
    pub last_used_at: Option<String>,
    /// When it was revoked; a revoked token is refused at once.
    pub revoked_at: Option<String>,
    /// Whether it still works.
    pub active: bool,
}

impl From<api_tokens::ListedToken> for ApiToken {
    fn from(listed: api_tokens::ListedToken) -> ApiToken {
        let row = listed.token;
        let at = |ms: i64| Timestamp::from_millis(ms).to_rfc3339();
        ApiToken {
            active: row.revoked_at.is_none(),
            id: row.id,
            label: row.label,
            created_at: at(row.created_at),
            created_by: row.created_by,
            created_by_name: listed.created_by_name,
            last_used_at: row.last_used_at.map(at),
            revoked_at: row.revoked_at.map(at),
        }
    }
}

/// A new token as typed into the form or posted to the API.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct NewApiTokenInput {
    /// What the token is for ("EHR sync"), so it can be told apart in the list and the audit log.
    #[cfg_attr(feature = "openapi", schema(value_type = DisplayName, required = true, default))]
    pub label: String,
}

impl NewApiTokenInput {
    fn parse(&self) -> Result<DisplayName, CoreError> {
        DisplayName::parse(&self.label).map_err(|e| {
            let message = match e {
                NameError::Empty => {
                    "Give the token a name, such as the system that will use it.".to_owned()
                }
                other => other.to_string(),
            };
            CoreError::Invalid(FieldErrors::single("label", message))
        })
    }
}

/// A token just made: the token as listed, and its text, which is shown this once.
#[derive(Debug, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreatedApiToken {
    /// Send it as `Authorization: Bearer <token>`. It is not stored and cannot be shown again.
    pub token: String,
    pub api_token: ApiToken,
}

/// A token just made from the command line: its id (for revoking) and its text (shown once).
#[derive(Debug)]
pub struct CreatedToken {
    pub id: String,
    pub token: String,
}

/// The practice's tokens, revoked ones too, newest first (signed-in admins only).
pub async fn list(core: &Core, actor: &StaffActor) -> Result<Vec<ApiToken>, CoreError> {
    actor.require_staff_admin()?;
    let rows = api_tokens::list_for_practice(core.store(), &actor.practice_id).await?;
    Ok(rows.into_iter().map(ApiToken::from).collect())
}

/// Makes a token for the actor's practice (signed-in admins only); its text is in the answer
/// and nowhere else.
pub async fn create(
    core: &Core,
    actor: &StaffActor,
    input: &NewApiTokenInput,
) -> Result<CreatedApiToken, CoreError> {
    actor.require_staff_admin()?;
    let label = input.parse()?;
    let now = core.now();
    let made = insert(
        core,
        &actor.practice_id,
        label.as_str(),
        Some(&actor.staff_id),
        audit::by_staff(actor, Action::ApiTokenCreated, now),
    )
    .await?;
    let listed = api_tokens::find_in_practice(core.store(), &actor.practice_id, &made.id)
        .await?
        .ok_or(CoreError::NotFound)?;
    Ok(CreatedApiToken {
        token: made.token,
        api_token: listed.into(),
    })
}

/// Creates a token for a practice from the command line.
pub async fn create_for_practice(
    core: &Core,
    practice_id: &str,
    label: &str,
) -> Result<CreatedToken, CoreError> {
    practices::find(core.store(), practice_id)
        .await?
        .ok_or(CoreError::NotFound)?;
    let label: String = label.chars().take(100).collect();
    let entry = audit::by_system("cli", Action::ApiTokenCreated, core.now()).practice(practice_id);
    insert(core, practice_id, &label, None, entry).await
}

/// Writes a new token and its audit event (`entry`, which names the token) in one transaction.
async fn insert(
    core: &Core,
    practice_id: &str,
    label: &str,
    created_by: Option<&str>,
    entry: Entry,
) -> Result<CreatedToken, CoreError> {
    let secret = SecretToken::generate();
    let row = api_tokens::ApiTokenRow {
        id: new_id(),
        practice_id: practice_id.to_owned(),
        token_hash: secret.lookup_hash(core.keys(), Purpose::ApiToken),
        label: label.to_owned(),
        created_at: core.now().as_millis(),
        created_by: created_by.map(str::to_owned),
        last_used_at: None,
        revoked_at: None,
    };
    let mut tx = core.store().begin().await?;
    api_tokens::insert(&mut tx, &row).await?;
    entry
        .subject(SubjectKind::ApiToken, &row.id)
        .append(&mut tx)
        .await?;
    tx.commit().await?;
    Ok(CreatedToken {
        id: row.id,
        token: format!("{PREFIX}{}", secret.expose()),
    })
}

/// Who holds this bearer token; `None` for anything unknown, malformed or revoked. Its use is
/// recorded at most once a minute (one write a minute, not one a request).
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

/// Revokes a token of the actor's practice (signed-in admins only); it is refused at once from
/// then on. Another practice's token is `NotFound`, like an unknown one.
pub async fn revoke(core: &Core, actor: &StaffActor, id: &str) -> Result<ApiToken, CoreError> {
    actor.require_staff_admin()?;
    let now = core.now();
    let mut tx = core.store().begin().await?;
    let current = api_tokens::find_in_practice(&mut tx, &actor.practice_id, id)
        .await?
        .ok_or(CoreError::NotFound)?;
    if current.token.revoked_at.is_some()
        || !api_tokens::revoke(&mut tx, &actor.practice_id, id, now.as_millis()).await?
    {
        return Err(CoreError::Conflict("This token was already revoked."));
    }
    audit::by_staff(actor, Action::ApiTokenRevoked, now)
        .subject(SubjectKind::ApiToken, id)
        .append(&mut tx)
        .await?;
    let revoked = api_tokens::find_in_practice(&mut tx, &actor.practice_id, id)
        .await?
        .ok_or(CoreError::NotFound)?;
    tx.commit().await?;
    Ok(revoked.into())
}

/// Revokes a token of a practice from the command line; it stops working at once.
pub async fn revoke_in_practice(
    core: &Core,
    practice_id: &str,
    token_id: &str,
) -> Result<(), CoreError> {
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
