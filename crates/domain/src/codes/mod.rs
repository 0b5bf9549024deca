//! The three codes that bring a patient in (docs/PRODUCT.md §2): invite codes, provider codes and sign-up
//! codes. This module is the one place where the code alphabet is fixed and where typed entry is
//! normalised, so every code forgives case, spaces and dashes in the same way.
//!
//! It never stores, hashes or compares codes against stored ones: that belongs to the store, which
//! keeps only a keyed hash of `expose_normalized()`.

mod invite_code;
mod provider_code;
#[cfg(feature = "openapi")]
mod schema;
mod signup_code;

pub use invite_code::InviteCode;
pub use provider_code::ProviderCode;
pub use signup_code::{SIGNUP_CODE_MAX_LEN, SIGNUP_CODE_MIN_LEN, SignupCode};

use rand::distr::{Distribution, Uniform};
use unicode_normalization::UnicodeNormalization;

/// Letters used in generated codes. I, L and O are left out because they are easily mistaken for
/// 1 and 0, on paper and when read aloud.
pub const CODE_LETTERS: &str = "ABCDEFGHJKMNPQRSTUVWXYZ";

/// Digits used in generated codes. 0 and 1 are left out for the same reason as I, L and O.
pub const CODE_DIGITS: &str = "23456789";

/// Longest entry we are willing to normalise. Real entries are at most a few dozen characters even
/// with generous spacing; refusing longer input up front keeps the work per request small.
const MAX_ENTRY_LEN: usize = 128;

/// The limit of any code entry (invite, provider or sign-up code), as typed.
pub const CODE_ENTRY_LIMIT: crate::TextLimit = crate::TextLimit {
    typed: MAX_ENTRY_LEN,
    told: MAX_ENTRY_LEN,
};

/// Why a code was refused.
///
/// Anonymous callers must get the same answer whatever is wrong with a code (docs/PRODUCT.md §2), so every
/// code a patient types is refused with `Malformed`. The other variants are only for the admin who
/// chooses a sign-up code and needs to know what to change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CodeError {
    #[error("That code doesn't look right. Check the code you received from your doctor's office.")]
    Malformed,
    #[error("Choose a sign-up code of {min} to {max} letters and digits.")]
    SignupCodeLength { min: usize, max: usize },
    #[error(
        "Use only the letters A to Z and digits in a sign-up code. Spaces and dashes are ignored."
    )]
    SignupCodeCharacters,
}

/// Turns what a person typed into the bare characters of a code: compatibility forms folded
/// (full-width letters from a phone keyboard become ASCII), separators dropped, ASCII letters
/// upper-cased. Anything else is kept, so the caller's alphabet check refuses it.
///
/// Returns `None` for input too long to be a code of any kind.
pub(crate) fn normalize_entry(input: &str) -> Option<String> {
    if CODE_ENTRY_LIMIT.exceeded_by(input) {
        return None;
    }
    Some(
        strip_separators(input)
            .map(|c| c.to_ascii_uppercase())
            .collect(),
    )
}

/// The characters of `input` after NFKC, without the spaces and dashes people put between groups,
/// case untouched. Shared by code entry and by the sign-up code chooser, which keeps the case.
pub(crate) fn strip_separators(input: &str) -> impl Iterator<Item = char> + '_ {
    input.nfkc().filter(|&c| !is_separator(c))
}

/// Spaces (including no-break and zero-width ones pasted from messages) and dashes of any kind,
/// including the soft hyphen some mail clients insert.
fn is_separator(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '-' | '\u{00AD}' // soft hyphen
                | '\u{2010}'..='\u{2015}' // hyphen, non-breaking hyphen, figure/en/em dash, bar
                | '\u{2212}' // minus sign
                | '\u{FE58}' | '\u{FE63}' | '\u{FF0D}' // small and full-width dashes
                | '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}' // zero-width characters
        )
}

/// Whether every character of `code` is one of the bytes in `alphabet`.
fn all_in(code: &str, alphabet: &str) -> bool {
    code.chars()
        .all(|c| c.is_ascii() && alphabet.as_bytes().contains(&(c as u8)))
}

/// Picks `count` characters uniformly from `alphabet`.
///
/// `Uniform::sample` uses rejection (Lemire's method), so there is no modulo bias; the plain
/// `random_range` shortcut is only nearly uniform without rand's `unbiased` feature.
fn random_chars<R: rand::Rng + ?Sized>(rng: &mut R, alphabet: &str, count: usize) -> String {
    let bytes = alphabet.as_bytes();
    // Invariant: the alphabets are non-empty constants, so the range 0..len is never empty.
    let index = Uniform::new(0, bytes.len()).expect("code alphabets are non-empty");
    (0..count)
        .map(|_| char::from(bytes[index.sample(rng)]))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alphabets_leave_out_confusable_characters() {
        for c in ['0', '1', 'I', 'L', 'O'] {
            assert!(!CODE_LETTERS.contains(c) && !CODE_DIGITS.contains(c), "{c}");
        }
        assert_eq!(CODE_LETTERS.len(), 23);
        assert_eq!(CODE_DIGITS.len(), 8);
    }

    #[test]
    fn entry_drops_every_kind_of_space_and_dash() {
        let typed = " ab\u{00A0}c\u{2013}2\u{2014}3-4\u{200B}x\u{FF0D}y z ";
        assert_eq!(normalize_entry(typed).as_deref(), Some("ABC234XYZ"));
    }

    #[test]
    fn entry_folds_full_width_characters() {
        assert_eq!(normalize_entry("ａｂｃ２３４").as_deref(), Some("ABC234"));
    }

    #[test]
    fn overlong_entry_is_not_normalised() {
        assert_eq!(normalize_entry(&"A".repeat(MAX_ENTRY_LEN + 1)), None);
    }
}
