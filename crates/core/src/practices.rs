//! Practices as their own staff see them.

use portico_store::practices;

use crate::actor::StaffActor;
use crate::{Core, CoreError};

#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Practice {
    pub id: String,
    pub name: String,
    pub country: String,
    pub invite_expiry_days: i64,
}

/// The actor's own practice (there is no way to name another).
pub async fn current(core: &Core, actor: &StaffActor) -> Result<Practice, CoreError> {
    let row = practices::find(core.store(), &actor.practice_id)
        .await?
        .ok_or(CoreError::NotFound)?;
    Ok(Practice {
        id: row.id,
        name: row.name,
        country: row.country,
        invite_expiry_days: row.invite_expiry_days,
    })
}
