//! Recognising a person's own details inside a password: names, email address, date of birth.
//! Such a password is among the first an attacker who knows the person would try.

use std::collections::HashSet;

use unicode_normalization::UnicodeNormalization;

/// Parts shorter than this are too common inside ordinary words to be a signal.
const MIN_PART: usize = 3;
/// Parts of exactly `MIN_PART` characters ("Ann", "Lee", "Bo" is already shorter) are matched
/// only as whole words, or "sleepy" would be refused for a patient called Lee.
const SUBSTRING_PART: usize = 4;

/// Longest piece kept. zxcvbn sees at most the first `ESTIMATE_PREFIX` characters of a password
/// and the rules at most `MAX_LEN`, so a longer piece could never be found inside either.
const MAX_PART: usize = super::MAX_LEN;

/// The lower-case pieces of the user inputs to look for: each whole input, and its pieces split
/// at anything that is not a letter or digit. For an email address only the local part counts:
/// the domain ("gmail", "com") says nothing about the person. A date also yields its digits run
/// together ("19850412").
///
/// The work is linear in the length of the inputs: repeats are dropped through a hash set, and
/// pieces too long to be inside any password are not kept.
pub(super) fn fragments(user_inputs: &[&str]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut seen: HashSet<String> = HashSet::new();
    for input in user_inputs {
        let lower: String = input.nfkc().collect::<String>().to_lowercase();
        let personal = match lower.rsplit_once('@') {
            Some((local, _domain)) => local.to_owned(),
            None => lower,
        };
        let compact: String = personal.chars().filter(|c| c.is_alphanumeric()).collect();
        let parts = personal
            .split(|c: char| !c.is_alphanumeric())
            .map(str::to_owned);
        for part in std::iter::once(personal.trim().to_owned())
            .chain(std::iter::once(compact))
            .chain(parts)
        {
            let length = part.chars().take(MAX_PART + 1).count();
            if (MIN_PART..=MAX_PART).contains(&length) && seen.insert(part.clone()) {
                out.push(part);
            }
        }
    }
    out
}

/// Whether the lower-case `password` contains one of `fragments`. The password's words are
/// collected once, so each short fragment is one set look-up.
pub(super) fn contains_any(password: &str, fragments: &[String]) -> bool {
    // Digits count as word boundaries around a short name: "lee1985" contains "lee".
    let letter_words: HashSet<&str> = password.split(|c: char| !c.is_alphabetic()).collect();
    let words: HashSet<&str> = password.split(|c: char| !c.is_alphanumeric()).collect();
    fragments.iter().any(|fragment| {
        if fragment.chars().count() >= SUBSTRING_PART {
            fragment.len() <= password.len() && password.contains(fragment.as_str())
        } else if fragment.chars().all(char::is_alphabetic) {
            letter_words.contains(fragment.as_str())
        } else {
            words.contains(fragment.as_str())
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_domain_is_not_personal() {
        let parts = fragments(&["Jane.Doe@Example.com"]);
        assert!(parts.contains(&"jane.doe".to_owned()));
        assert!(parts.contains(&"jane".to_owned()));
        assert!(parts.contains(&"doe".to_owned()));
        assert!(!parts.iter().any(|p| p.contains("example") || p == "com"));
    }

    #[test]
    fn birth_date_yields_year_and_compact_date() {
        let parts = fragments(&["1985-04-12"]);
        assert!(parts.contains(&"1985".to_owned()));
        assert!(parts.contains(&"19850412".to_owned()));
        assert!(!parts.contains(&"04".to_owned()));
    }

    #[test]
    fn three_letter_names_match_only_whole_words() {
        let parts = fragments(&["Lee"]);
        assert!(!contains_any("sleepy orange cat river", &parts));
        assert!(contains_any("lee loves orange rivers", &parts));
        assert!(contains_any("orange river lee1985", &parts));
    }

    #[test]
    fn many_distinct_words_are_handled_in_linear_time() {
        // 200,000 distinct words: quadratic de-duplication would take minutes.
        let many: String = (0..200_000).map(|i| format!("w{i:06}x ")).collect();
        let parts = fragments(&[many.as_str()]);
        assert_eq!(parts.len(), 200_000);
        assert!(contains_any("purple w012345x rivers", &parts));
    }
}
