//! Consent on the front-desk tablet (docs/PRODUCT.md §5): a staff member starts an open
//! invitation's registration on the practice's tablet and hands it to the patient. Staff have
//! the patient in front of them, so no code or date of birth is asked; the ticket is bound to
//! that one invitation for a short time (the registration's usual 30 minutes) and names the
//! staff member, who witnesses the consent signed there. The patient goes through the usual
//! steps, consent always among them; the account is created when they finish, without a session
//! on the shared device (`complete_on_tablet`), and the tablet shows a neutral screen.

use std::time::Duration;

use portico_domain::{InvitationState, SubjectKind};
use portico_store::invitations as invitations_store;
use portico_store::registration::tickets::{self, TicketRow};

use crate::audit::{self, Action};
use crate::platform::actor::{ActorKind, StaffActor};
use crate::platform::secrets::{Purpose, SecretToken};
use crate::{Core, CoreError};

/// How long a registration started on the tablet stays open: long enough to fill in the steps
/// with a phone at hand, short enough that a tablet left alone does not keep it.
pub const TABLET_TICKET_TTL: Duration = Duration::from_secs(30 * 60);

/// Starts the registration of an open invitation of the actor's practice on this device (signed
/// in staff only: an integration hands no tablet over); answers the ticket for the tablet's
/// registration cookie.
pub async fn start_on_tablet(
    core: &Core,
    actor: &StaffActor,
    invitation_id: &str,
) -> Result<SecretToken, CoreError> {
    if actor.kind != ActorKind::Staff {
        return Err(CoreError::Forbidden);
    }
    let now = core.now();
    let row = invitations_store::find_in_practice(core.store(), &actor.practice_id, invitation_id)
        .await?
        .ok_or(CoreError::NotFound)?;
    let open = InvitationState::parse(&row.state)
        .is_ok_and(|s| s.effective(row.expires_at, now.as_millis()).is_open());
    let Some(code_hash) = row.code_hash.clone().filter(|_| open) else {
        return Err(CoreError::Conflict(
            "This invitation can no longer be used to register. Re-send it for a new code, then \
             start on the tablet again.",
        ));
    };
    let ticket = SecretToken::generate();
    let mut tx = core.store().begin().await?;
    tickets::insert(
        &mut tx,
        &TicketRow {
            ticket_hash: ticket.lookup_hash(core.keys(), Purpose::Ticket),
            practice_id: row.practice_id.clone(),
            invitation_id: Some(row.id.clone()),
            provider_code_id: None,
            program_id: row.program_id.clone(),
            invitation_code_hash: Some(code_hash),
            created_at: now.as_millis(),
            expires_at: now.plus(TABLET_TICKET_TTL).as_millis(),
            used_at: None,
            kiosk_staff_id: Some(actor.staff_id.clone()),
        },
    )
    .await?;
    audit::by_staff(actor, Action::InvitationStartedOnTablet, now)
        .subject(SubjectKind::Invitation, &row.id)
        .append(&mut tx)
        .await?;
    tx.commit().await?;
    Ok(ticket)
}
