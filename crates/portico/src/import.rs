//! `portico import`: a practice's patient file into invitations, from the server's command line,
//! with a progress bar, a summary, and the bad rows in a CSV file beside the file.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use portico_core::imports::{self, Counts, Format, Import, ImportChoices, ImportState, NewImport};
use portico_core::platform::actor::StaffActor;
use portico_core::{Core, CoreError, SystemClock};

use crate::config::Config;
use crate::server;

/// What the operator asked for.
pub struct Asked {
    pub file: PathBuf,
    pub practice: String,
    pub format: Option<String>,
    pub dry_run: bool,
    pub choices: ImportChoices,
}

/// Why the import could not run, in the operator's words (exit status 1).
struct Refused(String);

pub async fn run(config: &Config, asked: Asked) -> anyhow::Result<ExitCode> {
    let started = std::time::Instant::now();
    match import(config, &asked).await? {
        Ok(ended) => {
            let seconds = started.elapsed().as_secs_f64();
            let rows = ended.1.counts.total as f64;
            println!(
                "took {seconds:.2} s: {:.0} rows/s",
                rows / seconds.max(0.001)
            );
            report(&asked, &ended).await
        }
        Err(Refused(why)) => {
            eprintln!("{why}");
            Ok(ExitCode::FAILURE)
        }
    }
}

async fn import(config: &Config, asked: &Asked) -> anyhow::Result<Result<(Core, Import), Refused>> {
    let Some(format) = format_of(&asked.file, asked.format.as_deref()) else {
        return Ok(Err(Refused(
            "--format: say csv, fhir or ndjson (the file name does not tell)".into(),
        )));
    };
    let path = asked.file.clone();
    let scanned = tokio::task::spawn_blocking(move || scan(&path, format)).await?;
    let (fingerprint, rows_total) = match scanned {
        Ok(scan) => scan,
        Err(why) => return Ok(Err(why)),
    };
    let store = server::open_store(config).await?;
    let public_url = server::public_url(config, config.listen);
    let core = server::build_core(config, store, Arc::new(SystemClock), &public_url)?;
    let actor = StaffActor::operator(&asked.practice);
    let resumed = if asked.dry_run {
        None
    } else {
        imports::unfinished(&core, &actor, &fingerprint).await?
    };
    let started = match resumed {
        Some(unfinished) => {
            eprintln!(
                "resuming import {} of this file after row {} of {}",
                unfinished.id, unfinished.counts.done, unfinished.counts.total
            );
            unfinished
        }
        None => {
            let new = NewImport {
                file_name: file_name(&asked.file),
                format,
                dry_run: asked.dry_run,
                choices: asked.choices.clone(),
                fingerprint,
                rows_total,
            };
            match imports::begin(&core, &actor, &new).await {
                Ok(import) => import,
                Err(CoreError::NotFound) => {
                    return Ok(Err(Refused(format!(
                        "--practice: no practice has the id {}",
                        asked.practice
                    ))));
                }
                Err(CoreError::Invalid(errors)) => {
                    let lines: Vec<String> = errors
                        .iter()
                        .map(|e| format!("{}: {}", option_of(&e.field), e.message))
                        .collect();
                    return Ok(Err(Refused(lines.join("\n"))));
                }
                Err(other) => return Err(other.into()),
            }
        }
    };
    let bar = indicatif::ProgressBar::new(started.counts.total);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{bar:40} {pos}/{len} rows, {per_sec}, {eta} left {msg}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    bar.set_position(started.counts.done);
    let file = std::fs::File::open(&asked.file)?;
    let mut on_progress = |counts: &Counts| {
        bar.set_position(counts.done);
        bar.set_message(format!("({} bad)", counts.bad));
        true
    };
    let ended = imports::run(&core, &started.id, file, &mut on_progress).await;
    bar.finish_and_clear();
    Ok(Ok((core, ended?)))
}

/// The format asked for, else the one the file name says.
fn format_of(file: &Path, asked: Option<&str>) -> Option<Format> {
    match asked {
        Some(word) => Format::parse(word),
        None => file
            .file_name()
            .and_then(|n| Format::of_file_name(&n.to_string_lossy())),
    }
}

/// `portico bench raw-insert`: the reference an import is measured against.
pub async fn raw_insert(
    config: &Config,
    file: &Path,
    format: Option<&str>,
) -> anyhow::Result<ExitCode> {
    let Some(format) = format_of(file, format) else {
        eprintln!("--format: say csv, fhir or ndjson (the file name does not tell)");
        return Ok(ExitCode::FAILURE);
    };
    let store = server::open_store(config).await?;
    let public_url = server::public_url(config, config.listen);
    let core = server::build_core(config, store, Arc::new(SystemClock), &public_url)?;
    let started = std::time::Instant::now();
    let rows = imports::bench::raw_insert(&core, format, std::fs::File::open(file)?).await?;
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "{rows} rows in {seconds:.2} s: {:.0} rows/s",
        rows as f64 / seconds
    );
    Ok(ExitCode::SUCCESS)
}

/// The file's fingerprint and rows, read before anything is written: a file that cannot be read,
/// or is not of its format, is refused with nothing written.
fn scan(path: &Path, format: Format) -> Result<(String, u64), Refused> {
    let open = || {
        std::fs::File::open(path)
            .map_err(|e| Refused(format!("{}: cannot be read: {e}", path.display())))
    };
    let fingerprint = imports::fingerprint(&mut open()?)
        .map_err(|e| Refused(format!("{}: cannot be read: {e}", path.display())))?;
    let rows = imports::count_rows(format, open()?).map_err(|e| match e {
        CoreError::Invalid(errors) => Refused(
            errors
                .iter()
                .map(|e| format!("{}: {}", path.display(), e.message))
                .collect::<Vec<_>>()
                .join("\n"),
        ),
        other => Refused(other.to_string()),
    })?;
    Ok((fingerprint, rows))
}

/// The summary on standard output, and the bad rows beside the file.
async fn report(asked: &Asked, (core, ended): &(Core, Import)) -> anyhow::Result<ExitCode> {
    let c = &ended.counts;
    let would = if ended.dry_run { "would be " } else { "" };
    let mut out = std::io::stdout().lock();
    writeln!(out, "import {} of {} rows", ended.id, c.total)?;
    writeln!(out, "invited: {} {would}sent", c.invited)?;
    writeln!(out, "to hand over in person: {}", c.handed_over)?;
    writeln!(out, "already invited: {}", c.already_invited)?;
    writeln!(out, "already registered: {}", c.already_registered)?;
    writeln!(out, "skipped: {}", c.skipped)?;
    writeln!(out, "bad: {}", c.bad)?;
    drop(out);
    if c.bad > 0 {
        let path = bad_rows_path(&asked.file);
        write_bad_rows(core, &asked.practice, &ended.id, &path).await?;
        println!("bad rows: {}", path.display());
    }
    if c.handed_over > 0 && !ended.dry_run {
        println!(
            "invitations to hand over in person have no message: print their sheets from the \
             invitation list (a re-send prints a new code)"
        );
    }
    match ended.state {
        ImportState::Done => Ok(ExitCode::SUCCESS),
        ImportState::Running | ImportState::Failed => {
            eprintln!(
                "the file could not be read on: {} (the rows before were imported)",
                ended.failure.as_deref().unwrap_or("stopped")
            );
            Ok(ExitCode::FAILURE)
        }
    }
}

async fn write_bad_rows(
    core: &Core,
    practice: &str,
    import_id: &str,
    path: &Path,
) -> anyhow::Result<()> {
    let actor = StaffActor::operator(practice);
    let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
    writeln!(out, "place,reason")?;
    let mut after = 0;
    loop {
        let (page, next) = imports::problems(core, &actor, import_id, after).await?;
        for p in page {
            writeln!(out, "{},{}", csv_field(&p.place), csv_field(&p.reason))?;
        }
        match next {
            Some(next) => after = next,
            None => break,
        }
    }
    out.flush()?;
    Ok(())
}

/// `patients.csv` → `patients.csv.bad-rows.csv`, beside it.
fn bad_rows_path(file: &Path) -> PathBuf {
    let mut name = file.file_name().unwrap_or_default().to_os_string();
    name.push(".bad-rows.csv");
    file.with_file_name(name)
}

fn csv_field(text: &str) -> String {
    format!("\"{}\"", text.replace('"', "\"\""))
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// The option a choice's field error is about.
fn option_of(field: &str) -> &str {
    match field {
        "provider_id" => "--provider",
        "program_id" => "--program",
        "channels" => "--channels",
        "consent_method" => "--consent",
        other => other,
    }
}
