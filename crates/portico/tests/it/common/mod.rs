//! The test harness: `TestApp` (a running service with its own database, data folder and
//! manual clock), `on_both!`, and the clients tests speak through — a browser for the pages
//! (`browser`), the JSON API (`api`) with typed answers (`responses`).
//!
//! On top of them, scenario builders that read like the product: a practice with its admin
//! (`practice`), a patient registering step by step and signed in (`patient`), and the SMS
//! provider's stand-in that receives the phone codes (`provider`).

mod api;
mod browser;
mod database;
pub mod patient;
pub mod practice;
pub mod provider;
mod raw;
pub mod responses;

use std::collections::HashMap;
use std::io::Write as _;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use portico::config::{Config, Database, Overrides};
use portico::server::{self, Server};
use portico_core::{ManualClock, Timestamp};
use reqwest::{Response, StatusCode};

pub use api::Api;
pub use browser::{Browser, csrf_token, id_from_location, location, retry_after, set_cookie};
use database::{PgDatabase, postgres_admin_url};
pub use patient::{BIRTH_DATE, Details, PASSPHRASE, PHONE, PhoneInbox};
pub use practice::{CLI_ADMIN_PASSWORD, Invitee, Practice, StaffSession};
pub(crate) use provider::with_provider;
pub use raw::raw_exchange;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Generates, for each named `async fn(TestApp)`, one test per database; `settings: [...];` first
/// starts each app with those extra `PORTICO_*` settings.
macro_rules! on_both {
    (settings: $settings:expr; $($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let app = crate::common::TestApp::spawn_with(crate::common::Backend::Sqlite, $settings).await.expect("sqlite is always available");
                    super::$name(&app).await;
                    app.stop().await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let Some(app) = crate::common::TestApp::spawn_with(crate::common::Backend::Postgres, $settings).await else { return };
                    super::$name(&app).await;
                    app.stop().await;
                }
            )*
        }
    };
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let app = crate::common::TestApp::spawn(crate::common::Backend::Sqlite).await.expect("sqlite is always available");
                    super::$name(&app).await;
                    app.stop().await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let Some(app) = crate::common::TestApp::spawn(crate::common::Backend::Postgres).await else { return };
                    super::$name(&app).await;
                    app.stop().await;
                }
            )*
        }
    };
}
pub(crate) use on_both;

/// The admin `set_up_practice` makes through the set-up link, and their password.
pub const ADMIN_EMAIL: &str = "ada.admin@clinic.example";
pub const ADMIN_PASSWORD: &str = "maple orbit candle drift";
/// The first password admins give the staff members tests add.
pub const STAFF_PASSWORD: &str = "gentle harbor morning tide";

pub struct TestApp {
    pub url: String,
    pub clock: ManualClock,
    pub setup_link: Option<String>,
    pub config: Config,
    pub backend: Backend,
    server: Option<Server>,
    _data_dir: tempfile::TempDir,
    _pg: Option<PgDatabase>,
}

impl TestApp {
    /// Starts the service on a random port with a fresh database; `None` when PostgreSQL is not
    /// configured outside CI.
    pub async fn spawn(backend: Backend) -> Option<TestApp> {
        TestApp::spawn_with::<&str>(backend, &[]).await
    }

    /// Like `spawn`, with extra `PORTICO_*` settings.
    pub async fn spawn_with<V: AsRef<str>>(
        backend: Backend,
        settings: &[(&str, V)],
    ) -> Option<TestApp> {
        let data_dir = tempfile::tempdir().expect("temporary data folder");
        let pg = match backend {
            Backend::Sqlite => None,
            Backend::Postgres => Some(PgDatabase::create(&postgres_admin_url()?).await),
        };
        let mut env = HashMap::new();
        env.insert("PORTICO_LISTEN".to_owned(), "127.0.0.1:0".to_owned());
        // Tests deliver the outbox themselves (`deliver`), so every state is where they expect it.
        env.insert("PORTICO_DELIVERY_WORKER".to_owned(), "false".to_owned());
        if let Some(pg) = &pg {
            env.insert("DATABASE_URL".to_owned(), pg.url());
        }
        for (k, v) in settings {
            env.insert((*k).to_owned(), v.as_ref().to_owned());
        }
        let overrides = Overrides {
            data_dir: Some(data_dir.path().to_owned()),
            ..Overrides::default()
        };
        let config = Config::from_sources(&overrides, &env).expect("test configuration is valid");
        // A fixed, recent start so that tests are repeatable; tests move it forward.
        let clock = ManualClock::starting_at(Timestamp::from_millis(1_795_000_000_000));
        let server = server::start(&config, Arc::new(clock.clone()))
            .await
            .expect("server starts");
        Some(TestApp {
            url: format!("http://{}", server.addr),
            clock,
            setup_link: server.setup_link.clone(),
            config,
            backend,
            server: Some(server),
            _data_dir: data_dir,
            _pg: pg,
        })
    }

    pub async fn stop(mut self) {
        if let Some(server) = self.server.take() {
            // Bounded, so that something holding the shutdown (an open event stream, a
            // connection kept from the pool) fails its test instead of hanging the whole run.
            tokio::time::timeout(std::time::Duration::from_secs(60), server.stop())
                .await
                .expect("the service stops within a minute")
                .expect("server stops cleanly");
        }
    }

    /// Another node of the same deployment: the same settings (database, data folder, so the
    /// same secret) and clock, on a port of its own. The caller stops it.
    pub async fn another_node(&self) -> Server {
        server::start(&self.config, Arc::new(self.clock.clone()))
            .await
            .expect("a second node starts")
    }

    pub fn data_dir(&self) -> PathBuf {
        self.config.data_dir.clone()
    }

    /// The database URL the service uses (for the CLI and for tampering in tests).
    pub fn database_url(&self) -> String {
        match &self.config.database {
            Database::Sqlite(path) => format!("sqlite://{}", path.display()),
            Database::Postgres(url) => url.clone(),
        }
    }

    /// A new browser: its own cookie jar, no automatic redirects (tests look at them).
    pub fn browser(&self) -> Browser {
        Browser::new(self.url.clone())
    }

    /// Sets up the first practice through the set-up link; returns the signed-in admin's browser.
    pub async fn set_up_practice(&self, practice: &str) -> Browser {
        let link = self
            .setup_link
            .clone()
            .expect("a fresh service prints a set-up link");
        let browser = self.browser();
        let page = browser.get_url(&link).await;
        assert_eq!(page.status(), StatusCode::OK);
        let csrf = csrf_token(&page.text().await.unwrap());
        let res = browser
            .post_form_url(
                &link,
                &[
                    ("csrf_token", csrf.as_str()),
                    ("practice_name", practice),
                    ("display_name", "Ada Admin"),
                    ("email", ADMIN_EMAIL),
                    ("password", ADMIN_PASSWORD),
                ],
            )
            .await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "set-up succeeds");
        browser
    }

    /// Creates an admin (and practice) with the real CLI, `portico admin create`; returns the
    /// practice id it prints.
    pub fn cli_admin_create(&self, practice: &str, email: &str, password: &str) -> String {
        let out = self.cli(
            &[
                "admin",
                "create",
                "--practice",
                practice,
                "--email",
                email,
                "--name",
                "Bea Admin",
            ],
            Some(password),
        );
        assert!(
            out.status.success(),
            "admin create failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout)
            .expect("utf-8")
            .trim()
            .to_owned()
    }

    /// A practice made with the CLI and an API token for it, as an integrator would get them.
    pub async fn integrator(&self, practice: &str, admin_email: &str) -> Api {
        let practice_id = self.cli_admin_create(practice, admin_email, CLI_ADMIN_PASSWORD);
        let out = self.cli(
            &[
                "admin",
                "token",
                "create",
                "--practice",
                &practice_id,
                "--label",
                "EHR",
            ],
            None,
        );
        assert!(
            out.status.success(),
            "token create failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let stdout = String::from_utf8(out.stdout).expect("utf-8");
        let lines: Vec<&str> = stdout.lines().collect();
        assert_eq!(
            lines.len(),
            1,
            "token create prints the token and nothing else: {stdout:?}"
        );
        Api::new(&self.url, lines[0], &practice_id)
    }

    /// An anonymous API client (for the public endpoints).
    pub fn anonymous_api(&self) -> Api {
        Api::new(&self.url, "", "")
    }

    /// An anonymous API client calling from `ip` (for services that trust `X-Forwarded-For`, as
    /// `with_provider!` starts them).
    pub fn caller_at(&self, ip: &str) -> Api {
        self.anonymous_api().calling_from(ip)
    }

    /// Runs the `portico` binary against this app's data folder and database.
    pub fn cli(&self, args: &[&str], stdin: Option<&str>) -> std::process::Output {
        let mut cmd = self.cli_command(args);
        cmd.stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        let mut child = cmd.spawn().expect("run portico");
        if let Some(mut input) = child.stdin.take() {
            let _ = writeln!(input, "{}", stdin.unwrap_or_default());
        }
        child.wait_with_output().expect("portico finishes")
    }

    /// The `portico` command against this app's data folder and database, not yet started.
    pub fn cli_command(&self, args: &[&str]) -> std::process::Command {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_portico"));
        cmd.arg("--data-dir").arg(self.data_dir()).args(args);
        cmd.env_remove("DATABASE_URL").env_remove("PORTICO_LISTEN");
        if self.backend == Backend::Postgres {
            cmd.env("DATABASE_URL", self.database_url());
        }
        cmd
    }

    /// Signs in through the sign-in page; returns the browser and the response to the POST.
    pub async fn sign_in(&self, email: &str, password: &str) -> (Browser, Response) {
        let browser = self.browser();
        let page = browser.get("/staff/sign-in").await;
        let csrf = csrf_token(&page.text().await.unwrap());
        let res = browser
            .post_form(
                "/staff/sign-in",
                &[
                    ("csrf_token", &csrf),
                    ("email", email),
                    ("password", password),
                ],
            )
            .await;
        (browser, res)
    }

    /// Runs the outbox worker (the development `log` transport) until nothing is due; answers how
    /// many messages it handled.
    pub async fn deliver(&self) -> usize {
        let server = self.server.as_ref().expect("running");
        let worker = portico_delivery::Worker::new(
            server.core.clone(),
            server.transports.clone(),
            Default::default(),
        );
        let mut total = 0;
        loop {
            match worker.run_once().await.expect("delivery round") {
                0 => return total,
                n => total += n,
            }
        }
    }

    /// The service core, for steps no HTTP client can take (e.g. a worker that dies mid-claim).
    pub fn core(&self) -> portico_core::Core {
        self.server.as_ref().expect("running").core.clone()
    }

    pub fn advance(&self, d: Duration) {
        self.clock.advance(d);
    }
}
