//! The test harness: `TestApp` (a running service with its own database, data folder and
//! manual clock), a browser-like client, and `on_both!`.

use std::collections::HashMap;
use std::io::Write as _;
use std::path::PathBuf;
use std::sync::{Arc, Once};
use std::time::Duration;

use portico::config::{Config, Database, Overrides};
use portico::server::{self, Server};
use portico_core::{ManualClock, Timestamp};
use reqwest::redirect::Policy;
use reqwest::{Client, Response, StatusCode};
use sqlx::Connection;

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

pub const ADMIN_EMAIL: &str = "ada.admin@clinic.example";
pub const ADMIN_PASSWORD: &str = "maple orbit candle drift";
/// The first password admins give the staff members tests add.
pub const STAFF_PASSWORD: &str = "gentle harbor morning tide";

/// The PostgreSQL server to make test databases on; `None` (and a visible note) when not set.
fn postgres_admin_url() -> Option<String> {
    static NOTE: Once = Once::new();
    match std::env::var("PORTICO_TEST_DATABASE_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            if std::env::var("CI").as_deref() == Ok("true") {
                panic!(
                    "CI=true but PORTICO_TEST_DATABASE_URL is not set: the PostgreSQL tests must run in CI"
                );
            }
            // Written straight to the stream so it shows even though the test harness captures output.
            NOTE.call_once(|| {
                let _ = writeln!(
                    std::io::stderr(),
                    "NOTE: PostgreSQL tests SKIPPED (set PORTICO_TEST_DATABASE_URL, e.g. postgres://postgres@127.0.0.1:5432/postgres)"
                );
            });
            None
        }
    }
}

/// A fresh PostgreSQL database, dropped when the test ends.
struct PgDatabase {
    admin_url: String,
    name: String,
}

impl PgDatabase {
    async fn create(admin_url: &str) -> PgDatabase {
        let name = format!("portico_test_{}", uuid::Uuid::new_v4().simple());
        let mut conn = sqlx::PgConnection::connect(admin_url)
            .await
            .expect("connect to PORTICO_TEST_DATABASE_URL");
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut conn)
            .await
            .expect("create test database");
        PgDatabase {
            admin_url: admin_url.to_owned(),
            name,
        }
    }

    fn url(&self) -> String {
        let (base, _) = self
            .admin_url
            .rsplit_once('/')
            .expect("URL has a database path");
        format!("{base}/{}", self.name)
    }
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        let admin_url = self.admin_url.clone();
        let name = self.name.clone();
        // Drop runs outside async context: a small runtime of its own on its own thread.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .ok()?;
            rt.block_on(async {
                let mut conn = sqlx::PgConnection::connect(&admin_url).await.ok()?;
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                )))
                .execute(&mut conn)
                .await
                .ok()
            })
        })
        .join();
    }
}

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
        TestApp::spawn_with(backend, &[]).await
    }

    /// Like `spawn`, with extra `PORTICO_*` settings.
    pub async fn spawn_with(backend: Backend, settings: &[(&str, &str)]) -> Option<TestApp> {
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
            env.insert((*k).to_owned(), (*v).to_owned());
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
            server.stop().await.expect("server stops cleanly");
        }
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
        let jar = Arc::new(reqwest::cookie::Jar::default());
        let client = Client::builder()
            .cookie_provider(Arc::clone(&jar))
            .redirect(Policy::none())
            .build()
            .expect("client");
        Browser {
            client,
            jar,
            base: self.url.clone(),
        }
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
        let practice_id =
            self.cli_admin_create(practice, admin_email, "quiet meadow lantern river");
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
        Api {
            client: Client::new(),
            base: format!("{}/api/v1", self.url),
            token: lines[0].to_owned(),
            practice_id,
        }
    }

    /// An anonymous API client (for the public endpoints).
    pub fn anonymous_api(&self) -> Api {
        Api {
            client: Client::new(),
            base: format!("{}/api/v1", self.url),
            token: String::new(),
            practice_id: String::new(),
        }
    }

    /// Runs the `portico` binary against this app's data folder and database.
    pub fn cli(&self, args: &[&str], stdin: Option<&str>) -> std::process::Output {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_portico"));
        cmd.arg("--data-dir").arg(self.data_dir()).args(args);
        cmd.env_remove("DATABASE_URL").env_remove("PORTICO_LISTEN");
        if self.backend == Backend::Postgres {
            cmd.env("DATABASE_URL", self.database_url());
        }
        cmd.stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        let mut child = cmd.spawn().expect("run portico");
        if let Some(mut input) = child.stdin.take() {
            let _ = writeln!(input, "{}", stdin.unwrap_or_default());
        }
        child.wait_with_output().expect("portico finishes")
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

    /// Runs SQL directly on the database, as someone with database access would.
    pub async fn raw_sql(&self, sql: &str) {
        self.try_raw_sql(sql).await.expect("raw sql runs");
    }

    pub async fn try_raw_sql(&self, sql: &str) -> Result<(), sqlx::Error> {
        let sql = sqlx::AssertSqlSafe(sql.to_owned());
        match self.backend {
            Backend::Sqlite => {
                let mut conn = sqlx::SqliteConnection::connect(&self.database_url()).await?;
                sqlx::raw_sql(sql).execute(&mut conn).await?;
            }
            Backend::Postgres => {
                let mut conn = sqlx::PgConnection::connect(&self.database_url()).await?;
                sqlx::raw_sql(sql).execute(&mut conn).await?;
            }
        }
        Ok(())
    }

    /// How many rows a table holds.
    pub async fn count_rows(&self, table: &str) -> usize {
        let sql = sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}"));
        let (n,): (i64,) = match self.backend {
            Backend::Sqlite => {
                let mut conn = sqlx::SqliteConnection::connect(&self.database_url())
                    .await
                    .expect("open sqlite");
                sqlx::query_as(sql)
                    .fetch_one(&mut conn)
                    .await
                    .expect("count")
            }
            Backend::Postgres => {
                let mut conn = sqlx::PgConnection::connect(&self.database_url())
                    .await
                    .expect("open postgres");
                sqlx::query_as(sql)
                    .fetch_one(&mut conn)
                    .await
                    .expect("count")
            }
        };
        usize::try_from(n).expect("a count")
    }

    /// Every text value in every table, as one string: what a database dump would show.
    pub async fn dump_all_text(&self) -> String {
        let mut out = String::new();
        let tables: Vec<String> = match self.backend {
            Backend::Sqlite => {
                let mut conn = sqlx::SqliteConnection::connect(&self.database_url())
                    .await
                    .expect("open sqlite");
                let names: Vec<(String,)> =
                    sqlx::query_as("SELECT name FROM sqlite_master WHERE type = 'table'")
                        .fetch_all(&mut conn)
                        .await
                        .unwrap();
                let mut out_tables = Vec::new();
                for (name,) in names {
                    let rows =
                        sqlx::query(sqlx::AssertSqlSafe(format!("SELECT * FROM \"{name}\"")))
                            .fetch_all(&mut conn)
                            .await
                            .unwrap();
                    out_tables.push(rows_text(&rows));
                }
                out_tables
            }
            Backend::Postgres => {
                let mut conn = sqlx::PgConnection::connect(&self.database_url())
                    .await
                    .expect("open postgres");
                let names: Vec<(String,)> = sqlx::query_as(
                    "SELECT tablename::text FROM pg_tables WHERE schemaname = 'public'",
                )
                .fetch_all(&mut conn)
                .await
                .unwrap();
                let mut out_tables = Vec::new();
                for (name,) in names {
                    let rows: Vec<(String,)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                        "SELECT t::text FROM \"{name}\" t"
                    )))
                    .fetch_all(&mut conn)
                    .await
                    .unwrap();
                    out_tables.push(
                        rows.into_iter()
                            .map(|(r,)| r)
                            .collect::<Vec<_>>()
                            .join("\n"),
                    );
                }
                out_tables
            }
        };
        for t in tables {
            out.push_str(&t);
            out.push('\n');
        }
        out
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

/// A browser-like HTTP client bound to one app.
pub struct Browser {
    pub client: Client,
    jar: Arc<reqwest::cookie::Jar>,
    base: String,
}

impl Browser {
    /// The `Cookie` header this browser would send (to replay it from elsewhere).
    pub fn cookie_header(&self) -> String {
        use reqwest::cookie::CookieStore as _;
        let url = self.base.parse().expect("base URL");
        self.jar
            .cookies(&url)
            .and_then(|v| v.to_str().ok().map(str::to_owned))
            .unwrap_or_default()
    }

    pub async fn get(&self, path: &str) -> Response {
        self.get_url(&format!("{}{path}", self.base)).await
    }

    pub async fn get_url(&self, url: &str) -> Response {
        self.client.get(url).send().await.expect("GET")
    }

    pub async fn post_form(&self, path: &str, form: &[(&str, &str)]) -> Response {
        self.post_form_url(&format!("{}{path}", self.base), form)
            .await
    }

    pub async fn post_form_url(&self, url: &str, form: &[(&str, &str)]) -> Response {
        self.client.post(url).form(form).send().await.expect("POST")
    }

    /// Adds a staff member through the staff page's form (as an admin); returns their id.
    pub async fn add_staff(&self, name: &str, email: &str, role: &str) -> String {
        let csrf = self.csrf_for("/staff/members").await;
        let form = [
            ("csrf_token", csrf.as_str()),
            ("display_name", name),
            ("email", email),
            ("role", role),
            ("password", STAFF_PASSWORD),
        ];
        let res = self.post_form("/staff/members", &form).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "staff member added");
        id_from_location(&res)
    }

    /// The CSRF token of the form on the page at `path`.
    pub async fn csrf_for(&self, path: &str) -> String {
        let res = self.get(path).await;
        assert_eq!(res.status(), StatusCode::OK, "GET {path}");
        csrf_token(&res.text().await.unwrap())
    }

    pub fn api(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.client
            .request(method, format!("{}/api/v1{path}", self.base))
    }
}

/// The value of the first `csrf_token` hidden field in a page.
pub fn csrf_token(html: &str) -> String {
    let marker = "name=\"csrf_token\" value=\"";
    let start = html.find(marker).expect("page has a CSRF field") + marker.len();
    html[start..]
        .split('"')
        .next()
        .unwrap_or_default()
        .to_owned()
}

/// Where a redirect points.
pub fn location(res: &Response) -> String {
    res.headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

/// The id at the end of a redirect such as `/staff/members/<id>`.
pub fn id_from_location(res: &Response) -> String {
    location(res)
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .to_owned()
}

fn rows_text(rows: &[sqlx::sqlite::SqliteRow]) -> String {
    use sqlx::{Row as _, ValueRef as _};
    let mut out = String::new();
    for row in rows {
        for i in 0..row.len() {
            let raw = row.try_get_raw(i).expect("column");
            if raw.is_null() {
                continue;
            }
            if let Ok(text) = row.try_get::<String, _>(i) {
                out.push_str(&text);
            } else if let Ok(n) = row.try_get::<i64, _>(i) {
                out.push_str(&n.to_string());
            }
            out.push('|');
        }
        out.push('\n');
    }
    out
}

/// A JSON API client holding a bearer token (empty for anonymous calls).
pub struct Api {
    pub client: Client,
    pub base: String,
    pub token: String,
    pub practice_id: String,
}

impl Api {
    pub fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        let req = self.client.request(method, format!("{}{path}", self.base));
        if self.token.is_empty() {
            req
        } else {
            req.bearer_auth(&self.token)
        }
    }

    pub async fn get(&self, path: &str) -> Response {
        self.request(reqwest::Method::GET, path)
            .send()
            .await
            .expect("GET")
    }

    pub async fn post(&self, path: &str, body: &serde_json::Value) -> Response {
        self.request(reqwest::Method::POST, path)
            .json(body)
            .send()
            .await
            .expect("POST")
    }

    pub async fn put(&self, path: &str, body: &serde_json::Value) -> Response {
        self.request(reqwest::Method::PUT, path)
            .json(body)
            .send()
            .await
            .expect("PUT")
    }

    pub async fn delete(&self, path: &str) -> Response {
        self.request(reqwest::Method::DELETE, path)
            .send()
            .await
            .expect("DELETE")
    }

    /// The JSON of a response that must have `status`.
    pub async fn expect(res: Response, status: StatusCode) -> serde_json::Value {
        let got = res.status();
        let body = res.text().await.expect("body");
        assert_eq!(got, status, "unexpected status; body: {body}");
        serde_json::from_str(&body).unwrap_or(serde_json::Value::Null)
    }
}
