//! The program form's fields, as posted and as shown again: a program's name, sign-up code,
//! what happens when a patient signs up (its policy, in words) and whether online messaging is
//! allowed. An unticked box is absent from a post, so the form says "not allowed" itself
//! rather than leaving the stored value as the API's omitted field would.

use portico_core::programs::{Program, ProgramInput};
use portico_domain::ProgramPolicy;

/// One policy as the form offers it: the stored word, a label and what it means.
pub(super) struct PolicyChoice {
    pub value: &'static str,
    pub label: &'static str,
    pub hint: &'static str,
}

pub(super) const POLICIES: [PolicyChoice; 3] = [
    PolicyChoice {
        value: "notify",
        label: "Allow and notify",
        hint: "Patients join at once; staff see each new sign-up on the Sign-ups page.",
    },
    PolicyChoice {
        value: "silent",
        label: "Allow silently",
        hint: "Patients join at once, without a notification.",
    },
    PolicyChoice {
        value: "approval",
        label: "Require approval",
        hint: "Patients wait until a staff member approves them on the Sign-ups page.",
    },
];

/// The label of a policy, for the list.
pub(super) fn policy_label(policy: ProgramPolicy) -> &'static str {
    POLICIES
        .iter()
        .find(|c| c.value == policy.as_str())
        .map_or("", |c| c.label)
}

#[derive(Debug, Clone, Default, serde::Deserialize)]
pub(super) struct ProgramForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub signup_code: String,
    #[serde(default)]
    pub policy: String,
    /// Present (`true`) when the box is ticked.
    #[serde(default)]
    pub messaging_allowed: Option<String>,
}

impl ProgramForm {
    /// A new program's form: staff are told of sign-ups, and messaging is allowed.
    pub fn fresh() -> ProgramForm {
        ProgramForm {
            policy: ProgramPolicy::Notify.as_str().to_owned(),
            messaging_allowed: Some("true".into()),
            ..ProgramForm::default()
        }
    }

    /// The form filled with a program as saved.
    pub fn of(program: &Program) -> ProgramForm {
        ProgramForm {
            name: program.name.clone(),
            signup_code: program.signup_code.clone(),
            policy: program.policy.as_str().to_owned(),
            messaging_allowed: program.messaging_allowed.then(|| "true".into()),
        }
    }

    pub fn messaging(&self) -> bool {
        self.messaging_allowed.is_some()
    }

    /// What the core takes; `enabled` is left as it is unless given.
    pub fn to_input(&self, enabled: Option<bool>) -> ProgramInput {
        ProgramInput {
            name: self.name.clone(),
            signup_code: self.signup_code.clone(),
            enabled,
            policy: self.policy.clone(),
            messaging_allowed: Some(self.messaging()),
        }
    }
}
