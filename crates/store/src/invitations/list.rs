//! The staff list of a practice's invitations: filters, a search through the folded terms of
//! `search`, and keyset pages in one of six walks (four orders, and the two by name and by expiry
//! backwards, for the page before a cursor; newest and oldest are each other's backwards).
//!
//! Without a search, each walk is its own statement along its own index (`(practice_id,
//! created_at, id)`, `(practice_id, sort_name, id)`, `(practice_id, expires_at, id)`, or
//! `(practice_id, state, created_at, id)` for a rare state), stopping after `limit` rows. With a
//! search, the terms give the matching invitations with their sort keys (`search::candidates`);
//! they are ordered and cut at the cursor here, and only the rows of the page are read, a few
//! hundred ids at a time while the filters leave too few. Reading every match from `invitations`
//! to sort it instead made a common surname cost a scan of the practice on PostgreSQL.
//!
//! Ids and sort keys of a search are ordered by their bytes, as SQLite and PostgreSQL's "C"
//! collation order them; a search's cursor is only ever read by the same search.

use std::collections::HashMap;

use super::InvitationRow;
use super::search::{self, Candidate};
use crate::platform::db::fetch;
use crate::{Backend, Exec, Result};

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
    /// Folded needles, none to four, each one or two prefixes: every needle must start one of
    /// the invitation's terms with one of its prefixes.
    pub needles: Vec<Vec<String>>,
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

macro_rules! plain {
    () => {
        concat!(
            "SELECT ",
            columns!(),
            ", sort_name FROM invitations WHERE practice_id = $1"
        )
    };
}

// `$3` is now: an open invitation whose expiry has passed is listed as expired. The state is
// compared as stored (`state = $2`), not through an expression, so that PostgreSQL can walk
// `invitations_by_state` for a rare state (a practice's few locked invitations).
macro_rules! filters {
    () => {
        " AND ($2 IS NULL
               OR (state = $2 AND (state NOT IN ('draft', 'sent', 'delivered') OR expires_at > $3))
               OR ($2 = 'expired' AND state IN ('draft', 'sent', 'delivered') AND expires_at <= $3))
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
    if !f.needles.is_empty() {
        return searched(db.into(), practice_id, f, now).await;
    }
    // Runs one walk's statement.
    macro_rules! page {
        ($walk:expr, $key:expr, $id:expr) => {
            fetch!(db, fetch_all, concat!(plain!(), filters!(), $walk);
                practice_id, &f.state, now, &f.provider_id, &f.program_id, &f.relation,
                $key, $id, f.limit)
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

/// How many matches are read from `invitations` at a time when filters may leave some out.
const READ_AHEAD: usize = 500;

/// A page of a search: the matches ordered and cut here, then their rows read a chunk at a time
/// until the page is full. An order by expiry needs each match's expiry (which changes with a
/// re-send, so the terms do not carry it): then every open match is read, and sorted here.
async fn searched(
    mut db: Exec<'_>,
    practice_id: &str,
    f: &ListFilter,
    now: i64,
) -> Result<Vec<ListRow>> {
    let mut found = search::candidates(db.reborrow(), practice_id, &f.needles).await?;
    let limit = usize::try_from(f.limit).unwrap_or(0);
    // Keys borrow: a search may match thousands, and sorting them must not copy an id per
    // comparison.
    fn by_created(c: &Candidate) -> (i64, &str) {
        (c.created_at, &c.invitation_id)
    }
    fn by_name(c: &Candidate) -> (&str, &str) {
        (&c.sort_name, &c.invitation_id)
    }
    match &f.walk {
        Walk::NewestFirst(after) => {
            found.sort_unstable_by(|a, b| by_created(b).cmp(&by_created(a)));
            let after = after.as_ref().map(|(k, id)| (*k, id.as_str()));
            found.retain(|c| after.is_none_or(|a| by_created(c) < a));
        }
        Walk::OldestFirst(after) => {
            found.sort_unstable_by(|a, b| by_created(a).cmp(&by_created(b)));
            let after = after.as_ref().map(|(k, id)| (*k, id.as_str()));
            found.retain(|c| after.is_none_or(|a| by_created(c) > a));
        }
        Walk::NameAz(after) => {
            found.sort_unstable_by(|a, b| by_name(a).cmp(&by_name(b)));
            let after = after.as_ref().map(|(k, id)| (k.as_str(), id.as_str()));
            found.retain(|c| after.is_none_or(|a| by_name(c) > a));
        }
        Walk::NameZa(after) => {
            found.sort_unstable_by(|a, b| by_name(b).cmp(&by_name(a)));
            let after = after.as_ref().map(|(k, id)| (k.as_str(), id.as_str()));
            found.retain(|c| after.is_none_or(|a| by_name(c) < a));
        }
        Walk::ExpiringFirst(after) | Walk::ExpiringLast(after) => {
            let soonest_first = matches!(f.walk, Walk::ExpiringFirst(_));
            let mut rows = Vec::new();
            for chunk in found.chunks(READ_AHEAD) {
                rows.extend(read(db.reborrow(), practice_id, f, now, chunk, true).await?);
            }
            let key = |r: &ListRow| (r.invitation.expires_at, r.invitation.id.clone());
            rows.retain(|r| {
                after.as_ref().is_none_or(|a| {
                    if soonest_first {
                        key(r) > *a
                    } else {
                        key(r) < *a
                    }
                })
            });
            rows.sort_by_key(key);
            if !soonest_first {
                rows.reverse();
            }
            rows.truncate(limit);
            return Ok(rows);
        }
    }
    let filtered = f.state.is_some()
        || f.provider_id.is_some()
        || f.program_id.is_some()
        || f.relation.is_some();
    let chunk_size = if filtered { READ_AHEAD } else { limit.max(1) };
    let mut rows = Vec::with_capacity(limit);
    for chunk in found.chunks(chunk_size) {
        let mut read_rows: HashMap<String, ListRow> =
            read(db.reborrow(), practice_id, f, now, chunk, false)
                .await?
                .into_iter()
                .map(|r| (r.invitation.id.clone(), r))
                .collect();
        for c in chunk {
            if let Some(row) = read_rows.remove(&c.invitation_id) {
                rows.push(row);
                if rows.len() == limit {
                    return Ok(rows);
                }
            }
        }
    }
    Ok(rows)
}

/// The rows of these matches that pass the filters (only open ones with `open_only`), in no
/// order. The ids travel as one JSON array, which each database unpacks its own way; the list
/// drives the statement (`CROSS JOIN` keeps it outermost on SQLite), one look-up by id each,
/// where `id IN (…)` had SQLite walk the whole practice and test each row against the list.
async fn read(
    db: Exec<'_>,
    practice_id: &str,
    f: &ListFilter,
    now: i64,
    matches: &[Candidate],
    open_only: bool,
) -> Result<Vec<ListRow>> {
    let ids: Vec<&str> = matches.iter().map(|c| c.invitation_id.as_str()).collect();
    let ids = serde_json::to_string(&ids).expect("strings serialise");
    macro_rules! by_id {
        ($ids:literal) => {
            concat!(
                "SELECT ",
                columns!(),
                ", sort_name FROM (",
                $ids,
                ") AS wanted CROSS JOIN invitations
                 WHERE invitations.id = wanted.invitation_id AND practice_id = $1",
                filters!()
            )
        };
    }
    const SQLITE: &str = by_id!("SELECT value AS invitation_id FROM json_each($7)");
    const POSTGRES: &str = by_id!("SELECT jsonb_array_elements_text($7::jsonb) AS invitation_id");
    const SQLITE_OPEN: &str = concat!(
        by_id!("SELECT value AS invitation_id FROM json_each($7)"),
        open!()
    );
    const POSTGRES_OPEN: &str = concat!(
        by_id!("SELECT jsonb_array_elements_text($7::jsonb) AS invitation_id"),
        open!()
    );
    let sql = match (db.backend(), open_only) {
        (Backend::Sqlite, false) => SQLITE,
        (Backend::Postgres, false) => POSTGRES,
        (Backend::Sqlite, true) => SQLITE_OPEN,
        (Backend::Postgres, true) => POSTGRES_OPEN,
    };
    Ok(fetch!(db, fetch_all, sql;
        practice_id, &f.state, now, &f.provider_id, &f.program_id, &f.relation, &ids)?)
}
