//! The reference an import is measured against (`portico bench raw-insert`, bench/import.sh):
//! the same file read by the same reader on a blocking thread, its patient rows written as they
//! are, in transactions of the same size as an import's batches, into a scratch table of the same
//! database (dropped afterwards). What an import adds on top — checks, keys, the invitation, its
//! history, search terms, messages and audit event — is the difference.

use std::io::Read;

use portico_import::Row;
use portico_store::imports::bench::{self as store, RawRow};

use super::Format;
use super::run::BATCH;
use crate::{Core, CoreError, new_id};

/// Writes the file's patient rows; answers how many.
pub async fn raw_insert(
    core: &Core,
    format: Format,
    input: impl Read + Send + 'static,
) -> Result<u64, CoreError> {
    let (sender, mut receiver) = tokio::sync::mpsc::channel::<Row>(1024);
    let reader = tokio::task::spawn_blocking(move || {
        portico_import::read(format, std::io::BufReader::new(input), &mut |row| {
            sender
                .blocking_send(row)
                .map_err(|_| portico_import::ReadError::Stopped)
        })
    });
    let mut tx = core.store().begin().await?;
    store::drop_table(&mut tx).await?;
    store::create_table(&mut tx).await?;
    tx.commit().await?;
    let mut written = 0u64;
    let mut batch = Vec::with_capacity(BATCH);
    loop {
        let row = receiver.recv().await;
        let finished = row.is_none();
        if let Some(Row::Patient { patient, .. }) = row {
            batch.push(patient);
        }
        if batch.len() == BATCH || (finished && !batch.is_empty()) {
            let mut tx = core.store().begin().await?;
            for p in batch.drain(..) {
                let raw = RawRow {
                    first_name: &p.first_name,
                    last_name: &p.last_name,
                    birth_date: &p.birth_date,
                    email: p.email.as_deref(),
                    phone: p.phone.as_deref(),
                    external_id: p.external_id.as_deref(),
                };
                store::insert(&mut tx, &new_id(), &raw).await?;
                written += 1;
            }
            tx.commit().await?;
        }
        if finished {
            break;
        }
    }
    reader
        .await
        .map_err(|e| CoreError::Internal(e.to_string()))?
        .map_err(|e| CoreError::Internal(e.to_string()))?;
    let mut tx = core.store().begin().await?;
    store::drop_table(&mut tx).await?;
    tx.commit().await?;
    Ok(written)
}
