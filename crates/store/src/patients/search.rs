//! The folded terms a practice's staff find a patient by, and the key the list sorts by (migration
//! 0016). The caller folds them (`portico_domain::search`); this module stores them, for one
//! practice at a time, in the transaction that links the patient to it; finds the patients of a
//! practice whose terms match a search; and finds patients not indexed yet (registered before
//! 0016), for the service to index when it starts.

use crate::platform::db::{execute, fetch, run};
use crate::{Backend, Exec, Result, Tx};

/// Writes a patient's sort key and their search terms in one practice. Writing the same terms
/// twice is harmless (a second link to the practice, two nodes indexing at once).
pub async fn index(
    tx: &mut Tx,
    practice_id: &str,
    patient_id: &str,
    sort_name: &str,
    terms: &[String],
) -> Result<()> {
    execute!(&mut *tx, "UPDATE patients SET sort_name = $2 WHERE id = $1";
        patient_id, sort_name)?;
    if terms.is_empty() {
        return Ok(());
    }
    // The terms travel as one JSON array, which each database unpacks its own way.
    let json = serde_json::to_string(terms).expect("strings serialise");
    let sql = match tx.backend() {
        // `WHERE true` tells SQLite's parser that `ON CONFLICT` is the upsert clause.
        Backend::Sqlite => {
            "INSERT INTO patient_search_terms (practice_id, term, patient_id)
             SELECT $1, value, $2 FROM json_each($3) WHERE true ON CONFLICT DO NOTHING"
        }
        Backend::Postgres => {
            "INSERT INTO patient_search_terms (practice_id, term, patient_id)
             SELECT $1, t, $2 FROM jsonb_array_elements_text($3::jsonb) AS t
             ON CONFLICT DO NOTHING"
        }
    };
    execute!(&mut *tx, sql; practice_id, patient_id, &json)?;
    Ok(())
}

/// The most needles a search takes.
pub const MAX_NEEDLES: usize = 4;

// One needle's matches: its two ranges (`$from`–`$to`, `$from2`–`$to2`) of the primary key;
// `$1` is the practice.
macro_rules! needle {
    ($from:literal, $to:literal, $from2:literal, $to2:literal) => {
        concat!(
            "SELECT patient_id FROM patient_search_terms WHERE practice_id = $1 AND ((term >= ",
            $from,
            " AND term < ",
            $to,
            ") OR (term >= ",
            $from2,
            " AND term < ",
            $to2,
            "))"
        )
    };
}

/// The patients of the practice that match every needle (each one or two prefixes; needles past
/// [`MAX_NEEDLES`] are ignored), in no order: the needles' matches intersected as sets.
pub async fn matching(
    db: impl Into<Exec<'_>>,
    practice_id: &str,
    needles: &[Vec<String>],
) -> Result<Vec<String>> {
    let needles = &needles[..needles.len().min(MAX_NEEDLES)];
    if needles.is_empty() {
        return Ok(Vec::new());
    }
    // Each needle is two ranges `[from, to)`, the second empty when it has one prefix. U+10FFFF
    // sorts after every character (its UTF-8 bytes are the highest) on both databases.
    let mut bounds: Vec<String> = Vec::with_capacity(needles.len() * 4);
    for prefixes in needles {
        for i in 0..2 {
            match prefixes.get(i) {
                Some(p) => bounds.extend([p.clone(), format!("{p}\u{10FFFF}")]),
                None => bounds.extend([String::new(), String::new()]),
            }
        }
    }
    const ONE: &str = needle!("$2", "$3", "$4", "$5");
    const TWO: &str = concat!(
        needle!("$2", "$3", "$4", "$5"),
        " INTERSECT ",
        needle!("$6", "$7", "$8", "$9")
    );
    const THREE: &str = concat!(
        needle!("$2", "$3", "$4", "$5"),
        " INTERSECT ",
        needle!("$6", "$7", "$8", "$9"),
        " INTERSECT ",
        needle!("$10", "$11", "$12", "$13")
    );
    const FOUR: &str = concat!(
        needle!("$2", "$3", "$4", "$5"),
        " INTERSECT ",
        needle!("$6", "$7", "$8", "$9"),
        " INTERSECT ",
        needle!("$10", "$11", "$12", "$13"),
        " INTERSECT ",
        needle!("$14", "$15", "$16", "$17")
    );
    let sql = [ONE, TWO, THREE, FOUR][needles.len() - 1];
    let rows: Vec<(String,)> = run!(db, |c| {
        let mut query = sqlx::query_as(sql).bind(practice_id);
        for b in &bounds {
            query = query.bind(b);
        }
        query.fetch_all(c).await
    })?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

/// What a patient is found by, as stored, with a practice they are linked to.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Searchable {
    pub patient_id: String,
    pub practice_id: String,
    pub first_name: String,
    pub last_name: String,
    pub email: Option<String>,
    pub username: Option<String>,
    pub phone: String,
}

/// The practices of up to `limit` patients not indexed yet (their sort key is still empty): one
/// row per patient and practice.
pub async fn unindexed(db: impl Into<Exec<'_>>, limit: i64) -> Result<Vec<Searchable>> {
    Ok(fetch!(db, fetch_all,
        "SELECT DISTINCT pt.id AS patient_id, l.practice_id, pt.first_name, pt.last_name,
                pt.email, pt.username, pt.phone
         FROM (SELECT id FROM patients WHERE sort_name = ''
               AND EXISTS (SELECT 1 FROM patient_links l WHERE l.patient_id = patients.id)
               LIMIT $1) AS todo
         JOIN patients pt ON pt.id = todo.id
         JOIN patient_links l ON l.patient_id = pt.id";
        limit)?)
}

/// What one patient is found by in one practice.
pub async fn searchable(
    db: impl Into<Exec<'_>>,
    practice_id: &str,
    patient_id: &str,
) -> Result<Option<Searchable>> {
    Ok(fetch!(db, fetch_optional,
        "SELECT id AS patient_id, $1 AS practice_id, first_name, last_name, email, username, phone
         FROM patients WHERE id = $2";
        practice_id, patient_id)?)
}
