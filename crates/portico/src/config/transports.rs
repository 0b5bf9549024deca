//! Delivery transport settings: how email leaves (log or SMTP) and how SMS and voice calls leave
//! (log or a Twilio-shaped HTTP API). Each is checked once at start; a missing value names the
//! setting that needs it.

use serde::Deserialize;

use super::{ConfigError, Raw, Sources, invalid, number};

/// How email leaves: the development log, or an SMTP server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EmailConfig {
    Log,
    Smtp(SmtpConfig),
}

#[derive(Clone, PartialEq, Eq)]
pub struct SmtpConfig {
    pub host: String,
    pub port: u16,
    pub tls: SmtpTls,
    pub username: Option<String>,
    pub password: Option<String>,
    /// The sender, e.g. `Lakeside Clinic <portal@lakeside.example>`.
    pub from: String,
}

impl std::fmt::Debug for SmtpConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpConfig")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("tls", &self.tls)
            .field("username", &self.username)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpTls {
    /// Plain text: only for a test server on the same machine.
    None,
    StartTls,
    /// Implicit TLS (usually port 465).
    Tls,
}

/// How SMS and voice calls leave: the development log, or a provider's HTTP API (Twilio's shape).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PhoneConfig {
    Log,
    Http(PhoneApiConfig),
}

#[derive(Clone, PartialEq, Eq)]
pub struct PhoneApiConfig {
    /// e.g. `https://api.twilio.com`, or any compatible gateway.
    pub base_url: String,
    pub account_sid: String,
    pub auth_token: String,
    /// The sending number, E.164.
    pub from: String,
    /// How long to wait for the provider's answer.
    pub timeout: std::time::Duration,
}

impl std::fmt::Debug for PhoneApiConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PhoneApiConfig")
            .field("base_url", &self.base_url)
            .field("account_sid", &self.account_sid)
            .field("from", &self.from)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct EmailSection {
    transport: Option<String>,
    smtp_host: Option<String>,
    smtp_port: Option<i64>,
    smtp_tls: Option<String>,
    smtp_username: Option<String>,
    smtp_password: Option<String>,
    from: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct SmsSection {
    transport: Option<String>,
    base_url: Option<String>,
    account_sid: Option<String>,
    auth_token: Option<String>,
    from: Option<String>,
    timeout_seconds: Option<i64>,
}

/// A setting that must be present once its transport is chosen.
fn required(
    src: &Sources<'_>,
    env: &str,
    file: Option<String>,
    key: &'static str,
    why: &str,
) -> Result<Raw, ConfigError> {
    src.pick(env, file, key)
        .filter(|r| !r.value.trim().is_empty())
        .ok_or_else(|| ConfigError::Invalid {
            key,
            origin: format!("environment variable {env} or `{key}`"),
            problem: format!("missing; it is needed {why}"),
        })
}

pub(super) fn email_config(
    src: &Sources<'_>,
    file: EmailSection,
) -> Result<EmailConfig, ConfigError> {
    let Some(transport) = src.pick("PORTICO_EMAIL_TRANSPORT", file.transport, "email.transport")
    else {
        return Ok(EmailConfig::Log);
    };
    match transport.value.trim() {
        "log" => Ok(EmailConfig::Log),
        "smtp" => {
            let why = "with email.transport = \"smtp\"";
            let host = required(
                src,
                "PORTICO_SMTP_HOST",
                file.smtp_host,
                "email.smtp_host",
                why,
            )?
            .value
            .trim()
            .to_owned();
            let tls = match src.pick("PORTICO_SMTP_TLS", file.smtp_tls, "email.smtp_tls") {
                None => SmtpTls::StartTls,
                Some(raw) => match raw.value.trim() {
                    "none" => SmtpTls::None,
                    "starttls" => SmtpTls::StartTls,
                    "tls" => SmtpTls::Tls,
                    other => {
                        return Err(invalid(
                            "email.smtp_tls",
                            &raw,
                            format!("`{other}` is not none, starttls or tls"),
                        ));
                    }
                },
            };
            let default_port = match tls {
                SmtpTls::Tls => 465,
                SmtpTls::StartTls => 587,
                SmtpTls::None => 25,
            };
            let port = src
                .pick(
                    "PORTICO_SMTP_PORT",
                    file.smtp_port.map(|n| n.to_string()),
                    "email.smtp_port",
                )
                .map(|raw| number("email.smtp_port", &raw, 1, 65535))
                .transpose()?
                .unwrap_or(default_port) as u16;
            let from_raw = required(src, "PORTICO_EMAIL_FROM", file.from, "email.from", why)?;
            let from = from_raw.value.trim().to_owned();
            if !from.contains('@') {
                return Err(invalid(
                    "email.from",
                    &from_raw,
                    "use an address like Clinic <portal@clinic.example>",
                ));
            }
            let username = src
                .pick(
                    "PORTICO_SMTP_USERNAME",
                    file.smtp_username,
                    "email.smtp_username",
                )
                .map(|r| r.value);
            let password = src
                .pick(
                    "PORTICO_SMTP_PASSWORD",
                    file.smtp_password,
                    "email.smtp_password",
                )
                .map(|r| r.value);
            if username.is_some() != password.is_some() {
                return Err(ConfigError::Invalid {
                    key: "email.smtp_password",
                    origin: "the SMTP settings".into(),
                    problem: "set both email.smtp_username and email.smtp_password, or neither"
                        .into(),
                });
            }
            Ok(EmailConfig::Smtp(SmtpConfig {
                host,
                port,
                tls,
                username,
                password,
                from,
            }))
        }
        other => Err(invalid(
            "email.transport",
            &transport,
            format!("`{other}` is not log or smtp"),
        )),
    }
}

pub(super) fn phone_config(
    src: &Sources<'_>,
    file: SmsSection,
) -> Result<PhoneConfig, ConfigError> {
    let Some(transport) = src.pick("PORTICO_SMS_TRANSPORT", file.transport, "sms.transport") else {
        return Ok(PhoneConfig::Log);
    };
    match transport.value.trim() {
        "log" => Ok(PhoneConfig::Log),
        "http" => {
            let why = "with sms.transport = \"http\"";
            let base_raw = required(
                src,
                "PORTICO_SMS_BASE_URL",
                file.base_url,
                "sms.base_url",
                why,
            )?;
            let base_url = base_raw.value.trim().trim_end_matches('/').to_owned();
            if !(base_url.starts_with("https://") || base_url.starts_with("http://")) {
                return Err(invalid(
                    "sms.base_url",
                    &base_raw,
                    "use an address starting with https://",
                ));
            }
            let account_sid = required(
                src,
                "PORTICO_SMS_ACCOUNT_SID",
                file.account_sid,
                "sms.account_sid",
                why,
            )?
            .value
            .trim()
            .to_owned();
            let auth_token = required(
                src,
                "PORTICO_SMS_AUTH_TOKEN",
                file.auth_token,
                "sms.auth_token",
                why,
            )?
            .value
            .trim()
            .to_owned();
            let from_raw = required(src, "PORTICO_SMS_FROM", file.from, "sms.from", why)?;
            let from = from_raw.value.trim().to_owned();
            if !from.starts_with('+')
                || from.len() < 8
                || !from[1..].bytes().all(|b| b.is_ascii_digit())
            {
                return Err(invalid(
                    "sms.from",
                    &from_raw,
                    "use the sending number in E.164, like +14155550100",
                ));
            }
            let timeout = src
                .pick(
                    "PORTICO_SMS_TIMEOUT_SECONDS",
                    file.timeout_seconds.map(|n| n.to_string()),
                    "sms.timeout_seconds",
                )
                .map(|raw| number("sms.timeout_seconds", &raw, 1, 120))
                .transpose()?
                .unwrap_or(30);
            Ok(PhoneConfig::Http(PhoneApiConfig {
                base_url,
                account_sid,
                auth_token,
                from,
                timeout: std::time::Duration::from_secs(timeout as u64),
            }))
        }
        other => Err(invalid(
            "sms.transport",
            &transport,
            format!("`{other}` is not log or http"),
        )),
    }
}
