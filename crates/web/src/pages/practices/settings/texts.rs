//! The settings page's texts that patients read and agree to: the terms of use and the consent
//! text, each with its versions (when and by whom each was published) and the form that
//! publishes the next one (`terms::publish`, `consent::publish`, as the API calls them).

use portico_core::practices::staff::StaffMember;
use portico_core::registration::TextVersion;

use crate::platform::local_time::LocalTime;

/// One published version, as the page lists it.
pub(super) struct VersionRow {
    pub version: i64,
    /// "Built in", or when it was published.
    pub published: String,
    /// Who published it; empty for the built-in text.
    pub by: String,
    pub paragraphs: Vec<String>,
    /// The version patients are given now.
    pub in_force: bool,
}

/// The terms of use or the consent text on the settings page.
pub(super) struct TextSection {
    /// The version in force, in a sentence.
    pub current: String,
    /// What the text area holds: the text in force, or what was typed in a post that came back.
    pub draft: String,
    pub versions: Vec<VersionRow>,
}

impl TextSection {
    /// `history` newest first, as core answers it; `typed` is the text area's content from a
    /// post that came back.
    pub(super) fn new(
        history: Vec<TextVersion>,
        typed: Option<String>,
        staff: &[StaffMember],
        when: &LocalTime,
    ) -> TextSection {
        let name_of = |id: &str| {
            staff.iter().find(|m| m.id == id).map_or_else(
                || "a former staff member".to_owned(),
                |m| m.display_name.clone(),
            )
        };
        let versions: Vec<VersionRow> = history
            .iter()
            .enumerate()
            .map(|(i, v)| VersionRow {
                version: v.version,
                published: v
                    .published_at
                    .as_deref()
                    .map_or_else(|| "Built in".to_owned(), |at| when.at(at)),
                by: v.published_by.as_deref().map(name_of).unwrap_or_default(),
                paragraphs: v.paragraphs().into_iter().map(str::to_owned).collect(),
                in_force: i == 0,
            })
            .collect();
        let current = match versions.first() {
            Some(v) if v.by.is_empty() => format!(
                "Version {}: Portico's built-in text, until you publish your own.",
                v.version
            ),
            Some(v) => format!(
                "Version {}, published {} by {}.",
                v.version,
                lowercase_first(&v.published),
                v.by
            ),
            None => String::new(),
        };
        TextSection {
            current,
            draft: typed
                .unwrap_or_else(|| history.first().map(|v| v.body.clone()).unwrap_or_default()),
            versions,
        }
    }
}

/// "Today, 10:42 AM" reads "today, 10:42 AM" inside a sentence.
fn lowercase_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) if s.starts_with("Today") || s.starts_with("Yesterday") => {
            first.to_lowercase().chain(chars).collect()
        }
        _ => s.to_owned(),
    }
}
