//! `[log]`: how much the service logs and whether lines are text or JSON.

use serde::Deserialize;

use super::ConfigError;
use super::sources::{Sources, invalid};

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct LogSection {
    level: Option<String>,
    format: Option<String>,
}

/// The `[log]` settings, checked.
pub(super) struct Log {
    /// One of error, warn, info, debug, trace (lower case).
    pub(super) level: String,
    pub(super) json: bool,
}

pub(super) fn log(src: &Sources<'_>, file: LogSection) -> Result<Log, ConfigError> {
    let level = match src.pick("PORTICO_LOG", file.level, "log.level") {
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
    let json = match src.pick("PORTICO_LOG_FORMAT", file.format, "log.format") {
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
    Ok(Log { level, json })
}

#[cfg(test)]
mod tests {
    use super::super::tests::load;
    use crate::config::assert_refused_naming;

    #[test]
    fn logs_are_text_at_info_unless_set() {
        let config = load(&[]).unwrap();
        assert_eq!(config.log_level, "info");
        assert!(!config.log_json);

        let config = load(&[("PORTICO_LOG", "DEBUG"), ("PORTICO_LOG_FORMAT", "json")]).unwrap();
        assert_eq!(config.log_level, "debug");
        assert!(config.log_json);
    }

    #[test]
    fn an_unknown_log_level_or_format_is_named() {
        let e = load(&[("PORTICO_LOG", "verbose")]).unwrap_err().to_string();
        assert!(
            e.contains("log.level") && e.contains("`verbose` is not one of"),
            "{e}"
        );
        assert_refused_naming(
            load(&[("PORTICO_LOG_FORMAT", "xml")]),
            &["log.format", "`xml` is not text or json"],
        );
    }
}
