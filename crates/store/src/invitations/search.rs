//! The folded terms an invitation is found by and the key it sorts by last name with (migration
//! 0011). The caller folds them (`portico_domain::search`); this module only stores them, in the
//! transaction that inserts the invitation, and finds invitations that have none yet (those
//! made before 0011), for the service to index when it starts.

use crate::platform::db::{execute, fetch};
use crate::{Backend, Exec, Result, Tx};

/// Writes an invitation's sort key and its search terms. Writing the same terms twice is
/// harmless (two nodes indexing old rows at once), so the write needs no lock.
pub async fn index(
    tx: &mut Tx,
    practice_id: &str,
    invitation_id: &str,
    sort_name: &str,
    terms: &[String],
) -> Result<()> {
    execute!(&mut *tx,
        "UPDATE invitations SET sort_name = $3 WHERE practice_id = $1 AND id = $2";
        practice_id, invitation_id, sort_name)?;
    if terms.is_empty() {
        return Ok(());
    }
    // The terms travel as one JSON array, which each database unpacks its own way: one
    // statement per invitation, however many terms it has.
    let json = serde_json::to_string(terms).expect("strings serialise");
    let sql = match tx.backend() {
        // `WHERE true` tells SQLite's parser that `ON CONFLICT` is the upsert clause.
        Backend::Sqlite => {
            "INSERT INTO invitation_search_terms (practice_id, term, invitation_id)
             SELECT $1, value, $2 FROM json_each($3) WHERE true ON CONFLICT DO NOTHING"
        }
        Backend::Postgres => {
            "INSERT INTO invitation_search_terms (practice_id, term, invitation_id)
             SELECT $1, t, $2 FROM jsonb_array_elements_text($3::jsonb) AS t
             ON CONFLICT DO NOTHING"
        }
    };
    execute!(&mut *tx, sql; practice_id, invitation_id, &json)?;
    Ok(())
}

/// What an invitation is found by, as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Searchable {
    pub id: String,
    pub practice_id: String,
    pub first_name: String,
    pub last_name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub username: Option<String>,
}

/// Up to `limit` invitations not indexed yet (their sort key is still empty).
pub async fn unindexed(db: impl Into<Exec<'_>>, limit: i64) -> Result<Vec<Searchable>> {
    Ok(fetch!(db, fetch_all,
        "SELECT id, practice_id, first_name, last_name, email, phone, username
         FROM invitations WHERE sort_name = '' LIMIT $1";
        limit)?)
}
