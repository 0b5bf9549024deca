//! The practice's invitations a page at a time, as the front desk looks for them: filtered by
//! state (as people see it), provider, program and relation; searched by name, email, username
//! or phone digits, folding case and accents alike on both databases; in one of four orders;
//! with keyset cursors both ways, so a page's address can be bookmarked and stays fast however
//! deep it is. The read is audited, one event per invitation shown.

use std::collections::HashMap;

use portico_domain::{SearchQuery, SubjectKind};
use portico_store::invitations::{ListFilter, ListRow, Walk};
use portico_store::links;

use super::stored::{stored_relation, stored_state};
use super::*;
use crate::audit::Shown;
use crate::platform::cursor;

/// Filters for the list, as typed in the query string.
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
#[serde(default)]
pub struct ListQuery {
    /// Only invitations in this state (as people see it: an open invitation past its expiry is
    /// `expired`); blank for all.
    #[cfg_attr(
        feature = "openapi",
        param(value_type = Option<portico_domain::schema::OrBlank<InvitationState>>, inline)
    )]
    pub state: Option<String>,
    /// Words that start the patient's first or last name, email address or username, or digits
    /// of their phone number (its last four, say); case and accents do not matter, and every word
    /// must match. At most 4 words and 200 characters.
    #[cfg_attr(feature = "openapi", param(max_length = 200))]
    pub q: Option<String>,
    /// Only invitations for this provider (the provider's id).
    pub provider_id: Option<String>,
    /// Only invitations for this program (the program's id).
    pub program_id: Option<String>,
    /// Only invitations of this relation.
    #[cfg_attr(
        feature = "openapi",
        param(value_type = Option<portico_domain::schema::OrBlank<Relation>>, inline)
    )]
    pub relation: Option<String>,
    /// The order: `newest` first (default), `oldest` first, by last `name` A to Z, or
    /// `expiring`: open invitations only (draft, sent, delivered), the soonest to expire first.
    #[cfg_attr(
        feature = "openapi",
        param(value_type = Option<portico_domain::schema::OrBlank<ListOrder>>, inline)
    )]
    pub sort: Option<String>,
    /// Invitations a page, 1 to 200 (default 50).
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 200))]
    pub limit: Option<i64>,
    /// The `next_cursor` of a page, for the page after it (in the same order); any other text
    /// answers 422.
    pub cursor: Option<String>,
    /// The `previous_cursor` of a page, for the page before it; not with `cursor`.
    pub before: Option<String>,
}

/// The orders the list comes in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum ListOrder {
    Newest,
    Oldest,
    Name,
    Expiring,
}

impl ListOrder {
    pub const ALL: &'static [ListOrder] = &[
        ListOrder::Newest,
        ListOrder::Oldest,
        ListOrder::Name,
        ListOrder::Expiring,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ListOrder::Newest => "newest",
            ListOrder::Oldest => "oldest",
            ListOrder::Name => "name",
            ListOrder::Expiring => "expiring",
        }
    }

    pub fn parse(s: &str) -> Option<ListOrder> {
        ListOrder::ALL.iter().copied().find(|o| o.as_str() == s)
    }
}

/// One line of the list.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InvitationSummary {
    pub id: String,
    pub state: InvitationState,
    pub relation: Relation,
    pub first_name: String,
    pub last_name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// For a patient without email: the username they will sign in with.
    pub username: Option<String>,
    /// How it is sent; none when staff hand the code over in person.
    pub channels: Vec<Channel>,
    pub provider_id: Option<String>,
    pub program_id: Option<String>,
    pub expires_at: String,
    pub created_at: String,
}

#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = InvitationPage))]
pub struct Page {
    pub items: Vec<InvitationSummary>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
    /// Pass as `before` for the page before; absent on the first page.
    pub previous_cursor: Option<String>,
}

pub const DEFAULT_PAGE: i64 = 50;
pub const MAX_PAGE: i64 = 200;

const BAD_CURSOR: &str = "This page link is not one we gave out, or it belongs to another order; start from the first page.";

/// A row's place in an order: its sort key and its id.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Place {
    At(i64, String),
    Named(String, String),
}

impl Place {
    fn of(order: ListOrder, row: &ListRow) -> Place {
        let r = &row.invitation;
        match order {
            ListOrder::Newest | ListOrder::Oldest => Place::At(r.created_at, r.id.clone()),
            ListOrder::Name => Place::Named(row.sort_name.clone(), r.id.clone()),
            ListOrder::Expiring => Place::At(r.expires_at, r.id.clone()),
        }
    }

    /// The cursor text: the order, the id, then the key (which may hold any character).
    fn encode(&self, order: ListOrder) -> String {
        match self {
            Place::At(at, id) => cursor::encode(&[order.as_str(), id, &at.to_string()]),
            Place::Named(name, id) => cursor::encode(&[order.as_str(), id, name]),
        }
    }

    /// A cursor of `order`; `None` for anything else, a cursor of another order included.
    fn decode(text: &str, order: ListOrder) -> Option<Place> {
        let [of, id, key] = cursor::decode(text)?;
        if of != order.as_str() || id.is_empty() {
            return None;
        }
        Some(match order {
            ListOrder::Name => Place::Named(key, id),
            _ => Place::At(key.parse().ok()?, id),
        })
    }
}

/// The walk that lists `order` after `place`, or (`backwards`) before it, nearest first.
fn walk(order: ListOrder, place: Option<Place>, backwards: bool) -> Walk {
    let at = |p: Option<Place>| match p {
        Some(Place::At(key, id)) => Some((key, id)),
        _ => None,
    };
    let named = |p: Option<Place>| match p {
        Some(Place::Named(key, id)) => Some((key, id)),
        _ => None,
    };
    match (order, backwards) {
        (ListOrder::Newest, false) | (ListOrder::Oldest, true) => Walk::NewestFirst(at(place)),
        (ListOrder::Oldest, false) | (ListOrder::Newest, true) => Walk::OldestFirst(at(place)),
        (ListOrder::Name, false) => Walk::NameAz(named(place)),
        (ListOrder::Name, true) => Walk::NameZa(named(place)),
        (ListOrder::Expiring, false) => Walk::ExpiringFirst(at(place)),
        (ListOrder::Expiring, true) => Walk::ExpiringLast(at(place)),
    }
}

/// The query, read: what the store is asked and how the page is cut.
struct Asked {
    filter: ListFilter,
    order: ListOrder,
    limit: i64,
    /// The cursor the page starts after or ends before, and which of the two.
    from: Option<(Place, bool)>,
}

fn read_query(query: &ListQuery) -> Result<Asked, CoreError> {
    let mut errors = FieldErrors::new();
    let state = match blank_to_none(&query.state) {
        Some(s) => errors
            .take("state", InvitationState::parse(s))
            .map(|s| s.as_str().to_owned()),
        None => None,
    };
    let relation = match blank_to_none(&query.relation) {
        Some(r) => errors
            .take(
                "relation",
                Relation::parse(r).ok_or("Choose patient, household or caregiver."),
            )
            .map(|r| r.as_str().to_owned()),
        None => None,
    };
    let order = match blank_to_none(&query.sort) {
        Some(s) => errors.take(
            "sort",
            ListOrder::parse(s).ok_or("Sort by newest, oldest, name or expiring."),
        ),
        None => Some(ListOrder::Newest),
    };
    let search = match &query.q {
        Some(q) => errors.take("q", SearchQuery::parse(q)).flatten(),
        None => None,
    };
    let limit = query.limit.unwrap_or(DEFAULT_PAGE);
    if !(1..=MAX_PAGE).contains(&limit) {
        errors.add(
            "limit",
            format!("Ask for 1 to {MAX_PAGE} invitations a page."),
        );
    }
    let mut from = None;
    for (field, text, backwards) in [
        ("cursor", &query.cursor, false),
        ("before", &query.before, true),
    ] {
        let (Some(text), Some(order)) = (blank_to_none(text), order) else {
            continue;
        };
        if from.is_some() {
            errors.add(
                "before",
                "Ask for the page after a cursor or before one, not both.",
            );
        } else if let Some(place) = errors.take(field, Place::decode(text, order).ok_or(BAD_CURSOR))
        {
            from = Some((place, backwards));
        }
    }
    errors.into_result()?;
    let Some(order) = order else {
        return Err(CoreError::Internal("field errors were not recorded".into()));
    };
    let (place, backwards) = match from.clone() {
        Some((place, backwards)) => (Some(place), backwards),
        None => (None, false),
    };
    let filter = ListFilter {
        state,
        provider_id: blank_to_none(&query.provider_id).map(str::to_owned),
        program_id: blank_to_none(&query.program_id).map(str::to_owned),
        relation,
        needles: search.map_or_else(Vec::new, |s| {
            s.needles().into_iter().map(|n| n.prefixes()).collect()
        }),
        walk: walk(order, place, backwards),
        // One extra row tells whether another page follows.
        limit: limit + 1,
    };
    Ok(Asked {
        filter,
        order,
        limit,
        from,
    })
}

/// A page of the practice's invitations; the read is audited.
pub async fn list(core: &Core, actor: &StaffActor, query: &ListQuery) -> Result<Page, CoreError> {
    let now = core.now();
    let asked = read_query(query)?;
    let mut rows = store::list::list(
        core.store(),
        &actor.practice_id,
        &asked.filter,
        now.as_millis(),
    )
    .await?;
    let more = rows.len() as i64 > asked.limit;
    rows.truncate(asked.limit as usize);
    let backwards = matches!(asked.from, Some((_, true)));
    if backwards {
        rows.reverse();
    }
    let cursor = |row: Option<&ListRow>| row.map(|r| Place::of(asked.order, r).encode(asked.order));
    // Going forwards, the extra row means a next page and a cursor means a page before; going
    // backwards, the other way round.
    let (next_cursor, previous_cursor) = match (asked.from.is_some(), backwards) {
        (_, true) => (
            cursor(rows.last()),
            more.then(|| cursor(rows.first())).flatten(),
        ),
        (from_cursor, false) => (
            more.then(|| cursor(rows.last())).flatten(),
            from_cursor.then(|| cursor(rows.first())).flatten(),
        ),
    };
    audit_shown(core, actor, &rows).await?;
    let items = rows
        .into_iter()
        .map(|row| summary(row.invitation, now))
        .collect::<Result<_, CoreError>>()?;
    Ok(Page {
        items,
        next_cursor,
        previous_cursor,
    })
}

/// One event per invitation shown, naming its patient once it has one.
async fn audit_shown(core: &Core, actor: &StaffActor, rows: &[ListRow]) -> Result<(), CoreError> {
    let ids: Vec<&str> = rows.iter().map(|r| r.invitation.id.as_str()).collect();
    let patients: HashMap<String, String> =
        links::patients_of_invitations(core.store(), &actor.practice_id, &ids)
            .await?
            .into_iter()
            .collect();
    let shown: Vec<Shown> = ids
        .iter()
        .map(|id| Shown {
            kind: SubjectKind::Invitation,
            id,
            patient_id: patients.get(*id).map(String::as_str),
        })
        .collect();
    audit::staff_saw(core, actor, Action::InvitationsListed, &shown).await
}

pub(super) fn summary(r: InvitationRow, now: Timestamp) -> Result<InvitationSummary, CoreError> {
    Ok(InvitationSummary {
        state: stored_state(&r.state)?.effective(r.expires_at, now.as_millis()),
        relation: stored_relation(&r.relation)?,
        channels: Channel::split(&r.channels),
        id: r.id,
        first_name: r.first_name,
        last_name: r.last_name,
        email: r.email,
        phone: r.phone,
        username: r.username,
        provider_id: r.provider_id,
        program_id: r.program_id,
        expires_at: Timestamp::from_millis(r.expires_at).to_rfc3339(),
        created_at: Timestamp::from_millis(r.created_at).to_rfc3339(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_reads_back_only_in_its_own_order() {
        let place = Place::Named("lopez\u{1}maria:x".into(), "id-1".into());
        let text = place.encode(ListOrder::Name);
        assert_eq!(Place::decode(&text, ListOrder::Name), Some(place));
        assert_eq!(Place::decode(&text, ListOrder::Newest), None);
        let at = Place::At(1_795_000_000_000, "id-2".into());
        let text = at.encode(ListOrder::Expiring);
        assert_eq!(Place::decode(&text, ListOrder::Expiring), Some(at));
        assert_eq!(Place::decode("not a cursor", ListOrder::Newest), None);
    }
}
