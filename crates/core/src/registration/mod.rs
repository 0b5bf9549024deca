//! Registration (docs/PRODUCT.md §5), one step at a time, behind a ticket: a redeemed invitation or a
//! provider or sign-up code gives the ticket (`start`); then the details with the password
//! (`details`), phone verification (`phone`), terms of use (`terms`) and — when the invitation asks
//! for it — digital consent (`consent`). The account is created, linked and signed in only when
//! every step is done, in one transaction (`complete`). Each step loads the registration's
//! `draft`, checks that the earlier steps are done, and answers where the registration stands.
//!
//! The pages and the JSON API call the same functions; the ticket travels in a cookie or in the
//! request body, never in a URL.

mod complete;
pub mod consent;
mod details;
mod draft;
mod phone;
mod start;
pub mod tablet;
pub mod terms;
mod versions;

pub use complete::{Registered, complete, complete_on_tablet};
pub use consent::sign_consent;
pub use details::{DetailsInput, submit_details};
pub use phone::{CodeSent, PhoneCodeStatus, phone_step, send_phone_code, verify_phone};
pub use start::{Started, start_with_code};
pub use terms::accept_terms;
pub use versions::TextVersion;
// The strength meter and the passphrase serve the details form; they live with the passwords.
pub use crate::accounts::passwords::{
    PasswordCheck, PasswordCheckInput, check_password, suggest_passphrase,
};

use portico_domain::PhoneNumber;
use portico_store::registration as registrations;

use crate::{Core, CoreError};
use consent::ConsentText;
use draft::Draft;
use terms::Terms;

/// What comes next in a registration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Step {
    Details,
    Phone,
    Terms,
    Consent,
    Complete,
}

/// The details shown in the form: what the patient typed, else what the invitation knew.
#[derive(Debug, Clone, Default, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Details {
    pub first_name: String,
    pub last_name: String,
    pub birth_date: String,
    pub email: String,
    pub phone: String,
}

/// Where a registration stands, for the page of its next step.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RegistrationView {
    pub next: Step,
    pub practice_name: String,
    pub provider_name: Option<String>,
    pub program_name: Option<String>,
    /// Registering from a personal invitation (the date of birth is then fixed).
    pub invited: bool,
    /// The username the account will have when it has no email address.
    pub username: Option<String>,
    /// Whether the invitation reserved a username account (no email field).
    pub username_account: bool,
    /// Whether digital consent is one of the steps.
    pub consent_required: bool,
    /// Whether a staff member started it on the practice's front-desk tablet: it then ends on a
    /// neutral screen, and the patient signs in later on their own device.
    pub on_tablet: bool,
    pub details: Details,
    /// The phone number being verified, partly hidden.
    pub phone_masked: Option<String>,
    /// The terms to accept (when `next` is `terms`).
    pub terms: Option<Terms>,
    /// The consent to sign (when `next` is `consent`).
    pub consent: Option<ConsentText>,
}

/// Where the registration behind `ticket` stands.
pub async fn view(core: &Core, ticket: &str) -> Result<RegistrationView, CoreError> {
    let draft = draft::load(core, ticket).await?;
    render(core, &draft).await
}

/// Where `draft` stands, with what the page of its next step shows.
async fn render(core: &Core, draft: &Draft) -> Result<RegistrationView, CoreError> {
    let next = draft.next();
    let details = match (&draft.saved, &draft.invitation) {
        (Some(s), _) => Details {
            first_name: s.first_name.clone(),
            last_name: s.last_name.clone(),
            birth_date: s.birth_date.clone(),
            email: s.email.clone().unwrap_or_default(),
            phone: s.phone.clone(),
        },
        (None, Some(i)) => Details {
            first_name: i.first_name.clone(),
            last_name: i.last_name.clone(),
            birth_date: i.birth_date.clone(),
            email: i.email.clone().unwrap_or_default(),
            phone: i.phone.clone().unwrap_or_default(),
        },
        (None, None) => Details::default(),
    };
    let phone_masked = draft.saved.as_ref().and_then(|s| {
        PhoneNumber::parse(&s.phone, None)
            .ok()
            .map(|p| p.expose_masked())
    });
    let username = draft
        .saved
        .as_ref()
        .and_then(|s| s.username.clone())
        .or_else(|| draft.reserved_username().map(str::to_owned));
    Ok(RegistrationView {
        next,
        practice_name: draft.practice.name.clone(),
        provider_name: crate::codes::provider_codes::provider_display_name(
            core,
            &draft.practice.id,
            draft.provider_id.as_deref(),
        )
        .await?,
        program_name: draft.program.as_ref().map(|p| p.name.clone()),
        invited: draft.invitation.is_some(),
        username,
        username_account: draft.reserved_username().is_some(),
        consent_required: draft.consent_required(),
        on_tablet: draft.kiosk_staff_id.is_some(),
        details,
        phone_masked,
        terms: match next {
            Step::Terms => Some(terms::current(core, &draft.practice.id).await?),
            _ => None,
        },
        consent: match next {
            Step::Consent => Some(consent::current(core, &draft.practice.id).await?),
            _ => None,
        },
    })
}

/// Renders the draft after a step changed its saved row: only that row is read again.
async fn render_after_step(core: &Core, mut draft: Draft) -> Result<RegistrationView, CoreError> {
    draft.saved = registrations::find(core.store(), &draft.ticket_hash).await?;
    render(core, &draft).await
}
