//! The first step of a self-registration: a provider code or a program's sign-up code opens a
//! ticket (an invitation's code opens one in `invitations::redemption`). Wrong codes go through
//! the guessing guard, and every opened registration counts against the caller's address.

use portico_domain::SignupCode;
use portico_store::programs;
use portico_store::registration::tickets::{self, TicketRow};

use super::RegistrationView;
use crate::accounts::registration_limit;
use crate::audit::{self, Action};
use crate::codes::guessing::{CodeGuess, CodeUse};
use crate::platform::actor::ClientInfo;
use crate::platform::secrets::{Purpose, SecretToken};
use crate::{CodeKind, Core, CoreError};

/// A started registration: its ticket (shown once) and where it stands.
#[derive(Debug)]
pub struct Started {
    pub ticket: SecretToken,
    pub view: RegistrationView,
}

/// Starts a self-registration with a provider code or a sign-up code (one entry takes either);
/// wrong codes get one fixed answer and count against the caller's browser and address.
pub async fn start_with_code(
    core: &Core,
    typed: &str,
    client: &ClientInfo,
) -> Result<Started, CoreError> {
    let guess = CodeGuess::begin(core, client, CodeUse::Registration).await?;
    let provider = crate::codes::provider_codes::find_active(core, typed).await?;
    let program = match (&provider, SignupCode::parse_entry(typed)) {
        (None, Ok(code)) => {
            programs::find_enabled_by_code(core.store(), &crate::programs::code_hash(core, &code))
                .await?
        }
        _ => None,
    };
    let (practice_id, provider_code_id, program_id) = match (provider, program) {
        (Some(code), _) => (code.practice_id, Some(code.id), None),
        (None, Some(program)) => (program.practice_id, None, Some(program.id)),
        (None, None) => return Err(CoreError::CodeNotAccepted(CodeKind::Registration)),
    };
    guess.found(core).await?;
    registration_limit::open_registration_allowed(core, client).await?;
    let now = core.now();
    let ticket = SecretToken::generate();
    let mut tx = core.store().begin().await?;
    tickets::insert(
        &mut tx,
        &TicketRow {
            ticket_hash: ticket.lookup_hash(core.keys(), Purpose::Ticket),
            practice_id: practice_id.clone(),
            invitation_id: None,
            provider_code_id,
            program_id,
            invitation_code_hash: None,
            created_at: now.as_millis(),
            expires_at: now.plus(core.settings().ticket_ttl).as_millis(),
            used_at: None,
            kiosk_staff_id: None,
        },
    )
    .await?;
    audit::by_anonymous(Action::RegistrationStarted, now, client)
        .practice(&practice_id)
        .append(&mut tx)
        .await?;
    tx.commit().await?;
    let view = super::view(core, ticket.expose()).await?;
    Ok(Started { ticket, view })
}
