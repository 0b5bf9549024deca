//! The command line: `serve`, `worker`, `migrate`, `admin`, `audit verify`, `import`, `bench hash`,
//! `bench seed-invitations`, `bench seed-threads`.

use std::io::{BufRead, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::{Parser, Subcommand};
use portico_core::practices::staff::NewStaffInput;
use portico_core::{CoreError, SystemClock};
use portico_store::audit::Verdict;

use crate::config::{Config, Overrides};
use crate::server;

#[derive(Debug, Parser)]
#[command(
    name = "portico",
    version,
    about = "Patient onboarding for medical practices"
)]
pub struct Cli {
    /// Configuration file (TOML); default: <data dir>/portico.toml when it exists.
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Folder for the SQLite database and the secret key.
    #[arg(long, global = true, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the web service (and print a set-up link while no admin exists).
    Serve {
        /// Address to listen on; port 0 picks a free port.
        #[arg(long, value_name = "ADDR")]
        listen: Option<String>,
    },
    /// Deliver messages from the outbox (without the web service), until stopped.
    Worker,
    /// Apply database migrations and exit.
    Migrate,
    /// Practice administration.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
    /// The audit log.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Invite a practice's patients from a file: CSV (columns first_name, last_name,
    /// birth_date, email, phone, external_id, language), a FHIR R4 Bundle (.json) or FHIR Bulk
    /// Data NDJSON. Rows already invited by an earlier import are passed over; an unfinished run
    /// of the same file is resumed. Bad rows go to FILE.bad-rows.csv. Exit status 0 when the
    /// file was imported (even with bad rows), 1 when it could not be.
    Import {
        /// The patient file.
        #[arg(value_name = "FILE")]
        file: PathBuf,
        #[arg(long, value_name = "PRACTICE_ID")]
        practice: String,
        /// csv, fhir or ndjson; by default, the file name's extension says.
        #[arg(long, value_name = "FORMAT")]
        format: Option<String>,
        /// Read and check everything and report what would happen; invite nobody.
        #[arg(long)]
        dry_run: bool,
        /// A provider of the practice the patients are linked to.
        #[arg(long, value_name = "ID")]
        provider: Option<String>,
        /// A program of the practice the patients are enrolled in.
        #[arg(long, value_name = "ID")]
        program: Option<String>,
        /// How to send: each row goes by those it has an address for; a row with none of
        /// them is an invitation to hand over in person.
        #[arg(
            long,
            value_name = "LIST",
            value_delimiter = ',',
            default_value = "email,sms"
        )]
        channels: Vec<String>,
        /// in_app, tablet or paper; the practice's default when left out.
        #[arg(long, value_name = "METHOD")]
        consent: Option<String>,
    },
    /// Measurements of this machine, the reference figures of BENCHMARKS.md.
    Bench {
        #[command(subcommand)]
        command: BenchCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Create an admin (and the practice, if none has that name). Reads the password from
    /// standard input; prints the practice id.
    Create {
        #[arg(long, value_name = "NAME")]
        practice: String,
        #[arg(long, value_name = "EMAIL")]
        email: String,
        /// The admin's full name.
        #[arg(long, value_name = "NAME", default_value = "Practice Admin")]
        name: String,
    },
    /// API tokens for integrators.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create an API token for a practice; prints the token (only) on standard output.
    Create {
        #[arg(long, value_name = "PRACTICE_ID")]
        practice: String,
        /// What the token is for, e.g. the integration's name.
        #[arg(long, value_name = "TEXT", default_value = "API token")]
        label: String,
    },
    /// Revoke a token by its id (printed on standard error when it was created).
    Revoke {
        #[arg(long, value_name = "PRACTICE_ID")]
        practice: String,
        #[arg(long, value_name = "TOKEN_ID")]
        id: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Check the whole hash chain; exit status 1 at the first broken link.
    Verify,
}

#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Hash passwords on one thread with the service's own Argon2id hasher and parameters (as
    /// registration does) for a while; print hashes per second. Needs no database.
    Hash {
        /// How long to keep hashing.
        #[arg(long, value_name = "N", default_value_t = 10,
            value_parser = clap::value_parser!(u64).range(1..=3600))]
        seconds: u64,
    },
    /// The reference of bench/import.sh: read FILE as `portico import` does and write its
    /// patient rows as they are into a scratch table of the database (dropped afterwards), in
    /// transactions of an import's batch size. Prints the rows and the seconds.
    RawInsert {
        #[arg(value_name = "FILE")]
        file: PathBuf,
        /// csv, fhir or ndjson; by default, the file name's extension says.
        #[arg(long, value_name = "FORMAT")]
        format: Option<String>,
    },
    /// Write invitations for a practice as the service writes them (search terms included,
    /// states spread over two years), for the invitation list's load run
    /// (bench/invitation-list.sh). Sends nothing; prints how many and how long it took.
    SeedInvitations {
        #[arg(long, value_name = "PRACTICE_ID")]
        practice: String,
        #[arg(long, value_name = "N", default_value_t = 100_000,
            value_parser = clap::value_parser!(u64).range(1..=10_000_000))]
        count: u64,
        /// The same seed writes the same people.
        #[arg(long, value_name = "N", default_value_t = 1)]
        seed: u64,
    },
    /// Write patients (signed up, linked, terms accepted), staff members and secure threads
    /// with their messages for a practice, as the service writes them (subjects and bodies
    /// sealed), for the threads' load run (bench/thread-inbox.sh). Reads the one password of
    /// every seeded account from standard input; prints the staff member and the patient to
    /// sign in as (`staff EMAIL THREADS`, `patient EMAIL THREADS`); progress on standard error.
    SeedThreads {
        #[arg(long, value_name = "PRACTICE_ID")]
        practice: String,
        #[arg(long, value_name = "N", default_value_t = 10_000,
            value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
        patients: u64,
        #[arg(long, value_name = "N", default_value_t = 20_000,
            value_parser = clap::value_parser!(u64).range(1..=10_000_000))]
        threads: u64,
        /// At least one per thread (its opening message).
        #[arg(long, value_name = "N", default_value_t = 1_000_000,
            value_parser = clap::value_parser!(u64).range(1..=100_000_000))]
        messages: u64,
        /// Staff members added to the practice; the first has a fifth of the threads.
        #[arg(long, value_name = "N", default_value_t = 8,
            value_parser = clap::value_parser!(u64).range(1..=1000))]
        staff: u64,
        /// The same seed writes the same people and threads.
        #[arg(long, value_name = "N", default_value_t = 1)]
        seed: u64,
    },
}

impl Cli {
    pub fn overrides(&self) -> Overrides {
        let listen = match &self.command {
            Command::Serve { listen } => listen.clone(),
            _ => None,
        };
        Overrides {
            config_file: self.config.clone(),
            data_dir: self.data_dir.clone(),
            listen,
        }
    }
}

pub async fn run(cli: Cli, config: Config) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Serve { .. } => serve(&config).await,
        Command::Worker => worker(&config).await,
        Command::Migrate => {
            server::open_store(&config).await?;
            println!("database is up to date");
            Ok(ExitCode::SUCCESS)
        }
        Command::Admin {
            command:
                AdminCommand::Create {
                    practice,
                    email,
                    name,
                },
        } => admin_create(&config, &practice, &email, &name).await,
        Command::Admin {
            command: AdminCommand::Token { command },
        } => token(&config, command).await,
        Command::Audit {
            command: AuditCommand::Verify,
        } => audit_verify(&config).await,
        Command::Import {
            file,
            practice,
            format,
            dry_run,
            provider,
            program,
            channels,
            consent,
        } => {
            let asked = crate::import::Asked {
                file,
                practice,
                format,
                dry_run,
                choices: portico_core::imports::ImportChoices {
                    provider_id: provider,
                    program_id: program,
                    channels,
                    consent_method: consent,
                },
            };
            crate::import::run(&config, asked).await
        }
        Command::Bench {
            command: BenchCommand::Hash { seconds },
        } => bench_hash(Duration::from_secs(seconds)),
        Command::Bench {
            command: BenchCommand::RawInsert { file, format },
        } => crate::import::raw_insert(&config, &file, format.as_deref()).await,
        Command::Bench {
            command:
                BenchCommand::SeedInvitations {
                    practice,
                    count,
                    seed,
                },
        } => seed_invitations(&config, &practice, count, seed).await,
        Command::Bench {
            command:
                BenchCommand::SeedThreads {
                    practice,
                    patients,
                    threads,
                    messages,
                    staff,
                    seed,
                },
        } => {
            let plan = portico_core::threads::bench::Plan {
                patients,
                threads,
                messages,
                staff,
                seed,
            };
            seed_threads(&config, &practice, &plan).await
        }
    }
}

async fn serve(config: &Config) -> anyhow::Result<ExitCode> {
    let server = server::start(config, Arc::new(SystemClock)).await?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "listening on http://{}", server.addr)?;
    if let Some(link) = &server.setup_link {
        writeln!(
            out,
            "No admin exists yet. Open this one-time link within an hour to set up your practice:"
        )?;
        writeln!(out, "{link}")?;
    }
    out.flush()?;
    drop(out);
    shutdown_signal().await;
    tracing::info!("shutting down");
    server.stop().await?;
    Ok(ExitCode::SUCCESS)
}

async fn worker(config: &Config) -> anyhow::Result<ExitCode> {
    let store = server::open_store(config).await?;
    let public_url = server::public_url(config, config.listen);
    let core = server::build_core(config, store, Arc::new(SystemClock), &public_url)?;
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let worker = portico_delivery::Worker::new(
        core.clone(),
        server::transports(config)?,
        server::worker_settings(config),
    );
    let running = tokio::spawn(worker.run(stopped));
    eprintln!("delivering from the outbox; stop with Ctrl-C");
    shutdown_signal().await;
    let _ = stop.send(true);
    running.await?;
    core.store().close().await;
    Ok(ExitCode::SUCCESS)
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! { () = ctrl_c => {}, () = terminate => {} }
}

async fn admin_create(
    config: &Config,
    practice: &str,
    email: &str,
    name: &str,
) -> anyhow::Result<ExitCode> {
    let mut password = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut password)
        .context("cannot read the password from standard input")?;
    let password = password.trim_end_matches(['\r', '\n']).to_owned();
    let store = server::open_store(config).await?;
    let core = server::build_core(
        config,
        store,
        Arc::new(SystemClock),
        &server::public_url(config, config.listen),
    )?;
    let input = NewStaffInput {
        display_name: name.into(),
        email: email.into(),
        role: "admin".into(),
        password,
    };
    match portico_core::practices::setup::create_admin(&core, practice, &input).await {
        Ok(created) => {
            println!("{}", created.practice_id);
            if created.practice_created {
                eprintln!("created practice and admin");
            } else {
                eprintln!("added an admin to the existing practice");
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(CoreError::Invalid(errors)) => {
            for e in errors.iter() {
                let what = match e.field.as_str() {
                    "display_name" => "--name",
                    "email" => "--email",
                    "practice" => "--practice",
                    "password" => "password (standard input)",
                    other => other,
                };
                eprintln!("{what}: {}", e.message);
            }
            Ok(ExitCode::from(2))
        }
        Err(other) => Err(other.into()),
    }
}

async fn token(config: &Config, command: TokenCommand) -> anyhow::Result<ExitCode> {
    let store = server::open_store(config).await?;
    let core = server::build_core(
        config,
        store,
        Arc::new(SystemClock),
        &server::public_url(config, config.listen),
    )?;
    match command {
        TokenCommand::Create { practice, label } => {
            match portico_core::accounts::api_tokens::create_for_practice(&core, &practice, &label)
                .await
            {
                Ok(created) => {
                    println!("{}", created.token);
                    eprintln!(
                        "token id {} (keep the token secret; it is not shown again)",
                        created.id
                    );
                    Ok(ExitCode::SUCCESS)
                }
                Err(CoreError::NotFound) => {
                    eprintln!("--practice: no practice has the id {practice}");
                    Ok(ExitCode::from(2))
                }
                Err(other) => Err(other.into()),
            }
        }
        TokenCommand::Revoke { practice, id } => {
            match portico_core::accounts::api_tokens::revoke_in_practice(&core, &practice, &id)
                .await
            {
                Ok(()) => {
                    eprintln!("token {id} revoked");
                    Ok(ExitCode::SUCCESS)
                }
                Err(CoreError::NotFound) => {
                    eprintln!("--id: practice {practice} has no active token {id}");
                    Ok(ExitCode::from(2))
                }
                Err(other) => Err(other.into()),
            }
        }
    }
}

async fn audit_verify(config: &Config) -> anyhow::Result<ExitCode> {
    let store = server::open_store(config).await?;
    let keys = server::load_keys(config)?;
    let result = portico_store::audit::verify(&store, &keys.audit_chain_key()).await?;
    let keyed_from = result.keyed_from_seq;
    if keyed_from > 1 {
        // The database was written before the chain was keyed; those events are covered by the
        // first keyed one after them (once there is one).
        println!(
            "events 1 to {} were written before the audit chain was keyed (plain SHA-256)",
            keyed_from - 1
        );
    }
    match result.verdict {
        Verdict::Intact => {
            println!(
                "audit chain intact: {} events verified (keyed from event {keyed_from})",
                result.events_checked
            );
            Ok(ExitCode::SUCCESS)
        }
        Verdict::Broken(link) => {
            println!(
                "audit chain BROKEN at event {}: {} ({} events before it verified)",
                link.seq, link.reason, result.events_checked
            );
            Ok(ExitCode::FAILURE)
        }
        Verdict::WrongKey => {
            println!(
                "audit chain NOT VERIFIED: it was written under another key; security.secret_key \
                 (or <data dir>/secret.key) must be the secret key the service runs with"
            );
            Ok(ExitCode::FAILURE)
        }
    }
}

/// Hashes back to back on the calling thread, so that the figure is what one core gives: the
/// ceiling for anything that costs one hash, such as a registration.
fn bench_hash(duration: Duration) -> anyhow::Result<ExitCode> {
    // Always the same password: each hash draws its own salt, and the cost does not depend on it.
    let password = "quiet meadow lantern river";
    let started = Instant::now();
    let mut hashes: u64 = 0;
    while started.elapsed() < duration {
        portico_core::accounts::passwords::hash_blocking(password)?;
        hashes += 1;
    }
    let elapsed = started.elapsed().as_secs_f64();
    println!(
        "argon2id: {:.1} hashes/s on one thread ({hashes} in {elapsed:.1} s)",
        hashes as f64 / elapsed
    );
    Ok(ExitCode::SUCCESS)
}

async fn seed_invitations(
    config: &Config,
    practice: &str,
    count: u64,
    seed: u64,
) -> anyhow::Result<ExitCode> {
    let store = server::open_store(config).await?;
    let public_url = server::public_url(config, config.listen);
    let core = server::build_core(config, store, Arc::new(SystemClock), &public_url)?;
    let started = Instant::now();
    let written = portico_core::invitations::bench::seed(&core, practice, count, seed)
        .await
        .context("cannot write the invitations")?;
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "wrote {written} invitations in {seconds:.1} s ({:.0}/s)",
        written as f64 / seconds
    );
    core.store().close().await;
    Ok(ExitCode::SUCCESS)
}

async fn seed_threads(
    config: &Config,
    practice: &str,
    plan: &portico_core::threads::bench::Plan,
) -> anyhow::Result<ExitCode> {
    let mut password = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut password)
        .context("cannot read the password from standard input")?;
    let password = password.trim_end_matches(['\r', '\n']).to_owned();
    anyhow::ensure!(!password.is_empty(), "no password on standard input");
    let store = server::open_store(config).await?;
    let public_url = server::public_url(config, config.listen);
    let core = server::build_core(config, store, Arc::new(SystemClock), &public_url)?;
    let started = Instant::now();
    let mut last_shown = Instant::now();
    let mut progress = |what: &str, done: u64, of: u64| {
        if done == of || last_shown.elapsed() >= Duration::from_secs(5) {
            last_shown = Instant::now();
            eprintln!(
                "{what}: {done} of {of} ({:.0} s)",
                started.elapsed().as_secs_f64()
            );
        }
    };
    let seeded =
        portico_core::threads::bench::seed(&core, practice, plan, &password, &mut progress)
            .await
            .context("cannot write the threads")?;
    let seconds = started.elapsed().as_secs_f64();
    println!("staff {} {}", seeded.staff_email, seeded.staff_threads);
    println!(
        "patient {} {}",
        seeded.patient_email, seeded.patient_threads
    );
    eprintln!(
        "wrote {} patients, {} threads and {} messages in {seconds:.1} s ({:.0} messages/s)",
        seeded.patients,
        seeded.threads,
        seeded.messages,
        seeded.messages as f64 / seconds
    );
    core.store().close().await;
    Ok(ExitCode::SUCCESS)
}
