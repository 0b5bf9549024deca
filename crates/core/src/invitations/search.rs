//! What the list's search finds an invitation by: its folded terms and last-name sort key
//! (`portico_domain::search`), written in the transaction that inserts the invitation, so both
//! databases search the same bytes. Invitations made before the terms existed (migration 0011)
//! are indexed by [`index_unindexed`] when the service starts.

use portico_domain::{PhoneNumber, search};
use portico_store::invitations::search::{self as terms_store, Keys, Searchable};
use portico_store::{Store, Tx};

use crate::CoreError;

/// Writes what `row` is found and sorted by.
pub(super) async fn index(tx: &mut Tx, row: &Searchable) -> Result<(), CoreError> {
    // A stored number was parsed before it was stored; one that no longer parses is searched
    // by name and email only rather than failing the write.
    let phone = row
        .phone
        .as_deref()
        .and_then(|p| PhoneNumber::parse(p, None).ok());
    let terms = search::terms(
        &row.first_name,
        &row.last_name,
        row.email.as_deref(),
        row.username.as_deref(),
        phone.as_ref(),
    );
    let sort_name = search::sort_name(&row.first_name, &row.last_name);
    let keys = Keys {
        practice_id: &row.practice_id,
        invitation_id: &row.id,
        created_at: row.created_at,
        sort_name: &sort_name,
    };
    terms_store::index(tx, &keys, &terms).await?;
    Ok(())
}

/// How many invitations one transaction indexes at start-up.
const BATCH: i64 = 500;

/// Indexes every invitation that has no search terms yet, a batch per transaction; answers how
/// many. Run at start-up (after migrations): cheap when there are none, and safe on several
/// nodes at once (the terms of an invitation are the same whoever writes them).
pub async fn index_unindexed(store: &Store) -> Result<u64, CoreError> {
    let mut total = 0;
    loop {
        let rows = terms_store::unindexed(store, BATCH).await?;
        if rows.is_empty() {
            return Ok(total);
        }
        let mut tx = store.begin().await?;
        for row in &rows {
            index(&mut tx, row).await?;
        }
        tx.commit().await?;
        total += rows.len() as u64;
    }
}
