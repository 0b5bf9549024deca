//! `[security]`: the secret key that keys every stored hash and the audit chain, how long staff
//! sessions last, and the cookies' `Secure` flag. The key is never echoed in an error. Session
//! lengths start from the core's own defaults (`portico_core::Settings::default()`); only what is
//! set replaces them.

use std::time::Duration;

use portico_core::Settings;
use serde::Deserialize;

use super::ConfigError;
use super::sources::{Raw, Sources, invalid};

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

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct SecuritySection {
    secret_key: Option<String>,
    session_idle_minutes: Option<i64>,
    session_absolute_hours: Option<i64>,
    secure_cookies: Option<bool>,
}

/// The `[security]` settings that are not the core's rules.
pub(super) struct Security {
    pub(super) secret: Secret,
    /// `None`: decided by the public URL's scheme.
    pub(super) secure_cookies: Option<bool>,
}

/// Checks `[security]`; the session lengths that are set go into `rules`.
pub(super) fn security(
    src: &Sources<'_>,
    file: SecuritySection,
    rules: &mut Settings,
) -> Result<Security, ConfigError> {
    let secret = match src.pick("PORTICO_SECRET_KEY", file.secret_key, "security.secret_key") {
        Some(raw) => Secret::Given(parse_secret(&raw)?),
        None => Secret::DataDirFile,
    };
    if let Some(minutes) = src.number(
        "PORTICO_SESSION_IDLE_MINUTES",
        file.session_idle_minutes,
        "security.session_idle_minutes",
        1,
        24 * 60,
    )? {
        rules.session_idle = Duration::from_secs(minutes as u64 * 60);
    }
    if let Some(hours) = src.number(
        "PORTICO_SESSION_ABSOLUTE_HOURS",
        file.session_absolute_hours,
        "security.session_absolute_hours",
        1,
        24 * 7,
    )? {
        rules.session_absolute = Duration::from_secs(hours as u64 * 3600);
    }
    let secure_cookies = src.boolean(
        "PORTICO_SECURE_COOKIES",
        file.secure_cookies,
        "security.secure_cookies",
    )?;
    Ok(Security {
        secret,
        secure_cookies,
    })
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
mod tests {
    use super::super::tests::load;
    use super::Secret;
    use crate::config::assert_refused_naming;

    const KEY: &str = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

    #[test]
    fn a_short_secret_key_is_refused_without_echoing_it() {
        let e = load(&[("PORTICO_SECRET_KEY", "abcd")])
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("security.secret_key") && !e.contains("abcd"),
            "{e}"
        );
    }

    #[test]
    fn a_secret_key_of_32_hex_bytes_is_used_as_given() {
        let config = load(&[("PORTICO_SECRET_KEY", KEY)]).unwrap();
        assert!(matches!(config.secret, Secret::Given(ref b) if b.len() == 32));

        assert_refused_naming(
            load(&[("PORTICO_SECRET_KEY", &KEY.replace('0', "z"))]),
            &["security.secret_key", "must be hexadecimal"],
        );
    }

    #[test]
    fn staff_sessions_last_30_idle_minutes_and_12_hours_unless_set() {
        let rules = load(&[]).unwrap().core;
        assert_eq!(rules.session_idle.as_secs(), 30 * 60);
        assert_eq!(rules.session_absolute.as_secs(), 12 * 3600);

        let rules = load(&[
            ("PORTICO_SESSION_IDLE_MINUTES", "5"),
            ("PORTICO_SESSION_ABSOLUTE_HOURS", "168"),
        ])
        .unwrap()
        .core;
        assert_eq!(rules.session_idle.as_secs(), 5 * 60);
        assert_eq!(rules.session_absolute.as_secs(), 168 * 3600);

        assert_refused_naming(
            load(&[("PORTICO_SESSION_ABSOLUTE_HOURS", "169")]),
            &["security.session_absolute_hours", "1 to 168"],
        );
    }

    #[test]
    fn secure_cookies_follow_the_public_url_unless_forced() {
        assert_eq!(load(&[]).unwrap().secure_cookies, None);
        let config = load(&[("PORTICO_SECURE_COOKIES", "yes")]).unwrap();
        assert_eq!(config.secure_cookies, Some(true));
        let config = load(&[("PORTICO_SECURE_COOKIES", "off")]).unwrap();
        assert_eq!(config.secure_cookies, Some(false));

        assert_refused_naming(
            load(&[("PORTICO_SECURE_COOKIES", "maybe")]),
            &["security.secure_cookies", "not true or false"],
        );
    }
}
