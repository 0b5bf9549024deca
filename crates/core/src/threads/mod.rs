//! Secure threads, "patient talk" (docs/PRODUCT.md §7): a private conversation of one practice
//! between one staff member and one patient. Only that staff member, the patient and the
//! patient's caregivers with access at that practice read it: any other staff member of the
//! practice, any other practice and any other patient get "not found", exactly as for an id that
//! does not exist. Once the practice has end-dated the patient's access the thread is history:
//! the staff member still reads it, with a note why, the patient no longer sees it, and nobody
//! posts. The subject and the messages are sealed at rest; the messages telling someone that a
//! message waits say only that, with a link.

mod access;
pub mod attachments;
pub mod bench;
pub mod forms;
pub mod from_patient;
pub mod invited;

use std::collections::HashMap;

use portico_domain::{
    Attachment, Channel, MessageAuthor, MessageText, SubjectKind, ThreadSubject, TimeZone,
};
use portico_store::Tx;
use portico_store::accounts::patients;
use portico_store::practices::staff;
use portico_store::threads::{self as store, MessageRow, NewThread, ThreadRow};

use crate::PatientActor;
use crate::audit::{self, Action, Shown};
use crate::delivery::messages;
use crate::delivery::outbox::{self, About, MessageKind};
use crate::platform::actor::StaffActor;
use crate::platform::clock::Timestamp;
use crate::platform::cursor;
use crate::platform::secrets::Purpose;
use crate::platform::upload::Upload;
use crate::{Core, CoreError, FieldErrors, new_id};

use access::{Reader, Seen};
use attachments::AttachmentSummary;

/// At most this many threads in a patient's inbox.
const INBOX_LIMIT: i64 = 200;

/// Threads on one page of a staff member's inbox: each one shown is an audited read of its
/// patient, so a page is kept to what a person looks at.
pub const STAFF_INBOX_PAGE: i64 = 50;

/// One page of a staff member's inbox.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StaffInbox {
    /// Latest message first.
    pub items: Vec<ThreadSummary>,
    /// Pass as `cursor` for the older conversations; absent on the last page.
    pub next_cursor: Option<String>,
}

/// Which page of the staff inbox.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[serde(default)]
pub struct StaffInboxQuery {
    /// The `next_cursor` of a page, for the page after it; any other text answers 422.
    pub cursor: Option<String>,
}

/// A cursor: the thread's id, then its last message's time.
fn encode_cursor(row: &ThreadRow) -> String {
    cursor::encode(&[&row.id, &row.last_message_at.to_string()])
}

fn decode_cursor(text: &str) -> Option<(i64, String)> {
    let [id, at] = cursor::decode(text)?;
    match id.is_empty() {
        true => None,
        false => Some((at.parse().ok()?, id)),
    }
}

/// What a staff member sends to start a thread.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct NewThreadInput {
    /// The patient (a patient of the practice whose access is in force).
    #[cfg_attr(feature = "openapi", schema(required = true, default))]
    pub patient_id: String,
    /// What the conversation is about, the case (one line, at most 120 characters).
    #[cfg_attr(feature = "openapi", schema(required = true, default))]
    pub subject: String,
    /// The first message (at most 5000 characters).
    #[cfg_attr(feature = "openapi", schema(required = true, default))]
    pub body: String,
}

/// A reply.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct ReplyInput {
    /// At most 5000 characters; may be left empty when a file is attached.
    #[cfg_attr(feature = "openapi", schema(required = true, default))]
    pub body: String,
    /// A file sent with the reply (the pages' upload; the API sends it as base64).
    #[serde(skip)]
    pub attachment: Option<Upload>,
}

/// A thread as an inbox lists it.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ThreadSummary {
    pub id: String,
    pub practice_name: String,
    /// The staff member of the conversation.
    pub staff_name: String,
    pub patient_id: String,
    pub patient_name: String,
    pub subject: String,
    pub last_message_at: String,
    /// Messages from the other side not yet read by whoever is reading.
    pub unread: i64,
    /// True once the practice ended the patient's access: history, nobody posts.
    pub read_only: bool,
    /// When the last message came, on the practice's clock ("Today, 10:42 AM").
    #[serde(skip)]
    pub last_message_words: String,
}

/// One message.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ThreadMessage {
    pub id: String,
    pub author_name: String,
    /// Written by the practice's staff member (otherwise by the patient or their caregiver).
    pub from_practice: bool,
    /// Written by a caregiver acting for the patient.
    pub by_caregiver: bool,
    pub body: String,
    /// The file sent with the message, if any.
    pub attachment: Option<AttachmentSummary>,
    /// The intake form sent with the message, if any.
    pub form: Option<forms::SentForm>,
    pub created_at: String,
    /// For the patient's side: the staff member has read the thread since this message.
    pub read_by_practice: bool,
    /// When it was written, on the practice's clock.
    #[serde(skip)]
    pub created_words: String,
}

/// A thread with its messages, oldest first.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ThreadView {
    #[serde(flatten)]
    pub summary: ThreadSummary,
    pub messages: Vec<ThreadMessage>,
    /// Why nobody can post any more, when `read_only`.
    pub read_only_why: Option<String>,
}

const ENDED: &str = "The practice ended this patient's access to the portal: the conversation \
                     is kept as history, and nobody can write in it.";

fn open(core: &Core, sealed: &str) -> Result<String, CoreError> {
    core.keys()
        .open(Purpose::ThreadText, sealed)
        .ok_or_else(|| CoreError::Internal("a thread text does not open".into()))
}

/// The clock of the thread's practice: its times are shown on it.
fn zone_of(row: &ThreadRow) -> Result<TimeZone, CoreError> {
    TimeZone::parse(&row.time_zone)
        .map_err(|_| CoreError::Internal(format!("unknown time zone {:?}", row.time_zone)))
}

fn summary(
    core: &Core,
    row: &ThreadRow,
    reader: Reader,
    read_only: bool,
) -> Result<ThreadSummary, CoreError> {
    let now = core.now().as_millis();
    Ok(ThreadSummary {
        last_message_words: zone_of(row)?.readable(row.last_message_at, now),
        id: row.id.clone(),
        practice_name: row.practice_name.clone(),
        staff_name: row.staff_name.clone(),
        patient_id: row.patient_id.clone(),
        patient_name: format!("{} {}", row.first_name, row.last_name),
        subject: open(core, &row.subject_sealed)?,
        last_message_at: Timestamp::from_millis(row.last_message_at).to_rfc3339(),
        unread: match reader {
            Reader::Staff => row.staff_unread,
            Reader::PatientSide => row.patient_unread,
        },
        read_only,
    })
}

fn message(
    core: &Core,
    thread: &ThreadRow,
    zone: &TimeZone,
    files: &mut HashMap<String, AttachmentSummary>,
    sent_forms: &mut HashMap<String, forms::SentForm>,
    m: MessageRow,
) -> Result<ThreadMessage, CoreError> {
    let from_practice = m.author_kind.is_practice();
    let author_name = match (&m.staff_name, &m.first_name, &m.last_name) {
        (Some(name), _, _) => name.clone(),
        (None, Some(first), Some(last)) => format!("{first} {last}"),
        _ => "Someone no longer here".to_owned(),
    };
    Ok(ThreadMessage {
        created_words: zone.readable(m.created_at, core.now().as_millis()),
        read_by_practice: !from_practice && m.seq <= thread.staff_read_seq,
        body: open(core, &m.body_sealed)?,
        attachment: files.remove(&m.id),
        form: sent_forms.remove(&m.id),
        by_caregiver: m.author_kind == MessageAuthor::Caregiver,
        created_at: Timestamp::from_millis(m.created_at).to_rfc3339(),
        id: m.id,
        author_name,
        from_practice,
    })
}

async fn view(core: &Core, seen: &Seen, reader: Reader) -> Result<ThreadView, CoreError> {
    let rows = store::messages(core.store(), &seen.thread.id).await?;
    let mut files = attachments::by_message(core, &seen.thread.id).await?;
    let mut sent_forms = forms::by_message(core, &seen.thread.id).await?;
    let zone = zone_of(&seen.thread)?;
    let messages = rows
        .into_iter()
        .map(|m| message(core, &seen.thread, &zone, &mut files, &mut sent_forms, m))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(ThreadView {
        summary: summary(core, &seen.thread, reader, seen.read_only)?,
        messages,
        read_only_why: seen.read_only.then(|| ENDED.to_owned()),
    })
}

/// A staff member starts a thread with a patient of the practice (a person signed in: API
/// tokens have no conversations).
pub async fn start(
    core: &Core,
    actor: &StaffActor,
    input: &NewThreadInput,
) -> Result<ThreadView, CoreError> {
    access::require_person(actor)?;
    // Another practice's patient is not found, whatever their state there.
    if !portico_store::patients::is_of_practice(core.store(), &actor.practice_id, &input.patient_id)
        .await?
    {
        return Err(CoreError::NotFound);
    }
    let mut errors = FieldErrors::new();
    let subject = errors.take("subject", ThreadSubject::parse(&input.subject));
    let body = errors.take("body", MessageText::parse(&input.body));
    let in_force = access::patient_in_force(core, &input.patient_id, &actor.practice_id).await?;
    errors.into_result()?;
    let (Some(subject), Some(body)) = (subject, body) else {
        return Err(CoreError::Internal("field errors were not recorded".into()));
    };
    if !in_force {
        let awaited =
            crate::links::consent_awaited_of(core, &input.patient_id, Some(&actor.practice_id))
                .await?;
        return Err(CoreError::Conflict(match awaited.is_empty() {
            true => "This patient's access to the portal has ended: a conversation cannot start.",
            false => {
                "This patient's signed consent form has not been added yet: a conversation can \
                 start once it has."
            }
        }));
    }
    let now = core.now();
    let id = new_id();
    let mut tx = core.store().begin().await?;
    let between = Between {
        practice_id: &actor.practice_id,
        staff_id: &actor.staff_id,
        patient_id: &input.patient_id,
    };
    audit::by_staff(actor, Action::ThreadStarted, now)
        .subject(SubjectKind::Thread, &id)
        .patient(&input.patient_id)
        .append(&mut tx)
        .await?;
    let first = Message {
        text: Some(body),
        file: None,
    };
    let poster = Poster::Staff(actor);
    open_thread(core, &mut tx, &id, between, &subject, poster, &first, now).await?;
    tx.commit().await?;
    staff_thread(core, actor, &id).await
}

/// A page of the staff member's own threads, latest message first; each shown is a read of its
/// patient.
pub async fn staff_inbox(
    core: &Core,
    actor: &StaffActor,
    query: &StaffInboxQuery,
) -> Result<StaffInbox, CoreError> {
    access::require_person(actor)?;
    let before = match query
        .cursor
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
    {
        None => None,
        Some(c) => Some(decode_cursor(c).ok_or_else(|| {
            CoreError::Invalid(FieldErrors::single(
                "cursor",
                "This page link is not one we gave out; start from the newest conversations.",
            ))
        })?),
    };
    let now = core.now().as_millis();
    let mut rows = store::for_staff(
        core.store(),
        &actor.practice_id,
        &actor.staff_id,
        before.as_ref().map(|(at, id)| (*at, id.as_str())),
        STAFF_INBOX_PAGE + 1,
        now,
    )
    .await?;
    let more = rows.len() > usize::try_from(STAFF_INBOX_PAGE).unwrap_or(usize::MAX);
    rows.truncate(usize::try_from(STAFF_INBOX_PAGE).unwrap_or(usize::MAX));
    let next_cursor = rows.last().filter(|_| more).map(encode_cursor);
    let items = rows
        .iter()
        .map(|row| summary(core, row, Reader::Staff, !row.in_force))
        .collect::<Result<Vec<_>, _>>()?;
    let shown: Vec<Shown<'_>> = items
        .iter()
        .map(|t| Shown {
            kind: SubjectKind::Thread,
            id: &t.id,
            patient_id: Some(&t.patient_id),
        })
        .collect();
    audit::staff_saw(core, actor, Action::ThreadsListed, &shown).await?;
    Ok(StaffInbox { items, next_cursor })
}

/// One of the staff member's threads, which they have now read.
pub async fn staff_thread(
    core: &Core,
    actor: &StaffActor,
    id: &str,
) -> Result<ThreadView, CoreError> {
    let mut seen = access::as_staff(core, actor, id).await?;
    let now = core.now();
    let mut tx = core.store().begin().await?;
    store::read_by_staff(&mut tx, id, now.as_millis()).await?;
    audit::by_staff(actor, Action::ThreadRead, now)
        .subject(SubjectKind::Thread, id)
        .patient(&seen.thread.patient_id)
        .append(&mut tx)
        .await?;
    tx.commit().await?;
    seen.thread.staff_unread = 0;
    seen.thread.staff_read_seq = seen.thread.message_count;
    view(core, &seen, Reader::Staff).await
}

/// The staff member replies in their thread.
pub async fn staff_reply(
    core: &Core,
    actor: &StaffActor,
    id: &str,
    input: &ReplyInput,
) -> Result<ThreadView, CoreError> {
    let seen = access::as_staff(core, actor, id).await?;
    let message = parse_message(input)?;
    writable(&seen)?;
    let now = core.now();
    let mut tx = core.store().begin().await?;
    post(
        core,
        &mut tx,
        &seen.thread,
        Poster::Staff(actor),
        &message,
        now,
    )
    .await?;
    tx.commit().await?;
    staff_thread(core, actor, id).await
}

/// The signed-in patient's threads at the practices they still see, latest first.
pub async fn patient_inbox(
    core: &Core,
    patient: &PatientActor,
) -> Result<Vec<ThreadSummary>, CoreError> {
    let now = core.now().as_millis();
    let rows =
        store::for_patient(core.store(), &patient.patient_id, None, INBOX_LIMIT, now).await?;
    // A practice that ended the patient's access is gone from the portal, its threads too.
    rows.iter()
        .filter(|row| row.in_force)
        .map(|row| summary(core, row, Reader::PatientSide, false))
        .collect()
}

/// One of the patient's threads, which they have now read.
pub async fn patient_thread(
    core: &Core,
    patient: &PatientActor,
    id: &str,
) -> Result<ThreadView, CoreError> {
    let mut seen = access::as_patient(core, patient, id).await?;
    store::read_by_patient(core.store(), id).await?;
    seen.thread.patient_unread = 0;
    view(core, &seen, Reader::PatientSide).await
}

/// The patient replies.
pub async fn patient_reply(
    core: &Core,
    patient: &PatientActor,
    id: &str,
    input: &ReplyInput,
) -> Result<ThreadView, CoreError> {
    let seen = access::as_patient(core, patient, id).await?;
    let message = parse_message(input)?;
    let now = core.now();
    let mut tx = core.store().begin().await?;
    post(
        core,
        &mut tx,
        &seen.thread,
        Poster::Patient(patient),
        &message,
        now,
    )
    .await?;
    tx.commit().await?;
    patient_thread(core, patient, id).await
}

/// The threads of a patient the caregiver cares for, at the practice of the access.
pub async fn cared_for_inbox(
    core: &Core,
    caregiver: &PatientActor,
    access_id: &str,
) -> Result<Vec<ThreadSummary>, CoreError> {
    let acting = crate::caregivers::acting_for(core, caregiver, access_id).await?;
    let practice = acting.access.practice_id.as_str();
    let now = core.now().as_millis();
    store::for_patient(
        core.store(),
        &acting.patient_id,
        Some(practice),
        INBOX_LIMIT,
        now,
    )
    .await?
    .iter()
    .map(|row| summary(core, row, Reader::PatientSide, false))
    .collect()
}

/// A thread of the patient the caregiver cares for (audited as the caregiver reading it).
pub async fn cared_for_thread(
    core: &Core,
    caregiver: &PatientActor,
    access_id: &str,
    id: &str,
) -> Result<ThreadView, CoreError> {
    let (mut seen, _) = access::as_caregiver(core, caregiver, access_id, id).await?;
    let now = core.now();
    let mut tx = core.store().begin().await?;
    store::read_by_patient(&mut tx, id).await?;
    audit::by_caregiver(caregiver, &seen.thread.patient_id, Action::ThreadRead, now)
        .practice(&seen.thread.practice_id)
        .subject(SubjectKind::Thread, id)
        .append(&mut tx)
        .await?;
    tx.commit().await?;
    seen.thread.patient_unread = 0;
    view(core, &seen, Reader::PatientSide).await
}

/// A caregiver with full access writes for the patient (read-only access: 403).
pub async fn cared_for_reply(
    core: &Core,
    caregiver: &PatientActor,
    access_id: &str,
    id: &str,
    input: &ReplyInput,
) -> Result<ThreadView, CoreError> {
    let (seen, read_only_access) = access::as_caregiver(core, caregiver, access_id, id).await?;
    if read_only_access {
        return Err(CoreError::Forbidden);
    }
    let message = parse_message(input)?;
    let now = core.now();
    let mut tx = core.store().begin().await?;
    post(
        core,
        &mut tx,
        &seen.thread,
        Poster::Caregiver(caregiver),
        &message,
        now,
    )
    .await?;
    tx.commit().await?;
    cared_for_thread(core, caregiver, access_id, id).await
}

/// What a message carries: words, a file, or both.
struct Message {
    text: Option<MessageText>,
    file: Option<Attachment>,
}

/// A reply's words and file. Words may be left out when a file comes with them; a file that is
/// not a PDF, JPEG or PNG, or too large, is refused under `attachment` with nothing posted.
fn parse_message(input: &ReplyInput) -> Result<Message, CoreError> {
    let mut errors = FieldErrors::new();
    let upload = input.attachment.as_ref().filter(|u| !u.bytes.is_empty());
    let file = upload.and_then(|u| {
        errors.take(
            "attachment",
            Attachment::parse(&u.file_name, u.bytes.clone()),
        )
    });
    let text = match (input.body.trim().is_empty(), upload) {
        (true, Some(_)) => None,
        _ => errors.take("body", MessageText::parse(&input.body)),
    };
    errors.into_result()?;
    Ok(Message { text, file })
}

fn writable(seen: &Seen) -> Result<(), CoreError> {
    match seen.read_only {
        true => Err(CoreError::Conflict(
            "The practice ended this patient's access to the portal: nobody can write in this \
             conversation any more.",
        )),
        false => Ok(()),
    }
}

/// The two people of a new thread, at a practice.
struct Between<'a> {
    practice_id: &'a str,
    staff_id: &'a str,
    patient_id: &'a str,
}

/// Writes a new thread and its first message (told to the other side) in the caller's
/// transaction; the caller audits who started it.
#[allow(clippy::too_many_arguments)] // Each is one part of a thread; a struct would only rename them.
async fn open_thread(
    core: &Core,
    tx: &mut Tx,
    id: &str,
    between: Between<'_>,
    subject: &ThreadSubject,
    poster: Poster<'_>,
    first: &Message,
    now: Timestamp,
) -> Result<(), CoreError> {
    store::insert(
        &mut *tx,
        &NewThread {
            id: id.to_owned(),
            practice_id: between.practice_id.to_owned(),
            staff_id: between.staff_id.to_owned(),
            patient_id: between.patient_id.to_owned(),
            subject_sealed: core.keys().seal(Purpose::ThreadText, subject.expose()),
            created_at: now.as_millis(),
        },
    )
    .await?;
    let thread = store::find(&mut *tx, id, now.as_millis())
        .await?
        .ok_or_else(|| CoreError::Internal("a new thread is missing".into()))?;
    post(core, tx, &thread, poster, first, now).await?;
    Ok(())
}

/// Who posts.
enum Poster<'a> {
    Staff(&'a StaffActor),
    Patient(&'a PatientActor),
    Caregiver(&'a PatientActor),
}

/// Adds the message, audits it, and tells the other side that a message waits; answers the
/// message's id.
async fn post(
    core: &Core,
    tx: &mut Tx,
    thread: &ThreadRow,
    poster: Poster<'_>,
    message: &Message,
    now: Timestamp,
) -> Result<String, CoreError> {
    let id = new_id();
    let words = message.text.as_ref().map_or("", |t| t.expose());
    let sealed = core.keys().seal(Purpose::ThreadText, words);
    let (author, author_id, event) = match &poster {
        Poster::Staff(actor) => (
            MessageAuthor::Staff,
            actor.staff_id.as_str(),
            audit::by_staff(actor, Action::ThreadMessagePosted, now).patient(&thread.patient_id),
        ),
        Poster::Patient(p) => (
            MessageAuthor::Patient,
            p.patient_id.as_str(),
            audit::by_patient(p, Action::ThreadMessagePosted, now).practice(&thread.practice_id),
        ),
        Poster::Caregiver(c) => (
            MessageAuthor::Caregiver,
            c.patient_id.as_str(),
            audit::by_caregiver(c, &thread.patient_id, Action::ThreadMessagePosted, now)
                .practice(&thread.practice_id),
        ),
    };
    store::post(
        tx,
        &thread.id,
        &id,
        author,
        author_id,
        &sealed,
        now.as_millis(),
    )
    .await?;
    if let Some(file) = &message.file {
        attachments::store(core, tx, &thread.id, &id, file, now).await?;
    }
    event
        .subject(SubjectKind::Thread, &thread.id)
        .detail("attachment", message.file.is_some())
        .append(&mut *tx)
        .await?;
    let url = &core.settings().public_url;
    let (channel, message) = match poster {
        Poster::Staff(_) => {
            let Some(patient) = patients::find(&mut *tx, &thread.patient_id).await? else {
                return Ok(id);
            };
            let (channel, to) = match patient.email {
                Some(email) => (Channel::Email, email),
                None => (Channel::Sms, patient.phone),
            };
            let link = format!("{url}/portal/messages/{}", thread.id);
            let message = messages::thread_message(channel, &to, &thread.practice_name, &link);
            (channel, message)
        }
        Poster::Patient(_) | Poster::Caregiver(_) => {
            let Some(member) =
                staff::find_in_practice(&mut *tx, &thread.practice_id, &thread.staff_id).await?
            else {
                return Ok(id);
            };
            if !member.active {
                return Ok(id);
            }
            let link = format!("{url}/staff/messages/{}", thread.id);
            let message = messages::thread_message(
                Channel::Email,
                &member.email,
                &thread.practice_name,
                &link,
            );
            (Channel::Email, message)
        }
    };
    let about = About {
        practice_id: &thread.practice_id,
        subject: SubjectKind::Thread,
        id: &thread.id,
    };
    outbox::enqueue(
        tx,
        core.keys(),
        about,
        MessageKind::ThreadMessage,
        channel,
        &message,
        now,
    )
    .await?;
    Ok(id)
}
