//! The test databases: a fresh PostgreSQL database per test (dropped afterwards), and what a
//! person with access to the database could do — run SQL, count rows, read every value.

use std::io::Write as _;
use std::sync::Once;

use sqlx::Connection;
use sqlx::postgres::PgRow;
use sqlx::sqlite::SqliteRow;

use super::{Backend, TestApp};

/// The PostgreSQL server to make test databases on; `None` (and a visible note) when not set.
pub(super) fn postgres_admin_url() -> Option<String> {
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
pub(super) struct PgDatabase {
    admin_url: String,
    name: String,
}

impl PgDatabase {
    pub(super) async fn create(admin_url: &str) -> PgDatabase {
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

    pub(super) fn url(&self) -> String {
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

impl TestApp {
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

    /// The rows a query answers, read straight from the database (on either backend).
    pub async fn fetch_all<T>(&self, sql: &str) -> Vec<T>
    where
        T: for<'r> sqlx::FromRow<'r, SqliteRow> + for<'r> sqlx::FromRow<'r, PgRow> + Send + Unpin,
    {
        let sql = sqlx::AssertSqlSafe(sql.to_owned());
        match self.backend {
            Backend::Sqlite => {
                let mut conn = sqlx::SqliteConnection::connect(&self.database_url())
                    .await
                    .expect("open sqlite");
                sqlx::query_as(sql)
                    .fetch_all(&mut conn)
                    .await
                    .expect("query")
            }
            Backend::Postgres => {
                let mut conn = sqlx::PgConnection::connect(&self.database_url())
                    .await
                    .expect("open postgres");
                sqlx::query_as(sql)
                    .fetch_all(&mut conn)
                    .await
                    .expect("query")
            }
        }
    }

    /// How many rows a table holds (`table` may carry a `WHERE` clause).
    pub async fn count_rows(&self, table: &str) -> usize {
        let counted: Vec<(i64,)> = self
            .fetch_all(&format!("SELECT COUNT(*) FROM {table}"))
            .await;
        usize::try_from(counted[0].0).expect("a count")
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
                let names: Vec<(String,)> = self
                    .fetch_all("SELECT tablename::text FROM pg_tables WHERE schemaname = 'public'")
                    .await;
                let mut out_tables = Vec::new();
                for (name,) in names {
                    let rows: Vec<(String,)> = self
                        .fetch_all(&format!("SELECT t::text FROM \"{name}\" t"))
                        .await;
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
}

fn rows_text(rows: &[SqliteRow]) -> String {
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
