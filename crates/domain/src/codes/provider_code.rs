//! The provider code: six characters standing for one practice or one provider, printed on
//! pamphlets and cards. It is not personal, but it opens self-registration into a practice, so it
//! is treated like the other codes and kept out of `Debug`.

use std::fmt;

use super::{CODE_DIGITS, CODE_LETTERS, CodeError, normalize_entry, random_chars};

const LEN: usize = 6;

/// A well-formed provider code such as `ABC234`.
#[derive(Clone, PartialEq, Eq)]
pub struct ProviderCode {
    /// Six upper-case ASCII characters from the letters and digits alphabets.
    normalized: String,
}

impl ProviderCode {
    /// Reads a code as a patient typed it: any case, with or without spaces and dashes.
    pub fn parse(input: &str) -> Result<ProviderCode, CodeError> {
        let normalized = normalize_entry(input).ok_or(CodeError::Malformed)?;
        let in_alphabet = |c: char| CODE_LETTERS.contains(c) || CODE_DIGITS.contains(c);
        if normalized.len() == LEN && normalized.chars().all(in_alphabet) {
            Ok(ProviderCode { normalized })
        } else {
            Err(CodeError::Malformed)
        }
    }

    /// A fresh code, each character drawn uniformly from letters and digits together.
    pub fn generate<R: rand::Rng + ?Sized>(rng: &mut R) -> ProviderCode {
        let alphabet = [CODE_LETTERS, CODE_DIGITS].concat();
        ProviderCode {
            normalized: random_chars(rng, &alphabet, LEN),
        }
    }

    /// The code as printed for people. Six characters read well without dashes, so this is the
    /// same as the normalised form.
    pub fn expose_display(&self) -> String {
        self.normalized.clone()
    }

    /// The code without separators: the form to hash and look up.
    pub fn expose_normalized(&self) -> &str {
        &self.normalized
    }
}

impl fmt::Debug for ProviderCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ProviderCode(***)")
    }
}
