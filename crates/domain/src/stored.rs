//! Words stored in a column whose set is closed: an outbox message's state, a link's status.
//! Each such enum is declared once with [`stored_words!`], which gives it the stored spelling, a
//! `parse` and a `TryFrom<String>` that refuse any other word, so a row holding a word this
//! version does not know is reported as corrupt instead of being read as some default.

/// A stored word that the enum it was read into does not have.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} {word:?}")]
pub struct UnknownWord {
    /// What the word should have named ("outbox state").
    pub what: &'static str,
    pub word: String,
}

/// Declares an enum of stored words: `stored_words! { /// doc  pub enum Name ("what it is") { Variant = "word", … } }`.
macro_rules! stored_words {
    (
        $(#[$meta:meta])*
        pub enum $name:ident ($what:literal) {
            $($(#[$vmeta:meta])* $variant:ident = $word:literal,)+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $word)] $variant,)+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];

            /// The word stored in the database and sent over the API.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $word,)+
                }
            }

            pub fn parse(word: &str) -> Result<$name, $crate::stored::UnknownWord> {
                match word {
                    $($word => Ok($name::$variant),)+
                    _ => Err($crate::stored::UnknownWord { what: $what, word: word.to_owned() }),
                }
            }
        }

        impl TryFrom<String> for $name {
            type Error = $crate::stored::UnknownWord;
            fn try_from(word: String) -> Result<$name, $crate::stored::UnknownWord> {
                $name::parse(&word)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

pub(crate) use stored_words;

#[cfg(test)]
mod tests {
    use super::UnknownWord;
    use crate::{LinkSource, LinkStatus, OutboxState, SubjectKind};

    /// Every word an enum stores reads back as the variant that wrote it.
    fn reads_back<T: Copy + PartialEq + std::fmt::Debug>(
        all: &[T],
        word: fn(T) -> &'static str,
        parse: fn(&str) -> Result<T, UnknownWord>,
    ) {
        for &value in all {
            assert_eq!(parse(word(value)), Ok(value));
        }
    }

    #[test]
    fn every_stored_word_reads_back_and_nothing_else_does() {
        reads_back(OutboxState::ALL, OutboxState::as_str, OutboxState::parse);
        reads_back(SubjectKind::ALL, SubjectKind::as_str, SubjectKind::parse);
        reads_back(LinkStatus::ALL, LinkStatus::as_str, LinkStatus::parse);
        reads_back(LinkSource::ALL, LinkSource::as_str, LinkSource::parse);

        // Another case, an empty word or a word this version does not know is refused, and the
        // refusal names what was being read.
        let refused = OutboxState::try_from("Sent".to_owned()).unwrap_err();
        assert_eq!(refused.to_string(), "unknown outbox state \"Sent\"");
        assert!(SubjectKind::parse("Invitation").is_err());
        assert!(SubjectKind::parse("").is_err());
        assert!(LinkStatus::parse("ended").is_err());
        assert!(LinkSource::parse("").is_err());
    }
}
