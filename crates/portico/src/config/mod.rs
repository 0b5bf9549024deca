//! Configuration: a TOML file plus `PORTICO_*` environment variables (the environment wins),
//! validated once at start. Every error names the setting — as the file key and the variable —
//! and says what is wrong, so a bad deployment stops with a sentence, not a stack trace.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

mod transports;

pub use transports::{EmailConfig, PhoneApiConfig, PhoneConfig, SmtpConfig, SmtpTls};
use transports::{EmailSection, SmsSection, email_config, phone_config};

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
    pub session_idle: Duration,
    pub session_absolute: Duration,
    /// `None`: decided by the public URL's scheme (https → secure cookies).
    pub secure_cookies: Option<bool>,
    pub client_ip_header: Option<String>,
    /// How long a client may take to send a request's headers, and then its body.
    pub header_timeout: Duration,
    pub body_timeout: Duration,
    pub log_level: String,
    pub log_json: bool,
    pub limits: Limits,
    /// Run the outbox worker inside `serve` (turn off when separate `portico worker` processes deliver).
    pub run_worker: bool,
    /// How long a worker's claim on a message holds before another worker may take it over.
    pub delivery_lease: Duration,
    pub email: EmailConfig,
    pub phone: PhoneConfig,
}

/// Guessing limits for the public code entries (DESIGN §2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Failed invite-code redemptions per client address per window.
    pub invite_code_attempts: u32,
    /// Failed provider/sign-up code look-ups per client address per window.
    pub code_lookup_attempts: u32,
    pub window: Duration,
    /// Wrong birth dates that lock an invitation.
    pub wrong_birth_dates: u32,
    /// Password strength checks (the meter) per client address per window.
    pub password_checks: u32,
    /// Verification texts and calls to one phone number per day.
    pub phone_codes_per_number: u32,
    /// Verification texts and calls asked for from one client address per day.
    pub phone_codes_per_address: u32,
    /// Verification texts and calls one practice pays for per day.
    pub phone_codes_per_practice: u32,
    /// Registrations one client address may open per hour.
    pub registrations_per_address: u32,
    /// Consecutive failed sign-ins to one account before each further try waits longer.
    pub account_failures_before_wait: u32,
    /// Consecutive failed sign-ins that lock an account until a password reset (patients) or an admin (staff).
    pub account_failures_to_lock: u32,
    /// Failed provider and sign-up code look-ups from all callers together per hour.
    pub code_lookups_global: u32,
    /// Password-recovery codes sent to one account per day.
    pub recoveries_per_account: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Database {
    /// The embedded default: a file in the data folder.
    Sqlite(PathBuf),
    Postgres(String),
}

#[derive(Clone, PartialEq, Eq)]
pub enum Secret {
    /// Read from, or created in, `<data dir>/secret.key`.
    DataDirFile,
    Given(Vec<u8>),
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Secret::DataDirFile => f.write_str("DataDirFile"),
            Secret::Given(_) => f.write_str("Given(***)"),
        }
    }
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

/// The file's shape; unknown keys are refused so that a typo is not silently ignored.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    #[serde(default)]
    server: ServerSection,
    #[serde(default)]
    database: DatabaseSection,
    #[serde(default)]
    security: SecuritySection,
    #[serde(default)]
    log: LogSection,
    #[serde(default)]
    limits: LimitsSection,
    #[serde(default)]
    delivery: DeliverySection,
    #[serde(default)]
    email: EmailSection,
    #[serde(default)]
    sms: SmsSection,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct DeliverySection {
    worker: Option<bool>,
    lease_seconds: Option<i64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct LimitsSection {
    invite_code_attempts: Option<i64>,
    code_lookup_attempts: Option<i64>,
    window_minutes: Option<i64>,
    wrong_birth_dates: Option<i64>,
    password_checks: Option<i64>,
    phone_codes_per_number: Option<i64>,
    phone_codes_per_address: Option<i64>,
    phone_codes_per_practice: Option<i64>,
    registrations_per_address: Option<i64>,
    account_failures_before_wait: Option<i64>,
    account_failures_to_lock: Option<i64>,
    code_lookups_global: Option<i64>,
    recoveries_per_account: Option<i64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ServerSection {
    listen: Option<String>,
    public_url: Option<String>,
    data_dir: Option<String>,
    client_ip_header: Option<String>,
    header_timeout_seconds: Option<i64>,
    body_timeout_seconds: Option<i64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct DatabaseSection {
    url: Option<String>,
    max_connections: Option<i64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct SecuritySection {
    secret_key: Option<String>,
    session_idle_minutes: Option<i64>,
    session_absolute_hours: Option<i64>,
    secure_cookies: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct LogSection {
    level: Option<String>,
    format: Option<String>,
}

/// What the command line said; it wins over the environment and the file.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    pub config_file: Option<PathBuf>,
    pub data_dir: Option<PathBuf>,
    pub listen: Option<String>,
}

/// One value with where it came from, for error messages.
struct Raw {
    value: String,
    origin: String,
}

struct Sources<'a> {
    env: &'a HashMap<String, String>,
    file_name: String,
}

impl Sources<'_> {
    /// The environment's value if set, else the file's.
    fn pick(&self, env_var: &str, file: Option<String>, key: &str) -> Option<Raw> {
        if let Some(v) = self.env.get(env_var) {
            return Some(Raw {
                value: v.clone(),
                origin: format!("environment variable {env_var}"),
            });
        }
        file.map(|value| Raw {
            value,
            origin: format!("`{key}` in {}", self.file_name),
        })
    }
}

fn invalid(key: &'static str, raw: &Raw, problem: impl Into<String>) -> ConfigError {
    ConfigError::Invalid {
        key,
        origin: raw.origin.clone(),
        problem: problem.into(),
    }
}

fn number(key: &'static str, raw: &Raw, min: i64, max: i64) -> Result<i64, ConfigError> {
    let n: i64 = raw
        .value
        .trim()
        .parse()
        .map_err(|_| invalid(key, raw, format!("`{}` is not a whole number", raw.value)))?;
    if n < min || n > max {
        return Err(invalid(
            key,
            raw,
            format!("{n} is out of range; use {min} to {max}"),
        ));
    }
    Ok(n)
}

fn boolean(key: &'static str, raw: &Raw) -> Result<bool, ConfigError> {
    match raw.value.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" => Ok(true),
        "false" | "0" | "no" | "off" => Ok(false),
        other => Err(invalid(key, raw, format!("`{other}` is not true or false"))),
    }
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
            .unwrap_or_else(|| PathBuf::from("portico-data"));
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

        let listen = match overrides.listen.clone() {
            Some(v) => Some(Raw {
                value: v,
                origin: "the --listen option".into(),
            }),
            None => src.pick("PORTICO_LISTEN", file.server.listen, "server.listen"),
        };
        let listen = match listen {
            Some(raw) => raw.value.trim().parse::<SocketAddr>().map_err(|_| {
                invalid(
                    "server.listen",
                    &raw,
                    format!("`{}` is not an address like 127.0.0.1:8080", raw.value),
                )
            })?,
            None => SocketAddr::from(([127, 0, 0, 1], 8080)),
        };

        let public_url = match src.pick(
            "PORTICO_PUBLIC_URL",
            file.server.public_url,
            "server.public_url",
        ) {
            Some(raw) => {
                let url = raw.value.trim().trim_end_matches('/').to_owned();
                let rest = url
                    .strip_prefix("https://")
                    .or_else(|| url.strip_prefix("http://"));
                if rest.is_none_or(|host| host.is_empty() || host.contains(char::is_whitespace)) {
                    return Err(invalid(
                        "server.public_url",
                        &raw,
                        "use an address starting with https:// or http://",
                    ));
                }
                Some(url)
            }
            None => None,
        };

        let data_dir = match overrides.data_dir.clone() {
            Some(dir) => dir,
            None => src
                .pick("PORTICO_DATA_DIR", file.server.data_dir, "server.data_dir")
                .map_or_else(
                    || PathBuf::from("portico-data"),
                    |raw| PathBuf::from(raw.value),
                ),
        };

        let client_ip_header = match src.pick(
            "PORTICO_CLIENT_IP_HEADER",
            file.server.client_ip_header,
            "server.client_ip_header",
        ) {
            Some(raw) => {
                let name = raw.value.trim().to_ascii_lowercase();
                if axum::http::HeaderName::from_bytes(name.as_bytes()).is_err() || name.is_empty() {
                    return Err(invalid(
                        "server.client_ip_header",
                        &raw,
                        "not a valid header name",
                    ));
                }
                Some(name)
            }
            None => None,
        };

        let url = src
            .pick("DATABASE_URL", None, "database.url")
            .or_else(|| src.pick("PORTICO_DATABASE_URL", file.database.url, "database.url"));
        let database = match url {
            Some(raw) => parse_database_url(&raw)?,
            None => Database::Sqlite(data_dir.join("portico.db")),
        };
        let max_connections = src
            .pick(
                "PORTICO_DATABASE_MAX_CONNECTIONS",
                file.database.max_connections.map(|n| n.to_string()),
                "database.max_connections",
            )
            .map(|raw| number("database.max_connections", &raw, 1, 1000))
            .transpose()?
            .unwrap_or(10) as u32;

        let secret = match src.pick(
            "PORTICO_SECRET_KEY",
            file.security.secret_key,
            "security.secret_key",
        ) {
            Some(raw) => Secret::Given(parse_secret(&raw)?),
            None => Secret::DataDirFile,
        };
        let idle = src
            .pick(
                "PORTICO_SESSION_IDLE_MINUTES",
                file.security.session_idle_minutes.map(|n| n.to_string()),
                "security.session_idle_minutes",
            )
            .map(|raw| number("security.session_idle_minutes", &raw, 1, 24 * 60))
            .transpose()?
            .unwrap_or(30);
        let absolute = src
            .pick(
                "PORTICO_SESSION_ABSOLUTE_HOURS",
                file.security.session_absolute_hours.map(|n| n.to_string()),
                "security.session_absolute_hours",
            )
            .map(|raw| number("security.session_absolute_hours", &raw, 1, 24 * 7))
            .transpose()?
            .unwrap_or(12);
        let secure_cookies = src
            .pick(
                "PORTICO_SECURE_COOKIES",
                file.security.secure_cookies.map(|b| b.to_string()),
                "security.secure_cookies",
            )
            .map(|raw| boolean("security.secure_cookies", &raw))
            .transpose()?;

        let log_level = match src.pick("PORTICO_LOG", file.log.level, "log.level") {
            Some(raw) => {
                let level = raw.value.trim().to_ascii_lowercase();
                if !["error", "warn", "info", "debug", "trace"].contains(&level.as_str()) {
                    return Err(invalid(
                        "log.level",
                        &raw,
                        format!(
                            "`{}` is not one of error, warn, info, debug, trace",
                            raw.value
                        ),
                    ));
                }
                level
            }
            None => "info".into(),
        };
        let log_json = match src.pick("PORTICO_LOG_FORMAT", file.log.format, "log.format") {
            Some(raw) => match raw.value.trim() {
                "json" => true,
                "text" => false,
                other => {
                    return Err(invalid(
                        "log.format",
                        &raw,
                        format!("`{other}` is not text or json"),
                    ));
                }
            },
            None => false,
        };

        let limit =
            |env: &str, file: Option<i64>, key: &'static str, min: i64, max: i64, default: i64| {
                src.pick(env, file.map(|n| n.to_string()), key)
                    .map(|raw| number(key, &raw, min, max))
                    .transpose()
                    .map(|n| n.unwrap_or(default))
            };
        let limits = Limits {
            invite_code_attempts: limit(
                "PORTICO_LIMIT_INVITE_CODE_ATTEMPTS",
                file.limits.invite_code_attempts,
                "limits.invite_code_attempts",
                1,
                1_000_000,
                20,
            )? as u32,
            code_lookup_attempts: limit(
                "PORTICO_LIMIT_CODE_LOOKUP_ATTEMPTS",
                file.limits.code_lookup_attempts,
                "limits.code_lookup_attempts",
                1,
                1_000_000,
                10,
            )? as u32,
            window: Duration::from_secs(
                limit(
                    "PORTICO_LIMIT_WINDOW_MINUTES",
                    file.limits.window_minutes,
                    "limits.window_minutes",
                    1,
                    24 * 60,
                    15,
                )? as u64
                    * 60,
            ),
            wrong_birth_dates: limit(
                "PORTICO_LIMIT_WRONG_BIRTH_DATES",
                file.limits.wrong_birth_dates,
                "limits.wrong_birth_dates",
                1,
                100,
                5,
            )? as u32,
            password_checks: limit(
                "PORTICO_LIMIT_PASSWORD_CHECKS",
                file.limits.password_checks,
                "limits.password_checks",
                1,
                1_000_000,
                300,
            )? as u32,
            phone_codes_per_number: limit(
                "PORTICO_LIMIT_PHONE_CODES_PER_NUMBER",
                file.limits.phone_codes_per_number,
                "limits.phone_codes_per_number",
                1,
                10000,
                5,
            )? as u32,
            phone_codes_per_address: limit(
                "PORTICO_LIMIT_PHONE_CODES_PER_ADDRESS",
                file.limits.phone_codes_per_address,
                "limits.phone_codes_per_address",
                1,
                1000000,
                20,
            )? as u32,
            phone_codes_per_practice: limit(
                "PORTICO_LIMIT_PHONE_CODES_PER_PRACTICE",
                file.limits.phone_codes_per_practice,
                "limits.phone_codes_per_practice",
                1,
                10000000,
                1000,
            )? as u32,
            registrations_per_address: limit(
                "PORTICO_LIMIT_REGISTRATIONS_PER_ADDRESS",
                file.limits.registrations_per_address,
                "limits.registrations_per_address",
                1,
                1000000,
                10,
            )? as u32,
            account_failures_before_wait: limit(
                "PORTICO_LIMIT_ACCOUNT_FAILURES_BEFORE_WAIT",
                file.limits.account_failures_before_wait,
                "limits.account_failures_before_wait",
                1,
                1000,
                10,
            )? as u32,
            account_failures_to_lock: limit(
                "PORTICO_LIMIT_ACCOUNT_FAILURES_TO_LOCK",
                file.limits.account_failures_to_lock,
                "limits.account_failures_to_lock",
                2,
                100,
                100,
            )? as u32,
            code_lookups_global: limit(
                "PORTICO_LIMIT_CODE_LOOKUPS_GLOBAL",
                file.limits.code_lookups_global,
                "limits.code_lookups_global",
                1,
                100000000,
                1000,
            )? as u32,
            recoveries_per_account: limit(
                "PORTICO_LIMIT_RECOVERIES_PER_ACCOUNT",
                file.limits.recoveries_per_account,
                "limits.recoveries_per_account",
                1,
                1000,
                5,
            )? as u32,
        };
        let header_timeout = limit(
            "PORTICO_HEADER_TIMEOUT_SECONDS",
            file.server.header_timeout_seconds,
            "server.header_timeout_seconds",
            1,
            300,
            10,
        )?;
        let body_timeout = limit(
            "PORTICO_BODY_TIMEOUT_SECONDS",
            file.server.body_timeout_seconds,
            "server.body_timeout_seconds",
            1,
            600,
            30,
        )?;

        let run_worker = src
            .pick(
                "PORTICO_DELIVERY_WORKER",
                file.delivery.worker.map(|b| b.to_string()),
                "delivery.worker",
            )
            .map(|raw| boolean("delivery.worker", &raw))
            .transpose()?
            .unwrap_or(true);

        let delivery_lease = src
            .pick(
                "PORTICO_DELIVERY_LEASE_SECONDS",
                file.delivery.lease_seconds.map(|n| n.to_string()),
                "delivery.lease_seconds",
            )
            .map(|raw| number("delivery.lease_seconds", &raw, 1, 3600))
            .transpose()?
            .unwrap_or(60);
        let email = email_config(&src, file.email)?;
        let phone = phone_config(&src, file.sms)?;

        Ok(Config {
            email,
            phone,
            run_worker,
            delivery_lease: Duration::from_secs(delivery_lease as u64),
            limits,
            listen,
            public_url,
            data_dir,
            database,
            max_connections,
            secret,
            session_idle: Duration::from_secs(idle as u64 * 60),
            session_absolute: Duration::from_secs(absolute as u64 * 3600),
            secure_cookies,
            client_ip_header,
            header_timeout: Duration::from_secs(header_timeout as u64),
            body_timeout: Duration::from_secs(body_timeout as u64),
            log_level,
            log_json,
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

fn parse_database_url(raw: &Raw) -> Result<Database, ConfigError> {
    let url = raw.value.trim();
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        return Ok(Database::Postgres(url.to_owned()));
    }
    if let Some(path) = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
    {
        let path = path.split('?').next().unwrap_or_default();
        if path.is_empty() {
            return Err(invalid(
                "database.url",
                raw,
                "a sqlite: URL needs a file path, e.g. sqlite:///var/lib/portico/portico.db",
            ));
        }
        return Ok(Database::Sqlite(PathBuf::from(path)));
    }
    // Never echo the URL: it may hold a password.
    Err(invalid(
        "database.url",
        raw,
        "use a postgres://… or sqlite:… URL",
    ))
}

fn parse_secret(raw: &Raw) -> Result<Vec<u8>, ConfigError> {
    let text = raw.value.trim();
    let bytes = portico_core::platform::secrets::from_hex(text).ok_or_else(|| {
        invalid(
            "security.secret_key",
            raw,
            "must be hexadecimal (e.g. from `openssl rand -hex 32`)",
        )
    })?;
    if bytes.len() < portico_core::platform::secrets::MIN_SECRET_LEN {
        return Err(invalid(
            "security.secret_key",
            raw,
            format!(
                "must be at least {} bytes ({} hex characters)",
                portico_core::platform::secrets::MIN_SECRET_LEN,
                portico_core::platform::secrets::MIN_SECRET_LEN * 2
            ),
        ));
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests;
