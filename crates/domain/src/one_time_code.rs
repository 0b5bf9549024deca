//! Six-digit one-time codes, sent by SMS, voice call or email to prove a phone number or to
//! recover an account (docs/PRODUCT.md §5). Digits only, so they can be read out and typed on any keypad.

use std::fmt;

use rand::Rng;

/// How many digits a code has.
pub const ONE_TIME_CODE_LEN: usize = 6;

/// How long a code stays valid after it was sent (messages tell the patient so).
pub const ONE_TIME_CODE_TTL: std::time::Duration = std::time::Duration::from_secs(10 * 60);

/// A six-digit code. `Debug` is redacted; the digits are reached through `expose_digits`.
#[derive(Clone, PartialEq, Eq)]
pub struct OneTimeCode(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Enter the 6-digit code we sent you.")]
pub struct OneTimeCodeError;

impl OneTimeCode {
    /// Six digits, with room for the spaces and dashes people type between them.
    pub const LIMIT: crate::TextLimit = crate::TextLimit {
        typed: 32,
        told: ONE_TIME_CODE_LEN,
    };

    /// A fresh code, uniform over all 10^6 values (leading zeros included).
    pub fn generate<R: Rng + ?Sized>(rng: &mut R) -> OneTimeCode {
        OneTimeCode(format!("{:06}", rng.random_range(0..1_000_000u32)))
    }

    /// A code as typed: spaces and dashes are ignored, and exactly six digits must remain.
    pub fn parse(typed: &str) -> Result<OneTimeCode, OneTimeCodeError> {
        if OneTimeCode::LIMIT.exceeded_by(typed) {
            return Err(OneTimeCodeError);
        }
        let digits: String = typed.chars().filter(|&c| !is_separator(c)).collect();
        if digits.len() == ONE_TIME_CODE_LEN && digits.bytes().all(|b| b.is_ascii_digit()) {
            Ok(OneTimeCode(digits))
        } else {
            Err(OneTimeCodeError)
        }
    }

    pub fn expose_digits(&self) -> &str {
        &self.0
    }
}

/// People type the code in groups: spaces and dashes between digits are dropped.
fn is_separator(c: char) -> bool {
    c.is_whitespace() || c == '-'
}

impl fmt::Debug for OneTimeCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("OneTimeCode(***)")
    }
}

/// The schema states what `parse` reads: six digits, spaces and dashes anywhere.
#[cfg(feature = "openapi")]
mod schema {

    use super::{ONE_TIME_CODE_LEN, OneTimeCode, is_separator};

    crate::schema::built_once!(OneTimeCode, || {
        let s = crate::schema::class_of(is_separator);
        crate::schema::text(&format!(
            "The {ONE_TIME_CODE_LEN}-digit code that was sent, with or without spaces and dashes."
        ))
        .max_length(Some(OneTimeCode::LIMIT.typed))
        .pattern(Some(format!(
            "^[{s}]*(?:[0-9][{s}]*){{{ONE_TIME_CODE_LEN}}}$"
        )))
        .into()
    });
}
