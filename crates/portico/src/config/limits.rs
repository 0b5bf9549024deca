//! `[limits]`: the guessing and sending limits (SECURITY.md lists them). Their defaults have one
//! home, the core's `Settings::default()`: this section starts from it and replaces only what the
//! file or the environment sets, so no number here is a second copy of a default.

use std::time::Duration;

use portico_core::Settings;
use serde::Deserialize;

use super::ConfigError;
use super::sources::{self, Sources};

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct LimitsSection {
    invite_code_attempts: Option<i64>,
    code_lookup_attempts: Option<i64>,
    code_lookup_attempts_per_address: Option<i64>,
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

const PER_ADDRESS_KEY: &str = "limits.code_lookup_attempts_per_address";

/// Checks `[limits]` and puts the limits that are set into `rules`.
pub(super) fn limits(
    src: &Sources<'_>,
    file: LimitsSection,
    rules: &mut Settings,
) -> Result<(), ConfigError> {
    let count = |env: &str, file: Option<i64>, key: &'static str, max: i64| {
        src.number(env, file, key, 1, max)
            .map(|n| n.map(|n| n as u32))
    };

    if let Some(n) = count(
        "PORTICO_LIMIT_INVITE_CODE_ATTEMPTS",
        file.invite_code_attempts,
        "limits.invite_code_attempts",
        1_000_000,
    )? {
        rules.invite_code_per_address.max = n;
    }
    if let Some(n) = count(
        "PORTICO_LIMIT_CODE_LOOKUP_ATTEMPTS",
        file.code_lookup_attempts,
        "limits.code_lookup_attempts",
        1_000_000,
    )? {
        // The same number is both the per-window limit and the free tries before the waits grow.
        rules.code_lookup_per_browser.max = n;
        rules.code_lookup_backoff.free = n;
    }
    let per_address = src.pick(
        "PORTICO_LIMIT_CODE_LOOKUP_ATTEMPTS_PER_ADDRESS",
        file.code_lookup_attempts_per_address.map(|n| n.to_string()),
        PER_ADDRESS_KEY,
    );
    if let Some(raw) = &per_address {
        rules.code_lookup_per_address.max =
            sources::number(PER_ADDRESS_KEY, raw, 1, 10_000_000)? as u32;
    }
    // The address bounds all its browsers together, so it never allows fewer than one browser.
    let per_browser = rules.code_lookup_per_browser.max;
    if rules.code_lookup_per_address.max < per_browser {
        match &per_address {
            Some(raw) => {
                return Err(sources::invalid(
                    PER_ADDRESS_KEY,
                    raw,
                    format!(
                        "it must be at least `limits.code_lookup_attempts` ({per_browser}): the \
                         address bounds all its browsers together"
                    ),
                ));
            }
            // Left unset, it follows a per-browser limit raised past its default.
            None => rules.code_lookup_per_address.max = per_browser,
        }
    }
    if let Some(minutes) = src.number(
        "PORTICO_LIMIT_WINDOW_MINUTES",
        file.window_minutes,
        "limits.window_minutes",
        1,
        24 * 60,
    )? {
        let window = Duration::from_secs(minutes as u64 * 60);
        rules.invite_code_per_address.window = window;
        rules.code_lookup_per_browser.window = window;
        rules.code_lookup_per_address.window = window;
        rules.password_check_per_address.window = window;
    }
    if let Some(n) = count(
        "PORTICO_LIMIT_WRONG_BIRTH_DATES",
        file.wrong_birth_dates,
        "limits.wrong_birth_dates",
        100,
    )? {
        rules.wrong_birth_dates_to_lock = n;
    }
    if let Some(n) = count(
        "PORTICO_LIMIT_PASSWORD_CHECKS",
        file.password_checks,
        "limits.password_checks",
        1_000_000,
    )? {
        rules.password_check_per_address.max = n;
    }
    if let Some(n) = count(
        "PORTICO_LIMIT_PHONE_CODES_PER_NUMBER",
        file.phone_codes_per_number,
        "limits.phone_codes_per_number",
        10_000,
    )? {
        rules.phone_codes_per_number.max = n;
    }
    if let Some(n) = count(
        "PORTICO_LIMIT_PHONE_CODES_PER_ADDRESS",
        file.phone_codes_per_address,
        "limits.phone_codes_per_address",
        1_000_000,
    )? {
        rules.phone_codes_per_address.max = n;
    }
    if let Some(n) = count(
        "PORTICO_LIMIT_PHONE_CODES_PER_PRACTICE",
        file.phone_codes_per_practice,
        "limits.phone_codes_per_practice",
        10_000_000,
    )? {
        rules.phone_codes_per_practice.max = n;
    }
    if let Some(n) = count(
        "PORTICO_LIMIT_REGISTRATIONS_PER_ADDRESS",
        file.registrations_per_address,
        "limits.registrations_per_address",
        1_000_000,
    )? {
        rules.registrations_per_address.max = n;
    }
    let before_wait = count(
        "PORTICO_LIMIT_ACCOUNT_FAILURES_BEFORE_WAIT",
        file.account_failures_before_wait,
        "limits.account_failures_before_wait",
        1000,
    )?;
    let to_lock = src
        .number(
            "PORTICO_LIMIT_ACCOUNT_FAILURES_TO_LOCK",
            file.account_failures_to_lock,
            "limits.account_failures_to_lock",
            2,
            100,
        )?
        .map(|n| n as u32);
    if before_wait.is_some() || to_lock.is_some() {
        let backoff = &mut rules.sign_in_account_backoff;
        backoff.free = before_wait.unwrap_or(backoff.free);
        backoff.lock_at = to_lock.or(backoff.lock_at);
        // The lock never comes before the first wait: at the earliest one failure after it.
        backoff.lock_at = backoff.lock_at.map(|lock| lock.max(backoff.free + 1));
    }
    if let Some(n) = count(
        "PORTICO_LIMIT_CODE_LOOKUPS_GLOBAL",
        file.code_lookups_global,
        "limits.code_lookups_global",
        100_000_000,
    )? {
        rules.code_lookup_global.max = n;
    }
    if let Some(n) = count(
        "PORTICO_LIMIT_RECOVERIES_PER_ACCOUNT",
        file.recoveries_per_account,
        "limits.recoveries_per_account",
        1000,
    )? {
        rules.recovery_per_account.max = n;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::config::assert_refused_naming;
    use std::time::Duration;

    use super::super::tests::load;

    const QUARTER_HOUR: Duration = Duration::from_secs(15 * 60);

    /// The defaults README's table and SECURITY.md promise, read through the configuration.
    #[test]
    fn without_settings_the_documented_limits_apply() {
        let rules = load(&[]).unwrap().core;
        assert_eq!(rules.invite_code_per_address.max, 20);
        assert_eq!(rules.code_lookup_per_browser.max, 10);
        assert_eq!(rules.code_lookup_backoff.free, 10);
        assert_eq!(rules.code_lookup_per_address.max, 50);
        assert_eq!(rules.password_check_per_address.max, 300);
        assert_eq!(rules.invite_code_per_address.window, QUARTER_HOUR);
        assert_eq!(rules.code_lookup_per_browser.window, QUARTER_HOUR);
        assert_eq!(rules.code_lookup_per_address.window, QUARTER_HOUR);
        assert_eq!(rules.password_check_per_address.window, QUARTER_HOUR);
        assert_eq!(rules.wrong_birth_dates_to_lock, 5);
        assert_eq!(rules.phone_codes_per_number.max, 5);
        assert_eq!(rules.phone_codes_per_address.max, 20);
        assert_eq!(rules.phone_codes_per_practice.max, 1000);
        assert_eq!(rules.registrations_per_address.max, 10);
        assert_eq!(rules.sign_in_account_backoff.free, 10);
        assert_eq!(rules.sign_in_account_backoff.lock_at, Some(100));
        assert_eq!(rules.code_lookup_global.max, 1000);
        assert_eq!(rules.recovery_per_account.max, 5);
    }

    #[test]
    fn a_limit_that_is_set_replaces_only_its_own_default() {
        let rules = load(&[("PORTICO_LIMIT_PHONE_CODES_PER_NUMBER", "2")])
            .unwrap()
            .core;
        assert_eq!(rules.phone_codes_per_number.max, 2);
        assert_eq!(rules.phone_codes_per_address.max, 20);
        assert_eq!(rules.phone_codes_per_number.window.as_secs(), 24 * 3600);
    }

    #[test]
    fn every_limit_is_read_from_its_variable() {
        let rules = load(&[
            ("PORTICO_LIMIT_INVITE_CODE_ATTEMPTS", "21"),
            ("PORTICO_LIMIT_CODE_LOOKUP_ATTEMPTS", "11"),
            ("PORTICO_LIMIT_CODE_LOOKUP_ATTEMPTS_PER_ADDRESS", "51"),
            ("PORTICO_LIMIT_PASSWORD_CHECKS", "301"),
            ("PORTICO_LIMIT_WRONG_BIRTH_DATES", "6"),
            ("PORTICO_LIMIT_PHONE_CODES_PER_NUMBER", "7"),
            ("PORTICO_LIMIT_PHONE_CODES_PER_ADDRESS", "21"),
            ("PORTICO_LIMIT_PHONE_CODES_PER_PRACTICE", "1001"),
            ("PORTICO_LIMIT_REGISTRATIONS_PER_ADDRESS", "12"),
            ("PORTICO_LIMIT_ACCOUNT_FAILURES_BEFORE_WAIT", "13"),
            ("PORTICO_LIMIT_ACCOUNT_FAILURES_TO_LOCK", "99"),
            ("PORTICO_LIMIT_CODE_LOOKUPS_GLOBAL", "1002"),
            ("PORTICO_LIMIT_RECOVERIES_PER_ACCOUNT", "4"),
        ])
        .unwrap()
        .core;
        assert_eq!(rules.invite_code_per_address.max, 21);
        assert_eq!(rules.code_lookup_per_browser.max, 11);
        assert_eq!(rules.code_lookup_backoff.free, 11);
        assert_eq!(rules.code_lookup_per_address.max, 51);
        assert_eq!(rules.password_check_per_address.max, 301);
        assert_eq!(rules.wrong_birth_dates_to_lock, 6);
        assert_eq!(rules.phone_codes_per_number.max, 7);
        assert_eq!(rules.phone_codes_per_address.max, 21);
        assert_eq!(rules.phone_codes_per_practice.max, 1001);
        assert_eq!(rules.registrations_per_address.max, 12);
        assert_eq!(rules.sign_in_account_backoff.free, 13);
        assert_eq!(rules.sign_in_account_backoff.lock_at, Some(99));
        assert_eq!(rules.code_lookup_global.max, 1002);
        assert_eq!(rules.recovery_per_account.max, 4);
    }

    #[test]
    fn the_window_applies_to_invite_codes_code_look_ups_and_password_checks() {
        let rules = load(&[("PORTICO_LIMIT_WINDOW_MINUTES", "60")])
            .unwrap()
            .core;
        let hour = Duration::from_secs(3600);
        assert_eq!(rules.invite_code_per_address.window, hour);
        assert_eq!(rules.code_lookup_per_browser.window, hour);
        assert_eq!(rules.code_lookup_per_address.window, hour);
        assert_eq!(rules.password_check_per_address.window, hour);
        assert_eq!(rules.sign_in_per_account.window, QUARTER_HOUR);
    }

    #[test]
    fn an_address_allowing_fewer_code_look_ups_than_one_browser_is_refused_by_name() {
        let refused = load(&[
            ("PORTICO_LIMIT_CODE_LOOKUP_ATTEMPTS", "20"),
            ("PORTICO_LIMIT_CODE_LOOKUP_ATTEMPTS_PER_ADDRESS", "19"),
        ]);
        assert_refused_naming(
            refused,
            &["limits.code_lookup_attempts_per_address", "at least", "20"],
        );
    }

    #[test]
    fn an_unset_address_limit_follows_a_browser_limit_raised_past_it() {
        let rules = load(&[("PORTICO_LIMIT_CODE_LOOKUP_ATTEMPTS", "80")])
            .unwrap()
            .core;
        assert_eq!(rules.code_lookup_per_browser.max, 80);
        assert_eq!(rules.code_lookup_per_address.max, 80);
    }

    #[test]
    fn an_account_never_locks_before_its_first_wait() {
        let rules = load(&[("PORTICO_LIMIT_ACCOUNT_FAILURES_BEFORE_WAIT", "150")])
            .unwrap()
            .core;
        assert_eq!(rules.sign_in_account_backoff.free, 150);
        assert_eq!(rules.sign_in_account_backoff.lock_at, Some(151));

        let rules = load(&[("PORTICO_LIMIT_ACCOUNT_FAILURES_TO_LOCK", "5")])
            .unwrap()
            .core;
        assert_eq!(rules.sign_in_account_backoff.lock_at, Some(11));
    }

    #[test]
    fn a_limit_out_of_its_range_names_the_setting_and_the_range() {
        assert_refused_naming(
            load(&[("PORTICO_LIMIT_ACCOUNT_FAILURES_TO_LOCK", "1")]),
            &[
                "limits.account_failures_to_lock",
                "PORTICO_LIMIT_ACCOUNT_FAILURES_TO_LOCK",
                "2 to 100",
            ],
        );
        assert_refused_naming(
            load(&[("PORTICO_LIMIT_WRONG_BIRTH_DATES", "five")]),
            &["limits.wrong_birth_dates", "`five` is not a whole number"],
        );
    }

    #[test]
    fn limits_are_read_from_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("portico.toml");
        std::fs::write(&path, "[limits]\nregistrations_per_address = 3\n").unwrap();
        let overrides = super::super::Overrides {
            config_file: Some(path),
            ..Default::default()
        };
        let rules = super::super::Config::from_sources(&overrides, &Default::default())
            .unwrap()
            .core;
        assert_eq!(rules.registrations_per_address.max, 3);
    }
}
