//! Who a patient filter of the trail means: a patient linked to the practice (with the events
//! about them and about the invitations they registered with), or an invitation nobody has
//! registered with yet. Found by the words of a name, folded as the invitation search folds them
//! ("lopez" finds "López"), only among the practice's own people.

use portico_domain::SearchQuery;
use portico_domain::search::terms;
use portico_store::audit::trail::{self as stored, PersonRow};

use crate::platform::clock::Timestamp;
use crate::{Core, CoreError};

/// At most this many people are offered to choose from.
const MOST_OFFERED: usize = 20;

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum PersonKind {
    /// A patient with an account linked to the practice.
    Patient,
    /// An invitation of the practice that no one has registered with (yet).
    Invitation,
}

/// Someone the trail can be narrowed to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub kind: PersonKind,
    pub id: String,
    pub name: String,
    /// When they were invited or first linked (RFC 3339).
    pub since: String,
}

impl Person {
    /// What they are to the practice, in a few words.
    pub fn standing(&self) -> &'static str {
        match self.kind {
            PersonKind::Patient => "registered patient",
            PersonKind::Invitation => "invited, not registered",
        }
    }

    fn from_row(row: PersonRow) -> Option<Person> {
        let (kind, id) = match (row.patient_id, row.invitation_id) {
            (Some(id), _) => (PersonKind::Patient, id),
            (None, Some(id)) => (PersonKind::Invitation, id),
            (None, None) => return None,
        };
        Some(Person {
            kind,
            id,
            name: format!("{} {}", row.first_name, row.last_name),
            since: Timestamp::from_millis(row.since).to_rfc3339(),
        })
    }
}

/// The practice's people whose name has a word starting with each word of `query`, by name.
pub(super) async fn named(
    core: &Core,
    practice_id: &str,
    query: &SearchQuery,
) -> Result<Vec<Person>, CoreError> {
    // Names are looked for by their words; a needle that is only an address names no one.
    let Some(needles) = query
        .needles()
        .into_iter()
        .map(|n| n.word.as_deref())
        .collect::<Option<Vec<&str>>>()
    else {
        return Ok(Vec::new());
    };
    let Some(first) = needles.first() else {
        return Ok(Vec::new());
    };
    // The longest word through the invitations' search terms (an index range), then every word
    // against the names themselves; patients who registered on their own have no terms.
    let upper = format!("{first}\u{10FFFF}");
    let mut rows = stored::invitations_with_term(core.store(), practice_id, first, &upper).await?;
    rows.extend(stored::linked_patients(core.store(), practice_id).await?);
    let matches = |first: &str, last: &str| {
        let words = terms(first, last, None, None, None);
        needles
            .iter()
            .all(|n| words.iter().any(|w| w.starts_with(n)))
    };
    let mut people: Vec<Person> = rows
        .into_iter()
        .filter(|r| {
            matches(&r.first_name, &r.last_name)
                || matches(
                    r.invited_first_name.as_deref().unwrap_or_default(),
                    r.invited_last_name.as_deref().unwrap_or_default(),
                )
        })
        .filter_map(Person::from_row)
        .collect();
    people.sort_by(|a, b| (a.kind, &a.id).cmp(&(b.kind, &b.id)));
    // A patient invited twice is one person; keep the first time they were seen.
    people.dedup_by(|later, earlier| {
        if later.kind == earlier.kind && later.id == earlier.id {
            if later.since < earlier.since {
                earlier.since = later.since.clone();
            }
            true
        } else {
            false
        }
    });
    people.sort_by(|a, b| (&a.name, &a.since).cmp(&(&b.name, &b.since)));
    people.truncate(MOST_OFFERED);
    Ok(people)
}

/// One person of the practice by kind and id; `None` for anyone else (another practice's
/// patient reads exactly like an unknown id).
pub(super) async fn one(
    core: &Core,
    practice_id: &str,
    kind: PersonKind,
    id: &str,
) -> Result<Option<Person>, CoreError> {
    let (patient, invitation) = match kind {
        PersonKind::Patient => (Some(id), None),
        PersonKind::Invitation => (None, Some(id)),
    };
    let row = stored::person(core.store(), practice_id, patient, invitation).await?;
    Ok(row.and_then(Person::from_row))
}
