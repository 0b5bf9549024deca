//! A person's phone number, as typed on a form, kept in E.164 form (`+14155550123`) for sending
//! one-time codes by SMS or voice call. It is personal data: `Debug` is redacted, there is no
//! `Display`, and screens that confirm where a code went show only the last four digits.

use std::fmt;
use std::panic;

use phonenumber::country;
use unicode_normalization::UnicodeNormalization;

/// Longest input we hand to the phone number parser. The longest E.164 number has 15 digits;
/// this leaves room for a country prefix, spaces, dashes and brackets.
const MAX_INPUT_LEN: usize = 40;

/// Why a phone number was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PhoneError {
    #[error("Enter a mobile phone number.")]
    Empty,
    #[error(
        "That phone number doesn't look right. Check the digits, and start with + and the country \
         code if the number is from another country."
    )]
    Invalid,
    /// A configuration mistake, not the patient's: the default country is not one we know.
    #[error("The default country for phone numbers is not a known two-letter country code.")]
    UnknownRegion,
}

/// A valid phone number in E.164 form.
#[derive(Clone, PartialEq, Eq)]
pub struct PhoneNumber {
    /// `+` followed by the country code and national number, digits only.
    e164: String,
    /// The ISO 3166 alpha-2 country the number belongs to (e.g. `US`), when the metadata knows
    /// it; numbers shared by several countries (+1) are placed by their area code.
    region: Option<String>,
    /// Where the national number starts in `e164`, after the `+` and the country code.
    national_start: usize,
}

impl PhoneNumber {
    pub const LIMIT: crate::TextLimit = crate::TextLimit {
        typed: MAX_INPUT_LEN,
        told: MAX_INPUT_LEN,
    };

    /// Reads a number as typed. Numbers without a leading `+` are read as national numbers of
    /// `default_region` (an ISO 3166 alpha-2 code such as "US"); without a default region they
    /// must start with `+` and the country code.
    pub fn parse(input: &str, default_region: Option<&str>) -> Result<PhoneNumber, PhoneError> {
        let region = default_region.map(region_id).transpose()?;
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(PhoneError::Empty);
        }
        if PhoneNumber::LIMIT.exceeded_by(trimmed) {
            return Err(PhoneError::Invalid);
        }
        // Full-width digits from some phone keyboards become ASCII digits.
        let typed: String = trimmed.nfkc().collect();
        if !typed.chars().enumerate().all(|(i, c)| is_phone_char(i, c)) {
            return Err(PhoneError::Invalid);
        }
        let number = parse_guarded(region, &typed).ok_or(PhoneError::Invalid)?;
        // Extensions cannot receive a text message or an automated call.
        if number.extension().is_some() {
            return Err(PhoneError::Invalid);
        }
        let region = panic::catch_unwind(panic::AssertUnwindSafe(|| number.country().id()))
            .ok()
            .flatten()
            .map(|id| id.as_ref().to_owned());
        let country_code = number.code().value().to_string();
        Ok(PhoneNumber {
            e164: format!("+{country_code}{}", number.national()),
            region,
            national_start: 1 + country_code.len(),
        })
    }

    /// The number in E.164 form, e.g. `+14155550123`, for the SMS or voice provider.
    pub fn as_e164(&self) -> &str {
        &self.e164
    }

    /// The national number's digits, without the country code (`4155550123`), which is how
    /// people at the front desk read a number out.
    pub fn national_digits(&self) -> &str {
        // Invariant: `e164` is ASCII and `national_start` was measured on it.
        &self.e164[self.national_start..]
    }

    /// The country the number belongs to (ISO 3166 alpha-2, upper case), for the practice's list
    /// of countries it pays to send codes to.
    pub fn region(&self) -> Option<&str> {
        self.region.as_deref()
    }

    /// Only the last four digits, e.g. `•••• •••• 0123`, for "we sent a code to …".
    pub fn expose_masked(&self) -> String {
        let digits = &self.e164[1..];
        // Invariant: `e164` is ASCII, so any byte index is a character boundary.
        let last_four = &digits[digits.len().saturating_sub(4)..];
        format!("•••• •••• {last_four}")
    }
}

impl fmt::Debug for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PhoneNumber(***)")
    }
}

/// Whether `code` is an ISO 3166 alpha-2 region the phone number metadata knows, so that
/// configuration can refuse a default country that [`PhoneNumber::parse`] would reject.
pub fn is_known_region(code: &str) -> bool {
    region_id(code).is_ok()
}

fn region_id(code: &str) -> Result<country::Id, PhoneError> {
    let upper = code.trim().to_ascii_uppercase();
    let id: country::Id = upper.parse().map_err(|_| PhoneError::UnknownRegion)?;
    // The parser unwraps the metadata of its default region, so a region without metadata must
    // never reach it.
    phonenumber::metadata::DATABASE
        .by_id(id.as_ref())
        .map(|_| id)
        .ok_or(PhoneError::UnknownRegion)
}

/// Digits anywhere, a `+` only first, and the separators people write numbers with.
fn is_phone_char(position: usize, c: char) -> bool {
    c.is_ascii_digit()
        || (c == '+' && position == 0)
        || matches!(c, ' ' | '-' | '.' | '(' | ')' | '/')
}

/// The schema states the characters and length `parse` takes and, in words, the numbering plan.
#[cfg(feature = "openapi")]
mod schema {

    use super::{MAX_INPUT_LEN, PhoneNumber, is_phone_char};

    crate::schema::built_once!(PhoneNumber, || {
        let first = crate::schema::class_of(|c| is_phone_char(0, c));
        let rest = crate::schema::class_of(|c| is_phone_char(1, c));
        crate::schema::text(&format!(
            "A mobile phone number, e.g. +14155550123 or (415) 555-0123: digits, a leading +, \
             and spaces, dashes, dots, brackets or slashes; at most {MAX_INPUT_LEN} characters. \
             Without + it is read as a number of the practice's country. It must be a valid \
             number of its numbering plan and have no extension, or the service answers 422."
        ))
        .min_length(Some(1))
        .max_length(Some(MAX_INPUT_LEN))
        .pattern(Some(format!("^[{first}][{rest}]*$")))
        .into()
    });

    /// An ISO 3166 alpha-2 country code the phone number metadata knows: what
    /// [`super::is_known_region`] accepts.
    pub struct Country;

    crate::schema::built_once!(Country, || {
        let mut known: Vec<&str> = phonenumber::metadata::DATABASE
            .iter()
            .map(|metadata| metadata.id())
            .filter(|id| super::is_known_region(id))
            .collect();
        known.sort_unstable();
        known.dedup();
        crate::schema::one_of(
            "A two-letter ISO 3166 country code that has a telephone numbering plan, e.g. US, \
             CA or MX (lower case is read too).",
            known,
        )
    });
}

#[cfg(feature = "openapi")]
pub use schema::Country;

/// Parses and validates with the `phonenumber` crate, treating a panic inside it as "not a valid
/// number". The crate has panicked on odd input in the past, and a typo in a form must never take
/// a request down with it.
fn parse_guarded(region: Option<country::Id>, typed: &str) -> Option<phonenumber::PhoneNumber> {
    panic::catch_unwind(|| {
        let number = phonenumber::parse(region, typed).ok()?;
        phonenumber::is_valid(&number).then_some(number)
    })
    .ok()
    .flatten()
}
