//! A person's email address, as typed on a form. It is personal data: `Debug` is redacted and there
//! is no `Display`. This module only checks the address's shape; whether mail arrives is for
//! delivery to find out.

use std::fmt;

use email_address::Options;
use unicode_normalization::UnicodeNormalization;

use crate::TextLimit;

/// The longest address SMTP can carry (RFC 5321: 256 octets in a path, minus the angle brackets).
const MAX_LEN: usize = 254;

/// Why an email address was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum EmailError {
    #[error("Enter an email address.")]
    Empty,
    #[error("That email address is too long. Use one with at most {MAX_LEN} characters.")]
    TooLong,
    #[error("Enter an email address in the format name@example.com.")]
    Invalid,
}

/// A syntactically valid email address with a dotted domain, the domain in lower case.
#[derive(Clone, PartialEq, Eq)]
pub struct EmailAddress {
    /// NFC-normalised; local part as typed, domain lower-cased.
    address: String,
}

impl EmailAddress {
    /// Typed input may carry surrounding whitespace, which is ignored; the address itself is
    /// counted in bytes below, and a byte is never less than a character.
    pub const LIMIT: TextLimit = TextLimit {
        typed: MAX_LEN * 2,
        told: MAX_LEN,
    };

    /// Reads an address as typed, ignoring surrounding whitespace.
    pub fn parse(input: &str) -> Result<EmailAddress, EmailError> {
        if EmailAddress::LIMIT.exceeded_by(input) {
            return Err(EmailError::TooLong);
        }
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(EmailError::Empty);
        }
        // Counted in bytes, which is what the SMTP limit is about; checked before normalising so
        // an enormous input costs nothing.
        if trimmed.len() > MAX_LEN {
            return Err(EmailError::TooLong);
        }
        // Composed and decomposed accents are the same address to the person typing it.
        let address: String = trimmed.nfc().collect();
        if address.len() > MAX_LEN {
            return Err(EmailError::TooLong);
        }
        if address.chars().any(is_refused) {
            return Err(EmailError::Invalid);
        }
        let options = Options {
            // "name@localhost" is valid syntax but never a patient's mailbox: require a dot.
            minimum_sub_domains: 2,
            allow_domain_literal: false,
            allow_display_text: false,
            allow_long_local_parts: false,
        };
        email_address::EmailAddress::parse_with_options(&address, options)
            .map_err(|_| EmailError::Invalid)?;
        // Invariant: the parse above succeeded without display text or quotes, so the address
        // contains an '@' and the domain is what follows the last one.
        let (local, domain) = address.rsplit_once('@').ok_or(EmailError::Invalid)?;
        Ok(EmailAddress {
            address: format!("{local}@{}", domain.to_lowercase()),
        })
    }

    /// The address to send mail to: local part as typed, domain in lower case.
    pub fn as_str(&self) -> &str {
        &self.address
    }

    /// The whole address in lower case, for unique look-ups. Mail providers treat local parts
    /// case-insensitively in practice, and two accounts differing only in case would be a trap.
    pub fn lookup_key(&self) -> String {
        self.address.to_lowercase()
    }
}

impl fmt::Debug for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("EmailAddress(***)")
    }
}

/// Quoted local parts and whitespace are legal in RFC 5322 but no patient has one, and they
/// complicate every mail header the address is later written into.
fn is_refused(c: char) -> bool {
    c.is_whitespace() || c.is_control() || c == '"'
}

/// The schema states the shape `parse` checks: a local part, `@`, a domain with a dot, none of the
/// refused characters, at most 254 characters.
#[cfg(feature = "openapi")]
mod schema {
    use utoipa::openapi::schema::{KnownFormat, SchemaFormat};

    use super::{EmailAddress, MAX_LEN, is_refused};

    crate::schema::built_once!(EmailAddress, || {
        let part = format!("[^@{}]+", crate::schema::class_of(is_refused));
        crate::schema::text(&format!(
            "An email address like name@example.com: a domain with at least one dot, no \
             quotes or whitespace, at most {MAX_LEN} characters."
        ))
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Email)))
        .min_length(Some(3))
        .max_length(Some(MAX_LEN))
        .pattern(Some(format!("^{part}@{part}\\.{part}$")))
        .into()
    });
}
