//! Configuration: a TOML file plus `PORTICO_*` environment variables (the environment wins),
//! validated once at start. Every error names the setting — as the file key and the variable —
//! and says what is wrong, so a bad deployment stops with a sentence, not a stack trace.
//!
//! One file per section of the file (`server`, `database`, `security`, `log`, `limits`,
//! `delivery`, `email`, `sms`), each with its keys, variables, defaults and checks; `sources`
//! decides between the environment and the file. The core's rules (session lengths, limits) start
//! from `portico_core::Settings::default()`, their only home, and take only what is set.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use portico_core::Settings;
use serde::Deserialize;

mod database;
mod delivery;
mod email;
mod limits;
mod log;
mod security;
mod server;
mod sms;
mod sources;

pub use database::Database;
pub use email::{EmailConfig, SmtpConfig, SmtpTls};
pub use security::Secret;
pub use sms::{PhoneApiConfig, PhoneConfig};

use sources::Sources;

/// Everything the service needs, checked.
#[derive(Debug, Clone)]
pub struct Config {
    pub listen: SocketAddr,
    /// Where people reach the service; `None` means "http://" + the address actually bound.
    pub public_url: Option<String>,
    pub data_dir: PathBuf,
    pub database: Database,
    pub max_connections: u32,
    pub secret: Secret,
    /// `None`: decided by the public URL's scheme (https → secure cookies).
    pub secure_cookies: Option<bool>,
    pub client_ip_header: Option<String>,
    /// How long a client may take to send a request's headers, and then its body.
    pub header_timeout: Duration,
    pub body_timeout: Duration,
    pub log_level: String,
    pub log_json: bool,
    /// The core's rules: `Settings::default()` (the one home of the defaults) with the session
    /// lengths and limits that the file or the environment set. Its `public_url` is not this
    /// configuration's: the server fills it in once it knows the address it is bound to.
    pub core: Settings,
    /// Run the outbox worker inside `serve` (turn off when separate `portico worker` processes deliver).
    pub run_worker: bool,
    /// How long a worker's claim on a message holds before another worker may take it over.
    pub delivery_lease: Duration,
    pub email: EmailConfig,
    pub phone: PhoneConfig,
}

/// A setting that could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("invalid setting `{key}` (from {origin}): {problem}")]
    Invalid {
        key: &'static str,
        origin: String,
        problem: String,
    },
    #[error("cannot read the configuration file {path}: {problem}")]
    File { path: String, problem: String },
}

/// The file's shape, one section per file of this module; unknown keys are refused so that a
/// typo is not silently ignored.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    #[serde(default)]
    server: server::ServerSection,
    #[serde(default)]
    database: database::DatabaseSection,
    #[serde(default)]
    security: security::SecuritySection,
    #[serde(default)]
    log: log::LogSection,
    #[serde(default)]
    limits: limits::LimitsSection,
    #[serde(default)]
    delivery: delivery::DeliverySection,
    #[serde(default)]
    email: email::EmailSection,
    #[serde(default)]
    sms: sms::SmsSection,
}

/// What the command line said; it wins over the environment and the file.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    pub config_file: Option<PathBuf>,
    pub data_dir: Option<PathBuf>,
    pub listen: Option<String>,
}

impl Config {
    /// Reads the process environment and the configuration file.
    pub fn load(overrides: &Overrides) -> Result<Config, ConfigError> {
        let env: HashMap<String, String> = std::env::vars().collect();
        Config::from_sources(overrides, &env)
    }

    /// Builds the configuration from explicit sources (the environment as a map), for tests.
    pub fn from_sources(
        overrides: &Overrides,
        env: &HashMap<String, String>,
    ) -> Result<Config, ConfigError> {
        let data_dir_hint = overrides
            .data_dir
            .clone()
            .or_else(|| env.get("PORTICO_DATA_DIR").map(PathBuf::from))
            .unwrap_or_else(|| PathBuf::from(server::DEFAULT_DATA_DIR));
        let file_path = overrides
            .config_file
            .clone()
            .or_else(|| env.get("PORTICO_CONFIG").map(PathBuf::from))
            .or_else(|| Some(data_dir_hint.join("portico.toml")).filter(|p| p.exists()));
        let (file, file_name) = match &file_path {
            Some(path) => (read_file(path)?, path.display().to_string()),
            None => (FileConfig::default(), "the configuration file".to_owned()),
        };
        let src = Sources { env, file_name };

        let mut core = Settings::default();
        let server = server::server(&src, overrides, file.server)?;
        let (database, max_connections) =
            database::database(&src, file.database, &server.data_dir)?;
        let security = security::security(&src, file.security, &mut core)?;
        let log = log::log(&src, file.log)?;
        limits::limits(&src, file.limits, &mut core)?;
        let delivery = delivery::delivery(&src, file.delivery)?;
        let email = email::email(&src, file.email)?;
        let phone = sms::sms(&src, file.sms)?;

        Ok(Config {
            listen: server.listen,
            public_url: server.public_url,
            data_dir: server.data_dir,
            database,
            max_connections,
            secret: security.secret,
            secure_cookies: security.secure_cookies,
            client_ip_header: server.client_ip_header,
            header_timeout: server.header_timeout,
            body_timeout: server.body_timeout,
            log_level: log.level,
            log_json: log.json,
            core,
            run_worker: delivery.run_worker,
            delivery_lease: delivery.lease,
            email,
            phone,
        })
    }
}

fn read_file(path: &Path) -> Result<FileConfig, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|e| ConfigError::File {
        path: path.display().to_string(),
        problem: e.to_string(),
    })?;
    // toml's message names the key and line of the problem (including unknown keys).
    toml::from_str(&text).map_err(|e| ConfigError::File {
        path: path.display().to_string(),
        problem: e.to_string(),
    })
}

#[cfg(test)]
mod tests;

/// Asserts that loading was refused with a message naming each of `expected` (the setting, the
/// variable, the rule): what an operator reads to fix a configuration.
#[cfg(test)]
fn assert_refused_naming<T: std::fmt::Debug>(result: Result<T, ConfigError>, expected: &[&str]) {
    let message = result
        .expect_err("the configuration should be refused")
        .to_string();
    for part in expected {
        assert!(message.contains(part), "{message:?} does not name {part:?}");
    }
}
