//! Bulk imports (docs/PRODUCT.md §3): a practice's patient file — CSV, FHIR R4 Bundle or FHIR
//! Bulk Data NDJSON, read by `portico_import` — turned into invitations, row by row, with the
//! invite form's own checks. A bad row is reported with its line and why; the good ones still go.
//!
//! An import is idempotent: each invited row leaves keyed hashes of who it was (the external id;
//! the names, birth date and a contact point) and a later run, of the same file or of an
//! overlapping export, finds them and invites nobody twice. It is resumable: rows are written in
//! batches, each in one transaction with the import's counters, so `rows_done` is always exactly
//! where a stopped run goes on. A dry run reads and checks everything, writes no invitation, and
//! reports what a real run would do.
//!
//! Where the rows come from is the caller's: the command line reads a local file and hands it
//! to [`run`]; run again after it was stopped, it resumes the unfinished import of the same file.
//! The staff console's uploads are kept, sealed, with their import and run in the background
//! ([`Runs`]); a node that starts takes over those whose holder stopped.

mod background;
pub mod bench;
mod handover;
mod run;

use portico_domain::SubjectKind;
use portico_store::imports::{self as store, ImportRow};

use crate::audit::{self, Action};
use crate::invitations::imported;
use crate::platform::actor::{ActorKind, StaffActor};
use crate::platform::clock::Timestamp;
use crate::{Core, CoreError, new_id};

pub use crate::invitations::imported::ImportChoices;
pub use background::{Runs, Upload};
pub use handover::{HandedOver, LISTED, Sheet, handed_over, print_sheets};
pub use portico_import::{CSV_COLUMNS, Format, csv_template};
pub use run::run;

/// How long a run holds its import without writing a batch before another may take it over.
const LEASE: std::time::Duration = std::time::Duration::from_secs(60);

/// A new import, as staff (or the command line) ask for it.
#[derive(Debug, Clone)]
pub struct NewImport {
    pub file_name: String,
    pub format: Format,
    pub dry_run: bool,
    pub choices: ImportChoices,
    /// SHA-256 of the file (see [`fingerprint`]).
    pub fingerprint: String,
    /// Rows in the file (see [`count_rows`]).
    pub rows_total: u64,
}

/// What an import stores of its starter and choices, to run on as them after a restart.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
struct Settings {
    choices: ImportChoices,
    actor_kind: String,
    actor_role: String,
    actor_name: String,
}

/// Where an import is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ImportState {
    Running,
    Done,
    /// The file could not be read on (the rows before were handled).
    Failed,
}

impl ImportState {
    pub fn as_str(self) -> &'static str {
        match self {
            ImportState::Running => "running",
            ImportState::Done => "done",
            ImportState::Failed => "failed",
        }
    }

    fn parse(word: &str) -> Result<ImportState, CoreError> {
        [ImportState::Running, ImportState::Done, ImportState::Failed]
            .into_iter()
            .find(|s| s.as_str() == word)
            .ok_or_else(|| CoreError::Internal(format!("unknown import state {word}")))
    }
}

/// What became of an import's rows so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Counts {
    /// Rows in the file.
    pub total: u64,
    /// Rows handled: each of them is in exactly one of the counts below.
    pub done: u64,
    /// Invitations sent (or, in a dry run, that would be).
    pub invited: u64,
    /// Invitations without an email or mobile phone: to hand over in person.
    pub handed_over: u64,
    /// Patients an earlier import already invited.
    pub already_invited: u64,
    /// Patients who already registered with an earlier import's invitation.
    pub already_registered: u64,
    /// Not patients to invite: other resource types, deceased, inactive or merged patients.
    pub skipped: u64,
    /// Rows that could not be used; each is in the report with its line and why.
    pub bad: u64,
}

impl Counts {
    fn of(row: &ImportRow) -> Counts {
        let c = &row.counts;
        let n = |v: i64| u64::try_from(v).unwrap_or_default();
        Counts {
            total: n(row.rows_total),
            done: n(c.rows_done),
            invited: n(c.invited),
            handed_over: n(c.handed_over),
            already_invited: n(c.already_invited),
            already_registered: n(c.already_registered),
            skipped: n(c.skipped),
            bad: n(c.bad),
        }
    }

    fn stored(&self) -> store::Counts {
        let n = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
        store::Counts {
            rows_done: n(self.done),
            invited: n(self.invited),
            handed_over: n(self.handed_over),
            already_invited: n(self.already_invited),
            already_registered: n(self.already_registered),
            skipped: n(self.skipped),
            bad: n(self.bad),
        }
    }
}

/// An import as staff see it.
#[derive(Debug, Clone)]
pub struct Import {
    pub id: String,
    pub file_name: String,
    pub format: Format,
    pub dry_run: bool,
    pub state: ImportState,
    pub counts: Counts,
    /// Why it failed, when it did.
    pub failure: Option<String>,
    pub created_at: Timestamp,
    pub finished_at: Option<Timestamp>,
    pub(crate) file_kept: bool,
    /// Its hand-over sheets were printed.
    pub sheets_printed: bool,
}

/// The word stored and shown for a format.
pub fn format_as_str(format: Format) -> &'static str {
    match format {
        Format::Csv => "csv",
        Format::FhirBundle => "fhir",
        Format::Ndjson => "ndjson",
    }
}

impl Import {
    /// About how long the rest will take, from the pace so far (none before the first batch).
    pub fn seconds_left(&self, now: Timestamp) -> Option<u64> {
        let c = &self.counts;
        if self.state != ImportState::Running || c.done == 0 {
            return None;
        }
        let elapsed = u64::try_from(now.as_millis() - self.created_at.as_millis()).ok()?;
        let left = c.total.saturating_sub(c.done);
        Some(elapsed.saturating_mul(left) / c.done / 1000)
    }

    /// Whether its hand-over sheets may still be printed (once, after a real run).
    pub fn can_print_sheets(&self) -> bool {
        !self.dry_run
            && self.state == ImportState::Done
            && self.counts.handed_over > 0
            && !self.sheets_printed
    }

    /// Whether its file is kept to be imported for real (a finished dry run of the console).
    pub fn can_run_for_real(&self) -> bool {
        self.dry_run && self.state == ImportState::Done && self.file_kept
    }

    fn of(row: &ImportRow) -> Result<Import, CoreError> {
        Ok(Import {
            id: row.id.clone(),
            file_name: row.file_name.clone(),
            format: Format::parse(&row.format)
                .ok_or_else(|| CoreError::Internal(format!("unknown format {}", row.format)))?,
            dry_run: row.dry_run,
            state: ImportState::parse(&row.state)?,
            counts: Counts::of(row),
            failure: row.failure.clone(),
            created_at: Timestamp::from_millis(row.created_at),
            finished_at: row.finished_at.map(Timestamp::from_millis),
            file_kept: row.file_kept,
            sheets_printed: row.sheets_printed_at.is_some(),
        })
    }
}

/// SHA-256 of a file's bytes, as hex: how the command line knows a file it ran before.
pub fn fingerprint(reader: &mut impl std::io::Read) -> std::io::Result<String> {
    use sha2::Digest;
    let mut hasher = sha2::Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = reader.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

/// Counts a file's rows (patients, bad rows, other resources) by reading it once without
/// checking anything: the total the progress and the time left are reckoned against. A file
/// that is not of `format` at all is refused here, before anything is written.
pub fn count_rows(format: Format, input: impl std::io::Read) -> Result<u64, CoreError> {
    let mut rows = 0u64;
    portico_import::read(format, std::io::BufReader::new(input), &mut |_| {
        rows += 1;
        Ok(())
    })
    .map_err(|e| crate::FieldErrors::single("file", e.to_string()))?;
    Ok(rows)
}

/// Checks the choices and writes a new running import held by the caller.
pub async fn begin(core: &Core, actor: &StaffActor, new: &NewImport) -> Result<Import, CoreError> {
    begin_with_file(core, actor, new, None).await
}

/// Writes a new import as [`begin`] does, with its file sealed (`sealed`) in the same
/// transaction, so that an import the service runs always has the file to resume from.
async fn begin_with_file(
    core: &Core,
    actor: &StaffActor,
    new: &NewImport,
    sealed: Option<&[u8]>,
) -> Result<Import, CoreError> {
    // Thousands of messages at once, in the practice's name: an admin's decision.
    actor.require_admin()?;
    imported::prepare(core, actor, &new.choices).await?;
    let now = core.now();
    let settings = Settings {
        choices: new.choices.clone(),
        actor_kind: actor.kind.as_str().to_owned(),
        actor_role: actor.role.as_str().to_owned(),
        actor_name: actor.display_name.clone(),
    };
    let row = ImportRow {
        id: new_id(),
        practice_id: actor.practice_id.clone(),
        started_by: actor.staff_id.clone(),
        file_name: new.file_name.chars().take(200).collect(),
        fingerprint: new.fingerprint.clone(),
        format: format_as_str(new.format).to_owned(),
        dry_run: new.dry_run,
        settings: serde_json::to_string(&settings)
            .map_err(|e| CoreError::Internal(e.to_string()))?,
        state: ImportState::Running.as_str().to_owned(),
        rows_total: i64::try_from(new.rows_total).unwrap_or(i64::MAX),
        counts: store::Counts::default(),
        failure: None,
        lease_until: Some(now.plus(LEASE).as_millis()),
        created_at: now.as_millis(),
        updated_at: now.as_millis(),
        finished_at: None,
        file_kept: sealed.is_some(),
        sheets_printed_at: None,
    };
    let mut tx = core.store().begin().await?;
    store::insert(&mut tx, &row).await?;
    if let Some(sealed) = sealed {
        store::keep_file(&mut tx, &row.id, sealed).await?;
    }
    audit::by_staff(actor, Action::ImportStarted, now)
        .subject(SubjectKind::Import, &row.id)
        .detail("format", row.format.as_str())
        .detail("dry_run", row.dry_run)
        .detail("rows", row.rows_total)
        .append(&mut tx)
        .await?;
    tx.commit().await?;
    Import::of(&row)
}

/// The practice's unfinished real run of this file (same fingerprint), to resume instead of
/// starting over: the command line run again after it was stopped.
pub async fn unfinished(
    core: &Core,
    actor: &StaffActor,
    fingerprint: &str,
) -> Result<Option<Import>, CoreError> {
    store::unfinished_of_file(core.store(), &actor.practice_id, fingerprint)
        .await?
        .as_ref()
        .map(Import::of)
        .transpose()
}

/// One import of the actor's practice.
pub async fn get(core: &Core, actor: &StaffActor, id: &str) -> Result<Import, CoreError> {
    let row = store::find_in_practice(core.store(), &actor.practice_id, id)
        .await?
        .ok_or(CoreError::NotFound)?;
    Import::of(&row)
}

/// The practice's latest imports, newest first.
pub async fn list(core: &Core, actor: &StaffActor) -> Result<Vec<Import>, CoreError> {
    store::of_practice(core.store(), &actor.practice_id, 50)
        .await?
        .iter()
        .map(Import::of)
        .collect()
}

/// A row an import could not use: where it is in the file, and why.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Problem {
    /// `line 12` (CSV, NDJSON) or `entry 3` (a Bundle's entries, from 0).
    pub place: String,
    pub reason: String,
}

/// The import's bad rows in file order, a page at a time: those after `after` (a position from
/// the previous page), with the position to ask from next.
pub async fn problems(
    core: &Core,
    actor: &StaffActor,
    id: &str,
    after: i64,
) -> Result<(Vec<Problem>, Option<i64>), CoreError> {
    get(core, actor, id).await?;
    const PAGE: i64 = 1000;
    let rows = store::problems(core.store(), id, after, PAGE).await?;
    let next = (rows.len() as i64 == PAGE)
        .then(|| rows.last().map(|r| r.seq))
        .flatten();
    Ok((
        rows.into_iter()
            .map(|r| Problem {
                place: r.place,
                reason: r.reason,
            })
            .collect(),
        next,
    ))
}

/// The actor an import runs as: its starter, as stored with it.
fn starter(row: &ImportRow) -> Result<StaffActor, CoreError> {
    let settings: Settings = serde_json::from_str(&row.settings)
        .map_err(|e| CoreError::Internal(format!("import settings: {e}")))?;
    let kind = ActorKind::parse(&settings.actor_kind)
        .ok_or_else(|| CoreError::Internal("import settings: actor kind".into()))?;
    let role = portico_domain::StaffRole::parse(&settings.actor_role)
        .map_err(|_| CoreError::Internal("import settings: actor role".into()))?;
    Ok(StaffActor {
        kind,
        staff_id: row.started_by.clone(),
        practice_id: row.practice_id.clone(),
        role,
        display_name: settings.actor_name,
        client: Default::default(),
    })
}

fn choices_of(row: &ImportRow) -> Result<ImportChoices, CoreError> {
    let settings: Settings = serde_json::from_str(&row.settings)
        .map_err(|e| CoreError::Internal(format!("import settings: {e}")))?;
    Ok(settings.choices)
}
