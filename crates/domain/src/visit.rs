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

/// Why a provider's visit questions were refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum VisitPromptsError {
    #[error("Ask at most five questions.")]
    TooMany,
    #[error("Keep each question to at most 200 characters.")]
    TooLong,
    #[error("Remove the invisible control characters.")]
    ControlCharacters,
}

/// The questions a provider asks with every visit request ("Which tooth hurts?"): at most five,
/// each one line of at most 200 characters, blank ones left out. None is fine: the reason is
/// always asked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VisitPrompts(Vec<String>);

impl VisitPrompts {
    pub const MOST: usize = 5;
    const PROMPT_MAX: usize = 200;
    /// One question.
    pub const QUESTION_LIMIT: TextLimit = TextLimit {
        typed: Self::PROMPT_MAX * 4,
        told: Self::PROMPT_MAX,
    };
    /// A form's textarea of questions, one per line.
    pub const LIMIT: TextLimit = TextLimit {
        typed: (Self::PROMPT_MAX + 2) * Self::MOST * 4,
        told: (Self::PROMPT_MAX + 1) * Self::MOST,
    };

    /// Questions typed one per line.
    pub fn parse_lines(input: &str) -> Result<VisitPrompts, VisitPromptsError> {
        Self::parse(input.lines())
    }

    /// Questions as a list (the API).
    pub fn parse<'a>(
        questions: impl IntoIterator<Item = &'a str>,
    ) -> Result<VisitPrompts, VisitPromptsError> {
        let mut kept = Vec::new();
        for question in questions.into_iter().map(str::trim) {
            if question.is_empty() {
                continue;
            }
            if kept.len() == Self::MOST {
                return Err(VisitPromptsError::TooMany);
            }
            if question.chars().count() > Self::PROMPT_MAX {
                return Err(VisitPromptsError::TooLong);
            }
            if question.chars().any(char::is_control) {
                return Err(VisitPromptsError::ControlCharacters);
            }
            kept.push(question.to_owned());
        }
        Ok(VisitPrompts(kept))
    }

    pub fn as_slice(&self) -> &[String] {
        &self.0
    }

    pub fn into_vec(self) -> Vec<String> {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::{VisitPrompts, VisitPromptsError, VisitText, VisitTextError};

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

    #[test]
    fn questions_are_one_per_line_at_most_five_blank_lines_left_out() {
        let prompts =
            VisitPrompts::parse_lines("Which tooth?\r\n\n  Since when?  \n").expect("two");
        assert_eq!(prompts.as_slice(), ["Which tooth?", "Since when?"]);
        assert_eq!(
            VisitPrompts::parse_lines("")
                .expect("none")
                .as_slice()
                .len(),
            0
        );
        assert_eq!(
            VisitPrompts::parse_lines("a\nb\nc\nd\ne\nf"),
            Err(VisitPromptsError::TooMany)
        );
        assert_eq!(
            VisitPrompts::parse([&*"q".repeat(201)]),
            Err(VisitPromptsError::TooLong)
        );
        assert_eq!(
            VisitPrompts::parse(["a\tb"]),
            Err(VisitPromptsError::ControlCharacters)
        );
    }
}
