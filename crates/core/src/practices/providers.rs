//! Providers of a practice: the clinicians (optionally also staff members) patients are linked to.

use portico_domain::DisplayName;
use portico_domain::SubjectKind;
use portico_store::{practices::providers, practices::staff};

use crate::audit::{self, Action};
use crate::platform::actor::StaffActor;
use crate::platform::clock::Timestamp;
use crate::{Core, CoreError, FieldErrors, new_id};

#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Provider {
    pub id: String,
    pub display_name: String,
    pub staff_id: Option<String>,
    pub active: bool,
    pub created_at: String,
}

impl From<providers::ProviderRow> for Provider {
    fn from(row: providers::ProviderRow) -> Self {
        Provider {
            id: row.id,
            display_name: row.display_name,
            staff_id: row.staff_id,
            active: row.active,
            created_at: Timestamp::from_millis(row.created_at).to_rfc3339(),
        }
    }
}

/// A new provider as typed.
// In the API document a bare `default` keeps serde's container default (an empty string, which
// the rules refuse) off the required field.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct NewProviderInput {
    #[cfg_attr(feature = "openapi", schema(value_type = DisplayName, required = true, default))]
    pub display_name: String,
    /// The staff account of this provider, if they sign in too (a staff member of the practice,
    /// otherwise 422); blank for none.
    #[serde(default)]
    pub staff_id: Option<String>,
}

/// Adds a provider to the actor's practice (admins only).
pub async fn create(
    core: &Core,
    actor: &StaffActor,
    input: &NewProviderInput,
) -> Result<Provider, CoreError> {
    actor.require_admin()?;
    let mut errors = FieldErrors::new();
    let name = errors.take("display_name", DisplayName::parse(&input.display_name));
    let staff_id = input
        .staff_id
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    if let Some(id) = staff_id
        && staff::find_in_practice(core.store(), &actor.practice_id, id)
            .await?
            .is_none()
    {
        errors.add(
            "staff_id",
            "Choose a staff member of this practice, or none.",
        );
    }
    errors.into_result()?;
    let name = name.ok_or_else(|| CoreError::Internal("field errors were not recorded".into()))?;
    let now = core.now();
    let row = providers::ProviderRow {
        id: new_id(),
        practice_id: actor.practice_id.clone(),
        display_name: name.as_str().to_owned(),
        staff_id: staff_id.map(str::to_owned),
        active: true,
        created_at: now.as_millis(),
        updated_at: now.as_millis(),
    };
    let mut tx = core.store().begin().await?;
    providers::insert(&mut tx, &row).await?;
    crate::codes::provider_codes::issue(
        &mut tx,
        core.keys(),
        &actor.practice_id,
        Some(&row.id),
        now,
    )
    .await?;
    audit::by_staff(actor, Action::ProviderCreated, now)
        .subject(SubjectKind::Provider, &row.id)
        .append(&mut tx)
        .await?;
    tx.commit().await?;
    Ok(row.into())
}

pub async fn list(core: &Core, actor: &StaffActor) -> Result<Vec<Provider>, CoreError> {
    Ok(
        providers::list_for_practice(core.store(), &actor.practice_id)
            .await?
            .into_iter()
            .map(Provider::from)
            .collect(),
    )
}

/// One provider of the actor's practice; `NotFound` for any other practice's id.
pub async fn get(core: &Core, actor: &StaffActor, id: &str) -> Result<Provider, CoreError> {
    Ok(
        providers::find_in_practice(core.store(), &actor.practice_id, id)
            .await?
            .ok_or(CoreError::NotFound)?
            .into(),
    )
}
