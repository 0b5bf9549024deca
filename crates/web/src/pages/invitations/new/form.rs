//! The invite form as posted: flat fields, one per input, kept as typed so a failed post can give
//! every one back. The patient's fields have plain names (`first_name`); a related patient's and
//! a caregiver's carry a prefix (`household_first_name`, `caregiver_email`), and each person's
//! channels are checkboxes (`send_email`, `send_sms`, `send_voice`, `hand_over`). This module maps
//! them to the API's [`NewInvitationInput`] and core's error names back to the inputs' ids
//! (`household.phone` → `household_phone`), and makes the checks only the form has: the email
//! typed twice, and an explicit choice between sending and handing over.

use std::collections::BTreeMap;

use portico_core::FieldErrors;
use portico_core::invitations::{NewInvitationInput, PersonInput};
use portico_domain::EmailAddress;

/// The people the form can invite, by the prefix of their fields: the patient, a related patient
/// and a caregiver.
pub(super) const PATIENT: &str = "";
pub(super) const HOUSEHOLD: &str = "household_";
pub(super) const CAREGIVER: &str = "caregiver_";
const PEOPLE: [&str; 3] = [PATIENT, HOUSEHOLD, CAREGIVER];

/// One person's text fields.
const PERSON_TEXT: [&str; 5] = ["first_name", "last_name", "birth_date", "email", "phone"];
/// One person's checkboxes: each channel to send by, or hand it over in person.
const PERSON_FLAGS: [&str; 4] = ["send_email", "send_sms", "send_voice", "hand_over"];
/// The channel each `send_` box stands for, as the API names it.
pub(super) const SENDS: [(&str, &str); 3] = [
    ("send_email", "email"),
    ("send_sms", "sms"),
    ("send_voice", "voice"),
];
/// What the invitations of one step share, and the no-email confirmation's username.
const SHARED_TEXT: [&str; 8] = [
    "email_confirm",
    "contact_time",
    "notes",
    "provider_id",
    "program_id",
    "language",
    "consent_method",
    "username",
];
/// `confirming`: the page asks to confirm a patient without email (set by the server, through
/// the flash); `no_email_confirmed`: the answer.
const SHARED_FLAGS: [&str; 4] = [
    "add_household",
    "add_caregiver",
    "no_email_confirmed",
    "confirming",
];

/// The form's fields by name: only the names above, flags as `yes` or absent.
#[derive(Debug, Clone, Default)]
pub(super) struct InviteForm(BTreeMap<String, String>);

/// What the post asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Intent {
    Create,
    /// The preview button of a page without JavaScript: show the messages, create nothing.
    Preview,
}

impl InviteForm {
    /// The form as a page opens it: in English (the consent method is the practice's usual,
    /// filled in by the page).
    pub(super) fn fresh() -> InviteForm {
        let mut form = InviteForm::default();
        form.set("language", "en");
        form
    }

    /// The known fields of a post (or of a flash), and what the post asked for.
    pub(super) fn from_posted(mut posted: BTreeMap<String, String>) -> (InviteForm, Intent) {
        let intent = match posted.remove("intent").as_deref() {
            Some("preview") => Intent::Preview,
            _ => Intent::Create,
        };
        let mut form = InviteForm::default();
        for (name, value) in posted {
            if is_text(&name) {
                form.0.insert(name, value);
            } else if is_flag(&name) && !value.is_empty() {
                form.0.insert(name, "yes".to_owned());
            }
        }
        (form, intent)
    }

    /// Every field, to keep in a flash.
    pub(super) fn into_fields(self) -> BTreeMap<String, String> {
        self.0
    }

    pub(super) fn value(&self, name: &str) -> &str {
        self.0.get(name).map_or("", String::as_str)
    }

    pub(super) fn checked(&self, name: &str) -> bool {
        self.0.contains_key(name) && is_flag(name)
    }

    /// Whether the select or radio `name` holds `value`.
    pub(super) fn is(&self, name: &str, value: &str) -> bool {
        self.value(name) == value
    }

    pub(super) fn set(&mut self, name: &str, value: &str) {
        self.0.insert(name.to_owned(), value.to_owned());
    }

    /// Marks the form as waiting for the no-email confirmation (or not).
    pub(super) fn confirming(mut self, asking: bool) -> InviteForm {
        if asking {
            self.0.insert("confirming".to_owned(), "yes".to_owned());
        } else {
            self.0.remove("confirming");
        }
        self
    }

    /// Whether the person with fields under `prefix` is part of this invitation.
    pub(super) fn invites(&self, prefix: &str) -> bool {
        match prefix {
            HOUSEHOLD => self.checked("add_household"),
            CAREGIVER => self.checked("add_caregiver"),
            _ => true,
        }
    }

    /// What the API would be sent for this form.
    pub(super) fn to_input(&self) -> NewInvitationInput {
        let text = |name: &str| Some(self.value(name).to_owned());
        NewInvitationInput {
            patient: self.person(PATIENT),
            provider_id: text("provider_id"),
            program_id: text("program_id"),
            consent_method: text("consent_method"),
            language: text("language"),
            contact_time: text("contact_time"),
            notes: text("notes"),
            household: self.invites(HOUSEHOLD).then(|| self.person(HOUSEHOLD)),
            caregiver: self.invites(CAREGIVER).then(|| self.person(CAREGIVER)),
            // The username field is offered only for a patient without email; a value left
            // from it is not sent once an email address is typed.
            username: self
                .lacks_email(PATIENT)
                .then(|| self.value("username").to_owned()),
        }
    }

    fn person(&self, prefix: &str) -> PersonInput {
        let field = |name: &str| self.value(&format!("{prefix}{name}")).to_owned();
        PersonInput {
            first_name: field("first_name"),
            last_name: field("last_name"),
            birth_date: field("birth_date"),
            email: Some(field("email")),
            phone: Some(field("phone")),
            channels: SENDS
                .iter()
                .filter(|(flag, _)| self.checked(&format!("{prefix}{flag}")))
                .map(|(_, channel)| (*channel).to_owned())
                .collect(),
        }
    }

    pub(super) fn lacks_email(&self, prefix: &str) -> bool {
        self.value(&format!("{prefix}email")).trim().is_empty()
    }

    /// The people invited without an email address (the patient, a related patient): each gets
    /// a username, which staff confirm before anything is made.
    pub(super) fn without_email(&self) -> Vec<&'static str> {
        [PATIENT, HOUSEHOLD]
            .into_iter()
            .filter(|p| self.invites(p) && self.lacks_email(p))
            .collect()
    }

    /// Whether creating must wait for staff to confirm a patient without email.
    pub(super) fn needs_confirming(&self) -> bool {
        !self.without_email().is_empty() && !self.checked("no_email_confirmed")
    }

    /// The checks only the form makes, under the inputs' ids.
    pub(super) fn own_errors(&self) -> FieldErrors {
        let mut errors = FieldErrors::new();
        let email = self.value("email").trim();
        let again = self.value("email_confirm").trim();
        if EmailAddress::LIMIT.exceeded_by(again) {
            errors.add(
                "email_confirm",
                format!("Use at most {} characters.", EmailAddress::LIMIT.told),
            );
        } else if !email.is_empty() && !email.eq_ignore_ascii_case(again) {
            errors.add(
                "email_confirm",
                "The two email addresses are not the same. Type the address again.",
            );
        }
        for prefix in PEOPLE.into_iter().filter(|p| self.invites(p)) {
            let sends = SENDS
                .iter()
                .any(|(flag, _)| self.checked(&format!("{prefix}{flag}")));
            let hands_over = self.checked(&format!("{prefix}hand_over"));
            let id = format!("{prefix}channels");
            if sends && hands_over {
                errors.add(
                    id,
                    "Choose the ways to send the invitation, or hand it over in person: not both.",
                );
            } else if !sends && !hands_over {
                errors.add(
                    id,
                    "Choose how the invitation reaches them: email, text message, voice call, or in person.",
                );
            }
        }
        errors
    }
}

fn is_text(name: &str) -> bool {
    SHARED_TEXT.contains(&name) || person_field(name, &PERSON_TEXT)
}

fn is_flag(name: &str) -> bool {
    SHARED_FLAGS.contains(&name) || person_field(name, &PERSON_FLAGS)
}

fn person_field(name: &str, fields: &[&str]) -> bool {
    PEOPLE.iter().any(|prefix| {
        name.strip_prefix(prefix)
            .is_some_and(|rest| fields.contains(&rest))
    })
}

/// Core's field names as the form's input ids: `household.phone` is `household_phone`.
fn as_input_ids(core: FieldErrors) -> FieldErrors {
    let mut errors = FieldErrors::new();
    for e in core.iter() {
        errors.add(e.field.replace('.', "_"), e.message.clone());
    }
    errors
}

/// The form's own errors and core's for the inputs the form said nothing about, in the order
/// of the inputs on the page, so the error summary reads from top to bottom.
pub(super) fn merged(own: FieldErrors, core: FieldErrors) -> FieldErrors {
    let mut all: Vec<(String, String)> = own
        .iter()
        .map(|e| (e.field.clone(), e.message.clone()))
        .collect();
    for e in as_input_ids(core).iter() {
        if own.get(&e.field).is_none() {
            all.push((e.field.clone(), e.message.clone()));
        }
    }
    let order = page_order();
    // A stable sort: two messages for one input keep their order; unknown names go last.
    all.sort_by_key(|(field, _)| order.iter().position(|f| f == field).unwrap_or(order.len()));
    let mut errors = FieldErrors::new();
    for (field, message) in all {
        errors.add(field, message);
    }
    errors
}

/// The inputs' ids from the top of the page: the no-email question's username, the patient,
/// the shared choices, the related patient, the caregiver.
fn page_order() -> Vec<String> {
    let person = |prefix: &str| {
        let mut ids: Vec<String> = PERSON_TEXT.iter().map(|f| format!("{prefix}{f}")).collect();
        if prefix == PATIENT {
            ids.insert(4, "email_confirm".to_owned());
        }
        ids.push(format!("{prefix}channels"));
        ids
    };
    let mut order = vec!["username".to_owned()];
    order.extend(person(PATIENT));
    order.extend(
        [
            "language",
            "provider_id",
            "program_id",
            "consent_method",
            "contact_time",
            "notes",
        ]
        .map(str::to_owned),
    );
    order.extend(person(HOUSEHOLD));
    order.extend(person(CAREGIVER));
    order
}

#[cfg(test)]
mod tests {
    use super::*;

    fn posted(pairs: &[(&str, &str)]) -> InviteForm {
        let map = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        InviteForm::from_posted(map).0
    }

    #[test]
    fn prefixed_fields_become_the_related_people() {
        let form = posted(&[
            ("first_name", "Maria"),
            ("send_email", "yes"),
            ("add_caregiver", "yes"),
            ("caregiver_first_name", "Ana"),
            ("caregiver_send_sms", "on"),
            ("household_first_name", "ignored: not added"),
            ("unknown", "dropped"),
        ]);
        let input = form.to_input();
        assert_eq!(input.patient.first_name, "Maria");
        assert_eq!(input.patient.channels, ["email"]);
        assert!(input.household.is_none());
        let caregiver = input.caregiver.expect("a caregiver");
        assert_eq!(caregiver.first_name, "Ana");
        assert_eq!(caregiver.channels, ["sms"]);
        assert!(!form.into_fields().contains_key("unknown"));
    }

    #[test]
    fn the_form_asks_for_a_choice_between_sending_and_handing_over() {
        let neither = posted(&[("email", "a@b.example"), ("email_confirm", "a@b.example")]);
        assert!(neither.own_errors().get("channels").is_some());
        let both = posted(&[("send_sms", "yes"), ("hand_over", "yes")]);
        assert!(both.own_errors().get("channels").is_some());
        let one = posted(&[("hand_over", "yes")]);
        assert!(one.own_errors().is_empty());
    }

    #[test]
    fn the_email_must_be_typed_twice_alike() {
        let differ = posted(&[
            ("email", "maria@example.org"),
            ("email_confirm", "maria@example.com"),
            ("send_email", "yes"),
        ]);
        assert!(differ.own_errors().get("email_confirm").is_some());
        let alike = posted(&[
            ("email", "Maria@example.org "),
            ("email_confirm", "maria@example.org"),
            ("send_email", "yes"),
        ]);
        assert!(alike.own_errors().is_empty());
    }

    #[test]
    fn core_error_names_become_input_ids() {
        let mut core = FieldErrors::new();
        core.add("household.phone", "bad");
        core.add("email", "core's");
        let mut own = FieldErrors::new();
        own.add("email", "the form's");
        core.add("email_confirm", "after the email");
        let errors = merged(own, core);
        assert_eq!(errors.get("household_phone"), Some("bad"));
        assert_eq!(errors.get("email"), Some("the form's"));
        let order: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            order,
            ["email", "email_confirm", "household_phone"],
            "as on the page"
        );
    }
}
