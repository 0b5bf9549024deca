//! The folded terms an invitation is found by and the key it sorts by last name with (migration
//! 0011). The caller folds them (`portico_domain::search`); this module stores them, in the
//! transaction that inserts the invitation; finds the invitations whose terms match a search
//! (for `list`, which pages them); and finds invitations that have no terms yet (those made
//! before 0011), for the service to index when it starts.

use crate::platform::db::{execute, fetch, run};
use crate::{Backend, Exec, Result, Tx};

/// What an invitation is sorted by, beside its id: written into each of its terms too.
#[derive(Debug, Clone)]
pub struct Keys<'a> {
    pub practice_id: &'a str,
    pub invitation_id: &'a str,
    pub created_at: i64,
    pub sort_name: &'a str,
}

/// Writes an invitation's sort key and its search terms. Writing the same terms twice is
/// harmless (two nodes indexing old rows at once), so the write needs no lock.
pub async fn index(tx: &mut Tx, keys: &Keys<'_>, terms: &[String]) -> Result<()> {
    execute!(&mut *tx,
        "UPDATE invitations SET sort_name = $3 WHERE practice_id = $1 AND id = $2";
        keys.practice_id, keys.invitation_id, keys.sort_name)?;
    if terms.is_empty() {
        return Ok(());
    }
    // The terms travel as one JSON array, which each database unpacks its own way: one
    // statement per invitation, however many terms it has.
    let json = serde_json::to_string(terms).expect("strings serialise");
    let sql = match tx.backend() {
        // `WHERE true` tells SQLite's parser that `ON CONFLICT` is the upsert clause.
        Backend::Sqlite => {
            "INSERT INTO invitation_search_terms
                 (practice_id, term, invitation_id, created_at, sort_name)
             SELECT $1, value, $2, $3, $4 FROM json_each($5) WHERE true ON CONFLICT DO NOTHING"
        }
        Backend::Postgres => {
            "INSERT INTO invitation_search_terms
                 (practice_id, term, invitation_id, created_at, sort_name)
             SELECT $1, t, $2, $3, $4 FROM jsonb_array_elements_text($5::jsonb) AS t
             ON CONFLICT DO NOTHING"
        }
    };
    execute!(&mut *tx, sql;
        keys.practice_id, keys.invitation_id, keys.created_at, keys.sort_name, &json)?;
    Ok(())
}

/// An invitation a search matched, with what the list sorts by.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Candidate {
    pub invitation_id: String,
    pub created_at: i64,
    pub sort_name: String,
}

/// The most needles a search takes.
pub const MAX_NEEDLES: usize = 4;

// One needle's matches: its two ranges (`$from`–`$to`, `$from2`–`$to2`) of the primary key;
// `$1` is the practice.
macro_rules! matching {
    ($from:literal, $to:literal, $from2:literal, $to2:literal) => {
        concat!(
            "SELECT * FROM (
                 SELECT invitation_id, created_at, sort_name FROM invitation_search_terms
                 WHERE practice_id = $1 AND term >= ",
            $from,
            " AND term < ",
            $to,
            " UNION ALL
                 SELECT invitation_id, created_at, sort_name FROM invitation_search_terms
                 WHERE practice_id = $1 AND term >= ",
            $from2,
            " AND term < ",
            $to2,
            ") AS m"
        )
    };
}

/// The invitations of the practice that match every needle (one to four; more are ignored), in
/// no order: a needle matches a term that starts with one of its prefixes (one or two), and the
/// needles' matches are intersected as sets, without touching `invitations`.
pub async fn candidates(
    db: impl Into<Exec<'_>>,
    practice_id: &str,
    needles: &[Vec<String>],
) -> Result<Vec<Candidate>> {
    let needles = &needles[..needles.len().min(MAX_NEEDLES)];
    if needles.is_empty() {
        return Ok(Vec::new());
    }
    // Each needle is two ranges `[from, to)`, the second empty when it has one prefix. U+10FFFF
    // sorts after every character (its UTF-8 bytes are the highest), on SQLite and on
    // PostgreSQL's "C" collation alike.
    let mut bounds: Vec<String> = Vec::with_capacity(needles.len() * 4);
    for prefixes in needles {
        for i in 0..2 {
            match prefixes.get(i) {
                Some(p) => bounds.extend([p.clone(), format!("{p}\u{10FFFF}")]),
                None => bounds.extend([String::new(), String::new()]),
            }
        }
    }
    const ONE: &str = concat!(
        "SELECT DISTINCT * FROM (",
        matching!("$2", "$3", "$4", "$5"),
        ") AS one"
    );
    const TWO: &str = concat!(
        matching!("$2", "$3", "$4", "$5"),
        " INTERSECT ",
        matching!("$6", "$7", "$8", "$9")
    );
    const THREE: &str = concat!(
        matching!("$2", "$3", "$4", "$5"),
        " INTERSECT ",
        matching!("$6", "$7", "$8", "$9"),
        " INTERSECT ",
        matching!("$10", "$11", "$12", "$13")
    );
    const FOUR: &str = concat!(
        matching!("$2", "$3", "$4", "$5"),
        " INTERSECT ",
        matching!("$6", "$7", "$8", "$9"),
        " INTERSECT ",
        matching!("$10", "$11", "$12", "$13"),
        " INTERSECT ",
        matching!("$14", "$15", "$16", "$17")
    );
    let sql = [ONE, TWO, THREE, FOUR][needles.len() - 1];
    Ok(run!(db, |c| {
        let mut query = sqlx::query_as(sql).bind(practice_id);
        for b in &bounds {
            query = query.bind(b);
        }
        query.fetch_all(c).await
    })?)
}

/// What an invitation is found by, as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Searchable {
    pub id: String,
    pub practice_id: String,
    pub created_at: i64,
    pub first_name: String,
    pub last_name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub username: Option<String>,
}

/// Up to `limit` invitations not indexed yet (their sort key is still empty).
pub async fn unindexed(db: impl Into<Exec<'_>>, limit: i64) -> Result<Vec<Searchable>> {
    Ok(fetch!(db, fetch_all,
        "SELECT id, practice_id, created_at, first_name, last_name, email, phone, username
         FROM invitations WHERE sort_name = '' LIMIT $1";
        limit)?)
}
