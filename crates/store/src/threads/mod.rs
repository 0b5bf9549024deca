//! Secure threads and their messages. Every read by id is the caller's to scope: core checks
//! the thread's staff member, patient or caregiver before showing anything of it.

pub mod attachments;
pub mod bench;
pub mod forms;
pub mod invited;

use portico_domain::MessageAuthor;

use crate::platform::db::{execute, fetch};
use crate::{Exec, Result, Tx};

#[derive(Debug, Clone)]
pub struct NewThread {
    pub id: String,
    pub practice_id: String,
    pub staff_id: String,
    pub patient_id: String,
    pub subject_sealed: String,
    pub created_at: i64,
}

/// A thread with the names it is shown with.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ThreadRow {
    pub id: String,
    pub practice_id: String,
    pub practice_name: String,
    /// The practice's IANA time zone: times are shown on its clock.
    pub time_zone: String,
    pub staff_id: String,
    pub staff_name: String,
    pub patient_id: String,
    pub first_name: String,
    pub last_name: String,
    pub subject_sealed: String,
    pub last_message_at: i64,
    pub staff_unread: i64,
    pub patient_unread: i64,
    pub staff_read_at: Option<i64>,
    /// The last message the staff member has seen (its `seq`).
    pub staff_read_seq: i64,
    /// The `seq` of the thread's last message.
    pub message_count: i64,
    pub created_at: i64,
    /// Whether the patient still has access to the practice (a link not ended): once it ended,
    /// the thread is read-only history.
    pub in_force: bool,
}

/// One message with its author's name.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MessageRow {
    pub id: String,
    #[sqlx(try_from = "String")]
    pub author_kind: MessageAuthor,
    pub author_id: String,
    pub staff_name: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub body_sealed: String,
    pub seq: i64,
    pub created_at: i64,
}

/// `$1` is always now: a link ended by then no longer keeps the thread open. Whether the access
/// is in force is a correlated `LIMIT 1` probe of the `patient_links_patient` index per row: as
/// an `EXISTS`, PostgreSQL planned a hashed subplan that scanned every link in the database on
/// each inbox (BENCHMARKS.md, secure threads).
macro_rules! thread_select {
    () => {
        "SELECT t.id, t.practice_id, pr.name AS practice_name, pr.time_zone, t.staff_id,
                s.display_name AS staff_name, t.patient_id, p.first_name, p.last_name,
                t.subject_sealed, t.last_message_at, t.staff_unread, t.patient_unread,
                t.staff_read_at, t.staff_read_seq, t.message_count, t.created_at,
                (SELECT 1 FROM patient_links l
                  WHERE l.patient_id = t.patient_id AND l.practice_id = t.practice_id
                    AND (l.ended_at IS NULL OR l.ended_at > $1)
                  LIMIT 1) IS NOT NULL AS in_force
         FROM threads t
         JOIN practices pr ON pr.id = t.practice_id
         JOIN staff s ON s.id = t.staff_id
         JOIN patients p ON p.id = t.patient_id "
    };
}

pub async fn insert(db: impl Into<Exec<'_>>, t: &NewThread) -> Result<()> {
    execute!(db,
        "INSERT INTO threads (id, practice_id, staff_id, patient_id, subject_sealed,
            last_message_at, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $6)";
        &t.id, &t.practice_id, &t.staff_id, &t.patient_id, &t.subject_sealed, t.created_at)?;
    Ok(())
}

/// Adds a message after the thread's last one and counts it unread for the other side.
pub async fn post(
    tx: &mut Tx,
    thread_id: &str,
    id: &str,
    author: MessageAuthor,
    author_id: &str,
    body_sealed: &str,
    at: i64,
) -> Result<()> {
    // Unread for the other side.
    let (to_staff, to_patient) = match author.is_practice() {
        true => (0_i64, 1_i64),
        false => (1, 0),
    };
    let (seq,): (i64,) = fetch!(&mut *tx, fetch_one,
        "UPDATE threads SET last_message_at = $2, staff_unread = staff_unread + $3,
                patient_unread = patient_unread + $4, message_count = message_count + 1
         WHERE id = $1
         RETURNING message_count";
        thread_id, at, to_staff, to_patient)?;
    execute!(&mut *tx,
        "INSERT INTO thread_messages
            (id, thread_id, author_kind, author_id, body_sealed, seq, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)";
        id, thread_id, author.as_str(), author_id, body_sealed, seq, at)?;
    Ok(())
}

pub async fn find(db: impl Into<Exec<'_>>, id: &str, now: i64) -> Result<Option<ThreadRow>> {
    Ok(fetch!(db, fetch_optional, concat!(thread_select!(), "WHERE t.id = $2"); now, id)?)
}

/// A staff member's threads at their practice, latest message first.
pub async fn for_staff(
    db: impl Into<Exec<'_>>,
    practice_id: &str,
    staff_id: &str,
    before: Option<(i64, &str)>,
    limit: i64,
    now: i64,
) -> Result<Vec<ThreadRow>> {
    // Keyset: the threads after the cursor's (last message, id) in the page's order, walked on
    // the `threads_staff_page` index.
    let (at, id) = before.map_or((None, None), |(at, id)| (Some(at), Some(id)));
    Ok(fetch!(db, fetch_all,
        concat!(thread_select!(),
            "WHERE t.staff_id = $2 AND t.practice_id = $3
               AND ($5 IS NULL OR t.last_message_at < $5
                    OR (t.last_message_at = $5 AND t.id < $6))
             ORDER BY t.last_message_at DESC, t.id DESC LIMIT $4");
        now, staff_id, practice_id, limit, at, id)?)
}

/// A patient's threads (at one practice, or all), latest message first.
pub async fn for_patient(
    db: impl Into<Exec<'_>>,
    patient_id: &str,
    practice_id: Option<&str>,
    limit: i64,
    now: i64,
) -> Result<Vec<ThreadRow>> {
    Ok(fetch!(db, fetch_all,
        concat!(thread_select!(),
            "WHERE t.patient_id = $2 AND ($3 IS NULL OR t.practice_id = $3)
             ORDER BY t.last_message_at DESC, t.id LIMIT $4");
        now, patient_id, practice_id, limit)?)
}

/// A thread's messages, oldest first.
pub async fn messages(db: impl Into<Exec<'_>>, thread_id: &str) -> Result<Vec<MessageRow>> {
    Ok(fetch!(db, fetch_all,
        "SELECT m.id, m.author_kind, m.author_id, s.display_name AS staff_name,
                p.first_name, p.last_name, m.body_sealed, m.seq, m.created_at
         FROM thread_messages m
         LEFT JOIN staff s ON m.author_kind = 'staff' AND s.id = m.author_id
         LEFT JOIN patients p ON m.author_kind <> 'staff' AND p.id = m.author_id
         WHERE m.thread_id = $1
         ORDER BY m.seq";
        thread_id)?)
}

/// The staff member read the thread: nothing unread for them, and the patient sees "Read".
pub async fn read_by_staff(db: impl Into<Exec<'_>>, id: &str, at: i64) -> Result<()> {
    execute!(db,
        "UPDATE threads SET staff_unread = 0, staff_read_at = $2, staff_read_seq = message_count
         WHERE id = $1";
        id, at)?;
    Ok(())
}

/// The patient (or their caregiver) read the thread.
pub async fn read_by_patient(db: impl Into<Exec<'_>>, id: &str) -> Result<()> {
    execute!(db, "UPDATE threads SET patient_unread = 0 WHERE id = $1"; id)?;
    Ok(())
}

/// A staff member a patient may start a conversation with.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RecipientRow {
    pub staff_id: String,
    pub staff_name: String,
    pub practice_id: String,
    pub practice_name: String,
}

/// The staff members a patient may write to first: the active ones who have written with them
/// before, at a practice where the patient's access is in force (at `now`) through a link that
/// allows online messaging (a link in no program, or in a program that allows it). The link is a
/// `LIMIT 1` probe per thread, for the reason `thread_select!` gives.
pub async fn recipients_for_patient(
    db: impl Into<Exec<'_>>,
    patient_id: &str,
    now: i64,
) -> Result<Vec<RecipientRow>> {
    Ok(fetch!(db, fetch_all,
        "SELECT DISTINCT s.id AS staff_id, s.display_name AS staff_name,
                pr.id AS practice_id, pr.name AS practice_name
         FROM threads t
         JOIN staff s ON s.id = t.staff_id AND s.active
         JOIN practices pr ON pr.id = t.practice_id
         WHERE t.patient_id = $1
           AND (SELECT 1 FROM patient_links l LEFT JOIN programs g ON g.id = l.program_id
                 WHERE l.patient_id = t.patient_id AND l.practice_id = t.practice_id
                   AND l.status = 'active' AND (l.ended_at IS NULL OR l.ended_at > $2)
                   AND (g.id IS NULL OR g.messaging_allowed)
                 LIMIT 1) IS NOT NULL
         ORDER BY pr.name, s.display_name, s.id";
        patient_id, now)?)
}
