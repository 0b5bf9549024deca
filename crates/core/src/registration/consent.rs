//! Digital consent (docs/PRODUCT.md §5), signed in the app when the invitation says so: the patient reads
//! the consent text and types their full name as a signature (the consent step, `sign_consent`).

use portico_store::registration as registrations;

use super::{RegistrationView, Step, draft, render_after_step};
use crate::platform::actor::ClientInfo;
use crate::{Core, CoreError, FieldErrors};

/// The version of the consent text; a signature records which text it was given to.
pub const CONSENT_VERSION: &str = "2026-11";

/// The consent text, as paragraphs.
pub const CONSENT_TEXT: &[&str] = &[
    "I consent to receive care-related communication from my practice through this patient portal, \
     including secure messages, visit requests, forms and notifications by email, text message or \
     voice call to the contact details I have given.",
    "I understand that messages through the portal are not for emergencies, and that I can withdraw \
     this consent at any time by asking my practice; withdrawal does not affect care I have already \
     received.",
    "I confirm that the details I gave are mine and correct, and that typing my full name below is \
     my signature.",
];

/// The consent text and its version, for pages and the API.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConsentText {
    pub version: String,
    pub paragraphs: Vec<String>,
}

pub fn text() -> ConsentText {
    ConsentText {
        version: CONSENT_VERSION.to_owned(),
        paragraphs: CONSENT_TEXT.iter().map(|p| (*p).to_owned()).collect(),
    }
}

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
/// signature.
pub async fn sign_consent(
    core: &Core,
    ticket: &str,
    signature: &str,
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
    let now = core.now();
    registrations::sign_consent(
        core.store(),
        &draft.ticket_hash,
        CONSENT_VERSION,
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
