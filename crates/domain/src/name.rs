//! Names people read on screens: a person's name (first or last name of a patient or staff member)
//! and the display names of practices, providers and programs. Both are cleaned the same way, so
//! they compare equal however they were typed and are safe to show in any page or message.
//!
//! A `PersonName` is personal data: `Debug` is redacted and there is no `Display`. A `DisplayName`
//! names an organisation or a program and may be logged.

use std::fmt;

use unicode_normalization::UnicodeNormalization;

use crate::TextLimit;

/// Most characters in a person's name.
const PERSON_NAME_MAX: usize = 100;
/// Most characters in a practice, provider or program name.
const DISPLAY_NAME_MAX: usize = 120;
/// How much longer typed input may be than the cleaned name: runs of whitespace fold to one space
/// and NFC composes accents, but never by more than this.
const TYPED_FACTOR: usize = 4;

/// Why a name was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    #[error("Enter a name.")]
    Empty,
    #[error("Use at most {max} characters.")]
    TooLong { max: usize },
    #[error("A name can't contain < > {{ }} \" / \\ ; or invisible control characters.")]
    ForbiddenCharacters,
    #[error("A name needs at least one letter.")]
    NoLetter,
}

/// A person's first or last name.
#[derive(Clone, PartialEq, Eq)]
pub struct PersonName(String);

impl PersonName {
    pub const LIMIT: TextLimit = TextLimit {
        typed: PERSON_NAME_MAX * TYPED_FACTOR,
        told: PERSON_NAME_MAX,
    };

    /// Reads a name as typed: NFC-normalised, trimmed, runs of whitespace made one space.
    pub fn parse(input: &str) -> Result<PersonName, NameError> {
        clean(input, PersonName::LIMIT).map(PersonName)
    }

    /// The cleaned name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for PersonName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PersonName(***)")
    }
}

/// The name of a practice, provider or program, as shown to patients and staff.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisplayName(String);

impl DisplayName {
    pub const LIMIT: TextLimit = TextLimit {
        typed: DISPLAY_NAME_MAX * TYPED_FACTOR,
        told: DISPLAY_NAME_MAX,
    };

    /// Reads a name as typed, with the same rules as [`PersonName::parse`] and a longer limit.
    pub fn parse(input: &str) -> Result<DisplayName, NameError> {
        clean(input, DisplayName::LIMIT).map(DisplayName)
    }

    /// The cleaned name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Normalises and checks a name. Whitespace of any kind (tabs, newlines, no-break spaces) is
/// folded to single spaces first, so pasting from a document is forgiven rather than refused.
fn clean(input: &str, limit: TextLimit) -> Result<String, NameError> {
    let max = limit.told;
    // A cheap bound before normalising: NFC never makes a string more than a few times shorter.
    if limit.exceeded_by(input) {
        return Err(NameError::TooLong { max });
    }
    let normalized: String = input.nfc().collect();
    let cleaned = normalized.split_whitespace().collect::<Vec<_>>().join(" ");
    if cleaned.is_empty() {
        return Err(NameError::Empty);
    }
    if cleaned.chars().count() > max {
        return Err(NameError::TooLong { max });
    }
    if cleaned.chars().any(is_forbidden) {
        return Err(NameError::ForbiddenCharacters);
    }
    if !cleaned.chars().any(char::is_alphabetic) {
        return Err(NameError::NoLetter);
    }
    Ok(cleaned)
}

/// Characters that have no place in a name: markup and path or statement delimiters, which could
/// turn a name into something else where it is pasted; control characters; and the invisible
/// bidirectional overrides that make a name display differently from what it is.
fn is_forbidden(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '<' | '>' | '{' | '}' | '"' | '/' | '\\' | ';'
                | '\u{200E}' | '\u{200F}' // left-to-right and right-to-left marks
                | '\u{202A}'..='\u{202E}' // embeddings and overrides
                | '\u{2066}'..='\u{2069}' // isolates
                | '\u{FEFF}' // byte order mark
        )
}

/// The schemas state the rules of [`clean`]: at most `told` characters, at least one letter, and
/// none of the characters a name refuses (found with [`is_forbidden`] itself, after the same
/// whitespace folding and NFC, so a character NFC turns into `;` is refused too).
#[cfg(feature = "openapi")]
mod schema {
    use unicode_normalization::UnicodeNormalization;
    use utoipa::openapi::{RefOr, Schema};

    use super::{DisplayName, PersonName, is_forbidden};
    use crate::TextLimit;

    fn name(what: &str, limit: TextLimit) -> RefOr<Schema> {
        let refused = crate::schema::class_of(|c| {
            !c.is_whitespace() && std::iter::once(c).nfc().any(is_forbidden)
        });
        let description = format!(
            "{what}: at least one letter and at most {} characters once surrounding whitespace \
             is trimmed and each run of whitespace is one space; none of < > {{ }} \" / \\ ; \
             nor invisible control or direction characters.",
            limit.told
        );
        crate::schema::text(&description)
            .min_length(Some(1))
            .max_length(Some(limit.told))
            .pattern(Some(format!("^[^{refused}]*\\p{{L}}[^{refused}]*$")))
            .into()
    }

    crate::schema::built_once!(PersonName, || {
        name("A person's first or last name", PersonName::LIMIT)
    });

    crate::schema::built_once!(DisplayName, || {
        name(
            "The name of a practice, provider or program",
            DisplayName::LIMIT,
        )
    });
}
