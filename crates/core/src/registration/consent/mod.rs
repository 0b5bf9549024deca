//! Digital consent (docs/PRODUCT.md §5), signed in the app when the invitation says so: the patient reads
//! the practice's current consent text (`texts`) and types their full name as a signature (the
//! consent step, `sign_consent`), which records the version of the text it was given.

mod texts;

pub use texts::{ConsentText, current, current_for_staff, history, publish, version};

use portico_store::registration as registrations;

use super::{RegistrationView, Step, draft, render_after_step};
use crate::platform::actor::ClientInfo;
use crate::{Core, CoreError, FieldErrors};

/// A signature is the full name: a first name, a space and a last name.
pub const SIGNATURE_LIMIT: portico_domain::TextLimit = portico_domain::TextLimit {
    typed: 2 * portico_domain::PersonName::LIMIT.typed + 1,
    told: 2 * portico_domain::PersonName::LIMIT.told + 1,
};

/// Whether a typed signature is the patient's full name: case, accents typed the same way, and
/// the spaces between words do not matter.
pub fn signature_matches(typed: &str, first_name: &str, last_name: &str) -> bool {
    fn words(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_lowercase).collect()
    }
    let expected: Vec<String> = words(first_name)
        .into_iter()
        .chain(words(last_name))
        .collect();
    !expected.is_empty() && words(typed) == expected
}

/// The registration's consent step: records the digital consent, the typed full name being the
/// signature, with the version of the practice's consent text it was given. `version` is the
/// version the patient read, when the caller knows it: a newer one published meanwhile must be
/// read first.
pub async fn sign_consent(
    core: &Core,
    ticket: &str,
    signature: &str,
    version: Option<i64>,
    client: &ClientInfo,
) -> Result<RegistrationView, CoreError> {
    let draft = draft::load(core, ticket).await?;
    let saved = draft.require(Step::Consent)?;
    if !draft.consent_required() {
        return Err(CoreError::Conflict(
            "No consent is asked for in this registration.",
        ));
    }
    if !signature_matches(signature, &saved.first_name, &saved.last_name) {
        return Err(FieldErrors::single(
            "signature",
            format!(
                "Type your full name as your signature: {} {}.",
                saved.first_name, saved.last_name
            ),
        )
        .into());
    }
    let text = current(core, &draft.practice.id).await?;
    if version.is_some_and(|read| read != text.version) {
        return Err(CoreError::Conflict(
            "The consent text changed while you were reading it. Read the new version, then sign it.",
        ));
    }
    let now = core.now();
    registrations::sign_consent(
        core.store(),
        &draft.ticket_hash,
        text.version,
        signature.trim(),
        now.as_millis(),
        client.ip.as_deref(),
    )
    .await?;
    render_after_step(core, draft).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_is_the_full_name_in_any_case_and_spacing() {
        assert!(signature_matches("Maria Lopez", "Maria", "Lopez"));
        assert!(signature_matches("  maria   LOPEZ ", "Maria", "Lopez"));
        assert!(signature_matches(
            "Ana María de la Cruz",
            "Ana María",
            "de la Cruz"
        ));
        assert!(!signature_matches("Maria", "Maria", "Lopez"));
        assert!(!signature_matches("Lopez Maria", "Maria", "Lopez"));
        assert!(!signature_matches("", "Maria", "Lopez"));
    }
}
