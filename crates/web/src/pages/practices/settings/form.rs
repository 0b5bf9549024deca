//! The practice form of the settings page as posted: flat text fields, kept as typed so a failed
//! post can give every one back, mapped to the API's [`PracticeSettingsInput`]. The allowed SMS
//! countries are typed as one list ("US, CA"); the expiry is typed as a number of days.

use std::collections::BTreeMap;

use portico_core::FieldErrors;
use portico_core::practices::{Practice, PracticeSettingsInput};

/// The form's inputs, by name.
pub(super) const FIELDS: [&str; 6] = [
    "name",
    "time_zone",
    "invite_expiry_days",
    "default_consent_method",
    "country",
    "phone_countries",
];

/// The practice form's fields by name: only the names above.
#[derive(Debug, Clone, Default)]
pub(super) struct PracticeForm(BTreeMap<String, String>);

impl PracticeForm {
    /// The form filled with the practice's settings as they are.
    pub(super) fn of(practice: &Practice) -> PracticeForm {
        let mut form = PracticeForm::default();
        form.set("name", &practice.name);
        form.set("time_zone", &practice.time_zone);
        form.set(
            "invite_expiry_days",
            &practice.invite_expiry_days.to_string(),
        );
        form.set(
            "default_consent_method",
            practice.default_consent_method.as_str(),
        );
        form.set("country", &practice.country);
        form.set("phone_countries", &practice.phone_countries.join(", "));
        form
    }

    /// The known fields of a post (or of a flash).
    pub(super) fn from_posted(posted: BTreeMap<String, String>) -> PracticeForm {
        PracticeForm(
            posted
                .into_iter()
                .filter(|(name, _)| FIELDS.contains(&name.as_str()))
                .collect(),
        )
    }

    pub(super) fn into_fields(self) -> BTreeMap<String, String> {
        self.0
    }

    pub(super) fn value(&self, name: &str) -> &str {
        self.0.get(name).map_or("", String::as_str)
    }

    /// Whether the select or radio `name` holds `value`.
    pub(super) fn is(&self, name: &str, value: &str) -> bool {
        self.value(name) == value
    }

    fn set(&mut self, name: &str, value: &str) {
        self.0.insert(name.to_owned(), value.to_owned());
    }

    /// What the API would be sent for this form, or the form's own errors (a number of days
    /// that is not a number) when it cannot be sent at all.
    pub(super) fn to_input(&self) -> Result<PracticeSettingsInput, FieldErrors> {
        let days = self.value("invite_expiry_days").trim();
        let Ok(days) = days.parse::<i64>() else {
            return Err(FieldErrors::single(
                "invite_expiry_days",
                "Enter a whole number of days, from 1 to 90.",
            ));
        };
        let text = |name: &str| Some(self.value(name).to_owned());
        Ok(PracticeSettingsInput {
            name: text("name"),
            invite_expiry_days: Some(days),
            country: text("country"),
            // Typed as one list: commas or spaces between the codes.
            phone_countries: Some(
                self.value("phone_countries")
                    .split(|c: char| c == ',' || c.is_whitespace())
                    .filter(|c| !c.is_empty())
                    .map(str::to_owned)
                    .collect(),
            ),
            time_zone: text("time_zone"),
            default_consent_method: text("default_consent_method"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn posted(pairs: &[(&str, &str)]) -> PracticeForm {
        PracticeForm::from_posted(
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        )
    }

    #[test]
    fn the_countries_are_one_typed_list() {
        let form = posted(&[
            ("invite_expiry_days", " 21 "),
            ("phone_countries", "us, CA  mx,"),
            ("unknown", "dropped"),
        ]);
        let input = form.to_input().expect("a number of days");
        assert_eq!(input.invite_expiry_days, Some(21));
        assert_eq!(input.phone_countries.unwrap(), ["us", "CA", "mx"]);
        assert!(!form.into_fields().contains_key("unknown"));
    }

    #[test]
    fn days_that_are_not_a_number_are_the_forms_own_error() {
        let errors = posted(&[("invite_expiry_days", "two weeks")])
            .to_input()
            .expect_err("not a number");
        assert!(errors.get("invite_expiry_days").is_some());
    }
}
