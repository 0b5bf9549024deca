//! Start-up: open the database (creating the data folder and secret key on first run), migrate
//! (and index for search the invitations made before search terms existed),
//! build the core, bind the listener and serve until told to stop.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, bail};
use portico_core::{Clock, Core, Keys, Settings, Store};
use portico_delivery::{
    EmailTransport, SmtpSecurity, SmtpSender, SmtpSettings, Transports, Worker, WorkerSettings,
};
use portico_store::ConnectOptions;
use portico_web::{AppState, WebSettings};
use tokio::sync::{oneshot, watch};
use tokio::task::JoinHandle;

use crate::config::{Config, Database, EmailConfig, PhoneConfig, Secret, SmtpTls};

/// Opens the configured database and brings its schema up to date.
pub async fn open_store(config: &Config) -> anyhow::Result<Store> {
    let options = ConnectOptions {
        max_connections: config.max_connections,
        ..ConnectOptions::default()
    };
    let store = match &config.database {
        Database::Sqlite(path) => {
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                create_private_dir(dir)?;
            }
            Store::open_sqlite(path, &options)
                .await
                .with_context(|| format!("cannot open SQLite database {}", path.display()))?
        }
        Database::Postgres(url) => Store::connect_postgres(url, &options)
            .await
            .context("cannot connect to PostgreSQL (check database.url / DATABASE_URL)")?,
    };
    store
        .migrate()
        .await
        .context("cannot apply database migrations")?;
    // Invitations made before their search terms existed (migration 0011) get them now: the
    // terms are folded in Rust, which SQL in a migration cannot do alike on both databases.
    let indexed = portico_core::invitations::index_unindexed(&store)
        .await
        .context("cannot index invitations for search")?;
    if indexed > 0 {
        tracing::info!(indexed, "indexed invitations for search");
    }
    // Likewise patients registered before theirs existed (migration 0016).
    let indexed = portico_core::patients::index_unindexed(&store)
        .await
        .context("cannot index patients for search")?;
    if indexed > 0 {
        tracing::info!(indexed, "indexed patients for search");
    }
    Ok(store)
}

fn create_private_dir(dir: &Path) -> anyhow::Result<()> {
    if dir.exists() {
        return Ok(());
    }
    std::fs::create_dir_all(dir)
        .with_context(|| format!("cannot create data folder {}", dir.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
    }
    Ok(())
}

/// The server secret: given in configuration, or kept in `<data dir>/secret.key` (mode 0600),
/// created on first start.
pub fn load_keys(config: &Config) -> anyhow::Result<Keys> {
    let bytes = match &config.secret {
        Secret::Given(bytes) => bytes.clone(),
        Secret::DataDirFile => {
            if matches!(config.database, Database::Postgres(_)) {
                tracing::warn!(
                    "using the data folder's secret key with PostgreSQL; several nodes must share one security.secret_key"
                );
            }
            read_or_create_key_file(&config.data_dir.join("secret.key"))?
        }
    };
    Keys::new(bytes).context("security.secret_key")
}

fn read_or_create_key_file(path: &Path) -> anyhow::Result<Vec<u8>> {
    if let Some(dir) = path.parent() {
        create_private_dir(dir)?;
    }
    if path.exists() {
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(path)?.permissions().mode();
            if mode & 0o077 != 0 {
                bail!(
                    "{} can be read by other users (mode {:o}); run `chmod 600 {}`",
                    path.display(),
                    mode & 0o777,
                    path.display()
                );
            }
        }
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let text = text.trim();
        let bytes = portico_core::platform::secrets::from_hex(text);
        return bytes.with_context(|| format!("{} is not a hexadecimal key", path.display()));
    }
    let bytes = Keys::generate_bytes();
    let hex = portico_core::platform::secrets::hex(&bytes);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    use std::io::Write;
    let mut file = options
        .open(path)
        .with_context(|| format!("cannot create {}", path.display()))?;
    file.write_all(hex.as_bytes())?;
    file.sync_all()?;
    Ok(bytes)
}

/// Builds the service core over an open store.
pub fn build_core(
    config: &Config,
    store: Store,
    clock: Arc<dyn Clock>,
    public_url: &str,
) -> anyhow::Result<Core> {
    let settings = Settings {
        public_url: public_url.to_owned(),
        ..config.core.clone()
    };
    Ok(Core::new(store, clock, load_keys(config)?, settings)?)
}

/// A running server.
pub struct Server {
    pub addr: SocketAddr,
    pub public_url: String,
    /// The one-time set-up link, when no admin exists yet.
    pub setup_link: Option<String>,
    pub core: Core,
    /// Where messages go (the worker's, and tests' when they deliver by hand).
    pub transports: Transports,
    shutdown: Option<oneshot::Sender<()>>,
    serving: JoinHandle<std::io::Result<()>>,
    sweeping: JoinHandle<()>,
    imports: portico_core::imports::Runs,
    resuming: JoinHandle<()>,
    stop_worker: watch::Sender<bool>,
    delivering: Option<JoinHandle<()>>,
}

/// The worker's settings from configuration.
pub fn worker_settings(config: &Config) -> WorkerSettings {
    WorkerSettings {
        lease: config.delivery_lease,
        ..WorkerSettings::default()
    }
}

/// The transports the configuration asks for.
pub fn transports(config: &Config) -> anyhow::Result<Transports> {
    let mut transports = Transports::log();
    if let EmailConfig::Smtp(smtp) = &config.email {
        let security = match smtp.tls {
            SmtpTls::None => SmtpSecurity::None,
            SmtpTls::StartTls => SmtpSecurity::StartTls,
            SmtpTls::Tls => SmtpSecurity::Tls,
        };
        let settings = SmtpSettings {
            host: smtp.host.clone(),
            port: smtp.port,
            security,
            credentials: smtp.username.clone().zip(smtp.password.clone()),
            from: smtp.from.clone(),
        };
        transports.email = EmailTransport::Smtp(Box::new(
            SmtpSender::new(&settings).map_err(anyhow::Error::msg)?,
        ));
    }
    transports.phone = phone_transport(config, config.public_url.as_deref())?;
    Ok(transports)
}

/// How SMS and voice calls leave; with the HTTP provider, delivery reports are asked for at
/// `{public_url}/hooks/sms/status` when the public address is known.
pub fn phone_transport(
    config: &Config,
    public_url: Option<&str>,
) -> anyhow::Result<portico_delivery::PhoneTransport> {
    Ok(match &config.phone {
        PhoneConfig::Log => portico_delivery::PhoneTransport::Log,
        PhoneConfig::Http(api) => {
            let settings = portico_delivery::PhoneApiSettings {
                base_url: api.base_url.clone(),
                account_sid: api.account_sid.clone(),
                auth_token: api.auth_token.clone(),
                from: api.from.clone(),
                request_timeout: api.timeout,
                status_callback: public_url
                    .map(|url| format!("{url}{}", portico_web::SMS_STATUS_PATH)),
            };
            portico_delivery::PhoneTransport::Http(
                portico_delivery::PhoneApi::new(&settings).map_err(anyhow::Error::msg)?,
            )
        }
    })
}

/// The address people reach the service at: configured, or the address actually bound.
pub fn public_url(config: &Config, bound: SocketAddr) -> String {
    config
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{bound}"))
}

/// Opens everything and starts serving on `config.listen` (port 0 picks a free port), with the
/// outbox worker alongside unless configured off.
pub async fn start(config: &Config, clock: Arc<dyn Clock>) -> anyhow::Result<Server> {
    let store = open_store(config).await?;
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("cannot listen on {} (server.listen)", config.listen))?;
    let addr = listener.local_addr()?;
    let public_url = public_url(config, addr);
    let core = build_core(config, store, clock, &public_url)?;
    let secure_cookies = config
        .secure_cookies
        .unwrap_or(public_url.starts_with("https://"));
    let client_ip_header = config
        .client_ip_header
        .as_deref()
        .and_then(|h| axum::http::HeaderName::from_bytes(h.as_bytes()).ok());
    let mut transports = transports(config)?;
    // Delivery reports come back to the address actually served (also when none is configured).
    transports.phone = phone_transport(config, Some(&public_url))?;
    let sms_hooks = match &config.phone {
        PhoneConfig::Http(api) => Some(portico_web::SmsHookSettings {
            callback_url: format!("{public_url}{}", portico_web::SMS_STATUS_PATH),
            auth_token: api.auth_token.clone(),
        }),
        PhoneConfig::Log => None,
    };
    let imports = portico_core::imports::Runs::new(core.clone());
    let state = AppState {
        core: core.clone(),
        imports: imports.clone(),
        settings: Arc::new(WebSettings {
            public_url: public_url.clone(),
            secure_cookies,
            client_ip_header,
            dev_outbox: transports.all_log(),
            sms_hooks,
            body_timeout: config.body_timeout,
        }),
        metrics: portico_web::install_metrics_recorder(),
    };
    let setup_link = portico_core::practices::setup::issue_link_if_needed(&core)
        .await?
        .map(|token| format!("{public_url}/setup/{}", token.expose()));

    let app = portico_web::router(state);
    let (tx, rx) = oneshot::channel::<()>();
    let serving = tokio::spawn(serve(listener, app, config.header_timeout, rx));
    let sweeper = core.clone();
    let sweeping = tokio::spawn(async move {
        let mut every = tokio::time::interval(Duration::from_secs(600));
        loop {
            every.tick().await;
            if let Err(e) = portico_core::accounts::sweep_sessions(&sweeper).await {
                tracing::warn!(error = %e, "session sweep failed");
            }
        }
    });
    // Imports a stopped node left half way go on here: at once, then now and then.
    let resumer = imports.clone();
    let resuming = tokio::spawn(async move {
        let mut every = tokio::time::interval(Duration::from_secs(30));
        loop {
            every.tick().await;
            if let Err(e) = resumer.take_over_stalled().await {
                tracing::warn!(error = %e, "taking over stalled imports failed");
            }
            if let Err(e) = resumer.drop_old_checked_files().await {
                tracing::warn!(error = %e, "letting go of checked import files failed");
            }
        }
    });
    let (stop_worker, stop_rx) = watch::channel(false);
    let delivering = config.run_worker.then(|| {
        tokio::spawn(
            Worker::new(core.clone(), transports.clone(), worker_settings(config)).run(stop_rx),
        )
    });
    Ok(Server {
        addr,
        public_url,
        setup_link,
        core,
        transports,
        shutdown: Some(tx),
        serving,
        sweeping,
        imports,
        resuming,
        stop_worker,
        delivering,
    })
}

/// Accepts connections until `stop` fires, then lets the requests in flight finish. Unlike
/// `axum::serve`, this gives HTTP/1 a deadline for the request headers, so a client that opens a
/// connection and sends its headers slowly (or never) is cut off instead of holding it open.
async fn serve(
    listener: tokio::net::TcpListener,
    app: axum::Router,
    header_timeout: Duration,
    stop: oneshot::Receiver<()>,
) -> std::io::Result<()> {
    use hyper_util::rt::{TokioIo, TokioTimer};
    use tower::ServiceExt as _;

    let connections = hyper_util::server::graceful::GracefulShutdown::new();
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(header_timeout);
    tokio::pin!(stop);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(conn) => conn,
                Err(e) => {
                    // Out of file descriptors and the like: pause rather than spin.
                    tracing::warn!(error = %e, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = &mut stop => break,
        };
        let app = app.clone();
        let service = hyper::service::service_fn(move |mut req: hyper::Request<_>| {
            // What `into_make_service_with_connect_info` would add: the peer, for `Client`.
            req.extensions_mut()
                .insert(axum::extract::ConnectInfo::<SocketAddr>(peer));
            app.clone().oneshot(req)
        });
        let connection = connections.watch(builder.serve_connection(TokioIo::new(stream), service));
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::debug!(error = %e, "connection ended with an error");
            }
        });
    }
    drop(listener);
    connections.shutdown().await;
    Ok(())
}

impl Server {
    /// Stops accepting, finishes requests in flight, and closes the database.
    pub async fn stop(mut self) -> anyhow::Result<()> {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        // Open pages' event streams end, so that their connections do not hold the shutdown.
        self.core.store().stop_signals();
        self.sweeping.abort();
        self.resuming.abort();
        // Imports end after the batch each is writing; another node (or this one, restarted)
        // takes them over.
        self.imports.stop().await;
        let _ = self.stop_worker.send(true);
        if let Some(worker) = self.delivering.take() {
            let _ = worker.await;
        }
        (&mut self.serving).await??;
        self.core.store().close().await;
        Ok(())
    }
}
