//! Recognising a person's own details inside a password: names, email address, date of birth.
//! Such a password is among the first an attacker who knows the person would try.

use unicode_normalization::UnicodeNormalization;

/// Parts shorter than this are too common inside ordinary words to be a signal.
const MIN_PART: usize = 3;
/// Parts of exactly `MIN_PART` characters ("Ann", "Lee", "Bo" is already shorter) are matched
/// only as whole words, or "sleepy" would be refused for a patient called Lee.
const SUBSTRING_PART: usize = 4;

/// The lower-case pieces of the user inputs to look for: each whole input, and its pieces split
/// at anything that is not a letter or digit. For an email address only the local part counts:
/// the domain ("gmail", "com") says nothing about the person. A date also yields its digits run
/// together ("19850412").
pub(super) fn fragments(user_inputs: &[&str]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
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
            if part.chars().count() >= MIN_PART && !out.contains(&part) {
                out.push(part);
            }
        }
    }
    out
}

/// Whether the lower-case `password` contains one of `fragments`.
pub(super) fn contains_any(password: &str, fragments: &[String]) -> bool {
    fragments.iter().any(|fragment| {
        if fragment.chars().count() >= SUBSTRING_PART {
            password.contains(fragment.as_str())
        } else {
            // Digits count as word boundaries around a short name: "lee1985" contains "lee".
            let letters_only = fragment.chars().all(char::is_alphabetic);
            password
                .split(|c: char| {
                    if letters_only {
                        !c.is_alphabetic()
                    } else {
                        !c.is_alphanumeric()
                    }
                })
                .any(|word| word == fragment)
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
}
