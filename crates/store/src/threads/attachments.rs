//! The files attached to thread messages. Reads are by thread: core has checked who may read the
//! thread before asking for any of its files.

use crate::platform::db::{execute, fetch};
use crate::{Exec, Result};

#[derive(Debug, Clone)]
pub struct NewAttachment {
    pub id: String,
    pub thread_id: String,
    pub message_id: String,
    pub media_type: String,
    pub size_bytes: i64,
    pub name_sealed: String,
    pub content_sealed: Vec<u8>,
    pub created_at: i64,
}

/// What a thread shows of a file without opening it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AttachmentListed {
    pub id: String,
    pub message_id: String,
    pub media_type: String,
    pub size_bytes: i64,
    pub name_sealed: String,
}

/// A file with its content, for download.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AttachmentFile {
    pub media_type: String,
    pub name_sealed: String,
    pub content_sealed: Vec<u8>,
}

pub async fn insert(db: impl Into<Exec<'_>>, a: &NewAttachment) -> Result<()> {
    execute!(db,
        "INSERT INTO thread_attachments
            (id, thread_id, message_id, media_type, size_bytes, name_sealed, content_sealed,
             created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
        &a.id, &a.thread_id, &a.message_id, &a.media_type, a.size_bytes, &a.name_sealed,
        &a.content_sealed, a.created_at)?;
    Ok(())
}

/// The files of a thread's messages.
pub async fn of_thread(db: impl Into<Exec<'_>>, thread_id: &str) -> Result<Vec<AttachmentListed>> {
    Ok(fetch!(db, fetch_all,
        "SELECT id, message_id, media_type, size_bytes, name_sealed
         FROM thread_attachments WHERE thread_id = $1";
        thread_id)?)
}

/// One file of the thread, if the thread has it.
pub async fn file(
    db: impl Into<Exec<'_>>,
    thread_id: &str,
    id: &str,
) -> Result<Option<AttachmentFile>> {
    Ok(fetch!(db, fetch_optional,
        "SELECT media_type, name_sealed, content_sealed
         FROM thread_attachments WHERE thread_id = $1 AND id = $2";
        thread_id, id)?)
}
