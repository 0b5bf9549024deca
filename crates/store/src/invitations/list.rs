//! The staff list of a practice's invitations: filters, a search through the folded terms of
//! `search`, and keyset pages in one of six walks (four orders, and the two by name and by expiry
//! backwards, for the page before a cursor; newest and oldest are each other's backwards).
//!
//! Each walk is its own statement, so each runs along its own index: `(practice_id, created_at,
//! id)`, `(practice_id, sort_name, id)` or `(practice_id, expires_at, id)`, stopping after
//! `limit` rows. A search starts from the terms instead: the invitations with a term that starts
//! with the first needle (a range on the terms' primary key), checked against each other needle
//! through `(invitation_id, term)`, then sorted — a search finds few rows, a walk many.

use super::InvitationRow;
use crate::platform::db::fetch;
use crate::{Exec, Result};

/// An order of the list, with where a page starts: after this sort key and id (`None`: from the
/// start of the walk).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Walk {
    NewestFirst(Option<(i64, String)>),
    OldestFirst(Option<(i64, String)>),
    /// By `sort_name` (folded last name, then first name).
    NameAz(Option<(String, String)>),
    NameZa(Option<(String, String)>),
    /// Open invitations only (draft, sent, delivered, expiry ahead), soonest to expire first.
    ExpiringFirst(Option<(i64, String)>),
    ExpiringLast(Option<(i64, String)>),
}

/// What to list.
#[derive(Debug, Clone)]
pub struct ListFilter {
    /// A state as staff see it (`expired` included: an open invitation past its expiry).
    pub state: Option<String>,
    pub provider_id: Option<String>,
    pub program_id: Option<String>,
    pub relation: Option<String>,
    /// Folded needles, none to four, the rarest first: each must start one of the invitation's
    /// terms.
    pub needles: Vec<String>,
    pub walk: Walk,
    pub limit: i64,
}

/// A line of the list: the invitation and its sort key (for the cursor of a walk by name).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ListRow {
    #[sqlx(flatten)]
    pub invitation: InvitationRow,
    pub sort_name: String,
}

/// The most needles a search takes; the statement has a slot for each.
pub const MAX_NEEDLES: usize = 4;

macro_rules! plain {
    () => {
        concat!(
            "SELECT ",
            columns!(),
            ", sort_name FROM invitations WHERE practice_id = $1"
        )
    };
}

// The first needle's invitations are found once (materialised, so neither planner walks the whole
// practice in order and probes the terms for each row); the other needles are checked for each of
// them. Unused slots repeat the first needle, which every candidate matches.
macro_rules! searched {
    () => {
        concat!(
            "WITH found AS MATERIALIZED (
               SELECT DISTINCT invitation_id FROM invitation_search_terms
               WHERE practice_id = $1 AND term >= $10 AND term < $11)
             SELECT ",
            columns!(),
            ", sort_name FROM found CROSS JOIN invitations
             WHERE invitations.id = found.invitation_id AND practice_id = $1",
            also!("$12", "$13"),
            also!("$14", "$15"),
            also!("$16", "$17")
        )
    };
}

macro_rules! also {
    ($from:literal, $to:literal) => {
        concat!(
            " AND EXISTS (SELECT 1 FROM invitation_search_terms t
               WHERE t.invitation_id = invitations.id AND t.term >= ",
            $from,
            " AND t.term < ",
            $to,
            ")"
        )
    };
}

// `$3` is now: an open invitation whose expiry has passed is listed as expired.
macro_rules! filters {
    () => {
        " AND ($2 IS NULL OR (CASE WHEN state IN ('draft', 'sent', 'delivered') AND expires_at <= $3
                                   THEN 'expired' ELSE state END) = $2)
          AND ($4 IS NULL OR provider_id = $4)
          AND ($5 IS NULL OR program_id = $5)
          AND ($6 IS NULL OR relation = $6)"
    };
}

macro_rules! open {
    () => {
        " AND state IN ('draft', 'sent', 'delivered') AND expires_at > $3"
    };
}

/// A page of a practice's invitations. `now` decides which open ones have expired.
pub async fn list(
    db: impl Into<Exec<'_>>,
    practice_id: &str,
    filter: &ListFilter,
    now: i64,
) -> Result<Vec<ListRow>> {
    let f = filter;
    // A needle's range: the terms that start with it. U+10FFFF sorts after every character (its
    // UTF-8 bytes are the highest), on SQLite and on PostgreSQL's "C" collation alike.
    let mut ranges: Vec<(String, String)> = f
        .needles
        .iter()
        .take(MAX_NEEDLES)
        .map(|n| (n.clone(), format!("{n}\u{10FFFF}")))
        .collect();
    if let Some(first) = ranges.first().cloned() {
        ranges.resize(MAX_NEEDLES, first);
    }
    // Runs one walk's statement, with the search's head when there are needles.
    macro_rules! page {
        ($walk:expr, $key:expr, $id:expr) => {
            if ranges.is_empty() {
                fetch!(db, fetch_all, concat!(plain!(), filters!(), $walk);
                    practice_id, &f.state, now, &f.provider_id, &f.program_id, &f.relation,
                    $key, $id, f.limit)
            } else {
                let r = &ranges;
                fetch!(db, fetch_all, concat!(searched!(), filters!(), $walk);
                    practice_id, &f.state, now, &f.provider_id, &f.program_id, &f.relation,
                    $key, $id, f.limit, &r[0].0, &r[0].1, &r[1].0, &r[1].1, &r[2].0, &r[2].1,
                    &r[3].0, &r[3].1)
            }
        };
    }
    // Each walk starts before its first row: a key no row has, on the near side.
    let rows = match &f.walk {
        Walk::NewestFirst(after) => {
            let (key, id) = after.clone().unwrap_or((i64::MAX, String::new()));
            page!(
                " AND (created_at, id) < ($7, $8) ORDER BY created_at DESC, id DESC LIMIT $9",
                key,
                id
            )
        }
        Walk::OldestFirst(after) => {
            let (key, id) = after.clone().unwrap_or((i64::MIN, String::new()));
            page!(
                " AND (created_at, id) > ($7, $8) ORDER BY created_at, id LIMIT $9",
                key,
                id
            )
        }
        Walk::NameAz(after) => {
            let (key, id) = after.clone().unwrap_or_default();
            page!(
                " AND (sort_name, id) > ($7, $8) ORDER BY sort_name, id LIMIT $9",
                key,
                id
            )
        }
        Walk::NameZa(after) => {
            let (key, id) = after
                .clone()
                .unwrap_or(("\u{10FFFF}".to_owned(), String::new()));
            page!(
                " AND (sort_name, id) < ($7, $8) ORDER BY sort_name DESC, id DESC LIMIT $9",
                key,
                id
            )
        }
        Walk::ExpiringFirst(after) => {
            let (key, id) = after.clone().unwrap_or((i64::MIN, String::new()));
            page!(
                concat!(
                    open!(),
                    " AND (expires_at, id) > ($7, $8) ORDER BY expires_at, id LIMIT $9"
                ),
                key,
                id
            )
        }
        Walk::ExpiringLast(after) => {
            let (key, id) = after.clone().unwrap_or((i64::MAX, String::new()));
            page!(
                concat!(
                    open!(),
                    " AND (expires_at, id) < ($7, $8) ORDER BY expires_at DESC, id DESC LIMIT $9"
                ),
                key,
                id
            )
        }
    }?;
    Ok(rows)
}
