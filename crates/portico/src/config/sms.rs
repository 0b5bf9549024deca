//! `[sms]`: how verification texts and voice calls leave — kept for `/dev/outbox` (`log`, the
//! default) or sent through a provider's HTTP API in Twilio's shape. A provider set-up is checked
//! whole at start; a missing value names the setting that needs it.

use serde::Deserialize;

use super::ConfigError;
use super::sources::{Sources, invalid};

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
pub(super) struct SmsSection {
    transport: Option<String>,
    base_url: Option<String>,
    account_sid: Option<String>,
    auth_token: Option<String>,
    from: Option<String>,
    timeout_seconds: Option<i64>,
}

pub(super) fn sms(src: &Sources<'_>, file: SmsSection) -> Result<PhoneConfig, ConfigError> {
    let Some(transport) = src.pick("PORTICO_SMS_TRANSPORT", file.transport, "sms.transport") else {
        return Ok(PhoneConfig::Log);
    };
    match transport.value.trim() {
        "log" => Ok(PhoneConfig::Log),
        "http" => {
            let why = "with sms.transport = \"http\"";
            let base_raw =
                src.required("PORTICO_SMS_BASE_URL", file.base_url, "sms.base_url", why)?;
            let base_url = base_raw.value.trim().trim_end_matches('/').to_owned();
            if !(base_url.starts_with("https://") || base_url.starts_with("http://")) {
                return Err(invalid(
                    "sms.base_url",
                    &base_raw,
                    "use an address starting with https://",
                ));
            }
            let account_sid = src
                .required(
                    "PORTICO_SMS_ACCOUNT_SID",
                    file.account_sid,
                    "sms.account_sid",
                    why,
                )?
                .value
                .trim()
                .to_owned();
            let auth_token = src
                .required(
                    "PORTICO_SMS_AUTH_TOKEN",
                    file.auth_token,
                    "sms.auth_token",
                    why,
                )?
                .value
                .trim()
                .to_owned();
            let from_raw = src.required("PORTICO_SMS_FROM", file.from, "sms.from", why)?;
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
                .number(
                    "PORTICO_SMS_TIMEOUT_SECONDS",
                    file.timeout_seconds,
                    "sms.timeout_seconds",
                    1,
                    120,
                )?
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

#[cfg(test)]
mod tests {
    use super::super::tests::load;
    use super::PhoneConfig;
    use crate::config::assert_refused_naming;

    const HTTP: [(&str, &str); 5] = [
        ("PORTICO_SMS_TRANSPORT", "http"),
        ("PORTICO_SMS_BASE_URL", "https://api.twilio.example/"),
        ("PORTICO_SMS_ACCOUNT_SID", "AC0123456789abcdef"),
        ("PORTICO_SMS_AUTH_TOKEN", "provider-auth-token"),
        ("PORTICO_SMS_FROM", "+14155550100"),
    ];

    fn http(extra: &[(&str, &str)]) -> Result<super::super::Config, super::ConfigError> {
        load(&[&HTTP[..], extra].concat())
    }

    #[test]
    fn texts_and_calls_are_kept_for_the_outbox_page_unless_http_is_chosen() {
        assert_eq!(load(&[]).unwrap().phone, PhoneConfig::Log);
        assert_refused_naming(
            load(&[("PORTICO_SMS_TRANSPORT", "twilio")]),
            &["sms.transport", "`twilio` is not log or http"],
        );
    }

    #[test]
    fn the_provider_is_waited_for_30_seconds_unless_set() {
        let PhoneConfig::Http(config) = http(&[]).unwrap().phone else {
            panic!("http expected");
        };
        assert_eq!(config.base_url, "https://api.twilio.example");
        assert_eq!(config.from, "+14155550100");
        assert_eq!(config.timeout.as_secs(), 30);

        let PhoneConfig::Http(config) =
            http(&[("PORTICO_SMS_TIMEOUT_SECONDS", "5")]).unwrap().phone
        else {
            panic!("http expected");
        };
        assert_eq!(config.timeout.as_secs(), 5);
        assert_refused_naming(
            http(&[("PORTICO_SMS_TIMEOUT_SECONDS", "121")]),
            &["sms.timeout_seconds", "1 to 120"],
        );
    }

    #[test]
    fn the_provider_settings_are_required_and_checked() {
        let e = load(&HTTP[..4]).unwrap_err().to_string();
        assert!(
            e.contains("sms.from")
                && e.contains("missing; it is needed with sms.transport = \"http\""),
            "{e}"
        );
        let e = http(&[("PORTICO_SMS_FROM", "4155550100")])
            .unwrap_err()
            .to_string();
        assert!(e.contains("sms.from") && e.contains("E.164"), "{e}");
        assert_refused_naming(
            http(&[("PORTICO_SMS_BASE_URL", "api.twilio.example")]),
            &["sms.base_url", "starting with https://"],
        );
    }
}
