//! What staff find a patient by in their practice's list (`patients`): the folded terms and
//! last-name sort key of `portico_domain::search`, written for a practice in the transaction that
//! links the patient to it — which is why they live with the links. Patients registered before
//! the terms existed (migration 0016) are indexed by [`index_unindexed`] when the service starts.

use portico_domain::{PhoneNumber, search};
use portico_store::patients::search::{self as terms_store, Searchable};
use portico_store::{Store, Tx};

use crate::CoreError;

/// Writes what the patient is found and sorted by in one practice's list.
pub(crate) async fn index(tx: &mut Tx, row: &Searchable) -> Result<(), CoreError> {
    // A stored number was parsed before it was stored; one that no longer parses is searched
    // by name and contact points only rather than failing the write.
    let phone = PhoneNumber::parse(&row.phone, None).ok();
    let terms = search::terms(
        &row.first_name,
        &row.last_name,
        row.email.as_deref(),
        row.username.as_deref(),
        phone.as_ref(),
    );
    let sort_name = search::sort_name(&row.first_name, &row.last_name);
    terms_store::index(tx, &row.practice_id, &row.patient_id, &sort_name, &terms).await?;
    Ok(())
}

/// How many patients one transaction indexes at start-up.
const BATCH: i64 = 500;

/// Indexes every patient who has no sort key yet, in each practice they are linked to, a batch
/// per transaction; answers how many patients. Safe on several nodes at once.
pub async fn index_unindexed(store: &Store) -> Result<u64, CoreError> {
    let mut total = 0;
    loop {
        let rows = terms_store::unindexed(store, BATCH).await?;
        if rows.is_empty() {
            return Ok(total);
        }
        let mut tx = store.begin().await?;
        let mut patients = std::collections::HashSet::new();
        for row in &rows {
            index(&mut tx, row).await?;
            patients.insert(row.patient_id.clone());
        }
        tx.commit().await?;
        total += patients.len() as u64;
    }
}

/// Makes the patient findable in the practice's list, inside the transaction that links them.
pub(crate) async fn index_in_practice(
    tx: &mut Tx,
    practice_id: &str,
    patient_id: &str,
) -> Result<(), CoreError> {
    let row = terms_store::searchable(&mut *tx, practice_id, patient_id)
        .await?
        .ok_or_else(|| CoreError::Internal("the linked patient is missing".into()))?;
    index(tx, &row).await
}
