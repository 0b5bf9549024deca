//! Field lengths at the edge: every text field a caller can send has a limit (stated by the domain
//! type that will parse it), and an over-long field is refused here, naming the field, before any
//! work is done on it. Nothing else about the field is looked at: a long field costs no more than
//! a short one.

use std::future::Future;

use portico_core::accounts::recovery::RecoveryFinish;
use portico_core::accounts::username_reminder::UsernameReminder;
use portico_core::invitations::redemption::RedeemInput;
use portico_core::invitations::{CONTACT_TIME_LIMIT, NOTES_LIMIT, NewInvitationInput, PersonInput};
use portico_core::registration::{DetailsInput, PasswordCheckInput};
use portico_core::{CoreError, FieldErrors, SecretToken};
use portico_domain::{
    BirthDate, CODE_ENTRY_LIMIT, Channel, EmailAddress, OneTimeCode, Password, PersonName,
    PhoneNumber, TextLimit, Username,
};

/// An email address or a username, as the patient sign-in and recovery take it: usernames are
/// much shorter than the longest email address.
pub(crate) const SIGN_IN_NAME: TextLimit = EmailAddress::LIMIT;

/// Input whose text fields have limits.
pub(crate) trait Bounded {
    /// Each text field: its name (as the form or JSON names it), its value and its limit.
    fn fields(&self) -> Vec<(&'static str, &str, TextLimit)>;
}

/// Refuses every over-long field of `input` at once, with its name.
pub(crate) fn check(input: &impl Bounded) -> Result<(), CoreError> {
    let mut errors = FieldErrors::new();
    for (field, value, limit) in input.fields() {
        if limit.exceeded_by(value) {
            errors.add(field, format!("Use at most {} characters.", limit.told));
        }
    }
    errors.into_result()
}

/// Runs `work` only when every field of `input` is within its limit. (`work` is a future, so
/// nothing of it runs before it is awaited.)
pub(crate) async fn within<T>(
    input: &impl Bounded,
    work: impl Future<Output = Result<T, CoreError>>,
) -> Result<T, CoreError> {
    check(input)?;
    work.await
}

impl Bounded for DetailsInput {
    fn fields(&self) -> Vec<(&'static str, &str, TextLimit)> {
        vec![
            ("first_name", &self.first_name, PersonName::LIMIT),
            ("last_name", &self.last_name, PersonName::LIMIT),
            ("birth_date", &self.birth_date, BirthDate::LIMIT),
            ("email", &self.email, EmailAddress::LIMIT),
            ("phone", &self.phone, PhoneNumber::LIMIT),
            ("password", &self.password, Password::LIMIT),
        ]
    }
}

/// A record's id (a UUID), with room for surrounding spaces.
const RECORD_ID: TextLimit = TextLimit {
    typed: 64,
    told: 36,
};
/// A stored word such as a language (`en`) or a consent method (`in_app`).
const WORD: TextLimit = TextLimit { typed: 16, told: 6 };

impl Bounded for NewInvitationInput {
    fn fields(&self) -> Vec<(&'static str, &str, TextLimit)> {
        let mut fields = person_fields(
            &self.patient,
            [
                "first_name",
                "last_name",
                "birth_date",
                "email",
                "phone",
                "channels",
            ],
        );
        fields.extend([
            ("provider_id", text(&self.provider_id), RECORD_ID),
            ("program_id", text(&self.program_id), RECORD_ID),
            ("consent_method", text(&self.consent_method), WORD),
            ("language", text(&self.language), WORD),
            ("contact_time", text(&self.contact_time), CONTACT_TIME_LIMIT),
            ("notes", text(&self.notes), NOTES_LIMIT),
            ("username", text(&self.username), Username::LIMIT),
        ]);
        if let Some(household) = &self.household {
            fields.extend(person_fields(
                household,
                [
                    "household.first_name",
                    "household.last_name",
                    "household.birth_date",
                    "household.email",
                    "household.phone",
                    "household.channels",
                ],
            ));
        }
        if let Some(caregiver) = &self.caregiver {
            fields.extend(person_fields(
                caregiver,
                [
                    "caregiver.first_name",
                    "caregiver.last_name",
                    "caregiver.birth_date",
                    "caregiver.email",
                    "caregiver.phone",
                    "caregiver.channels",
                ],
            ));
        }
        fields
    }
}

fn text(t: &Option<String>) -> &str {
    t.as_deref().unwrap_or_default()
}

/// One person's fields of an invitation, under `names` (first name, last name, birth date,
/// email, phone, channels).
fn person_fields<'a>(
    p: &'a PersonInput,
    names: [&'static str; 6],
) -> Vec<(&'static str, &'a str, TextLimit)> {
    let [first, last, birth, email, phone, channels] = names;
    let mut fields = vec![
        (first, p.first_name.as_str(), PersonName::LIMIT),
        (last, p.last_name.as_str(), PersonName::LIMIT),
        (birth, p.birth_date.as_str(), BirthDate::LIMIT),
        (email, text(&p.email), EmailAddress::LIMIT),
        (phone, text(&p.phone), PhoneNumber::LIMIT),
    ];
    fields.extend(
        p.channels
            .iter()
            .map(|c| (channels, c.as_str(), Channel::LIMIT)),
    );
    fields
}

impl Bounded for PasswordCheckInput {
    fn fields(&self) -> Vec<(&'static str, &str, TextLimit)> {
        vec![
            ("password", &self.password, Password::LIMIT),
            ("first_name", &self.first_name, PersonName::LIMIT),
            ("last_name", &self.last_name, PersonName::LIMIT),
            ("email", &self.email, EmailAddress::LIMIT),
            ("birth_date", &self.birth_date, BirthDate::LIMIT),
        ]
    }
}

impl Bounded for RedeemInput {
    fn fields(&self) -> Vec<(&'static str, &str, TextLimit)> {
        vec![
            (
                "code",
                self.code.as_deref().unwrap_or_default(),
                CODE_ENTRY_LIMIT,
            ),
            (
                "link_token",
                self.link_token.as_deref().unwrap_or_default(),
                SecretToken::LIMIT,
            ),
            ("birth_date", &self.birth_date, BirthDate::LIMIT),
        ]
    }
}

impl Bounded for UsernameReminder {
    fn fields(&self) -> Vec<(&'static str, &str, TextLimit)> {
        vec![("phone", &self.phone, PhoneNumber::LIMIT)]
    }
}

impl Bounded for RecoveryFinish {
    fn fields(&self) -> Vec<(&'static str, &str, TextLimit)> {
        vec![
            ("recovery_token", &self.recovery_token, SecretToken::LIMIT),
            ("code", &self.code, OneTimeCode::LIMIT),
            ("password", &self.password, Password::LIMIT),
        ]
    }
}

/// Words of a closed set ("now", "accept") and a `datetime-local` value are short.
const SHORT_WORD: TextLimit = TextLimit {
    typed: 64,
    told: 32,
};

impl Bounded for portico_core::visits::VisitRequestInput {
    fn fields(&self) -> Vec<(&'static str, &str, TextLimit)> {
        let fields: [(&'static str, &str, TextLimit); 4] = [
            ("link_id", &self.link_id, RECORD_ID),
            ("when", &self.when, SHORT_WORD),
            ("at", self.at.as_deref().unwrap_or_default(), SHORT_WORD),
            ("reason", &self.reason, portico_domain::VisitText::LIMIT),
        ];
        fields
            .into_iter()
            .chain(
                self.answers
                    .iter()
                    .map(|a| ("answers", a.as_str(), portico_domain::VisitText::LIMIT)),
            )
            .collect()
    }
}

impl Bounded for portico_core::visits::settings::VisitSettingsInput {
    fn fields(&self) -> Vec<(&'static str, &str, TextLimit)> {
        let question = portico_domain::VisitPrompts::QUESTION_LIMIT;
        self.prompts
            .iter()
            .map(|p| ("prompts", p.as_str(), question))
            .chain([
                ("notify_by", self.notify_by.as_str(), SHORT_WORD),
                (
                    "notify_to",
                    self.notify_to.as_deref().unwrap_or_default(),
                    EmailAddress::LIMIT,
                ),
            ])
            .collect()
    }
}

impl Bounded for portico_core::visits::VisitAnswerInput {
    fn fields(&self) -> Vec<(&'static str, &str, TextLimit)> {
        vec![
            ("decision", &self.decision, SHORT_WORD),
            ("at", self.at.as_deref().unwrap_or_default(), SHORT_WORD),
            (
                "note",
                self.note.as_deref().unwrap_or_default(),
                portico_domain::VisitText::LIMIT,
            ),
        ]
    }
}

impl Bounded for portico_core::threads::NewThreadInput {
    fn fields(&self) -> Vec<(&'static str, &str, TextLimit)> {
        vec![
            ("patient_id", &self.patient_id, RECORD_ID),
            (
                "subject",
                &self.subject,
                portico_domain::ThreadSubject::LIMIT,
            ),
            ("body", &self.body, portico_domain::MessageText::LIMIT),
        ]
    }
}

impl Bounded for portico_core::threads::invited::ThreadInvitationInput {
    fn fields(&self) -> Vec<(&'static str, &str, TextLimit)> {
        vec![
            ("first_name", &self.first_name, PersonName::LIMIT),
            ("last_name", &self.last_name, PersonName::LIMIT),
            ("birth_date", &self.birth_date, BirthDate::LIMIT),
            ("email", &self.email, EmailAddress::LIMIT),
            ("confirm_email", &self.confirm_email, EmailAddress::LIMIT),
            (
                "subject",
                &self.subject,
                portico_domain::ThreadSubject::LIMIT,
            ),
            ("body", &self.body, portico_domain::MessageText::LIMIT),
        ]
    }
}

impl Bounded for portico_core::threads::from_patient::PatientThreadInput {
    fn fields(&self) -> Vec<(&'static str, &str, TextLimit)> {
        vec![
            ("to", &self.to, RECORD_ID),
            (
                "subject",
                &self.subject,
                portico_domain::ThreadSubject::LIMIT,
            ),
            ("body", &self.body, portico_domain::MessageText::LIMIT),
        ]
    }
}

impl Bounded for portico_core::threads::ReplyInput {
    fn fields(&self) -> Vec<(&'static str, &str, TextLimit)> {
        vec![("body", &self.body, portico_domain::MessageText::LIMIT)]
    }
}
