//! Running an import: the file is read on a blocking thread (`portico_import`, one row at a time)
//! into a small bounded channel, so memory stays flat whatever the file's size; rows are handled
//! in batches, each batch in one transaction that also moves the import's counters.

use std::collections::HashSet;
use std::io::Read;

use portico_domain::SubjectKind;
use portico_import::{Place, Row};
use portico_store::Tx;
use portico_store::imports::{self as store, ProblemRow};

use super::{Counts, Import, ImportState, LEASE, choices_of, starter};
use crate::audit::{self, Action};
use crate::invitations::imported::{self, CheckedRow, Prepared, RowFields};
use crate::platform::actor::StaffActor;
use crate::platform::secrets::Purpose;
use crate::{Core, CoreError, FieldErrors, new_id};

/// Rows per transaction: large enough that a commit's cost is shared, small enough that the
/// service's own writes wait little behind one (SQLite has one writer).
pub(super) const BATCH: usize = 250;
/// Rows read ahead of the batch being written.
const READ_AHEAD: usize = 1024;

/// Runs import `id` over `input` (the whole file, from its start): rows an earlier run already
/// handled are passed over, the others handled, and the import ends `done` (or `failed` when the
/// file cannot be read on). `progress` hears the counts after each batch, and answers whether to
/// go on: told to stop, the run ends after that batch with the import still running, for a later
/// run to resume. Answers the import as it ended (or stopped).
pub async fn run(
    core: &Core,
    id: &str,
    input: impl Read + Send + 'static,
    progress: &mut (dyn FnMut(&Counts) -> bool + Send),
) -> Result<Import, CoreError> {
    let row = store::find(core.store(), id)
        .await?
        .ok_or(CoreError::NotFound)?;
    let actor = starter(&row)?;
    let mut import = Import::of(&row)?;
    if import.state != ImportState::Running {
        return Ok(import);
    }
    let prepared = match imported::prepare(core, &actor, &choices_of(&row)?).await {
        Ok(prepared) => prepared,
        // The provider or program was deleted since: nothing can be invited as asked.
        Err(CoreError::Invalid(errors)) => {
            let why = reason(&errors);
            return end(core, &actor, import, ImportState::Failed, Some(&why)).await;
        }
        Err(e) => return Err(e),
    };
    let (sender, mut receiver) = tokio::sync::mpsc::channel::<Row>(READ_AHEAD);
    let format = import.format;
    let reader = tokio::task::spawn_blocking(move || {
        portico_import::read(format, std::io::BufReader::new(input), &mut |row| {
            sender
                .blocking_send(row)
                .map_err(|_| portico_import::ReadError::Stopped)
        })
    });
    let mut run = Batches {
        core,
        actor: &actor,
        prepared: &prepared,
        import_id: id,
        dry_run: import.dry_run,
        seen: HashSet::new(),
        counts: import.counts,
    };
    let resume_after = import.counts.done;
    let mut index = 0u64;
    let mut batch = Vec::with_capacity(BATCH);
    loop {
        let row = receiver.recv().await;
        let finished = row.is_none();
        if let Some(row) = row {
            index += 1;
            if index > resume_after {
                batch.push(row);
            }
        }
        if batch.len() == BATCH || (finished && !batch.is_empty()) {
            run.write(std::mem::take(&mut batch)).await?;
            if !progress(&run.counts) {
                import.counts = run.counts;
                return Ok(import);
            }
            // The service's requests go first: an import waits its turn between batches.
            tokio::task::yield_now().await;
        }
        if finished {
            break;
        }
    }
    import.counts = run.counts;
    let read = reader
        .await
        .map_err(|e| CoreError::Internal(format!("import reader: {e}")))?;
    match read {
        Ok(_) => end(core, &actor, import, ImportState::Done, None).await,
        Err(e) => {
            let why = e.to_string();
            end(core, &actor, import, ImportState::Failed, Some(&why)).await
        }
    }
}

/// Ends the import, lets its file go, and says so in the audit log.
async fn end(
    core: &Core,
    actor: &StaffActor,
    mut import: Import,
    state: ImportState,
    failure: Option<&str>,
) -> Result<Import, CoreError> {
    let now = core.now();
    let mut tx = core.store().begin().await?;
    store::finish(
        &mut tx,
        &import.id,
        state.as_str(),
        failure,
        now.as_millis(),
    )
    .await?;
    // A finished dry run keeps its file, for staff to import it for real once they have read
    // the report.
    if !(import.dry_run && state == ImportState::Done) {
        store::drop_file(&mut tx, &import.id).await?;
        import.file_kept = false;
    }
    let c = import.counts;
    audit::by_staff(actor, Action::ImportFinished, now)
        .subject(SubjectKind::Import, &import.id)
        .detail("state", state.as_str())
        .detail("invited", c.invited + c.handed_over)
        .detail("already", c.already_invited + c.already_registered)
        .detail("skipped", c.skipped)
        .detail("bad", c.bad)
        .append(&mut tx)
        .await?;
    tx.commit().await?;
    import.state = state;
    import.failure = failure.map(str::to_owned);
    import.finished_at = Some(now);
    Ok(import)
}

/// One run's state between batches.
struct Batches<'a> {
    core: &'a Core,
    actor: &'a StaffActor,
    prepared: &'a Prepared,
    import_id: &'a str,
    dry_run: bool,
    /// A dry run's people so far (a short hash of their keys): the same patient twice in one
    /// file counts once, as the real run's keys would make it.
    seen: HashSet<u64>,
    counts: Counts,
}

/// What one patient row came to.
enum Outcome {
    Invited { handed_over: bool },
    AlreadyInvited,
    AlreadyRegistered,
    Bad(String),
}

impl Batches<'_> {
    /// Handles `rows` and moves the counters past them, all in one transaction.
    async fn write(&mut self, rows: Vec<Row>) -> Result<(), CoreError> {
        let from = self.counts;
        let mut to = from;
        let mut tx = self.core.store().begin().await?;
        for row in rows {
            to.done += 1;
            match row {
                Row::Skipped { .. } => to.skipped += 1,
                Row::Bad { place, reason } => {
                    to.bad += 1;
                    self.problem(&mut tx, to.done, place, reason).await?;
                }
                Row::Patient { place, patient } => match self.patient(&mut tx, &patient).await? {
                    Outcome::Invited { handed_over: true } => to.handed_over += 1,
                    Outcome::Invited { handed_over: false } => to.invited += 1,
                    Outcome::AlreadyInvited => to.already_invited += 1,
                    Outcome::AlreadyRegistered => to.already_registered += 1,
                    Outcome::Bad(reason) => {
                        to.bad += 1;
                        self.problem(&mut tx, to.done, place, reason).await?;
                    }
                },
            }
        }
        let now = self.core.now();
        let times = (now.as_millis(), now.plus(LEASE).as_millis());
        let from_done = i64::try_from(from.done).unwrap_or(i64::MAX);
        if !store::advance(&mut tx, self.import_id, from_done, &to.stored(), times).await? {
            // Another node took the import over (this one had stalled): it goes on from there.
            return Err(CoreError::Conflict(
                "another run has taken this import over",
            ));
        }
        tx.commit().await?;
        self.counts = to;
        Ok(())
    }

    async fn problem(
        &self,
        tx: &mut Tx,
        seq: u64,
        place: Place,
        reason: String,
    ) -> Result<(), CoreError> {
        let problem = ProblemRow {
            seq: i64::try_from(seq).unwrap_or(i64::MAX),
            place: place.to_string(),
            reason,
        };
        store::add_problem(tx, self.import_id, &problem).await?;
        Ok(())
    }

    async fn patient(
        &mut self,
        tx: &mut Tx,
        found: &portico_import::FoundPatient,
    ) -> Result<Outcome, CoreError> {
        let fields = RowFields {
            first_name: &found.first_name,
            last_name: &found.last_name,
            birth_date: &found.birth_date,
            email: found.email.as_deref(),
            phone: found.phone.as_deref(),
            language: found.language.as_deref(),
        };
        let checked = match imported::check_row(self.core, self.prepared, &fields) {
            Ok(checked) => checked,
            Err(errors) => return Ok(Outcome::Bad(reason(&errors))),
        };
        let keys = self.keys(found.external_id.as_deref(), &checked);
        let practice_id = &self.actor.practice_id;
        let pair = [keys[0].as_str(), keys[keys.len() - 1].as_str()];
        if let Some((_, state)) = store::invited_by_key(&mut *tx, practice_id, pair).await? {
            return Ok(if state == "redeemed" {
                Outcome::AlreadyRegistered
            } else {
                Outcome::AlreadyInvited
            });
        }
        let handed_over = checked.handed_over();
        if self.dry_run {
            let mut new = true;
            for key in &keys {
                new &= self.seen.insert(short(key));
            }
            return Ok(if new {
                Outcome::Invited { handed_over }
            } else {
                Outcome::AlreadyInvited
            });
        }
        self.invite(tx, keys, checked).await
    }

    /// Claims the row's keys, then writes its invitation; a key another run claimed first means
    /// that run invites this patient, and this row writes nothing.
    async fn invite(
        &self,
        tx: &mut Tx,
        keys: Vec<String>,
        checked: CheckedRow,
    ) -> Result<Outcome, CoreError> {
        let practice_id = &self.actor.practice_id;
        let id = new_id();
        for key in &keys {
            if !store::claim_key(tx, practice_id, key, &id, self.import_id).await? {
                store::release_keys(tx, practice_id, &id).await?;
                return Ok(Outcome::AlreadyInvited);
            }
        }
        let handed_over = checked.handed_over();
        imported::insert(self.core, tx, self.actor, self.prepared, id, checked).await?;
        Ok(Outcome::Invited { handed_over })
    }

    /// The row's keys: its external id's, when it has one, and its identity's.
    fn keys(&self, external_id: Option<&str>, checked: &CheckedRow) -> Vec<String> {
        let keys = self.core.keys();
        let mut out = Vec::with_capacity(2);
        if let Some(external) = external_id.map(str::trim).filter(|e| !e.is_empty()) {
            out.push(keys.lookup_hash(Purpose::ImportKey, format!("id\u{0}{external}").as_bytes()));
        }
        let who = format!("who\u{0}{}", checked.identity());
        out.push(keys.lookup_hash(Purpose::ImportKey, who.as_bytes()));
        out
    }
}

/// The first 64 bits of a hex key hash.
fn short(key: &str) -> u64 {
    u64::from_str_radix(key.get(..16).unwrap_or(key), 16).unwrap_or_default()
}

/// A row's field errors in words, each after the name of its field as the file has it.
fn reason(errors: &FieldErrors) -> String {
    errors
        .iter()
        .map(|e| {
            let field = match e.field.as_str() {
                "first_name" => "first name",
                "last_name" => "last name",
                "birth_date" => "date of birth",
                "email" => "email",
                "phone" => "phone",
                "provider_id" => "provider",
                "program_id" => "program",
                other => other,
            };
            format!("{field}: {}", e.message)
        })
        .collect::<Vec<_>>()
        .join("; ")
}
