//! What a record-keeping row is about: the kind of record an outbox message or an audit event
//! names next to its id. Stored as the words below; a word not listed here is refused when read.

use std::fmt;

/// The kinds of record that messages and audit events are about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SubjectKind {
    Practice,
    Provider,
    Staff,
    ApiToken,
    Terms,
    Program,
    Invitation,
    /// A registration in progress (before the account exists).
    Registration,
    /// A six-digit code sent to prove a phone number or recover an account.
    OneTimeCode,
    PatientLink,
    /// A practice's own wording of a message (kind and language).
    Template,
    /// A notice to staff about a sign-up.
    Notification,
}

/// A stored subject word that no [`SubjectKind`] has.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown subject kind {0:?}")]
pub struct UnknownSubjectKind(pub String);

impl SubjectKind {
    pub const ALL: [SubjectKind; 12] = [
        SubjectKind::Practice,
        SubjectKind::Provider,
        SubjectKind::Staff,
        SubjectKind::ApiToken,
        SubjectKind::Terms,
        SubjectKind::Program,
        SubjectKind::Invitation,
        SubjectKind::Registration,
        SubjectKind::OneTimeCode,
        SubjectKind::PatientLink,
        SubjectKind::Template,
        SubjectKind::Notification,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SubjectKind::Practice => "practice",
            SubjectKind::Provider => "provider",
            SubjectKind::Staff => "staff",
            SubjectKind::ApiToken => "api_token",
            SubjectKind::Terms => "terms",
            SubjectKind::Program => "program",
            SubjectKind::Invitation => "invitation",
            SubjectKind::Registration => "registration",
            SubjectKind::OneTimeCode => "one_time_code",
            SubjectKind::PatientLink => "patient_link",
            SubjectKind::Template => "template",
            SubjectKind::Notification => "notification",
        }
    }

    pub fn parse(stored: &str) -> Result<SubjectKind, UnknownSubjectKind> {
        SubjectKind::ALL
            .into_iter()
            .find(|kind| kind.as_str() == stored)
            .ok_or_else(|| UnknownSubjectKind(stored.to_owned()))
    }
}

impl fmt::Display for SubjectKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl serde::Serialize for SubjectKind {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_reads_back_from_its_stored_word_and_nothing_else_does() {
        for kind in SubjectKind::ALL {
            assert_eq!(SubjectKind::parse(kind.as_str()), Ok(kind));
        }
        assert!(SubjectKind::parse("Invitation").is_err());
        assert!(SubjectKind::parse("").is_err());
    }
}
