//! Bulk imports: the run's record and counters, the rows it could not use, the keys that keep a
//! patient from being invited twice, and the uploaded file kept until the run ends. Every read is
//! scoped by the practice the caller belongs to.

use crate::platform::db::{execute, fetch};
use crate::{Exec, Result, Tx};

/// An import as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ImportRow {
    pub id: String,
    pub practice_id: String,
    pub started_by: String,
    pub file_name: String,
    pub fingerprint: String,
    pub format: String,
    pub dry_run: bool,
    pub settings: String,
    pub state: String,
    pub rows_total: i64,
    #[sqlx(flatten)]
    pub counts: Counts,
    pub failure: Option<String>,
    pub lease_until: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
    pub finished_at: Option<i64>,
    pub sheets_printed_at: Option<i64>,
    /// Its uploaded file is still kept (a console import running, or a dry run to run for real).
    pub file_kept: bool,
}

/// How far an import got: rows handled (and committed), and what became of them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, sqlx::FromRow)]
pub struct Counts {
    pub rows_done: i64,
    pub invited: i64,
    pub handed_over: i64,
    pub already_invited: i64,
    pub already_registered: i64,
    pub skipped: i64,
    pub bad: i64,
}

// An import's columns, after `SELECT`.
macro_rules! select_import {
    ($rest:literal) => {
        concat!(
            "SELECT id, practice_id, started_by, file_name, fingerprint, format, dry_run, settings,
                    state, rows_total, rows_done, invited, handed_over, already_invited,
                    already_registered, skipped, bad, failure, lease_until, created_at, updated_at,
                    finished_at, sheets_printed_at,
                    EXISTS (SELECT 1 FROM import_files f WHERE f.import_id = imports.id)
                        AS file_kept
             FROM imports ",
            $rest
        )
    };
}

/// Writes a new import, running and held by its starter until `row.lease_until`.
pub async fn insert(db: impl Into<Exec<'_>>, row: &ImportRow) -> Result<()> {
    execute!(db,
        "INSERT INTO imports (id, practice_id, started_by, file_name, fingerprint, format, dry_run,
             settings, state, rows_total, lease_until, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12)";
        &row.id, &row.practice_id, &row.started_by, &row.file_name, &row.fingerprint, &row.format,
        row.dry_run, &row.settings, &row.state, row.rows_total, row.lease_until, row.created_at)?;
    Ok(())
}

pub async fn find(db: impl Into<Exec<'_>>, id: &str) -> Result<Option<ImportRow>> {
    Ok(fetch!(db, fetch_optional, select_import!("WHERE id = $1"); id)?)
}

pub async fn find_in_practice(
    db: impl Into<Exec<'_>>,
    practice_id: &str,
    id: &str,
) -> Result<Option<ImportRow>> {
    Ok(
        fetch!(db, fetch_optional, select_import!("WHERE id = $1 AND practice_id = $2");
        id, practice_id)?,
    )
}

/// The practice's latest imports, newest first.
pub async fn of_practice(
    db: impl Into<Exec<'_>>,
    practice_id: &str,
    limit: i64,
) -> Result<Vec<ImportRow>> {
    Ok(fetch!(db, fetch_all,
        select_import!("WHERE practice_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2");
        practice_id, limit)?)
}

/// The practice's unfinished real run of the file with this fingerprint, if any: the command
/// line resumes it rather than starting over.
pub async fn unfinished_of_file(
    db: impl Into<Exec<'_>>,
    practice_id: &str,
    fingerprint: &str,
) -> Result<Option<ImportRow>> {
    Ok(fetch!(db, fetch_optional,
        select_import!("WHERE practice_id = $1 AND fingerprint = $2 AND state = 'running'
                          AND NOT dry_run ORDER BY created_at DESC LIMIT 1");
        practice_id, fingerprint)?)
}

/// Moves the counters from `from` to `to`, in the transaction that wrote the rows they count.
/// Answers false, changing nothing, when the import is no longer at `from` (another node took it
/// over): the caller rolls back.
/// The holder keeps it until `lease_until`.
pub async fn advance(
    tx: &mut Tx,
    id: &str,
    from: i64,
    to: &Counts,
    (now, lease_until): (i64, i64),
) -> Result<bool> {
    let moved = execute!(&mut *tx,
        "UPDATE imports SET rows_done = $3, invited = $4, handed_over = $5, already_invited = $6,
             already_registered = $7, skipped = $8, bad = $9, updated_at = $10, lease_until = $11
         WHERE id = $1 AND rows_done = $2 AND state = 'running'";
        id, from, to.rows_done, to.invited, to.handed_over, to.already_invited,
        to.already_registered, to.skipped, to.bad, now, lease_until)?;
    Ok(moved == 1)
}

/// Ends a running import: `done`, or `failed` with why.
pub async fn finish(
    db: impl Into<Exec<'_>>,
    id: &str,
    state: &str,
    failure: Option<&str>,
    now: i64,
) -> Result<()> {
    execute!(db,
        "UPDATE imports SET state = $2, failure = $3, lease_until = NULL, finished_at = $4,
             updated_at = $4
         WHERE id = $1 AND state = 'running'";
        id, state, failure, now)?;
    Ok(())
}

/// Takes over one running import whose holder stopped renewing (the service was stopped or
/// killed), holding it until `until`. Two nodes asking at once: one gets it.
pub async fn take_over_stalled(
    db: impl Into<Exec<'_>>,
    now: i64,
    until: i64,
) -> Result<Option<String>> {
    let taken: Option<(String,)> = fetch!(db, fetch_optional,
        "UPDATE imports SET lease_until = $2
         WHERE id = (SELECT id FROM imports
                     WHERE state = 'running' AND lease_until < $1
                       AND id IN (SELECT import_id FROM import_files)
                     ORDER BY created_at LIMIT 1)
           AND lease_until < $1
         RETURNING id";
        now, until)?;
    Ok(taken.map(|(id,)| id))
}

/// A row the import could not use.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ProblemRow {
    pub seq: i64,
    pub place: String,
    pub reason: String,
}

pub async fn add_problem(tx: &mut Tx, import_id: &str, problem: &ProblemRow) -> Result<()> {
    execute!(&mut *tx,
        "INSERT INTO import_problems (import_id, seq, place, reason) VALUES ($1, $2, $3, $4)";
        import_id, problem.seq, &problem.place, &problem.reason)?;
    Ok(())
}

/// The import's problems after `after` (a `seq`), in file order, at most `limit`.
pub async fn problems(
    db: impl Into<Exec<'_>>,
    import_id: &str,
    after: i64,
    limit: i64,
) -> Result<Vec<ProblemRow>> {
    Ok(fetch!(db, fetch_all,
        "SELECT seq, place, reason FROM import_problems WHERE import_id = $1 AND seq > $2
         ORDER BY seq LIMIT $3";
        import_id, after, limit)?)
}

/// The invitation an earlier import made for either key (a row with one key passes it twice),
/// with its state, if any.
pub async fn invited_by_key(
    db: impl Into<Exec<'_>>,
    practice_id: &str,
    keys: [&str; 2],
) -> Result<Option<(String, String)>> {
    Ok(fetch!(db, fetch_optional,
        "SELECT i.id, i.state FROM import_keys k JOIN invitations i ON i.id = k.invitation_id
         WHERE k.practice_id = $1 AND k.key_hash IN ($2, $3) LIMIT 1";
        practice_id, keys[0], keys[1])?)
}

/// Lets go of keys a row claimed before it lost a race for another of its keys.
pub async fn release_keys(tx: &mut Tx, practice_id: &str, invitation_id: &str) -> Result<()> {
    execute!(&mut *tx,
        "DELETE FROM import_keys WHERE practice_id = $1 AND invitation_id = $2";
        practice_id, invitation_id)?;
    Ok(())
}

/// Records that `key` of the practice is now invited by `invitation_id`. Answers false, writing
/// nothing, when another run got there first: the caller rolls its row back.
pub async fn claim_key(
    tx: &mut Tx,
    practice_id: &str,
    key: &str,
    invitation_id: &str,
    import_id: &str,
) -> Result<bool> {
    let written = execute!(&mut *tx,
        "INSERT INTO import_keys (practice_id, key_hash, invitation_id, import_id)
         VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING";
        practice_id, key, invitation_id, import_id)?;
    Ok(written == 1)
}

/// Keeps an uploaded file (sealed) for its import.
pub async fn keep_file(tx: &mut Tx, import_id: &str, sealed: &[u8]) -> Result<()> {
    execute!(&mut *tx,
        "INSERT INTO import_files (import_id, content_sealed) VALUES ($1, $2)";
        import_id, sealed)?;
    Ok(())
}

pub async fn file(db: impl Into<Exec<'_>>, import_id: &str) -> Result<Option<Vec<u8>>> {
    let row: Option<(Vec<u8>,)> = fetch!(db, fetch_optional,
        "SELECT content_sealed FROM import_files WHERE import_id = $1"; import_id)?;
    Ok(row.map(|(bytes,)| bytes))
}

/// Lets the file go once its import has ended.
pub async fn drop_file(db: impl Into<Exec<'_>>, import_id: &str) -> Result<()> {
    execute!(db, "DELETE FROM import_files WHERE import_id = $1"; import_id)?;
    Ok(())
}

/// An invitation an import made to be handed over in person.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct HandedOverRow {
    pub id: String,
    pub first_name: String,
    pub last_name: String,
    pub state: String,
}

/// Lets go of the files of dry runs that finished before `before` and were not imported since.
pub async fn drop_old_checked_files(db: impl Into<Exec<'_>>, before: i64) -> Result<u64> {
    Ok(execute!(db,
        "DELETE FROM import_files WHERE import_id IN
             (SELECT id FROM imports WHERE dry_run AND state = 'done' AND finished_at < $1)";
        before)?)
}

/// The invitations the import made to be handed over in person (no channel), in the order
/// made, at most `limit`.
pub async fn handed_over(
    db: impl Into<Exec<'_>>,
    import_id: &str,
    limit: i64,
) -> Result<Vec<HandedOverRow>> {
    Ok(fetch!(db, fetch_all,
        "SELECT i.id, i.first_name, i.last_name, i.state FROM invitations i
         WHERE i.channels = ''
           AND i.id IN (SELECT invitation_id FROM import_keys WHERE import_id = $1)
         ORDER BY i.created_at, i.id LIMIT $2";
        import_id, limit)?)
}

/// Notes that the import's hand-over sheets are being printed; false when they were already.
pub async fn mark_sheets_printed(
    db: impl Into<Exec<'_>>,
    import_id: &str,
    now: i64,
) -> Result<bool> {
    let marked = execute!(db,
        "UPDATE imports SET sheets_printed_at = $2 WHERE id = $1 AND sheets_printed_at IS NULL";
        import_id, now)?;
    Ok(marked == 1)
}

/// The reference of the import benchmark (`portico bench raw-insert`): a file's rows written as
/// they are into a scratch table, with no checks, keys, invitation or message — what storing the
/// rows alone costs on this database. Never used by a request.
pub mod bench {
    use crate::platform::db::execute;
    use crate::{Result, Tx};

    /// One row as the file gives it.
    pub struct RawRow<'a> {
        pub first_name: &'a str,
        pub last_name: &'a str,
        pub birth_date: &'a str,
        pub email: Option<&'a str>,
        pub phone: Option<&'a str>,
        pub external_id: Option<&'a str>,
    }

    /// The scratch table, made once.
    pub async fn create_table(tx: &mut Tx) -> Result<()> {
        execute!(
            &mut *tx,
            "CREATE TABLE IF NOT EXISTS bench_raw_rows (
                 id TEXT PRIMARY KEY, first_name TEXT NOT NULL, last_name TEXT NOT NULL,
                 birth_date TEXT NOT NULL, email TEXT, phone TEXT, external_id TEXT)"
        )?;
        Ok(())
    }

    pub async fn insert(tx: &mut Tx, id: &str, row: &RawRow<'_>) -> Result<()> {
        execute!(&mut *tx,
            "INSERT INTO bench_raw_rows (id, first_name, last_name, birth_date, email, phone,
                 external_id) VALUES ($1, $2, $3, $4, $5, $6, $7)";
            id, row.first_name, row.last_name, row.birth_date, row.email, row.phone,
            row.external_id)?;
        Ok(())
    }

    /// Leaves the database as it was.
    pub async fn drop_table(tx: &mut Tx) -> Result<()> {
        execute!(&mut *tx, "DROP TABLE IF EXISTS bench_raw_rows")?;
        Ok(())
    }
}
