//! Secure threads ("patient talk"): the words of a message and a thread's subject.

use std::fmt;

use crate::TextLimit;

crate::stored::stored_words! {
    /// Who wrote a message, as stored in `thread_messages.author_kind`.
    pub enum MessageAuthor ("message author") {
        /// The thread's staff member.
        Staff = "staff",
        /// The patient.
        Patient = "patient",
        /// A caregiver writing for the patient (the author id is the caregiver's account).
        Caregiver = "caregiver",
    }
}

impl MessageAuthor {
    /// Whether the message comes from the practice's side of the thread.
    pub fn is_practice(self) -> bool {
        self == MessageAuthor::Staff
    }
}

const BODY_MAX: usize = 5000;
const SUBJECT_MAX: usize = 120;

/// Why a message or subject was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ThreadTextError {
    #[error("Write your message.")]
    EmptyMessage,
    #[error("Use at most 5000 characters.")]
    MessageTooLong,
    #[error("Say in a few words what this conversation is about.")]
    EmptySubject,
    #[error("Use at most 120 characters.")]
    SubjectTooLong,
    #[error("Remove the invisible control characters.")]
    ControlCharacters,
}

/// A message's words: trimmed, line breaks kept, at most 5000 characters. Health data: never
/// logged.
#[derive(Clone, PartialEq, Eq)]
pub struct MessageText(String);

impl MessageText {
    pub const LIMIT: TextLimit = TextLimit {
        typed: BODY_MAX * 4,
        told: BODY_MAX,
    };

    pub fn parse(input: &str) -> Result<MessageText, ThreadTextError> {
        let text = input.trim();
        if text.is_empty() {
            return Err(ThreadTextError::EmptyMessage);
        }
        if text.chars().count() > BODY_MAX {
            return Err(ThreadTextError::MessageTooLong);
        }
        if text
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
        {
            return Err(ThreadTextError::ControlCharacters);
        }
        Ok(MessageText(text.replace("\r\n", "\n")))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for MessageText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MessageText(***)")
    }
}

/// What a thread is about (the case): one line, at most 120 characters.
#[derive(Clone, PartialEq, Eq)]
pub struct ThreadSubject(String);

impl ThreadSubject {
    pub const LIMIT: TextLimit = TextLimit {
        typed: SUBJECT_MAX * 4,
        told: SUBJECT_MAX,
    };

    pub fn parse(input: &str) -> Result<ThreadSubject, ThreadTextError> {
        let text = input.split_whitespace().collect::<Vec<_>>().join(" ");
        if text.is_empty() {
            return Err(ThreadTextError::EmptySubject);
        }
        if text.chars().count() > SUBJECT_MAX {
            return Err(ThreadTextError::SubjectTooLong);
        }
        if text.chars().any(char::is_control) {
            return Err(ThreadTextError::ControlCharacters);
        }
        Ok(ThreadSubject(text))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ThreadSubject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ThreadSubject(***)")
    }
}

#[cfg(test)]
mod tests {
    use super::{MessageText, ThreadSubject, ThreadTextError};

    #[test]
    fn a_message_keeps_its_lines_and_is_never_logged() {
        let text = MessageText::parse("  Hello\r\nsee you Monday ").expect("a message");
        assert_eq!(text.expose(), "Hello\nsee you Monday");
        assert_eq!(format!("{text:?}"), "MessageText(***)");
        assert_eq!(
            MessageText::parse(" \n "),
            Err(ThreadTextError::EmptyMessage)
        );
        assert_eq!(
            MessageText::parse(&"a".repeat(5001)),
            Err(ThreadTextError::MessageTooLong)
        );
        assert_eq!(
            MessageText::parse("a\u{0}b"),
            Err(ThreadTextError::ControlCharacters)
        );
    }

    #[test]
    fn a_subject_is_one_line_of_at_most_120_characters() {
        let subject = ThreadSubject::parse(" Knee \n surgery ").expect("a subject");
        assert_eq!(subject.expose(), "Knee surgery");
        assert_eq!(
            ThreadSubject::parse("  "),
            Err(ThreadTextError::EmptySubject)
        );
        assert_eq!(
            ThreadSubject::parse(&"s".repeat(121)),
            Err(ThreadTextError::SubjectTooLong)
        );
    }
}
