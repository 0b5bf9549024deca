//! The list of common and breached passwords a new password is checked against: Django's list of
//! 20,000 common passwords (see `data/README.md`), keeping the entries of 8 characters or more,
//! since shorter ones are refused by length anyway.

use std::collections::HashSet;
use std::sync::LazyLock;

/// One password per line, NFKC-normalised and lower-case.
static LIST: &str = include_str!("../../data/common-passwords.txt");

static COMMON: LazyLock<HashSet<&'static str>> =
    LazyLock::new(|| LIST.lines().filter(|line| !line.is_empty()).collect());

/// Whether `lowercase` (already NFKC-normalised and lower-cased) is on the list. Spaces are also
/// ignored, so "password password" is caught as "passwordpassword".
pub(super) fn is_common(lowercase: &str) -> bool {
    if COMMON.contains(lowercase) {
        return true;
    }
    let without_spaces: String = lowercase.chars().filter(|c| !c.is_whitespace()).collect();
    without_spaces != lowercase && COMMON.contains(without_spaces.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_is_loaded_and_lower_case() {
        assert!(COMMON.len() > 8_000);
        assert!(COMMON.iter().all(|p| p.chars().count() >= 8));
        assert!(COMMON.iter().all(|p| *p == p.to_lowercase()));
    }

    #[test]
    fn spaces_do_not_hide_a_common_password() {
        assert!(is_common("password1"));
        assert!(is_common("pass word1"));
        assert!(!is_common("maple orbit candle drift"));
    }
}
