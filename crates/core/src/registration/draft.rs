//! A registration in progress as every step sees it: the live ticket, its practice, the invitation
//! or code it came from, and what the patient has saved so far. Loading refuses a ticket that is
//! used or expired, or whose invitation closed since. The draft only reads: steps write through
//! the store and render the draft again.

use portico_domain::{ConsentMethod, InvitationState};
use portico_store::invitations::{self as invitations_store, InvitationRow};
use portico_store::practices::{self, PracticeRow};
use portico_store::programs::{self, ProgramRow};
use portico_store::registration::{self as registrations, RegistrationRow};
use portico_store::{codes::provider_codes, registration::tickets};

use super::Step;
use crate::platform::secrets::{Purpose, SecretToken};
use crate::{Core, CoreError};

/// Everything a step needs to know about its registration.
pub(super) struct Draft {
    pub(super) ticket_hash: String,
    pub(super) practice: PracticeRow,
    pub(super) invitation: Option<InvitationRow>,
    pub(super) provider_id: Option<String>,
    pub(super) program: Option<ProgramRow>,
    pub(super) saved: Option<RegistrationRow>,
    /// The staff member who started it on the front-desk tablet, if one did.
    pub(super) kiosk_staff_id: Option<String>,
}

impl Draft {
    /// Consent is signed during registration when the invitation asks for it in the app, and
    /// always on the front-desk tablet, where staff witness it.
    pub(super) fn consent_required(&self) -> bool {
        self.kiosk_staff_id.is_some()
            || self
                .invitation
                .as_ref()
                .is_some_and(|i| i.consent_method == ConsentMethod::InApp.as_str())
    }

    pub(super) fn reserved_username(&self) -> Option<&str> {
        self.invitation.as_ref().and_then(|i| i.username.as_deref())
    }

    pub(super) fn next(&self) -> Step {
        let Some(saved) = &self.saved else {
            return Step::Details;
        };
        if saved.phone_verified_at.is_none() {
            Step::Phone
        } else if saved.terms_version.is_none() {
            Step::Terms
        } else if self.consent_required() && saved.consent_signed_at.is_none() {
            Step::Consent
        } else {
            Step::Complete
        }
    }

    /// Refuses a step taken before the ones it depends on.
    pub(super) fn require(&self, step: Step) -> Result<&RegistrationRow, CoreError> {
        let order = |s: Step| s as u8;
        match &self.saved {
            Some(saved) if order(self.next()) >= order(step) => Ok(saved),
            _ => Err(CoreError::Conflict(
                "Finish the earlier steps of your registration first.",
            )),
        }
    }
}

pub(super) async fn load(core: &Core, ticket: &str) -> Result<Draft, CoreError> {
    let now = core.now().as_millis();
    let token = SecretToken::parse(ticket).ok_or(CoreError::RegistrationExpired)?;
    let ticket_hash = token.lookup_hash(core.keys(), Purpose::Ticket);
    let ticket = tickets::find_live(core.store(), &ticket_hash, now)
        .await?
        .ok_or(CoreError::RegistrationExpired)?;
    let practice = practices::find(core.store(), &ticket.practice_id)
        .await?
        .ok_or(CoreError::RegistrationExpired)?;
    let invitation = match &ticket.invitation_id {
        Some(id) => {
            let row = invitations_store::find_in_practice(core.store(), &ticket.practice_id, id)
                .await?
                .ok_or(CoreError::RegistrationExpired)?;
            // Revoked, expired, locked or already used since the code was checked, or re-sent
            // with a new code: the ticket dies with the code it came from.
            let open = InvitationState::parse(&row.state)
                .is_ok_and(|s| s.effective(row.expires_at, now).is_open());
            let same_code = row.code_hash.is_some() && row.code_hash == ticket.invitation_code_hash;
            if !open || !same_code {
                return Err(CoreError::RegistrationExpired);
            }
            Some(row)
        }
        None => None,
    };
    let mut provider_id = invitation.as_ref().and_then(|i| i.provider_id.clone());
    if let Some(code_id) = &ticket.provider_code_id {
        provider_id = provider_codes::find(core.store(), code_id)
            .await?
            .and_then(|c| c.provider_id);
    }
    let program = match &ticket.program_id {
        Some(id) => programs::find_in_practice(core.store(), &ticket.practice_id, id).await?,
        None => None,
    };
    let saved = registrations::find(core.store(), &ticket_hash).await?;
    Ok(Draft {
        ticket_hash,
        practice,
        invitation,
        provider_id,
        program,
        saved,
        kiosk_staff_id: ticket.kiosk_staff_id,
    })
}
