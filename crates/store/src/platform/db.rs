//! Connections, transactions and the dispatch that runs one statement on either database.

use std::path::Path;
use std::str::FromStr;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgConnection, PgPool, Postgres, Sqlite, SqliteConnection, SqlitePool, Transaction};

use crate::ChainKey;
use crate::{Result, StoreError};

/// Which database a [`Store`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn as_str(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// Pool sizing; the rest is fixed by what each database needs to be safe.
#[derive(Debug, Clone)]
pub struct ConnectOptions {
    pub max_connections: u32,
    pub acquire_timeout: Duration,
}

impl Default for ConnectOptions {
    fn default() -> Self {
        ConnectOptions {
            max_connections: 10,
            acquire_timeout: Duration::from_secs(10),
        }
    }
}

/// A handle on the database: cheap to clone, shared by every request and worker.
#[derive(Clone)]
pub struct Store {
    pool: Pool,
    /// Change signals for live pages (`signals`).
    signals: super::signals::Signals,
    /// The key the audit chain is written under, shared by every clone of this store; set once
    /// by the service core (see [`Store::set_audit_key`]).
    audit_key: Arc<OnceLock<ChainKey>>,
}

#[derive(Clone)]
enum Pool {
    /// SQLite allows one writer at a time. Write transactions queue on `WriteGate` in-process,
    /// so they wait their turn without SQLite's busy handler, which sleeps in growing steps.
    Sqlite(SqlitePool, WriteGate),
    Postgres(PgPool),
}

type WriteGate = std::sync::Arc<tokio::sync::Mutex<()>>;

/// A write transaction. On SQLite it is opened with `BEGIN IMMEDIATE`, so a transaction that
/// reads then writes takes the write lock up front and waits for it (busy timeout) instead of
/// failing half-way with "database is locked".
pub struct Tx {
    conn: TxConn,
    signals: super::signals::Signals,
    /// SQLite's signals, sent once the transaction commits.
    pending: Vec<String>,
    /// Audit events appended in this transaction are chained under this key.
    pub(crate) audit_key: Option<ChainKey>,
}

enum TxConn {
    /// Holds the write gate until it is committed or dropped.
    Sqlite(
        Transaction<'static, Sqlite>,
        tokio::sync::OwnedMutexGuard<()>,
    ),
    Postgres(Transaction<'static, Postgres>),
}

/// Anything a statement can run on: the pool (reads, single statements) or an open transaction.
pub enum Exec<'a> {
    SqlitePool(&'a SqlitePool),
    PgPool(&'a PgPool),
    SqliteConn(&'a mut SqliteConnection),
    PgConn(&'a mut PgConnection),
}

impl Exec<'_> {
    /// Which database the statement will run on, for the few each writes its own way.
    pub fn backend(&self) -> Backend {
        match self {
            Exec::SqlitePool(_) | Exec::SqliteConn(_) => Backend::Sqlite,
            Exec::PgPool(_) | Exec::PgConn(_) => Backend::Postgres,
        }
    }

    /// The same executor for one more statement: an `Exec` holding a connection is used up by
    /// each statement, so a caller running several on it borrows it again for each.
    pub fn reborrow(&mut self) -> Exec<'_> {
        match self {
            Exec::SqlitePool(pool) => Exec::SqlitePool(pool),
            Exec::PgPool(pool) => Exec::PgPool(pool),
            Exec::SqliteConn(conn) => Exec::SqliteConn(conn),
            Exec::PgConn(conn) => Exec::PgConn(conn),
        }
    }
}

impl<'a> From<&'a Store> for Exec<'a> {
    fn from(store: &'a Store) -> Self {
        match &store.pool {
            Pool::Sqlite(pool, _) => Exec::SqlitePool(pool),
            Pool::Postgres(pool) => Exec::PgPool(pool),
        }
    }
}

impl<'a> From<&'a mut Tx> for Exec<'a> {
    fn from(tx: &'a mut Tx) -> Self {
        match &mut tx.conn {
            TxConn::Sqlite(tx, _) => Exec::SqliteConn(tx),
            TxConn::Postgres(tx) => Exec::PgConn(tx),
        }
    }
}

/// Runs `$body` with `$c` bound to the executor of whichever database `$exec` points at. The body
/// is expanded once per backend, so each expansion is checked against that driver's types.
macro_rules! run {
    ($exec:expr, |$c:ident| $body:expr) => {
        match ::core::convert::Into::<$crate::Exec<'_>>::into($exec) {
            $crate::Exec::SqlitePool($c) => $body,
            $crate::Exec::PgPool($c) => $body,
            $crate::Exec::SqliteConn($c) => $body,
            $crate::Exec::PgConn($c) => $body,
        }
    };
}
pub(crate) use run;

/// Runs the statement `$sql` with its binds (after the `;`) on `$exec` and answers how many rows
/// it touched: the shape of every write. `execute!(db, "UPDATE … WHERE id = $1"; id)`.
macro_rules! execute {
    ($exec:expr, $sql:expr $(; $($bind:expr),+)?) => {
        $crate::platform::db::run!($exec, |c| ::sqlx::query($sql)
            $($(.bind($bind))+)?
            .execute(c)
            .await
            .map(|r| r.rows_affected()))
    };
}
pub(crate) use execute;

/// Runs the query `$sql` with its binds (after the `;`) on `$exec` and reads its rows into the
/// caller's row type; `$how` is sqlx's `fetch_one`, `fetch_optional` or `fetch_all`.
/// `fetch!(db, fetch_optional, "SELECT … WHERE id = $1"; id)`.
macro_rules! fetch {
    ($exec:expr, $how:ident, $sql:expr $(; $($bind:expr),+)?) => {
        $crate::platform::db::run!($exec, |c| ::sqlx::query_as($sql)
            $($(.bind($bind))+)?
            .$how(c)
            .await)
    };
}
pub(crate) use fetch;

impl Store {
    /// Opens (creating if needed) the SQLite database file at `path`.
    pub async fn open_sqlite(path: &Path, options: &ConnectOptions) -> Result<Store> {
        let connect = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(10))
            .foreign_keys(true);
        let pool = SqlitePoolOptions::new()
            .max_connections(options.max_connections)
            .acquire_timeout(options.acquire_timeout)
            .connect_with(connect)
            .await?;
        Ok(Store {
            pool: Pool::Sqlite(pool, WriteGate::default()),
            signals: Default::default(),
            audit_key: Arc::default(),
        })
    }

    /// Connects to PostgreSQL at `url` (`postgres://…` or `postgresql://…`).
    pub async fn connect_postgres(url: &str, options: &ConnectOptions) -> Result<Store> {
        // Statements are prepared once per connection, and after a few runs PostgreSQL may plan
        // them once for any parameters ("generic" plans). Optional filters (`$2 IS NULL OR …`)
        // then look selective to the planner whatever they are, and it picks a whole-table scan
        // where a walk along an index takes a millisecond. Each statement is planned with its
        // values instead (a fraction of a millisecond more).
        let connect = PgConnectOptions::from_str(url)
            .map_err(|e| StoreError::BadUrl(e.to_string()))?
            .application_name("portico")
            .options([("plan_cache_mode", "force_custom_plan")]);
        let pool = PgPoolOptions::new()
            .max_connections(options.max_connections)
            .acquire_timeout(options.acquire_timeout)
            .connect_with(connect)
            .await?;
        Ok(Store {
            pool: Pool::Postgres(pool),
            signals: Default::default(),
            audit_key: Arc::default(),
        })
    }

    pub fn backend(&self) -> Backend {
        match self.pool {
            Pool::Sqlite(..) => Backend::Sqlite,
            Pool::Postgres(_) => Backend::Postgres,
        }
    }

    /// Hears the signals raised by committed transactions on any node (see `signals`).
    pub async fn subscribe(&self) -> Result<super::signals::Subscription> {
        // Subscribed before the listener may be ready: nothing sent after the answer is missed.
        let signals = self.signals.subscribe();
        if let Pool::Postgres(pool) = &self.pool {
            self.signals.listen_postgres(pool).await?;
        }
        Ok(signals)
    }

    /// Ends every subscription (the service is stopping).
    pub fn stop_signals(&self) {
        self.signals.stop();
    }

    /// Brings the schema up to date; safe to run on every start and from several nodes at once
    /// (sqlx takes an advisory lock on PostgreSQL).
    pub async fn migrate(&self) -> Result<()> {
        match &self.pool {
            Pool::Sqlite(pool, _) => sqlx::migrate!("./migrations/sqlite").run(pool).await?,
            Pool::Postgres(pool) => sqlx::migrate!("./migrations/postgres").run(pool).await?,
        }
        Ok(())
    }

    /// Answers whether the database takes a query now (for `/readyz`).
    pub async fn ping(&self) -> Result<()> {
        run!(self, |c| sqlx::query("SELECT 1")
            .execute(c)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(())
    }

    pub async fn begin(&self) -> Result<Tx> {
        let conn = match &self.pool {
            Pool::Sqlite(pool, gate) => {
                let turn = std::sync::Arc::clone(gate).lock_owned().await;
                TxConn::Sqlite(pool.begin_with("BEGIN IMMEDIATE").await?, turn)
            }
            Pool::Postgres(pool) => TxConn::Postgres(pool.begin().await?),
        };
        Ok(Tx {
            conn,
            signals: self.signals.clone(),
            pending: Vec::new(),
            audit_key: self.audit_key.get().cloned(),
        })
    }

    /// Sets the key the audit chain is written under, for this store and all its clones. The key
    /// never goes into the database, so whoever can edit the database cannot re-chain it. Setting
    /// the same key again is harmless; another key is refused.
    pub fn set_audit_key(&self, key: ChainKey) -> Result<()> {
        let set = self.audit_key.get_or_init(|| key.clone());
        if *set != key {
            return Err(StoreError::AuditKeyMismatch);
        }
        Ok(())
    }

    pub async fn close(&self) {
        match &self.pool {
            Pool::Sqlite(pool, _) => pool.close().await,
            Pool::Postgres(pool) => pool.close().await,
        }
    }
}

impl Tx {
    /// Which database the transaction runs on, for the few statements each writes its own way.
    pub fn backend(&self) -> Backend {
        match self.conn {
            TxConn::Sqlite(..) => Backend::Sqlite,
            TxConn::Postgres(_) => Backend::Postgres,
        }
    }

    pub async fn commit(self) -> Result<()> {
        match self.conn {
            TxConn::Sqlite(tx, _turn) => {
                tx.commit().await?;
                for topic in self.pending {
                    self.signals.send(topic);
                }
            }
            TxConn::Postgres(tx) => tx.commit().await?,
        }
        Ok(())
    }

    /// Signals `topic` to every subscriber on every node once this transaction commits (see
    /// `signals`); a rollback sends nothing.
    pub async fn signal(&mut self, topic: &str) -> Result<()> {
        match &mut self.conn {
            TxConn::Sqlite(..) => self.pending.push(topic.to_owned()),
            TxConn::Postgres(tx) => {
                sqlx::query("SELECT pg_notify($1, $2)")
                    .bind(super::signals::CHANNEL)
                    .bind(topic)
                    .execute(&mut **tx)
                    .await?;
            }
        }
        Ok(())
    }
}
