//! Registration (docs/PRODUCT.md §5), one step at a time, behind a ticket: a redeemed invitation or a
//! provider or sign-up code gives the ticket; then the details (with the password), phone
//! verification, terms of use and — when the invitation asks for it — digital consent. The account
//! is created, linked and signed in only when every step is done, in one transaction.
//!
//! The pages and the JSON API call the same functions; the ticket travels in a cookie or in the
//! request body, never in a URL.

pub mod consent;
pub mod terms;

use portico_domain::{
    BirthDate, Channel, ConsentMethod, EmailAddress, InvitationState, Password, PasswordContext,
    PersonName, PhoneNumber, ProgramPolicy, SignupCode, Username,
};
use portico_domain::{LinkSource, LinkStatus, SubjectKind};
use portico_store::invitations::{self as invitations_store, InvitationRow};
use portico_store::links::{self as links_store, LinkRow};
use portico_store::practices::{self, PracticeRow};
use portico_store::registration::tickets::{self, TicketRow};
use portico_store::registration::{self as registrations, RegistrationRow};
use portico_store::{
    accounts::one_time_codes, accounts::patients, codes::provider_codes, programs,
    registration::consents, registration::terms as terms_store,
};

use crate::PatientActor;
use crate::accounts::one_time_codes as one_time;
use crate::accounts::patient_sessions::{self, PatientSession};
use crate::audit::{self, Action};
use crate::codes::guessing::CodeGuess;
use crate::delivery::messages;
use crate::delivery::outbox::{self, About, MessageKind};
use crate::links;
use crate::platform::actor::ClientInfo;
use crate::platform::secrets::{Purpose, SecretToken};
use crate::platform::throttle::{self, Rule};
use crate::{CodeKind, Core, CoreError, FieldErrors, new_id};
use consent::ConsentText;
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
    pub details: Details,
    /// The phone number being verified, partly hidden.
    pub phone_masked: Option<String>,
    /// The terms to accept (when `next` is `terms`).
    pub terms: Option<Terms>,
    /// The consent to sign (when `next` is `consent`).
    pub consent: Option<ConsentText>,
}

/// A started registration: its ticket (shown once) and where it stands.
#[derive(Debug)]
pub struct Started {
    pub ticket: SecretToken,
    pub view: RegistrationView,
}

/// Starts a self-registration with a provider code or a sign-up code (one entry takes either);
/// wrong codes get one fixed answer and count against the caller's address.
pub async fn start_with_code(
    core: &Core,
    typed: &str,
    client: &ClientInfo,
) -> Result<Started, CoreError> {
    let guess = CodeGuess::begin(core, client).await?;
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
    open_registration_allowed(core, client).await?;
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
        },
    )
    .await?;
    audit::by_anonymous(Action::RegistrationStarted, now, client)
        .practice(&practice_id)
        .append(&mut tx)
        .await?;
    tx.commit().await?;
    let view = view(core, ticket.expose()).await?;
    Ok(Started { ticket, view })
}

/// Counts a registration about to be opened against the caller's address, refusing once the
/// address has opened its allowance: each open registration can ask for texts and calls.
pub(crate) async fn open_registration_allowed(
    core: &Core,
    client: &ClientInfo,
) -> Result<(), CoreError> {
    let rule = Rule {
        scope: "registration-open-address",
        limit: core.settings().registrations_per_address,
    };
    throttle::attempt(core, rule, &client.address_key()).await
}

/// Everything a step needs to know about its registration.
struct Draft {
    ticket_hash: String,
    practice: PracticeRow,
    invitation: Option<InvitationRow>,
    provider_id: Option<String>,
    program: Option<portico_store::programs::ProgramRow>,
    saved: Option<RegistrationRow>,
}

impl Draft {
    fn consent_required(&self) -> bool {
        self.invitation
            .as_ref()
            .is_some_and(|i| i.consent_method == ConsentMethod::InApp.as_str())
    }

    fn reserved_username(&self) -> Option<&str> {
        self.invitation.as_ref().and_then(|i| i.username.as_deref())
    }

    fn next(&self) -> Step {
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
    fn require(&self, step: Step) -> Result<&RegistrationRow, CoreError> {
        let order = |s: Step| s as u8;
        match &self.saved {
            Some(saved) if order(self.next()) >= order(step) => Ok(saved),
            _ => Err(CoreError::Conflict(
                "Finish the earlier steps of your registration first.",
            )),
        }
    }
}

async fn load(core: &Core, ticket: &str) -> Result<Draft, CoreError> {
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
    })
}

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
        details,
        phone_masked,
        terms: match next {
            Step::Terms => Some(terms::current(core, &draft.practice.id).await?),
            _ => None,
        },
        consent: (next == Step::Consent).then(consent::text),
    })
}

/// Renders the draft after a step changed its saved row: only that row is read again.
async fn render_after_step(core: &Core, mut draft: Draft) -> Result<RegistrationView, CoreError> {
    draft.saved = registrations::find(core.store(), &draft.ticket_hash).await?;
    render(core, &draft).await
}

/// Where the registration behind `ticket` stands.
pub async fn view(core: &Core, ticket: &str) -> Result<RegistrationView, CoreError> {
    let draft = load(core, ticket).await?;
    render(core, &draft).await
}

/// The registration form as typed.
// In the API document a bare `default` keeps serde's container default (an empty string, which
// the rules refuse) off the required fields.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct DetailsInput {
    #[cfg_attr(
        feature = "openapi",
        schema(value_type = portico_domain::PersonName, required = true, default)
    )]
    pub first_name: String,
    #[cfg_attr(
        feature = "openapi",
        schema(value_type = portico_domain::PersonName, required = true, default)
    )]
    pub last_name: String,
    /// With an invitation, the date of birth it was redeemed with (otherwise 422).
    #[cfg_attr(
        feature = "openapi",
        schema(value_type = portico_domain::BirthDate, required = true, default)
    )]
    pub birth_date: String,
    /// Leave empty together with `no_email` for an account without email (a username is made).
    #[cfg_attr(
        feature = "openapi",
        schema(value_type = portico_domain::schema::OrBlank<portico_domain::EmailAddress>, default)
    )]
    pub email: String,
    /// A mobile number in one of the practice's phone countries.
    #[cfg_attr(
        feature = "openapi",
        schema(value_type = portico_domain::PhoneNumber, required = true, default)
    )]
    pub phone: String,
    #[cfg_attr(
        feature = "openapi",
        schema(value_type = portico_domain::Password, required = true, default)
    )]
    pub password: String,
    /// The patient has no email address: the account gets a username instead.
    pub no_email: bool,
}

/// Checks and records the form. Every bad field is reported at once; the password is hashed only
/// when everything else is right.
pub async fn submit_details(
    core: &Core,
    ticket: &str,
    input: &DetailsInput,
    client: &ClientInfo,
) -> Result<RegistrationView, CoreError> {
    let draft = load(core, ticket).await?;
    let now = core.now();
    let mut errors = FieldErrors::new();
    let first_name = errors.take("first_name", PersonName::parse(&input.first_name));
    let last_name = errors.take("last_name", PersonName::parse(&input.last_name));
    let birth_date = errors.take(
        "birth_date",
        BirthDate::parse(&input.birth_date, now.date()),
    );
    if let (Some(date), Some(invitation)) = (&birth_date, &draft.invitation)
        && date.expose_iso() != invitation.birth_date
    {
        errors.add(
            "birth_date",
            "This must be the date of birth your invitation was checked with.",
        );
    }
    let username_account = draft.reserved_username().is_some()
        || (draft.invitation.is_none() && input.no_email && input.email.trim().is_empty());
    let email = if username_account {
        None
    } else {
        errors.take("email", EmailAddress::parse(&input.email))
    };
    let phone = errors.take(
        "phone",
        PhoneNumber::parse(&input.phone, Some(&draft.practice.country)),
    );
    if let Some(phone) = &phone
        && let Err(message) = phone_country_allowed(&draft.practice, phone)
    {
        errors.add("phone", message);
    }
    let username = match (username_account, draft.reserved_username()) {
        (false, _) => None,
        (true, Some(reserved)) => Some(reserved.to_owned()),
        (true, None) => Some(
            match draft.saved.as_ref().and_then(|s| s.username.clone()) {
                Some(kept) => kept,
                None => fresh_username(core).await?,
            },
        ),
    };
    let birth_iso = birth_date.as_ref().map(BirthDate::expose_iso);
    let inputs: Vec<&str> = [
        first_name.as_ref().map(PersonName::as_str),
        last_name.as_ref().map(PersonName::as_str),
        email.as_ref().map(EmailAddress::as_str),
        birth_iso.as_deref(),
        username.as_deref(),
    ]
    .into_iter()
    .flatten()
    .collect();
    let password = errors.take(
        "password",
        Password::parse(&input.password, &PasswordContext::single_factor(&inputs)),
    );
    errors.into_result()?;
    let (Some(first_name), Some(last_name), Some(birth_iso), Some(phone), Some(password)) =
        (first_name, last_name, birth_iso, phone, password)
    else {
        return Err(CoreError::Internal("field errors were not recorded".into()));
    };
    let password_hash = core
        .hasher()
        .hash(password.expose_secret().to_owned())
        .await?;

    // An address that already has an account gets the same answer as a new one, so the form
    // cannot be used to learn who has an account here; its owner is told by email instead (once
    // per registration and address). The account is not created: `complete` refuses it.
    let existing_owner = match &email {
        Some(email)
            if draft.saved.as_ref().and_then(|s| s.email.as_deref()) != Some(email.as_str()) =>
        {
            patients::exists(core.store(), Some(&email.lookup_key()), None).await?
        }
        _ => false,
    };
    let phone_changed = draft
        .saved
        .as_ref()
        .is_some_and(|s| s.phone != phone.as_e164());
    let mut tx = core.store().begin().await?;
    if phone_changed {
        // Codes sent to the old number prove nothing about the new one.
        one_time_codes::void_open(&mut tx, "phone", &draft.ticket_hash, now.as_millis()).await?;
    }
    if existing_owner && let Some(email) = &email {
        let message = messages::account_exists(
            email.as_str(),
            &draft.practice.name,
            &core.settings().public_url,
        );
        outbox::enqueue(
            &mut tx,
            core.keys(),
            About {
                practice_id: &draft.practice.id,
                subject: SubjectKind::Registration,
                id: &new_id(),
            },
            MessageKind::AccountExists,
            Channel::Email,
            &message,
            now,
        )
        .await?;
        audit::by_anonymous(
            Action::PatientRegistrationAttemptOnExistingEmail,
            now,
            client,
        )
        .practice(&draft.practice.id)
        .append(&mut tx)
        .await?;
    }
    registrations::save_details(
        &mut tx,
        &RegistrationRow {
            ticket_hash: draft.ticket_hash.clone(),
            first_name: first_name.as_str().to_owned(),
            last_name: last_name.as_str().to_owned(),
            birth_date: birth_iso,
            email: email.as_ref().map(|e| e.as_str().to_owned()),
            username,
            phone: phone.as_e164().to_owned(),
            password_hash,
            phone_verified_at: None,
            terms_version: None,
            terms_accepted_at: None,
            terms_ip: None,
            consent_version: None,
            consent_signature: None,
            consent_signed_at: None,
            consent_ip: None,
            created_at: now.as_millis(),
            updated_at: now.as_millis(),
        },
    )
    .await?;
    tickets::extend(
        &mut tx,
        &draft.ticket_hash,
        now.plus(core.settings().ticket_ttl).as_millis(),
    )
    .await?;
    tx.commit().await?;
    render_after_step(core, draft).await
}

async fn fresh_username(core: &Core) -> Result<String, CoreError> {
    for _ in 0..10 {
        let candidate = Username::generate(&mut rand::rng());
        let name = candidate.as_str();
        if !patients::exists(core.store(), None, Some(name)).await?
            && !invitations_store::username_taken(core.store(), name).await?
        {
            return Ok(name.to_owned());
        }
    }
    Err(CoreError::Internal(
        "no free username after 10 draws".into(),
    ))
}

/// A verification code on its way.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CodeSent {
    #[cfg_attr(feature = "openapi", schema(value_type = portico_domain::Channel))]
    pub channel: String,
    pub phone_masked: String,
    /// How long until another code may be asked for.
    pub resend_after_seconds: u64,
    /// How long the code is valid.
    pub valid_for_seconds: u64,
}

/// Sends a six-digit code to the registration's phone by SMS or voice call. Re-sends wait 30 s,
/// then twice as long each time; a new code replaces the previous one.
pub async fn send_phone_code(
    core: &Core,
    ticket: &str,
    channel: &str,
    client: &ClientInfo,
) -> Result<CodeSent, CoreError> {
    let draft = load(core, ticket).await?;
    let saved = draft.require(Step::Phone)?;
    if saved.phone_verified_at.is_some() {
        return Err(CoreError::Conflict(
            "Your phone number is already verified.",
        ));
    }
    let channel = match Channel::parse(channel) {
        Ok(c @ (Channel::Sms | Channel::Voice)) => c,
        _ => {
            return Err(
                FieldErrors::single("channel", "Choose a text message or a voice call.").into(),
            );
        }
    };
    let phone = PhoneNumber::parse(&saved.phone, None)
        .map_err(|_| CoreError::Internal("a saved phone number does not parse".into()))?;
    if let Err(message) = phone_country_allowed(&draft.practice, &phone) {
        return Err(FieldErrors::single("phone", message).into());
    }
    let sent = one_time::ensure_resend_allowed(core, "phone", &draft.ticket_hash).await?;
    count_phone_code(core, &draft.practice.id, &phone, client).await?;
    let now = core.now();
    let id = new_id();
    let mut tx = core.store().begin().await?;
    let code = one_time::issue(
        &mut tx,
        core,
        id.clone(),
        "phone",
        Some(&draft.ticket_hash),
        channel.as_str(),
        phone.as_e164(),
    )
    .await?;
    let message = messages::verification_code(channel, &saved.phone, &draft.practice.name, &code);
    outbox::enqueue(
        &mut tx,
        core.keys(),
        About {
            practice_id: &draft.practice.id,
            subject: SubjectKind::OneTimeCode,
            id: &id,
        },
        MessageKind::VerificationCode,
        channel,
        &message,
        now,
    )
    .await?;
    // A patient moving through the steps keeps their registration.
    tickets::extend(
        &mut tx,
        &draft.ticket_hash,
        now.plus(core.settings().ticket_ttl).as_millis(),
    )
    .await?;
    audit::by_anonymous(Action::RegistrationPhoneCodeSent, now, client)
        .practice(&draft.practice.id)
        .detail("channel", channel.as_str())
        .append(&mut tx)
        .await?;
    tx.commit().await?;
    Ok(CodeSent {
        channel: channel.as_str().to_owned(),
        phone_masked: phone.expose_masked(),
        resend_after_seconds: one_time::resend_wait(sent + 1).as_secs(),
        valid_for_seconds: one_time::CODE_TTL.as_secs(),
    })
}

/// Whether the practice pays for codes to `phone`'s country: its own country unless it chose a
/// list. Answers the message for the phone field when not.
fn phone_country_allowed(practice: &PracticeRow, phone: &PhoneNumber) -> Result<(), String> {
    let allowed: Vec<&str> = match practice.phone_countries.as_deref() {
        Some(list) => list
            .split(',')
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .collect(),
        None => vec![practice.country.as_str()],
    };
    match phone.region() {
        Some(region) if allowed.iter().any(|c| c.eq_ignore_ascii_case(region)) => Ok(()),
        _ => Err(format!(
            "{} can send codes only to mobile numbers from {}. Enter a number from there, or \
             ask the practice to help you register.",
            practice.name,
            allowed.join(", ")
        )),
    }
}

/// Counts one text or call against the destination number, the caller's address and the
/// practice (each per day), refusing with `Throttled` once any is spent: codes cost the practice
/// money and reach a stranger's phone, so a script holding a printed code must not send many.
async fn count_phone_code(
    core: &Core,
    practice_id: &str,
    phone: &PhoneNumber,
    client: &ClientInfo,
) -> Result<(), CoreError> {
    let settings = core.settings();
    let rules = [
        (
            Rule {
                scope: "phone-code-number",
                limit: settings.phone_codes_per_number,
            },
            phone.as_e164().to_owned(),
        ),
        (
            Rule {
                scope: "phone-code-address",
                limit: settings.phone_codes_per_address,
            },
            client.address_key(),
        ),
        (
            Rule {
                scope: "phone-code-practice",
                limit: settings.phone_codes_per_practice,
            },
            practice_id.to_owned(),
        ),
    ];
    for (rule, subject) in rules {
        throttle::attempt(core, rule, &subject).await?;
    }
    Ok(())
}

/// Checks the code sent to the phone; five wrong entries use a code up.
pub async fn verify_phone(
    core: &Core,
    ticket: &str,
    typed: &str,
    client: &ClientInfo,
) -> Result<RegistrationView, CoreError> {
    let draft = load(core, ticket).await?;
    let saved = draft.require(Step::Phone)?;
    let Some(row) = one_time_codes::newest(core.store(), "phone", &draft.ticket_hash).await? else {
        return Err(one_time::refused("Ask for a code first."));
    };
    let now = core.now();
    // The code proves the number it was sent to: checked against the number the account will get.
    if let Err(e) = one_time::check(core, &row, &saved.phone, typed).await {
        audit::by_anonymous(Action::RegistrationPhoneVerified, now, client)
            .practice(&draft.practice.id)
            .outcome(audit::FAILURE)
            .append_alone(core.store())
            .await?;
        return Err(e);
    }
    let mut tx = core.store().begin().await?;
    if !one_time_codes::mark_used(&mut tx, &row.id, now.as_millis()).await? {
        return Err(one_time::refused(one_time::USED_UP));
    }
    registrations::mark_phone_verified(&mut tx, &draft.ticket_hash, now.as_millis()).await?;
    audit::by_anonymous(Action::RegistrationPhoneVerified, now, client)
        .practice(&draft.practice.id)
        .append(&mut tx)
        .await?;
    tx.commit().await?;
    render_after_step(core, draft).await
}

/// Records that the patient accepted `version` of the practice's terms (the current one).
pub async fn accept_terms(
    core: &Core,
    ticket: &str,
    version: i64,
    client: &ClientInfo,
) -> Result<RegistrationView, CoreError> {
    let draft = load(core, ticket).await?;
    draft.require(Step::Terms)?;
    let current = terms::current(core, &draft.practice.id).await?;
    if current.version != version {
        return Err(CoreError::Conflict(
            "The terms of use changed while you were reading them. Read the new version, then accept it.",
        ));
    }
    let now = core.now();
    registrations::accept_terms(
        core.store(),
        &draft.ticket_hash,
        version,
        now.as_millis(),
        client.ip.as_deref(),
    )
    .await?;
    render_after_step(core, draft).await
}

/// Records the digital consent: the typed full name is the signature.
pub async fn sign_consent(
    core: &Core,
    ticket: &str,
    signature: &str,
    client: &ClientInfo,
) -> Result<RegistrationView, CoreError> {
    let draft = load(core, ticket).await?;
    let saved = draft.require(Step::Consent)?;
    if !draft.consent_required() {
        return Err(CoreError::Conflict(
            "No consent is asked for in this registration.",
        ));
    }
    if !consent::signature_matches(signature, &saved.first_name, &saved.last_name) {
        return Err(FieldErrors::single(
            "signature",
            format!(
                "Type your full name as your signature: {} {}.",
                saved.first_name, saved.last_name
            ),
        )
        .into());
    }
    let now = core.now();
    registrations::sign_consent(
        core.store(),
        &draft.ticket_hash,
        consent::CONSENT_VERSION,
        signature.trim(),
        now.as_millis(),
        client.ip.as_deref(),
    )
    .await?;
    render_after_step(core, draft).await
}

/// A new account, signed in.
#[derive(Debug)]
pub struct Registered {
    pub session: PatientSession,
    /// Set for accounts without email: the name to sign in with.
    pub username: Option<String>,
}

/// Creates the account once every step is done: the patient, their link to the practice (and
/// provider, and program, under its policy), the accepted terms, the consent, the invitation
/// marked redeemed — all in one transaction — and then a session.
pub async fn complete(
    core: &Core,
    ticket: &str,
    client: &ClientInfo,
) -> Result<Registered, CoreError> {
    let draft = load(core, ticket).await?;
    let saved = draft.require(Step::Complete)?.clone();
    let now = core.now();
    let patient_id = new_id();
    let email_key = saved
        .email
        .as_deref()
        .and_then(|e| EmailAddress::parse(e).ok())
        .map(|e| e.lookup_key());

    let mut tx = core.store().begin().await?;
    // The guarded update decides races: of two completions of one ticket, exactly one gets here.
    if tickets::consume(&mut tx, &draft.ticket_hash, now.as_millis())
        .await?
        .is_none()
    {
        return Err(CoreError::RegistrationExpired);
    }
    if patients::exists(&mut tx, email_key.as_deref(), saved.username.as_deref()).await? {
        return Err(FieldErrors::single(
            "email",
            "An account with this email address already exists. Sign in instead.",
        )
        .into());
    }
    if let Some(invitation) = &draft.invitation
        && !invitations_store::redeem(&mut tx, &invitation.id, now.as_millis()).await?
    {
        return Err(CoreError::Conflict(
            "This invitation has already been used to create an account. Sign in instead.",
        ));
    }
    patients::insert(
        &mut tx,
        &patients::PatientRow {
            id: patient_id.clone(),
            email: saved.email.clone(),
            email_key,
            username: saved.username.clone(),
            first_name: saved.first_name.clone(),
            last_name: saved.last_name.clone(),
            birth_date: saved.birth_date.clone(),
            phone: saved.phone.clone(),
            phone_verified_at: saved.phone_verified_at.unwrap_or(now.as_millis()),
            password_hash: saved.password_hash.clone(),
            created_at: now.as_millis(),
            updated_at: now.as_millis(),
        },
    )
    .await?;

    // A program's policy applies to self-registration with its sign-up code; staff who invite a
    // patient into a program have already decided.
    let policy = match (&draft.program, &draft.invitation) {
        (Some(program), None) => ProgramPolicy::parse(&program.policy).ok(),
        _ => None,
    };
    let pending = policy == Some(ProgramPolicy::Approval);
    let link = LinkRow {
        id: new_id(),
        patient_id: patient_id.clone(),
        practice_id: draft.practice.id.clone(),
        provider_id: draft.provider_id.clone(),
        program_id: draft.program.as_ref().map(|p| p.id.clone()),
        invitation_id: draft.invitation.as_ref().map(|i| i.id.clone()),
        source: if draft.invitation.is_some() {
            LinkSource::Invitation
        } else if draft.program.is_some() {
            LinkSource::SignupCode
        } else {
            LinkSource::ProviderCode
        },
        status: if pending {
            LinkStatus::Pending
        } else {
            LinkStatus::Active
        },
        created_at: now.as_millis(),
        decided_at: None,
        decided_by: None,
        ended_at: None,
    };
    links_store::insert_new(&mut tx, &link).await?;
    match policy {
        Some(ProgramPolicy::Notify) => {
            links::notify(&mut tx, &link, "patient.signed_up", now).await?
        }
        Some(ProgramPolicy::Approval) => {
            links::notify(&mut tx, &link, "patient.awaits_approval", now).await?
        }
        _ => {}
    }
    if let (Some(version), Some(at)) = (saved.terms_version, saved.terms_accepted_at) {
        terms_store::accept(
            &mut tx,
            &patient_id,
            &draft.practice.id,
            version,
            at,
            saved.terms_ip.as_deref(),
        )
        .await?;
        audit::by_anonymous(Action::TermsAccepted, now, client)
            .practice(&draft.practice.id)
            .patient(&patient_id)
            .detail("version", version)
            .append(&mut tx)
            .await?;
    }
    if let (Some(version), Some(signature), Some(at)) = (
        &saved.consent_version,
        &saved.consent_signature,
        saved.consent_signed_at,
    ) {
        consents::insert(
            &mut tx,
            &consents::ConsentRow {
                id: new_id(),
                patient_id: patient_id.clone(),
                practice_id: draft.practice.id.clone(),
                invitation_id: draft.invitation.as_ref().map(|i| i.id.clone()),
                version: version.clone(),
                signature: signature.clone(),
                signed_at: at,
                ip: saved.consent_ip.clone(),
            },
        )
        .await?;
        audit::by_anonymous(Action::ConsentSigned, now, client)
            .practice(&draft.practice.id)
            .patient(&patient_id)
            .detail("version", version.as_str())
            .detail("method", ConsentMethod::InApp.as_str())
            .append(&mut tx)
            .await?;
    }
    if let Some(invitation) = &draft.invitation {
        crate::invitations::record_event(
            &mut tx,
            &invitation.practice_id,
            &invitation.id,
            InvitationState::Redeemed,
            crate::invitations::MovedBy::Patient(&patient_id),
            now,
        )
        .await?;
        audit::by_anonymous(Action::InvitationRedeemed, now, client)
            .practice(&invitation.practice_id)
            .subject(SubjectKind::Invitation, &invitation.id)
            .patient(&patient_id)
            .append(&mut tx)
            .await?;
    }
    registrations::delete(&mut tx, &draft.ticket_hash).await?;
    audit::by_anonymous(Action::PatientRegistered, now, client)
        .practice(&draft.practice.id)
        .subject(SubjectKind::PatientLink, &link.id)
        .patient(&patient_id)
        .detail("source", link.source.as_str())
        .detail("status", link.status.as_str())
        .append(&mut tx)
        .await?;
    // The new account is signed in by the same transaction that creates it.
    let patient = PatientActor {
        patient_id: patient_id.clone(),
        first_name: saved.first_name.clone(),
        last_name: saved.last_name.clone(),
        username: saved.username.clone(),
        client: client.clone(),
    };
    let token = patient_sessions::insert_session(&mut tx, core, &patient).await?;
    tx.commit().await?;
    Ok(Registered {
        username: saved.username,
        session: PatientSession { token, patient },
    })
}

/// What the strength meter asks about a password being typed.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PasswordCheckInput {
    /// The password as typed. Up to 512 characters are rated (over 128 is never acceptable);
    /// a longer one answers 422.
    #[cfg_attr(feature = "openapi", schema(max_length = 512))]
    pub password: String,
    /// The details typed so far, which the password must not be built from; each up to the
    /// typed limit of its field.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 400))]
    pub first_name: String,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 400))]
    pub last_name: String,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 508))]
    pub email: String,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 32))]
    pub birth_date: String,
}

/// The meter's answer: the same rules registration applies, so the meter never praises a
/// password the form will refuse.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PasswordCheck {
    /// 0 (very weak) to 4 (very strong).
    pub score: u8,
    /// Whether registration would accept it.
    pub acceptable: bool,
    /// Why not, in plain words.
    pub message: Option<String>,
    pub min_length: usize,
    /// Characters counted as the rules count them (Unicode code points after NFKC).
    pub length: usize,
}

/// Checks a password as registration would, without storing or logging anything. Every check
/// counts against the caller's address (the meter is anonymous and each check costs CPU), and the
/// check itself runs on the blocking pool, off the threads that serve requests.
pub async fn check_password(
    core: &Core,
    input: PasswordCheckInput,
    client: &ClientInfo,
) -> Result<PasswordCheck, CoreError> {
    let rule = Rule {
        scope: "password-check-address",
        limit: core.settings().password_check_per_address,
    };
    throttle::attempt(core, rule, client.ip.as_deref().unwrap_or_default()).await?;
    tokio::task::spawn_blocking(move || rate_password(&input))
        .await
        .map_err(|e| CoreError::Internal(format!("password check stopped: {e}")))
}

fn rate_password(input: &PasswordCheckInput) -> PasswordCheck {
    let inputs: Vec<&str> = [
        input.first_name.as_str(),
        input.last_name.as_str(),
        input.email.as_str(),
        input.birth_date.as_str(),
    ]
    .into_iter()
    .map(str::trim)
    .filter(|s| !s.is_empty())
    .collect();
    let verdict = Password::parse(&input.password, &PasswordContext::single_factor(&inputs));
    PasswordCheck {
        score: portico_domain::strength(&input.password, &inputs),
        acceptable: verdict.is_ok(),
        message: verdict.err().map(|e| e.to_string()),
        min_length: portico_domain::MIN_LEN_SINGLE_FACTOR,
        length: portico_domain::counted_length(&input.password),
    }
}

/// A passphrase of four random words that meets the rules, for the form to suggest.
pub fn suggest_passphrase() -> String {
    portico_domain::suggest_passphrase(&mut rand::rng())
}
