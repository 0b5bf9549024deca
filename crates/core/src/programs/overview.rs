//! The programs as their admins manage them: each with how many patients it holds, read in one
//! statement. Admins only, as every other program management is; the invite form's choice of a
//! program is [`super::list`].

use portico_store::programs;

use super::{Program, view};
use crate::platform::actor::StaffActor;
use crate::{Core, CoreError};

/// A program with its patients counted.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProgramOverview {
    #[serde(flatten)]
    pub program: Program,
    /// Patients linked through the program and in force.
    pub enrolled: i64,
    /// Patients who signed up and wait for staff to approve them (the approval policy).
    pub awaiting_approval: i64,
}

/// Every program of the practice with its patients counted (admins).
pub async fn overview(core: &Core, actor: &StaffActor) -> Result<Vec<ProgramOverview>, CoreError> {
    actor.require_admin()?;
    read(core, actor, None).await
}

/// One program of the practice with its patients counted (admins); another practice's is not
/// found, exactly as an id that never existed.
pub async fn get(core: &Core, actor: &StaffActor, id: &str) -> Result<ProgramOverview, CoreError> {
    actor.require_admin()?;
    read(core, actor, Some(id))
        .await?
        .into_iter()
        .next()
        .ok_or(CoreError::NotFound)
}

async fn read(
    core: &Core,
    actor: &StaffActor,
    only_id: Option<&str>,
) -> Result<Vec<ProgramOverview>, CoreError> {
    programs::list_with_enrolment(
        core.store(),
        &actor.practice_id,
        only_id,
        core.now().as_millis(),
    )
    .await?
    .into_iter()
    .map(|row| {
        Ok(ProgramOverview {
            program: view(core, row.program)?,
            enrolled: row.enrolled,
            awaiting_approval: row.awaiting_approval,
        })
    })
    .collect()
}
