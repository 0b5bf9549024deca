//! Visit requests (docs/PRODUCT.md §7): where a request stands, and the patient's own words of why
//! they want to be seen — health data, so `Debug` is redacted and the text is never logged.

use std::fmt;

use crate::TextLimit;

crate::stored::stored_words! {
    /// Where a visit request stands, as stored in `visit_requests.state`.
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    pub enum VisitState ("visit state") {
        /// Waiting for the practice's answer.
        Waiting = "waiting",
        /// The practice will see the patient (now, or at the time asked for).
        Accepted = "accepted",
        /// The practice proposes another time.
        Proposed = "proposed",
        /// The practice cannot see the patient for this request (with a note why).
        Declined = "declined",
    }
}

impl VisitState {
    /// How the state reads to the patient and staff.
    pub fn label(self) -> &'static str {
        match self {
            VisitState::Waiting => "Waiting for the practice",
            VisitState::Accepted => "Accepted",
            VisitState::Proposed => "Another time proposed",
            VisitState::Declined => "Declined",
        }
    }
}

/// Most characters of a reason or a note.
const TEXT_MAX: usize = 500;

/// Why a visit text was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum VisitTextError {
    #[error("Say in a few words why you would like to be seen.")]
    Empty,
    #[error("Use at most 500 characters.")]
    TooLong,
    #[error("Remove the invisible control characters.")]
    ControlCharacters,
}

/// Free text of a visit request: the patient's reason, or staff's note with an answer. Trimmed,
/// line breaks kept, at most 500 characters.
#[derive(Clone, PartialEq, Eq)]
pub struct VisitText(String);

impl VisitText {
    pub const LIMIT: TextLimit = TextLimit {
        typed: TEXT_MAX * 4,
        told: TEXT_MAX,
    };

    pub fn parse(input: &str) -> Result<VisitText, VisitTextError> {
        let text = input.trim();
        if text.is_empty() {
            return Err(VisitTextError::Empty);
        }
        if text.chars().count() > TEXT_MAX {
            return Err(VisitTextError::TooLong);
        }
        if text
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
        {
            return Err(VisitTextError::ControlCharacters);
        }
        Ok(VisitText(text.replace("\r\n", "\n")))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for VisitText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("VisitText(***)")
    }
}

#[cfg(test)]
mod tests {
    use super::{VisitText, VisitTextError};

    #[test]
    fn a_reason_is_trimmed_and_keeps_its_lines() {
        let text = VisitText::parse("  Cough since Monday\r\nand a fever  ").expect("a reason");
        assert_eq!(text.expose(), "Cough since Monday\nand a fever");
        assert_eq!(format!("{text:?}"), "VisitText(***)", "never logged");
    }

    #[test]
    fn an_empty_long_or_control_text_is_refused() {
        assert_eq!(VisitText::parse("   "), Err(VisitTextError::Empty));
        assert_eq!(
            VisitText::parse(&"a".repeat(501)),
            Err(VisitTextError::TooLong)
        );
        assert_eq!(
            VisitText::parse("a\u{7}b"),
            Err(VisitTextError::ControlCharacters)
        );
        assert!(VisitText::parse(&"é".repeat(500)).is_ok());
    }
}
