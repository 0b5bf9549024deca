//! What the terms of use and the consent text have in common: a practice publishes numbered
//! versions of a plain text (the built-in text is version 1), patients are given the newest, and
//! admins read every version with when and by whom it was published.

use crate::platform::clock::Timestamp;
use crate::{CoreError, FieldErrors};

/// One version of a practice's terms of use or consent text, as admins read the history.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TextVersion {
    pub version: i64,
    /// Plain text; blank lines separate paragraphs.
    pub body: String,
    /// When it was published (RFC 3339); absent for the built-in text.
    pub published_at: Option<String>,
    /// The staff account that published it; absent for the built-in text.
    pub published_by: Option<String>,
}

impl TextVersion {
    /// The built-in text every practice starts with, as version 1.
    pub(crate) fn built_in(body: String) -> TextVersion {
        TextVersion {
            version: 1,
            body,
            published_at: None,
            published_by: None,
        }
    }

    pub(crate) fn published(
        version: i64,
        body: String,
        published_at: i64,
        published_by: String,
    ) -> TextVersion {
        TextVersion {
            version,
            body,
            published_at: Some(Timestamp::from_millis(published_at).to_rfc3339()),
            published_by: Some(published_by),
        }
    }

    pub fn paragraphs(&self) -> Vec<&str> {
        paragraphs(&self.body)
    }
}

/// A text as paragraphs (split on blank lines), for pages.
pub fn paragraphs(body: &str) -> Vec<&str> {
    body.split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect()
}

/// A text as it is published: line ends made alike, surrounding whitespace trimmed, not empty
/// and at most `max` characters. `what` names it in the messages ("the terms of use").
pub(crate) fn clean_body(body: &str, max: usize, what: &str) -> Result<String, CoreError> {
    let body = body.replace("\r\n", "\n");
    let body = body.trim();
    if body.is_empty() {
        return Err(FieldErrors::single("body", format!("Enter the text of {what}.")).into());
    }
    if body.chars().count() > max {
        return Err(
            FieldErrors::single("body", format!("Keep {what} under {max} characters.")).into(),
        );
    }
    Ok(body.to_owned())
}

/// The whole history: the published versions (newest first), then the built-in text, which
/// was in force until the first one.
pub(crate) fn with_built_in(mut published: Vec<TextVersion>, built_in: String) -> Vec<TextVersion> {
    published.push(TextVersion::built_in(built_in));
    published
}
