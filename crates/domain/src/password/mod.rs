//! Choosing a password, by NIST SP 800-63B-4 (2025) for a password that is the account's only
//! factor (docs/PRODUCT.md §5): a minimum length, no composition rules, and refusal of passwords that are
//! common, breached, built from the person's own details, or easy to guess. This module is the one
//! place the length limits live. It also suggests random passphrases that meet those rules
//! (`suggest_passphrase`).
//!
//! It never hashes, stores or compares passwords: `expose_secret` hands the normalised text to the
//! hasher, and nothing else should read it. `Debug` is redacted and there is no `Display`.

mod common;
mod passphrase;
mod personal;

use std::fmt;

use unicode_normalization::UnicodeNormalization;

pub use passphrase::suggest_passphrase;

/// Minimum length, in characters, while the password is the account's only factor.
pub const MIN_LEN_SINGLE_FACTOR: usize = 15;
/// Minimum length once the account has a second factor.
pub const MIN_LEN_WITH_SECOND_FACTOR: usize = 8;
/// Maximum length, in characters: generous for passphrases, bounded for the hasher.
pub const MAX_LEN: usize = 128;

/// NFKC can merge a few code points into one, but never many: typed input longer than this could
/// not come back under `MAX_LEN`, and normalising it would be wasted work.
const MAX_TYPED: usize = MAX_LEN * 4;

/// zxcvbn is slow on long input, and its estimate does not change past this many characters.
const ESTIMATE_PREFIX: usize = 100;
/// Lowest zxcvbn score (0–4) we accept: about 10^8 guesses or more.
const MIN_SCORE: u8 = 3;

/// What a new password is checked against.
#[derive(Clone, Copy)]
pub struct PasswordContext<'a> {
    /// Fewest characters accepted; one of the `MIN_LEN_*` constants.
    pub min_len: usize,
    /// The person's own details (names, email address, date of birth as `YYYY-MM-DD`), which the
    /// password must not be built from.
    pub user_inputs: &'a [&'a str],
}

impl<'a> PasswordContext<'a> {
    /// For a password that will be the account's only factor.
    pub fn single_factor(user_inputs: &'a [&'a str]) -> Self {
        PasswordContext {
            min_len: MIN_LEN_SINGLE_FACTOR,
            user_inputs,
        }
    }

    /// For an account that already has a second factor.
    pub fn with_second_factor(user_inputs: &'a [&'a str]) -> Self {
        PasswordContext {
            min_len: MIN_LEN_WITH_SECOND_FACTOR,
            user_inputs,
        }
    }
}

/// The user inputs are personal data, so only their number is shown.
impl fmt::Debug for PasswordContext<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PasswordContext")
            .field("min_len", &self.min_len)
            .field(
                "user_inputs",
                &format_args!("[{} redacted]", self.user_inputs.len()),
            )
            .finish()
    }
}

/// Why a new password was refused, in words that say what to do instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordRejection {
    #[error(
        "Use at least {min} characters (this one has {actual}) — a few unrelated words make a \
         strong, memorable passphrase."
    )]
    TooShort { min: usize, actual: usize },
    #[error("Use at most {max} characters.")]
    TooLong { max: usize },
    #[error(
        "This password is on a list of common or leaked passwords, so it would be easy to guess. \
         Choose another — a few unrelated words work well."
    )]
    Common,
    #[error(
        "Don't use your name, email address or date of birth in your password. Choose something \
         that can't be guessed from your details."
    )]
    ContainsPersonalInfo,
    #[error(
        "This password would be easy to guess. {}",
        .suggestion.as_deref().unwrap_or("Add another word or two. Uncommon words are better.")
    )]
    Guessable { suggestion: Option<String> },
}

/// A password that meets the rules, in its normalised form.
pub struct Password {
    /// NFKC-normalised text: the same password typed on any keyboard hashes the same.
    secret: String,
}

impl Password {
    pub const LIMIT: crate::TextLimit = crate::TextLimit {
        typed: MAX_TYPED,
        told: MAX_LEN,
    };

    /// Checks a newly chosen password. The text is NFKC-normalised first, and its length is
    /// counted in Unicode code points after that, as NIST asks.
    pub fn parse(raw: &str, ctx: &PasswordContext<'_>) -> Result<Password, PasswordRejection> {
        let too_long = PasswordRejection::TooLong { max: MAX_LEN };
        if Password::LIMIT.exceeded_by(raw) {
            return Err(too_long);
        }
        let secret: String = raw.nfkc().collect();
        let length = secret.chars().count();
        if length < ctx.min_len {
            return Err(PasswordRejection::TooShort {
                min: ctx.min_len,
                actual: length,
            });
        }
        if length > MAX_LEN {
            return Err(too_long);
        }
        let lowercase = secret.to_lowercase();
        if common::is_common(&lowercase) {
            return Err(PasswordRejection::Common);
        }
        let fragments = personal::fragments(ctx.user_inputs);
        if personal::contains_any(&lowercase, &fragments) {
            return Err(PasswordRejection::ContainsPersonalInfo);
        }
        if is_one_repeated_character(&secret) {
            return Err(PasswordRejection::Guessable {
                suggestion: Some("Avoid repeating the same character.".to_owned()),
            });
        }
        let estimate = estimate(&secret, &fragments);
        if u8::from(estimate.score()) < MIN_SCORE {
            return Err(PasswordRejection::Guessable {
                suggestion: feedback_text(&estimate),
            });
        }
        Ok(Password { secret })
    }

    /// The normalised password, for the hasher only.
    pub fn expose_secret(&self) -> &str {
        &self.secret
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(***)")
    }
}

/// The schema states the lengths `parse` counts for a password that is the account's only factor
/// and, in words, the checks JSON Schema cannot make.
#[cfg(feature = "openapi")]
mod schema {
    use utoipa::openapi::schema::{KnownFormat, SchemaFormat};

    use super::{MAX_LEN, MIN_LEN_SINGLE_FACTOR, Password};

    crate::schema::built_once!(Password, || {
        crate::schema::text(&format!(
            "A new password: {MIN_LEN_SINGLE_FACTOR} to {MAX_LEN} characters, counted as \
             Unicode code points after NFKC normalisation; no composition rules. It must not \
             be a common or leaked password, one repeated character, built from the person's \
             name, email address or date of birth, or easy to guess (a zxcvbn score below 3): \
             the service answers 422 with the reason. `POST /api/v1/public/password-check` \
             rates a password by the same rules."
        ))
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Password)))
        .min_length(Some(MIN_LEN_SINGLE_FACTOR))
        .max_length(Some(MAX_LEN))
        .into()
    });
}

/// A password's length as the rules count it: Unicode code points after NFKC normalisation.
pub fn counted_length(raw: &str) -> usize {
    raw.nfkc().count()
}

/// A 0–4 strength score for a meter shown while the password is typed. It is zxcvbn's score,
/// except that a password the rules would refuse as common, personal or one repeated character
/// scores 0, so the meter never praises a password that will then be refused. Length is left to
/// the form's own hint, since the minimum depends on the account.
pub fn strength(raw: &str, user_inputs: &[&str]) -> u8 {
    if raw.is_empty() || Password::LIMIT.exceeded_by(raw) {
        return 0;
    }
    let normalized: String = raw.nfkc().collect();
    let lowercase = normalized.to_lowercase();
    let fragments = personal::fragments(user_inputs);
    if common::is_common(&lowercase)
        || personal::contains_any(&lowercase, &fragments)
        || is_one_repeated_character(&normalized)
    {
        return 0;
    }
    u8::from(estimate(&normalized, &fragments).score())
}

fn is_one_repeated_character(password: &str) -> bool {
    let mut chars = password.chars();
    match chars.next() {
        Some(first) => chars.all(|c| c == first),
        None => true,
    }
}

/// zxcvbn's estimate on at most the first `ESTIMATE_PREFIX` characters.
///
/// zxcvbn treats a space as a random character, which breaks its repeat and dictionary matching:
/// "password password" scores as strong. Spaces between words add almost nothing for an attacker,
/// so the password is also estimated without them and the weaker of the two estimates counts.
fn estimate(password: &str, fragments: &[String]) -> zxcvbn::Entropy {
    let inputs: Vec<&str> = fragments.iter().map(String::as_str).collect();
    let prefix: String = password.chars().take(ESTIMATE_PREFIX).collect();
    let as_typed = zxcvbn::zxcvbn(&prefix, &inputs);
    let joined: String = prefix.chars().filter(|c| !c.is_whitespace()).collect();
    if joined == prefix || joined.is_empty() {
        return as_typed;
    }
    let without_spaces = zxcvbn::zxcvbn(&joined, &inputs);
    if without_spaces.score() < as_typed.score() {
        without_spaces
    } else {
        as_typed
    }
}

/// zxcvbn's warning and suggestions as one sentence or two, if it has any.
fn feedback_text(estimate: &zxcvbn::Entropy) -> Option<String> {
    let feedback = estimate.feedback()?;
    let sentences: Vec<String> = feedback
        .warning()
        .map(|w| w.to_string())
        .into_iter()
        .chain(feedback.suggestions().iter().map(|s| s.to_string()))
        .collect();
    (!sentences.is_empty()).then(|| sentences.join(" "))
}
