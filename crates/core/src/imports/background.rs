//! Imports the staff console starts: the upload is sealed and kept with its import (in the same
//! transaction), then run on a task of its own, so closing the page changes nothing. When the
//! service stops, each run ends after the batch it is writing; a node that starts, and every node
//! now and then, takes over the imports whose holder stopped renewing their lease.

use std::sync::{Arc, Mutex};

use portico_store::imports as store;
use tokio::sync::watch;
use tokio::task::JoinSet;

use super::{Import, ImportChoices, NewImport, begin_with_file, count_rows, fingerprint, run};
use crate::platform::actor::StaffActor;
use crate::platform::secrets::Purpose;
use crate::{Core, CoreError, FieldErrors};

/// A file uploaded on the console, with what to do with it.
pub struct Upload {
    pub file_name: String,
    pub bytes: Vec<u8>,
    pub dry_run: bool,
    pub choices: ImportChoices,
}

/// The imports this node runs in the background.
#[derive(Clone)]
pub struct Runs {
    core: Core,
    stop: watch::Sender<bool>,
    running: Arc<Mutex<JoinSet<()>>>,
}

impl Runs {
    pub fn new(core: Core) -> Runs {
        Runs {
            core,
            stop: watch::Sender::new(false),
            running: Arc::default(),
        }
    }

    /// Checks the upload (its kind, that it reads as one, the choices), keeps it with a new
    /// import, and starts running it. A file that cannot be imported is refused (422, field
    /// `file`) with nothing written.
    pub async fn start(&self, actor: &StaffActor, upload: Upload) -> Result<Import, CoreError> {
        let Some(format) = super::Format::of_file_name(&upload.file_name) else {
            return Err(FieldErrors::single(
                "file",
                "Choose a .csv file, a FHIR Bundle (.json) or a FHIR NDJSON file (.ndjson).",
            )
            .into());
        };
        if upload.bytes.is_empty() {
            return Err(FieldErrors::single("file", "Choose the file to import.").into());
        }
        let bytes = Arc::new(upload.bytes);
        let read = Arc::clone(&bytes);
        let (fingerprint, rows_total) = tokio::task::spawn_blocking(move || {
            let rows = count_rows(format, read.as_slice())?;
            let print = fingerprint(&mut read.as_slice())
                .map_err(|e| CoreError::Internal(e.to_string()))?;
            Ok::<_, CoreError>((print, rows))
        })
        .await
        .map_err(|e| CoreError::Internal(e.to_string()))??;
        let sealed = self.core.keys().seal_bytes(Purpose::ImportFile, &bytes);
        let new = NewImport {
            file_name: upload.file_name,
            format,
            dry_run: upload.dry_run,
            choices: upload.choices,
            fingerprint,
            rows_total,
        };
        let import = begin_with_file(&self.core, actor, &new, Some(&sealed)).await?;
        self.spawn(import.id.clone());
        Ok(import)
    }

    /// Imports for real the file of a finished dry run, with the same choices; the dry run lets
    /// its file go.
    pub async fn run_for_real(
        &self,
        actor: &StaffActor,
        dry_run_id: &str,
    ) -> Result<Import, CoreError> {
        let dry = super::get(&self.core, actor, dry_run_id).await?;
        if !dry.can_run_for_real() {
            return Err(CoreError::Conflict(
                "only a finished dry run whose file is kept can be run for real",
            ));
        }
        let row = store::find(self.core.store(), dry_run_id)
            .await?
            .ok_or(CoreError::NotFound)?;
        let sealed = store::file(self.core.store(), dry_run_id)
            .await?
            .ok_or(CoreError::NotFound)?;
        let new = NewImport {
            file_name: dry.file_name.clone(),
            format: dry.format,
            dry_run: false,
            choices: super::choices_of(&row)?,
            fingerprint: row.fingerprint.clone(),
            rows_total: dry.counts.total,
        };
        let import = begin_with_file(&self.core, actor, &new, Some(&sealed)).await?;
        store::drop_file(self.core.store(), dry_run_id).await?;
        self.spawn(import.id.clone());
        Ok(import)
    }

    /// Takes over the imports whose holder stopped (a node stopped or killed mid-way) and runs
    /// them on from where they stopped. Answers how many.
    pub async fn take_over_stalled(&self) -> Result<usize, CoreError> {
        let mut taken = 0;
        loop {
            let now = self.core.now();
            let until = now.plus(super::LEASE).as_millis();
            let Some(id) =
                store::take_over_stalled(self.core.store(), now.as_millis(), until).await?
            else {
                return Ok(taken);
            };
            tracing::info!(import = %id, "resuming an import whose run stopped");
            self.spawn(id);
            taken += 1;
        }
    }

    /// Lets go of the files of checks (dry runs) not imported within a day of finishing.
    pub async fn drop_old_checked_files(&self) -> Result<u64, CoreError> {
        let day_ago = self
            .core
            .now()
            .minus(std::time::Duration::from_secs(86_400));
        Ok(store::drop_old_checked_files(self.core.store(), day_ago.as_millis()).await?)
    }

    /// Fires when the service stops: pages following an import stop following it.
    pub fn stopping(&self) -> watch::Receiver<bool> {
        self.stop.subscribe()
    }

    /// Stops every run after the batch it is writing, and waits for them.
    pub async fn stop(&self) {
        self.stop.send_replace(true);
        let mut running =
            std::mem::take(&mut *self.running.lock().unwrap_or_else(|e| e.into_inner()));
        while running.join_next().await.is_some() {}
    }

    fn spawn(&self, id: String) {
        if *self.stop.borrow() {
            return;
        }
        let core = self.core.clone();
        let stop = self.stop.subscribe();
        let mut running = self.running.lock().unwrap_or_else(|e| e.into_inner());
        // Finished runs are let go of as new ones start.
        while running.try_join_next().is_some() {}
        running.spawn(async move {
            if let Err(e) = run_kept(&core, &id, stop).await {
                tracing::warn!(import = %id, error = %e, "an import stopped; it resumes later");
            }
        });
    }
}

/// Runs an import from its kept file until it ends or the service stops.
async fn run_kept(core: &Core, id: &str, stop: watch::Receiver<bool>) -> Result<(), CoreError> {
    let sealed = store::file(core.store(), id)
        .await?
        .ok_or(CoreError::NotFound)?;
    let bytes = core
        .keys()
        .open_bytes(Purpose::ImportFile, &sealed)
        .ok_or_else(|| CoreError::Internal("an import's file does not open".into()))?;
    drop(sealed);
    let mut go_on = |_: &super::Counts| !*stop.borrow();
    run(core, id, std::io::Cursor::new(bytes), &mut go_on).await?;
    Ok(())
}
