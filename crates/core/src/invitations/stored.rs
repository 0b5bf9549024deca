//! The words an invitation row stores, read back into their types. A word this version does not
//! know is a corrupt row, never read as some default. Shared by every view of invitations (one
//! invitation, the list, the follow-ups, re-send), so none of them imports another.

use portico_domain::{InvitationState, Relation};

use crate::CoreError;
use crate::delivery::templates::Language;

pub(super) fn stored_state(s: &str) -> Result<InvitationState, CoreError> {
    InvitationState::parse(s).map_err(|_| CoreError::Internal("stored state is unknown".into()))
}

/// The relation of a stored invitation; a word this version does not know is a corrupt row,
/// never read as some default.
pub(super) fn stored_relation(s: &str) -> Result<Relation, CoreError> {
    Relation::parse(s).ok_or_else(|| CoreError::Internal("stored relation is unknown".into()))
}

/// The language of a stored invitation, refused like [`stored_relation`] when unknown.
pub(super) fn stored_language(s: &str) -> Result<Language, CoreError> {
    Language::parse(s).ok_or_else(|| CoreError::Internal("stored language is unknown".into()))
}
