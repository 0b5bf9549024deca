//! The invite code: nine characters, letters-digits-letters, bound to one invitation and redeemed
//! with the patient's date of birth. It is a personal secret, so it is never shown in `Debug`.

use std::fmt;

use super::{CODE_DIGITS, CODE_LETTERS, CodeError, all_in, normalize_entry, random_chars};

const GROUP_LEN: usize = 3;
const LEN: usize = 3 * GROUP_LEN;

/// A well-formed invite code such as `XYZ-234-ABC`.
#[derive(Clone, PartialEq, Eq)]
pub struct InviteCode {
    /// Nine ASCII characters, upper-case, no separators: exactly what gets HMAC-hashed.
    normalized: String,
}

impl InviteCode {
    /// Reads a code as a patient typed it: any case, with or without spaces and dashes.
    pub fn parse(input: &str) -> Result<InviteCode, CodeError> {
        let normalized = normalize_entry(input).ok_or(CodeError::Malformed)?;
        // Length is checked first so the slicing below is on ASCII boundaries within range.
        if normalized.len() != LEN || !normalized.is_ascii() {
            return Err(CodeError::Malformed);
        }
        let (letters, rest) = normalized.split_at(GROUP_LEN);
        let (digits, last) = rest.split_at(GROUP_LEN);
        if all_in(letters, CODE_LETTERS)
            && all_in(digits, CODE_DIGITS)
            && all_in(last, CODE_LETTERS)
        {
            Ok(InviteCode { normalized })
        } else {
            Err(CodeError::Malformed)
        }
    }

    /// A fresh code, each character drawn uniformly from its group's alphabet.
    pub fn generate<R: rand::Rng + ?Sized>(rng: &mut R) -> InviteCode {
        let mut normalized = random_chars(rng, CODE_LETTERS, GROUP_LEN);
        normalized.push_str(&random_chars(rng, CODE_DIGITS, GROUP_LEN));
        normalized.push_str(&random_chars(rng, CODE_LETTERS, GROUP_LEN));
        InviteCode { normalized }
    }

    /// The code as printed for people: `XYZ-234-ABC`.
    pub fn expose_display(&self) -> String {
        let n = &self.normalized;
        // Invariant: `normalized` is nine ASCII characters, so these ranges are valid.
        format!("{}-{}-{}", &n[..3], &n[3..6], &n[6..])
    }

    /// The code without separators, `XYZ234ABC`: the form to hash and look up.
    pub fn expose_normalized(&self) -> &str {
        &self.normalized
    }
}

impl fmt::Debug for InviteCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("InviteCode(***)")
    }
}
