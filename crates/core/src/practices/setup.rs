//! First-run set-up: while no admin exists, the server prints a one-time link (valid one hour,
//! stored hashed) that creates the first practice and its admin. The CLI's `admin create` does
//! the same from the command line and also adds admins to an existing practice.

use portico_domain::SubjectKind;
use portico_domain::{DisplayName, StaffRole};
use portico_store::{practices, practices::setup_tokens, practices::staff};

use crate::accounts::staff_sessions::{self, Session};
use crate::audit::{self, Action};
use crate::platform::actor::{ActorKind, ClientInfo, StaffActor};
use crate::platform::secrets::{Purpose, SecretToken};
use crate::practices::staff::{NewStaffInput, build_row, email_taken};
use crate::{Core, CoreError, FieldErrors, new_id};

/// Issues a set-up token when no admin exists yet; `None` once set-up is done.
pub async fn issue_link_if_needed(core: &Core) -> Result<Option<SecretToken>, CoreError> {
    if staff::count_active_admins(core.store()).await? > 0 {
        return Ok(None);
    }
    let now = core.now();
    let token = SecretToken::generate();
    let expires = now.plus(core.settings().setup_link_ttl);
    setup_tokens::insert(
        core.store(),
        &token.lookup_hash(core.keys(), Purpose::SetupToken),
        now.as_millis(),
        expires.as_millis(),
    )
    .await?;
    Ok(Some(token))
}

/// Whether a set-up link can still be used (to show the form or a clear refusal).
pub async fn link_is_usable(core: &Core, token: &SecretToken) -> Result<bool, CoreError> {
    let hash = token.lookup_hash(core.keys(), Purpose::SetupToken);
    Ok(
        setup_tokens::is_usable(core.store(), &hash, core.now().as_millis()).await?
            && staff::count_active_admins(core.store()).await? == 0,
    )
}

/// The set-up form as typed.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct SetupInput {
    pub practice_name: String,
    #[serde(flatten)]
    pub admin: NewStaffInput,
}

/// Creates the first practice and its admin through a set-up link, and signs the admin in.
pub async fn complete(
    core: &Core,
    token: &SecretToken,
    input: &SetupInput,
    client: ClientInfo,
) -> Result<Session, CoreError> {
    let mut errors = FieldErrors::new();
    let practice_name = errors.take("practice_name", DisplayName::parse(&input.practice_name));
    let admin = NewStaffInput {
        role: StaffRole::Admin.as_str().into(),
        ..input.admin.clone()
    };
    let new = match admin.parse() {
        Ok(new) => Some(new),
        Err(CoreError::Invalid(more)) => {
            more.iter()
                .for_each(|e| errors.add(e.field.clone(), e.message.clone()));
            None
        }
        Err(other) => return Err(other),
    };
    errors.into_result()?;
    let (Some(practice_name), Some(new)) = (practice_name, new) else {
        return Err(CoreError::Internal("field errors were not recorded".into()));
    };
    let now = core.now();
    let practice_id = new_id();
    let row = build_row(core, &practice_id, new).await?;

    let mut tx = core.store().begin().await?;
    setup_tokens::lock_for_setup(&mut tx).await?;
    // Consuming inside the transaction: of two submissions racing, exactly one gets the token.
    let hash = token.lookup_hash(core.keys(), Purpose::SetupToken);
    if !setup_tokens::consume(&mut tx, &hash, now.as_millis()).await?
        || staff::count_active_admins(&mut tx).await? > 0
    {
        return Err(CoreError::SetupLinkInvalid);
    }
    practices::insert(
        &mut tx,
        &practice_row(&practice_id, practice_name.as_str(), now.as_millis()),
    )
    .await?;
    crate::codes::provider_codes::issue(&mut tx, core.keys(), &practice_id, None, now).await?;
    staff::insert(&mut tx, &row).await.map_err(email_taken)?;
    setup_tokens::expire_all(&mut tx, now.as_millis()).await?;
    audit::by_anonymous(Action::PracticeCreated, now, &client)
        .practice(&practice_id)
        .actor("setup_link", &row.id, Some("admin"))
        .subject(SubjectKind::Practice, &practice_id)
        .append(&mut tx)
        .await?;
    audit::by_anonymous(Action::StaffCreated, now, &client)
        .practice(&practice_id)
        .actor("setup_link", &row.id, Some("admin"))
        .subject(SubjectKind::Staff, &row.id)
        .detail("role", "admin")
        .append(&mut tx)
        .await?;
    tx.commit().await?;

    let actor = StaffActor {
        kind: ActorKind::Staff,
        staff_id: row.id,
        practice_id,
        role: StaffRole::Admin,
        display_name: row.display_name,
        client,
    };
    staff_sessions::start_session(core, actor, Action::StaffSignedIn).await
}

fn practice_row(id: &str, name: &str, now: i64) -> practices::PracticeRow {
    practices::PracticeRow {
        id: id.to_owned(),
        name: name.to_owned(),
        country: "US".into(),
        invite_expiry_days: 14,
        phone_countries: None,
        time_zone: portico_domain::DEFAULT_TIME_ZONE.into(),
        default_consent_method: portico_domain::ConsentMethod::InApp.as_str().into(),
        created_at: now,
        updated_at: now,
    }
}

/// What `admin create` did.
#[derive(Debug)]
pub struct AdminCreated {
    pub practice_id: String,
    pub staff_id: String,
    pub practice_created: bool,
}

/// Creates an admin from the command line, creating the practice first when no practice of that
/// name exists (names compare without regard to case).
pub async fn create_admin(
    core: &Core,
    practice_name: &str,
    admin: &NewStaffInput,
) -> Result<AdminCreated, CoreError> {
    let name = DisplayName::parse(practice_name)
        .map_err(|e| CoreError::Invalid(FieldErrors::single("practice", e.to_string())))?;
    let new = NewStaffInput {
        role: StaffRole::Admin.as_str().into(),
        ..admin.clone()
    }
    .parse()?;
    let now = core.now();
    let mut tx = core.store().begin().await?;
    let existing = practices::find_by_name(&mut tx, name.as_str()).await?;
    let practice_created = existing.is_none();
    let practice_id = match existing {
        Some(p) => p.id,
        None => {
            let id = new_id();
            practices::insert(&mut tx, &practice_row(&id, name.as_str(), now.as_millis())).await?;
            crate::codes::provider_codes::issue(&mut tx, core.keys(), &id, None, now).await?;
            audit::by_system("cli", Action::PracticeCreated, now)
                .practice(&id)
                .subject(SubjectKind::Practice, &id)
                .append(&mut tx)
                .await?;
            id
        }
    };
    // Hashing takes a moment; the write lock is held meanwhile, which is fine for a CLI command.
    let row = build_row(core, &practice_id, new).await?;
    staff::insert(&mut tx, &row).await.map_err(email_taken)?;
    setup_tokens::expire_all(&mut tx, now.as_millis()).await?;
    audit::by_system("cli", Action::StaffCreated, now)
        .practice(&practice_id)
        .subject(SubjectKind::Staff, &row.id)
        .detail("role", "admin")
        .append(&mut tx)
        .await?;
    tx.commit().await?;
    Ok(AdminCreated {
        practice_id,
        staff_id: row.id,
        practice_created,
    })
}
