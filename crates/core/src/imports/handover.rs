//! The hand-over sheets of an import: the patients it invited without an email address or a
//! mobile phone get their invitation from staff, on paper. The codes drawn at import were never
//! shown; printing draws a new code for each still-open invitation, once, right after the run
//! (a second printing would void the sheets just printed). Later, a re-send from the invitation's
//! own page prints a new sheet.

use portico_store::imports as store;

use super::{ImportState, get};
use crate::invitations::{self, Issued, ResendInput};
use crate::platform::actor::StaffActor;
use crate::{Core, CoreError};

/// The most hand-over invitations listed on an import's report.
pub const LISTED: i64 = 200;

/// A hand-over invitation of an import, as its report lists it.
#[derive(Debug, Clone)]
pub struct HandedOver {
    pub invitation_id: String,
    pub name: String,
    /// Still open: neither registered with nor revoked.
    pub open: bool,
}

/// The import's hand-over invitations (the first [`LISTED`]).
pub async fn handed_over(
    core: &Core,
    actor: &StaffActor,
    id: &str,
) -> Result<Vec<HandedOver>, CoreError> {
    get(core, actor, id).await?;
    Ok(store::handed_over(core.store(), id, LISTED)
        .await?
        .into_iter()
        .map(|r| HandedOver {
            invitation_id: r.id,
            name: format!("{} {}", r.first_name, r.last_name),
            open: !matches!(r.state.as_str(), "redeemed" | "revoked"),
        })
        .collect())
}

/// One sheet: whom it is for and their new code.
#[derive(Debug)]
pub struct Sheet {
    pub name: String,
    pub issued: Issued,
}

/// Draws a new code for each open hand-over invitation of the finished import, once (409 after
/// that, or for a dry run), for staff to print now.
pub async fn print_sheets(
    core: &Core,
    actor: &StaffActor,
    id: &str,
) -> Result<Vec<Sheet>, CoreError> {
    actor.require_admin()?;
    let import = get(core, actor, id).await?;
    if import.dry_run || import.state != ImportState::Done || import.counts.handed_over == 0 {
        return Err(CoreError::Conflict(
            "this import has no hand-over sheets to print",
        ));
    }
    if !store::mark_sheets_printed(core.store(), id, core.now().as_millis()).await? {
        return Err(CoreError::Conflict(
            "the hand-over sheets of this import were printed already",
        ));
    }
    let listed = store::handed_over(core.store(), id, i64::MAX).await?;
    let mut sheets = Vec::with_capacity(listed.len());
    let again = ResendInput {
        hand_over: true,
        ..ResendInput::default()
    };
    for row in listed {
        match invitations::resend(core, actor, &row.id, &again).await {
            Ok(issued) => sheets.push(Sheet {
                name: format!("{} {}", row.first_name, row.last_name),
                issued,
            }),
            // Registered or revoked since the run: no sheet for it.
            Err(CoreError::Conflict(_)) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(sheets)
}
