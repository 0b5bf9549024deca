//! Files in secure threads: one per message, a PDF, JPEG or PNG by its content and at most 5 MB
//! (`portico_domain::Attachment`), stored sealed with the name it came under. Whoever reads the
//! thread may open its files, and nobody else: the thread's access rules are checked first, and
//! a file is looked up within its thread only. Staff and caregiver opens are audited, as reads of
//! the patient's record are.

use std::collections::HashMap;

use portico_domain::attachment::{download_name, size_words};
use portico_domain::{Attachment, FileKind, SubjectKind};
use portico_store::Tx;
use portico_store::threads::attachments::{self as store, AttachmentListed, NewAttachment};

use super::access::{self, Seen};
use crate::PatientActor;
use crate::audit::{self, Action};
use crate::platform::actor::StaffActor;
use crate::platform::clock::Timestamp;
use crate::platform::secrets::Purpose;
use crate::{Core, CoreError, new_id};

/// A message's file as the thread shows it.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AttachmentSummary {
    pub id: String,
    /// The name it was uploaded under.
    pub file_name: String,
    /// `application/pdf`, `image/jpeg` or `image/png`.
    pub media_type: String,
    pub size_bytes: i64,
    /// "240 KB".
    #[serde(skip)]
    pub size_words: String,
}

impl AttachmentSummary {
    /// "PDF", "JPEG image", "PNG image": what the link says the file is.
    pub fn kind_words(&self) -> &'static str {
        match FileKind::from_media_type(&self.media_type) {
            Some(FileKind::Pdf) => "PDF",
            Some(FileKind::Jpeg) => "JPEG image",
            Some(FileKind::Png) => "PNG image",
            None => "file",
        }
    }
}

/// A file opened for download.
pub struct AttachmentDownload {
    pub kind: FileKind,
    /// Plain ASCII, ending in the kind's extension: safe in a `Content-Disposition` header.
    pub download_name: String,
    pub bytes: Vec<u8>,
}

/// Stores the message's file, sealed, in the posting transaction.
pub(super) async fn store(
    core: &Core,
    tx: &mut Tx,
    thread_id: &str,
    message_id: &str,
    file: &Attachment,
    now: Timestamp,
) -> Result<(), CoreError> {
    let keys = core.keys();
    store::insert(
        &mut *tx,
        &NewAttachment {
            id: new_id(),
            thread_id: thread_id.to_owned(),
            message_id: message_id.to_owned(),
            media_type: file.kind().media_type().to_owned(),
            size_bytes: i64::try_from(file.bytes().len()).unwrap_or(i64::MAX),
            name_sealed: keys.seal(Purpose::ThreadAttachment, file.name()),
            content_sealed: keys.seal_bytes(Purpose::ThreadAttachment, file.bytes()),
            created_at: now.as_millis(),
        },
    )
    .await?;
    Ok(())
}

/// The thread's files by the message they came with.
pub(super) async fn by_message(
    core: &Core,
    thread_id: &str,
) -> Result<HashMap<String, AttachmentSummary>, CoreError> {
    let open = |row: AttachmentListed| -> Result<(String, AttachmentSummary), CoreError> {
        let file_name = core
            .keys()
            .open(Purpose::ThreadAttachment, &row.name_sealed)
            .ok_or_else(|| CoreError::Internal("an attachment's name does not open".into()))?;
        Ok((
            row.message_id,
            AttachmentSummary {
                size_words: size_words(row.size_bytes),
                id: row.id,
                file_name,
                media_type: row.media_type,
                size_bytes: row.size_bytes,
            },
        ))
    };
    store::of_thread(core.store(), thread_id)
        .await?
        .into_iter()
        .map(open)
        .collect()
}

async fn download(core: &Core, seen: &Seen, id: &str) -> Result<AttachmentDownload, CoreError> {
    let row = store::file(core.store(), &seen.thread.id, id)
        .await?
        .ok_or(CoreError::NotFound)?;
    let kind = FileKind::from_media_type(&row.media_type)
        .ok_or_else(|| CoreError::Internal("a stored attachment's type is unknown".into()))?;
    let keys = core.keys();
    let name = keys
        .open(Purpose::ThreadAttachment, &row.name_sealed)
        .ok_or_else(|| CoreError::Internal("an attachment's name does not open".into()))?;
    let bytes = keys
        .open_bytes(Purpose::ThreadAttachment, &row.content_sealed)
        .ok_or_else(|| CoreError::Internal("an attachment does not open".into()))?;
    Ok(AttachmentDownload {
        download_name: download_name(&name, kind),
        kind,
        bytes,
    })
}

/// A file of one of the staff member's threads (even once the thread is history).
pub async fn staff_file(
    core: &Core,
    actor: &StaffActor,
    thread_id: &str,
    id: &str,
) -> Result<AttachmentDownload, CoreError> {
    let seen = access::as_staff(core, actor, thread_id).await?;
    let file = download(core, &seen, id).await?;
    audit::by_staff(actor, Action::ThreadAttachmentOpened, core.now())
        .subject(SubjectKind::Thread, thread_id)
        .patient(&seen.thread.patient_id)
        .append_alone(core.store())
        .await?;
    Ok(file)
}

/// A file of one of the patient's own threads.
pub async fn patient_file(
    core: &Core,
    patient: &PatientActor,
    thread_id: &str,
    id: &str,
) -> Result<AttachmentDownload, CoreError> {
    let seen = access::as_patient(core, patient, thread_id).await?;
    download(core, &seen, id).await
}

/// A file of a thread of the patient the caregiver cares for (read-only access may open files).
pub async fn cared_for_file(
    core: &Core,
    caregiver: &PatientActor,
    access_id: &str,
    thread_id: &str,
    id: &str,
) -> Result<AttachmentDownload, CoreError> {
    let (seen, _) = access::as_caregiver(core, caregiver, access_id, thread_id).await?;
    let file = download(core, &seen, id).await?;
    audit::by_caregiver(
        caregiver,
        &seen.thread.patient_id,
        Action::ThreadAttachmentOpened,
        core.now(),
    )
    .practice(&seen.thread.practice_id)
    .subject(SubjectKind::Thread, thread_id)
    .append_alone(core.store())
    .await?;
    Ok(file)
}
