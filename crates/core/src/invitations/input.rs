//! What staff type to invite someone, and its checks: each person's names, date of birth and
//! contact points, the channels to send by, a username staff may choose for a patient without
//! email, and the choices the invitations of one step share (provider, program, language, consent
//! method, the patient's contact time and notes). Every field is checked even when an earlier one
//! failed, so all errors come back at once, each under its field's name (`household.phone`).

use portico_domain::{
    BirthDate, Channel, ConsentMethod, EmailAddress, PersonName, PhoneNumber, TextLimit, Username,
};
use portico_store::practices::PracticeRow;
use portico_store::{practices::providers, programs};

use crate::accounts::usernames;
use crate::delivery::templates::Language;
use crate::{Core, CoreError, FieldErrors};

/// One person's details as typed: the patient, a household member or a caregiver.
// In the API document a bare `default` keeps serde's container default (an empty string, which
// the rules refuse) off the required fields.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct PersonInput {
    #[cfg_attr(feature = "openapi", schema(value_type = PersonName, required = true, default))]
    pub first_name: String,
    #[cfg_attr(feature = "openapi", schema(value_type = PersonName, required = true, default))]
    pub last_name: String,
    #[cfg_attr(feature = "openapi", schema(value_type = BirthDate, required = true, default))]
    pub birth_date: String,
    /// Needed to send by email (and always for a caregiver).
    #[cfg_attr(
        feature = "openapi",
        schema(value_type = Option<portico_domain::schema::OrBlank<EmailAddress>>)
    )]
    pub email: Option<String>,
    /// Needed to send by text or voice call.
    #[cfg_attr(
        feature = "openapi",
        schema(value_type = Option<portico_domain::schema::OrBlank<PhoneNumber>>)
    )]
    pub phone: Option<String>,
    /// How to send the invitation; none means staff hand it over themselves.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Channel>))]
    pub channels: Vec<String>,
}

/// A new invitation as posted to `POST /api/v1/invitations`. Blank optional fields are read as
/// left out.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct NewInvitationInput {
    #[serde(flatten)]
    #[cfg_attr(feature = "openapi", schema(default))]
    pub patient: PersonInput,
    /// A provider of the practice (otherwise 422).
    pub provider_id: Option<String>,
    /// A program of the practice (otherwise 422).
    pub program_id: Option<String>,
    /// The practice's `default_consent_method` when left out.
    #[cfg_attr(
        feature = "openapi",
        schema(value_type = Option<portico_domain::schema::OrBlank<portico_domain::ConsentMethod>>)
    )]
    pub consent_method: Option<String>,
    /// The language of the invitation's messages: `en` (default) or `es`.
    #[cfg_attr(
        feature = "openapi",
        schema(value_type = Option<portico_domain::schema::OrBlank<crate::delivery::templates::Language>>)
    )]
    pub language: Option<String>,
    /// When the patient prefers to be called, as typed.
    #[cfg_attr(feature = "openapi", schema(max_length = 100))]
    pub contact_time: Option<String>,
    #[cfg_attr(feature = "openapi", schema(max_length = 2000))]
    pub notes: Option<String>,
    /// A spouse or family member invited in the same step (a second, linked invitation).
    #[cfg_attr(feature = "openapi", schema(default))]
    pub household: Option<PersonInput>,
    /// A caregiver invited with the patient (email required), for proxy access once approved.
    #[cfg_attr(feature = "openapi", schema(default))]
    pub caregiver: Option<PersonInput>,
    /// The username the patient will sign in with, for a patient invited without an email
    /// address (otherwise 422); one is made up when left out. Usernames are unique across the
    /// service: one a patient, an invitation or a registration already holds answers 422.
    #[cfg_attr(
        feature = "openapi",
        schema(value_type = Option<portico_domain::schema::OrBlank<Username>>)
    )]
    pub username: Option<String>,
}

/// One person's details after every check.
pub(super) struct Person {
    pub(super) first_name: PersonName,
    pub(super) last_name: PersonName,
    pub(super) birth_date: BirthDate,
    pub(super) email: Option<EmailAddress>,
    pub(super) phone: Option<PhoneNumber>,
    pub(super) channels: Vec<Channel>,
    /// The username staff chose (a person without email only); one is drawn when `None`.
    pub(super) username: Option<Username>,
}

const MAX_CONTACT_TIME: usize = 100;
const MAX_NOTES: usize = 2000;
/// How long the preferred contact time may be, as typed (spaces around it aside) and as told.
pub const CONTACT_TIME_LIMIT: TextLimit = TextLimit {
    typed: 2 * MAX_CONTACT_TIME,
    told: MAX_CONTACT_TIME,
};
/// How long the notes may be, likewise.
pub const NOTES_LIMIT: TextLimit = TextLimit {
    typed: 2 * MAX_NOTES,
    told: MAX_NOTES,
};

pub(super) fn blank_to_none(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// Checks one person's fields, recording errors under `prefix` (e.g. `household.`).
pub(super) fn check_person(
    p: &PersonInput,
    prefix: &str,
    today: time::Date,
    country: &str,
    errors: &mut FieldErrors,
) -> Option<Person> {
    let f = |name: &str| format!("{prefix}{name}");
    let first_name = errors.take(f("first_name"), PersonName::parse(&p.first_name));
    let last_name = errors.take(f("last_name"), PersonName::parse(&p.last_name));
    let birth_date = errors.take(f("birth_date"), BirthDate::parse(&p.birth_date, today));
    // Each field is checked even when an earlier one failed, so every error is reported at once.
    let email = blank_to_none(&p.email).map(|e| errors.take(f("email"), EmailAddress::parse(e)));
    let phone = blank_to_none(&p.phone)
        .map(|ph| errors.take(f("phone"), PhoneNumber::parse(ph, Some(country))));
    let mut channels = Vec::new();
    for c in &p.channels {
        if let Some(c) = errors.take(f("channels"), Channel::parse(c)) {
            channels.push(c);
        }
    }
    if channels.contains(&Channel::Email) && email.is_none() {
        errors.add(
            f("email"),
            "Enter an email address to send the invitation by email.",
        );
    }
    if (channels.contains(&Channel::Sms) || channels.contains(&Channel::Voice)) && phone.is_none() {
        errors.add(
            f("phone"),
            "Enter a mobile phone number to send the invitation by text or voice call.",
        );
    }
    // A typed but invalid email or phone was recorded above; it makes the whole person invalid.
    let email = match email {
        Some(parsed) => Some(parsed?),
        None => None,
    };
    let phone = match phone {
        Some(parsed) => Some(parsed?),
        None => None,
    };
    Some(Person {
        first_name: first_name?,
        last_name: last_name?,
        birth_date: birth_date?,
        email,
        phone,
        channels,
        username: None,
    })
}

/// The username staff chose for the patient, checked: the right shape, for a patient without an
/// email address, and held by nobody yet. Problems are recorded in `errors`.
pub(super) async fn chosen_username(
    core: &Core,
    input: &NewInvitationInput,
    errors: &mut FieldErrors,
) -> Result<Option<Username>, CoreError> {
    let Some(typed) = blank_to_none(&input.username) else {
        return Ok(None);
    };
    if blank_to_none(&input.patient.email).is_some() {
        errors.add(
            "username",
            "A patient with an email address signs in with it. Leave the username empty.",
        );
        return Ok(None);
    }
    // Username's own message speaks to a patient signing in; staff are choosing one.
    let Ok(username) = Username::parse(typed) else {
        errors.add("username", USERNAME_SHAPE);
        return Ok(None);
    };
    if !usernames::is_free(core.store(), &username).await? {
        errors.add("username", USERNAME_TAKEN);
        return Ok(None);
    }
    Ok(Some(username))
}

const USERNAME_SHAPE: &str = "Use 5 to 40 letters a to z, digits and dashes, like amber-crane-472 \
     (not starting or ending with a dash), or leave it empty and one will be made up.";

pub(super) const USERNAME_TAKEN: &str =
    "That username is already taken. Choose another, or leave it empty and one will be made up.";

/// A new invitation after every check: the people it is for and what they share.
pub(super) struct CheckedNew {
    /// With the username staff chose, if any.
    pub(super) patient: Person,
    pub(super) household: Option<Person>,
    pub(super) caregiver: Option<Person>,
    pub(super) choices: Choices,
    pub(super) consent: ConsentMethod,
    pub(super) contact_time: Option<String>,
    pub(super) notes: Option<String>,
}

/// What the invitations made in one step share and their messages depend on.
pub(super) struct Choices {
    pub(super) provider_id: Option<String>,
    pub(super) program_id: Option<String>,
    pub(super) language: Language,
}

/// Checks everything staff typed for a new invitation of `practice`, its household and
/// caregiver invitations included.
pub(super) async fn check_new(
    core: &Core,
    practice: &PracticeRow,
    input: &NewInvitationInput,
) -> Result<CheckedNew, CoreError> {
    let today = core.now().date();
    let country = practice.country.as_str();
    let mut errors = FieldErrors::new();
    let patient = check_person(&input.patient, "", today, country, &mut errors);
    let household = input
        .household
        .as_ref()
        .and_then(|p| check_person(p, "household.", today, country, &mut errors));
    let caregiver = input
        .caregiver
        .as_ref()
        .and_then(|p| check_person(p, "caregiver.", today, country, &mut errors));
    if let Some(c) = &input.caregiver
        && blank_to_none(&c.email).is_none()
    {
        errors.add(
            "caregiver.email",
            "A caregiver needs an email address for their own sign-in.",
        );
    }
    let username = chosen_username(core, input, &mut errors).await?;
    let consent = match blank_to_none(&input.consent_method) {
        Some(m) => errors.take("consent_method", ConsentMethod::parse(m)),
        None => Some(crate::practices::default_consent_method(practice)?),
    };
    let choices = check_choices(core, &practice.id, input, &mut errors).await?;
    let contact_time = checked_text(
        &input.contact_time,
        (
            "contact_time",
            "the preferred contact time",
            MAX_CONTACT_TIME,
        ),
        &mut errors,
    );
    let notes = checked_text(&input.notes, ("notes", "the notes", MAX_NOTES), &mut errors);
    errors.into_result()?;
    let (Some(patient), Some(consent), Some(choices)) = (patient, consent, choices) else {
        return Err(CoreError::Internal("field errors were not recorded".into()));
    };
    Ok(CheckedNew {
        patient: Person {
            username,
            ..patient
        },
        household,
        caregiver,
        choices,
        consent,
        contact_time,
        notes,
    })
}

/// A free text (the contact time, the notes), trimmed, within its limit: `(field, what, max)`.
fn checked_text(
    text: &Option<String>,
    (field, what, max): (&str, &str, usize),
    errors: &mut FieldErrors,
) -> Option<String> {
    let text = blank_to_none(text).map(str::to_owned);
    if text.as_ref().is_some_and(|t| t.chars().count() > max) {
        errors.add(field, format!("Keep {what} under {max} characters."));
    }
    text
}

/// The language, provider and program: the language must be one templates ship in, the provider
/// and program the practice's own. Problems are recorded in `errors`.
pub(super) async fn check_choices(
    core: &Core,
    practice_id: &str,
    input: &NewInvitationInput,
    errors: &mut FieldErrors,
) -> Result<Option<Choices>, CoreError> {
    let language = match blank_to_none(&input.language) {
        Some(l) => errors.take("language", Language::parse(l).ok_or("Choose en or es.")),
        None => Some(Language::En),
    };
    let provider_id = blank_to_none(&input.provider_id).map(str::to_owned);
    if let Some(id) = &provider_id
        && providers::find_in_practice(core.store(), practice_id, id)
            .await?
            .is_none()
    {
        errors.add("provider_id", "Choose a provider of this practice.");
    }
    let program_id = blank_to_none(&input.program_id).map(str::to_owned);
    if let Some(id) = &program_id
        && programs::find_in_practice(core.store(), practice_id, id)
            .await?
            .is_none()
    {
        errors.add("program_id", "Choose a program of this practice.");
    }
    Ok(language.map(|language| Choices {
        provider_id,
        program_id,
        language,
    }))
}
