//! Where a setting's value comes from — an environment variable or the file — and the checks every
//! section shares (whole numbers in a range, true or false, required once something needs them).
//! Every error names the setting's file key and where the bad value came from.

use std::collections::HashMap;

use super::ConfigError;

/// One value with where it came from, for error messages.
pub(super) struct Raw {
    pub(super) value: String,
    pub(super) origin: String,
}

/// The environment and the file's name; each section hands in its own part of the file.
pub(super) struct Sources<'a> {
    pub(super) env: &'a HashMap<String, String>,
    pub(super) file_name: String,
}

impl Sources<'_> {
    /// The environment's value if set, else the file's.
    pub(super) fn pick(&self, env_var: &str, file: Option<String>, key: &str) -> Option<Raw> {
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

    /// A whole number from `min` to `max`, when set.
    pub(super) fn number(
        &self,
        env_var: &str,
        file: Option<i64>,
        key: &'static str,
        min: i64,
        max: i64,
    ) -> Result<Option<i64>, ConfigError> {
        self.pick(env_var, file.map(|n| n.to_string()), key)
            .map(|raw| number(key, &raw, min, max))
            .transpose()
    }

    /// True or false, when set.
    pub(super) fn boolean(
        &self,
        env_var: &str,
        file: Option<bool>,
        key: &'static str,
    ) -> Result<Option<bool>, ConfigError> {
        self.pick(env_var, file.map(|b| b.to_string()), key)
            .map(|raw| boolean(key, &raw))
            .transpose()
    }

    /// A setting that must be present (and not blank) once something that needs it is chosen.
    pub(super) fn required(
        &self,
        env_var: &str,
        file: Option<String>,
        key: &'static str,
        why: &str,
    ) -> Result<Raw, ConfigError> {
        self.pick(env_var, file, key)
            .filter(|r| !r.value.trim().is_empty())
            .ok_or_else(|| ConfigError::Invalid {
                key,
                origin: format!("environment variable {env_var} or `{key}`"),
                problem: format!("missing; it is needed {why}"),
            })
    }
}

pub(super) fn invalid(key: &'static str, raw: &Raw, problem: impl Into<String>) -> ConfigError {
    ConfigError::Invalid {
        key,
        origin: raw.origin.clone(),
        problem: problem.into(),
    }
}

pub(super) fn number(key: &'static str, raw: &Raw, min: i64, max: i64) -> Result<i64, ConfigError> {
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
