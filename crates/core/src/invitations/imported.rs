//! Invitations made by a bulk import (`crate::imports`): the choices the whole file shares are
//! checked once, each row's person with the same rules as the invite form (`check_person`), and
//! each is written as the form writes one, with its code, history, messages and audit event.
//!
//! A row is sent on the import's channels it has an address for; a row with none of them becomes
//! an invitation handed over in person (nothing sent), as on the form.

use portico_domain::search::fold;

use super::input::{Choices, check_choices, check_person};
use super::*;

/// What every invitation of one import shares, as chosen for the whole file.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct ImportChoices {
    pub provider_id: Option<String>,
    pub program_id: Option<String>,
    /// `email`, `sms`, `voice`: each row goes by those it has an address for.
    pub channels: Vec<String>,
    /// The practice's default when left out.
    pub consent_method: Option<String>,
}

/// The choices, checked against the practice.
pub(crate) struct Prepared {
    practice: PracticeRow,
    time_zone: TimeZone,
    choices: Choices,
    channels: Vec<Channel>,
    consent: ConsentMethod,
}

/// Checks the import's choices (422 with field errors when one is wrong: a provider of another
/// practice, an unknown channel), before any row is read.
pub(crate) async fn prepare(
    core: &Core,
    actor: &StaffActor,
    input: &ImportChoices,
) -> Result<Prepared, CoreError> {
    let practice = practice_of(core, actor).await?;
    let mut errors = FieldErrors::new();
    let as_form = NewInvitationInput {
        provider_id: input.provider_id.clone(),
        program_id: input.program_id.clone(),
        ..NewInvitationInput::default()
    };
    let choices = check_choices(core, &practice.id, &as_form, &mut errors).await?;
    let mut channels = Vec::new();
    for c in &input.channels {
        if let Some(c) = errors.take("channels", Channel::parse(c))
            && !channels.contains(&c)
        {
            channels.push(c);
        }
    }
    let consent = match blank_to_none(&input.consent_method) {
        Some(m) => errors.take("consent_method", ConsentMethod::parse(m)),
        None => Some(crate::practices::default_consent_method(&practice)?),
    };
    errors.into_result()?;
    let (Some(choices), Some(consent)) = (choices, consent) else {
        return Err(CoreError::Internal("field errors were not recorded".into()));
    };
    Ok(Prepared {
        time_zone: crate::practices::time_zone(&practice)?,
        practice,
        choices,
        channels,
        consent,
    })
}

/// A row's patient as the file gives them.
pub(crate) struct RowFields<'a> {
    pub first_name: &'a str,
    pub last_name: &'a str,
    pub birth_date: &'a str,
    pub email: Option<&'a str>,
    pub phone: Option<&'a str>,
    /// As written: `es`, `es-MX`, `Spanish`; anything else is the default, English.
    pub language: Option<&'a str>,
}

/// A row's patient after every check.
pub(crate) struct CheckedRow {
    person: Person,
    language: Language,
}

impl CheckedRow {
    /// Who the row is, as the import's duplicate check compares people: both names folded
    /// (case and accents), the date of birth, and the email address, else the mobile phone.
    pub(crate) fn identity(&self) -> String {
        let p = &self.person;
        let contact = match (&p.email, &p.phone) {
            (Some(email), _) => email.as_str().to_lowercase(),
            (None, Some(phone)) => phone.as_e164().to_owned(),
            (None, None) => String::new(),
        };
        format!(
            "{}\u{0}{}\u{0}{}\u{0}{contact}",
            fold(p.first_name.as_str()),
            fold(p.last_name.as_str()),
            p.birth_date.expose_iso()
        )
    }

    /// Nothing will be sent: staff hand the invitation over.
    pub(crate) fn handed_over(&self) -> bool {
        self.person.channels.is_empty()
    }
}

/// Checks one row with the invite form's rules; the errors name the form's fields.
pub(crate) fn check_row(
    core: &Core,
    prepared: &Prepared,
    row: &RowFields<'_>,
) -> Result<CheckedRow, FieldErrors> {
    let email = row.email.map(str::trim).filter(|e| !e.is_empty());
    let phone = row.phone.map(str::trim).filter(|p| !p.is_empty());
    let channels = prepared
        .channels
        .iter()
        .filter(|c| match c {
            Channel::Email => email.is_some(),
            Channel::Sms | Channel::Voice => phone.is_some(),
        })
        .map(|c| c.as_str().to_owned())
        .collect();
    let input = PersonInput {
        first_name: row.first_name.to_owned(),
        last_name: row.last_name.to_owned(),
        birth_date: row.birth_date.to_owned(),
        email: email.map(str::to_owned),
        phone: phone.map(str::to_owned),
        channels,
    };
    let mut errors = FieldErrors::new();
    let today = core.now().date();
    let person = check_person(&input, "", today, &prepared.practice.country, &mut errors);
    match person {
        Some(person) if errors.is_empty() => Ok(CheckedRow {
            person,
            language: row.language.map_or(Language::En, language_of),
        }),
        _ => Err(errors),
    }
}

/// The invitation language a file's word asks for: Spanish by its code or name, else English
/// (the only two the messages are written in).
fn language_of(word: &str) -> Language {
    let lower = word.trim().to_lowercase();
    let primary = lower.split(['-', '_']).next().unwrap_or_default();
    match primary {
        "es" | "spa" | "spanish" | "español" | "espanol" => Language::Es,
        _ => Language::En,
    }
}

/// Writes the row's invitation with `id` (its messages queued, its history and audit event
/// written) in the caller's transaction.
pub(crate) async fn insert(
    core: &Core,
    tx: &mut Tx,
    actor: &StaffActor,
    prepared: &Prepared,
    id: String,
    row: CheckedRow,
) -> Result<Issued, CoreError> {
    let now = core.now();
    let shared = Shared {
        practice_id: &actor.practice_id,
        practice_name: &prepared.practice.name,
        time_zone: &prepared.time_zone,
        language: row.language,
        created_by: &actor.staff_id,
        provider_id: prepared.choices.provider_id.clone(),
        program_id: prepared.choices.program_id.clone(),
        consent: prepared.consent,
        expires_at: expiry(&prepared.practice, now),
        now,
    };
    insert_one(
        core,
        tx,
        actor,
        &shared,
        Some(id),
        row.person,
        Relation::Patient,
        None,
        (None, None),
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_asks_for_spanish_by_code_or_name_and_anything_else_is_english() {
        for word in ["es", "es-MX", "ES_419", "spa", "Spanish", "Español"] {
            assert_eq!(language_of(word), Language::Es, "{word}");
        }
        for word in ["en", "en-US", "eng", "English", "fr", "", "klingon"] {
            assert_eq!(language_of(word), Language::En, "{word}");
        }
    }
}
