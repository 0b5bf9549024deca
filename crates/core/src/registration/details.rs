//! The details step: names, date of birth, an email address or — without one — a username, the
//! mobile number and the password. Every bad field is reported at once; the password is hashed
//! only when everything else is right. Saving the details again (say, with another number) keeps
//! the registration and voids codes sent to the old number.

use portico_domain::{
    BirthDate, Channel, EmailAddress, NameError, Password, PasswordContext, PersonName,
    PhoneNumber, SubjectKind,
};
use portico_store::registration::{self as registrations, RegistrationRow};
use portico_store::{Tx, accounts::one_time_codes, accounts::patients, registration::tickets};

use super::draft::{self, Draft};
use super::phone::phone_country_allowed;
use super::{RegistrationView, render_after_step};
use crate::accounts::usernames;
use crate::audit::{self, Action};
use crate::delivery::messages;
use crate::delivery::outbox::{self, About, MessageKind};
use crate::platform::actor::ClientInfo;
use crate::platform::clock::Timestamp;
use crate::{Core, CoreError, FieldErrors, new_id};

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

/// A name field, whose empty message names the field: in an error summary "Enter a name." twice
/// would not say which.
fn name(typed: &str, which: &str) -> Result<PersonName, String> {
    PersonName::parse(typed).map_err(|e| match e {
        NameError::Empty => format!("Enter your {which}."),
        other => other.to_string(),
    })
}

/// Checks and records the form. Every bad field is reported at once; the password is hashed only
/// when everything else is right.
pub async fn submit_details(
    core: &Core,
    ticket: &str,
    input: &DetailsInput,
    client: &ClientInfo,
) -> Result<RegistrationView, CoreError> {
    let draft = draft::load(core, ticket).await?;
    let now = core.now();
    let mut errors = FieldErrors::new();
    let first_name = errors.take("first_name", name(&input.first_name, "first name"));
    let last_name = errors.take("last_name", name(&input.last_name, "last name"));
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
    let username = if username_account {
        Some(account_username(core, &draft).await?)
    } else {
        None
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
        tell_existing_owner(&mut tx, core, &draft, email, client, now).await?;
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

/// The username of an account without email: the one the invitation reserved, else the one this
/// registration drew before, else a fresh one that no patient, invitation or other registration
/// holds.
async fn account_username(core: &Core, draft: &Draft) -> Result<String, CoreError> {
    if let Some(reserved) = draft.reserved_username() {
        return Ok(reserved.to_owned());
    }
    match draft.saved.as_ref().and_then(|s| s.username.clone()) {
        Some(kept) => Ok(kept),
        None => Ok(usernames::draw_free(core.store())
            .await?
            .as_str()
            .to_owned()),
    }
}

/// Emails the owner of an address that already has an account that someone tried to register
/// with it, and audits the attempt.
async fn tell_existing_owner(
    tx: &mut Tx,
    core: &Core,
    draft: &Draft,
    email: &EmailAddress,
    client: &ClientInfo,
    now: Timestamp,
) -> Result<(), CoreError> {
    let message = messages::account_exists(
        email.as_str(),
        &draft.practice.name,
        &core.settings().public_url,
    );
    outbox::enqueue(
        &mut *tx,
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
    .append(tx)
    .await?;
    Ok(())
}
