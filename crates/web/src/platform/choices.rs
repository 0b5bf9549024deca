//! The practice's active providers and its programs as a form's options (the invite form, the
//! import page): an id to post and a name to show.

use portico_core::platform::actor::StaffActor;
use portico_core::practices::providers;
use portico_core::{Core, CoreError, programs};

/// One option of a select.
pub struct Choice {
    pub id: String,
    pub name: String,
}

/// The practice's active providers, then its programs.
pub async fn providers_and_programs(
    core: &Core,
    actor: &StaffActor,
) -> Result<(Vec<Choice>, Vec<Choice>), CoreError> {
    let providers = providers::list(core, actor)
        .await?
        .into_iter()
        .filter(|p| p.active)
        .map(|p| Choice {
            id: p.id,
            name: p.display_name,
        })
        .collect();
    let programs = programs::list(core, actor)
        .await?
        .into_iter()
        .map(|p| Choice {
            id: p.id,
            name: p.name,
        })
        .collect();
    Ok((providers, programs))
}
