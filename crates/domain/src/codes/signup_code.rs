//! The sign-up code: chosen by a practice for one program, e.g. `Welcome123`. Patients type it in
//! any case and may confuse O with 0 or I and L with 1, so codes are compared in a folded form.
//! Sign-up codes are printed on flyers and are not personal, so `Debug` shows them.

use super::{CodeError, MAX_ENTRY_LEN, strip_separators};

/// Fewest letters and digits in a sign-up code.
pub const SIGNUP_CODE_MIN_LEN: usize = 6;
/// Most letters and digits in a sign-up code.
pub const SIGNUP_CODE_MAX_LEN: usize = 32;

/// A well-formed sign-up code.
#[derive(Debug, Clone)]
pub struct SignupCode {
    /// The practice's spelling with spaces and dashes removed: 6–32 ASCII letters and digits.
    chosen: String,
}

impl SignupCode {
    /// Reads a code as the practice chose it, or as a patient typed it. Errors say what to change,
    /// which is right for the admin choosing a code; for anonymous entry use [`Self::parse_entry`].
    pub fn parse(input: &str) -> Result<SignupCode, CodeError> {
        let length_error = CodeError::SignupCodeLength {
            min: SIGNUP_CODE_MIN_LEN,
            max: SIGNUP_CODE_MAX_LEN,
        };
        if input.chars().count() > MAX_ENTRY_LEN {
            return Err(length_error);
        }
        let chosen: String = strip_separators(input).collect();
        if !chosen.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(CodeError::SignupCodeCharacters);
        }
        // All ASCII from here, so byte length is character count.
        if !(SIGNUP_CODE_MIN_LEN..=SIGNUP_CODE_MAX_LEN).contains(&chosen.len()) {
            return Err(length_error);
        }
        Ok(SignupCode { chosen })
    }

    /// Reads a code a patient typed. Every failure is the generic [`CodeError::Malformed`], so an
    /// anonymous caller learns nothing about which codes exist (docs/PRODUCT.md §2).
    pub fn parse_entry(input: &str) -> Result<SignupCode, CodeError> {
        Self::parse(input).map_err(|_| CodeError::Malformed)
    }

    /// The code as the practice spelled it, without spaces or dashes, for showing on screens.
    pub fn as_chosen(&self) -> &str {
        &self.chosen
    }

    /// The form used for hashing and uniqueness: upper-case, with O folded to 0 and I and L to 1,
    /// so `welcome l23` and `WELC0ME123` find `Welcome123`. Folding an already folded code changes
    /// nothing.
    pub fn normalized(&self) -> String {
        self.chosen
            .chars()
            .map(|c| match c.to_ascii_uppercase() {
                'O' => '0',
                'I' | 'L' => '1',
                other => other,
            })
            .collect()
    }
}

/// Two sign-up codes are the same code when patients could not tell them apart, i.e. when their
/// normalised forms match; the practice's spelling is only presentation.
impl PartialEq for SignupCode {
    fn eq(&self, other: &Self) -> bool {
        self.normalized() == other.normalized()
    }
}

impl Eq for SignupCode {}
