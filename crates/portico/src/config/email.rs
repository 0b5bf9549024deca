//! `[email]`: how email leaves — kept for `/dev/outbox` (`log`, the default) or sent through an
//! SMTP server. An SMTP set-up is checked whole at start; a missing value names the setting that
//! needs it.

use serde::Deserialize;

use super::ConfigError;
use super::sources::{Sources, invalid};

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

pub(super) fn email(src: &Sources<'_>, file: EmailSection) -> Result<EmailConfig, ConfigError> {
    let Some(transport) = src.pick("PORTICO_EMAIL_TRANSPORT", file.transport, "email.transport")
    else {
        return Ok(EmailConfig::Log);
    };
    match transport.value.trim() {
        "log" => Ok(EmailConfig::Log),
        "smtp" => {
            let why = "with email.transport = \"smtp\"";
            let host = src
                .required("PORTICO_SMTP_HOST", file.smtp_host, "email.smtp_host", why)?
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
                .number(
                    "PORTICO_SMTP_PORT",
                    file.smtp_port,
                    "email.smtp_port",
                    1,
                    65535,
                )?
                .unwrap_or(default_port) as u16;
            let from_raw = src.required("PORTICO_EMAIL_FROM", file.from, "email.from", why)?;
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

#[cfg(test)]
mod tests {
    use super::super::tests::load;
    use super::{EmailConfig, SmtpTls};
    use crate::config::assert_refused_naming;

    const SMTP: [(&str, &str); 3] = [
        ("PORTICO_EMAIL_TRANSPORT", "smtp"),
        ("PORTICO_SMTP_HOST", "mail.example"),
        (
            "PORTICO_EMAIL_FROM",
            "Lakeside Clinic <portal@lakeside.example>",
        ),
    ];

    fn smtp(extra: &[(&str, &str)]) -> Result<super::super::Config, super::ConfigError> {
        load(&[&SMTP[..], extra].concat())
    }

    #[test]
    fn email_is_kept_for_the_outbox_page_unless_smtp_is_chosen() {
        assert_eq!(load(&[]).unwrap().email, EmailConfig::Log);
        assert_refused_naming(
            load(&[("PORTICO_EMAIL_TRANSPORT", "sendmail")]),
            &["email.transport", "`sendmail` is not log or smtp"],
        );
    }

    #[test]
    fn smtp_uses_starttls_on_port_587_unless_set() {
        let EmailConfig::Smtp(config) = smtp(&[]).unwrap().email else {
            panic!("smtp expected");
        };
        assert_eq!(config.host, "mail.example");
        assert_eq!((config.tls, config.port), (SmtpTls::StartTls, 587));
        assert_eq!(config.from, "Lakeside Clinic <portal@lakeside.example>");

        let EmailConfig::Smtp(config) = smtp(&[("PORTICO_SMTP_TLS", "tls")]).unwrap().email else {
            panic!("smtp expected");
        };
        assert_eq!((config.tls, config.port), (SmtpTls::Tls, 465));
        let EmailConfig::Smtp(config) =
            smtp(&[("PORTICO_SMTP_TLS", "none"), ("PORTICO_SMTP_PORT", "2525")])
                .unwrap()
                .email
        else {
            panic!("smtp expected");
        };
        assert_eq!((config.tls, config.port), (SmtpTls::None, 2525));
    }

    #[test]
    fn smtp_without_a_host_names_the_missing_setting() {
        let e = load(&[
            ("PORTICO_EMAIL_TRANSPORT", "smtp"),
            ("PORTICO_EMAIL_FROM", "portal@lakeside.example"),
        ])
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("email.smtp_host")
                && e.contains("PORTICO_SMTP_HOST")
                && e.contains("missing; it is needed with email.transport = \"smtp\""),
            "{e}"
        );
    }

    #[test]
    fn smtp_settings_that_do_not_fit_are_named() {
        assert_refused_naming(
            smtp(&[("PORTICO_SMTP_TLS", "ssl")]),
            &["email.smtp_tls", "`ssl` is not none, starttls or tls"],
        );
        assert_refused_naming(
            smtp(&[("PORTICO_EMAIL_FROM", "Lakeside Clinic")]),
            &["email.from", "use an address like"],
        );
        assert_refused_naming(
            smtp(&[("PORTICO_SMTP_USERNAME", "portal")]),
            &["set both email.smtp_username and email.smtp_password, or neither"],
        );
    }
}
