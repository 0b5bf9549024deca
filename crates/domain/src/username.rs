//! Usernames for patients without an email address: generated, readable aloud at the front desk
//! and easy to type on a phone — two common words and three digits, e.g. `amber-crane-472`.
//! Digits avoid 0 and 1 and words avoid the letters l, i and o, so nothing can be misread.

use rand::Rng;

/// Short, common words with none of the confusable letters l, i, o.
const WORDS: &[&str] = &[
    "amber", "aspen", "badge", "beach", "berry", "brave", "breeze", "cactus", "candy", "cedar",
    "chase", "cherry", "crane", "dawn", "eager", "ember", "fawn", "feather", "fern", "free",
    "garden", "grape", "green", "happy", "harp", "haze", "jade", "jazz", "kayak", "crest",
    "desert", "merry", "mesa", "nectar", "peach", "pecan", "pepper", "quartz", "raven", "ready",
    "ruby", "sage", "sandy", "spark", "sunny", "swan", "tender", "thyme", "tree", "tundra", "vast",
    "warm", "water", "wave", "zephyr", "zebra", "acre", "bay", "brush", "cape",
];
const DIGITS: &[u8] = b"23456789";
/// The shortest and longest usernames, in characters (after trimming).
pub const MIN_LEN: usize = 5;
pub const MAX_LEN: usize = 40;

/// A username that passed the format check.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Username(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Enter the username you were given, like amber-crane-472.")]
pub struct UsernameError;

impl Username {
    /// Surrounding spaces aside, a username is short.
    pub const LIMIT: crate::TextLimit = crate::TextLimit {
        typed: MAX_LEN * 4,
        told: MAX_LEN,
    };

    /// A fresh random username (callers retry on the rare collision).
    pub fn generate<R: Rng + ?Sized>(rng: &mut R) -> Username {
        let first = WORDS[rng.random_range(0..WORDS.len())];
        let mut second = WORDS[rng.random_range(0..WORDS.len())];
        while second == first {
            second = WORDS[rng.random_range(0..WORDS.len())];
        }
        let digits: String = (0..3)
            .map(|_| char::from(DIGITS[rng.random_range(0..DIGITS.len())]))
            .collect();
        Username(format!("{first}-{second}-{digits}"))
    }

    /// Reads a username as typed: any case, surrounding spaces ignored.
    pub fn parse(s: &str) -> Result<Username, UsernameError> {
        let s = s.trim().to_ascii_lowercase();
        let ok = (MIN_LEN..=MAX_LEN).contains(&s.len())
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !s.starts_with('-')
            && !s.ends_with('-');
        if ok {
            Ok(Username(s))
        } else {
            Err(UsernameError)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The schema states what `parse` reads: letters, digits and inner dashes, in any case, with
/// surrounding whitespace.
#[cfg(feature = "openapi")]
mod schema {

    use super::{MAX_LEN, MIN_LEN, Username};

    crate::schema::built_once!(Username, || {
        let space = crate::schema::class_of(char::is_whitespace);
        crate::schema::text(&format!(
            "A username for a patient without an email address, e.g. amber-crane-472: \
             {MIN_LEN} to {MAX_LEN} letters a to z, digits and dashes, not starting or \
             ending with a dash, in any case (it is kept in lower case); surrounding \
             whitespace is ignored. Unique across the service."
        ))
        .min_length(Some(MIN_LEN))
        .pattern(Some(format!(
            "^[{space}]*[A-Za-z0-9][A-Za-z0-9-]{{{},{}}}[A-Za-z0-9][{space}]*$",
            MIN_LEN - 2,
            MAX_LEN - 2
        )))
        .into()
    });
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    use super::*;

    #[test]
    fn generated_usernames_are_readable_and_parse_back() {
        let mut rng = StdRng::seed_from_u64(7);
        for _ in 0..500 {
            let u = Username::generate(&mut rng);
            let parts: Vec<&str> = u.as_str().split('-').collect();
            assert_eq!(parts.len(), 3, "{u:?}");
            assert_ne!(parts[0], parts[1]);
            assert!(!u.as_str().contains(['l', 'i', 'o', '0', '1']), "{u:?}");
            assert_eq!(Username::parse(&u.as_str().to_uppercase()), Ok(u));
        }
    }

    #[test]
    fn usernames_with_other_characters_are_refused() {
        for bad in [
            "",
            "ab",
            "maple meadow 472",
            "-maple",
            "maple_meadow",
            "x@y",
        ] {
            assert!(Username::parse(bad).is_err(), "{bad}");
        }
    }
}
