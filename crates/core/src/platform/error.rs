//! The service core's one error type. The web layer maps each variant to a page or an RFC 9457
//! problem in one place; nothing here carries personal data, so every variant is safe to log.

use std::time::Duration;

use portico_store::StoreError;

/// One message for one form field, shown next to that field (pages) or listed in a problem (API).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

/// Every bad field of one submission, so a person can fix them all at once.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct FieldErrors(Vec<FieldError>);

impl FieldErrors {
    pub fn new() -> FieldErrors {
        FieldErrors(Vec::new())
    }

    pub fn add(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.0.push(FieldError {
            field: field.into(),
            message: message.into(),
        });
    }

    /// Keeps the parsed value, or records the error under `field` and gives `None`.
    pub fn take<T, E: std::fmt::Display>(
        &mut self,
        field: impl Into<String>,
        parsed: Result<T, E>,
    ) -> Option<T> {
        match parsed {
            Ok(value) => Some(value),
            Err(e) => {
                self.add(field, e.to_string());
                None
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn get(&self, field: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }

    pub fn iter(&self) -> impl Iterator<Item = &FieldError> {
        self.0.iter()
    }

    /// `Ok(())` when nothing was recorded, so callers can `?` after collecting.
    pub fn into_result(self) -> Result<(), CoreError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(CoreError::Invalid(self))
        }
    }
}

impl FieldErrors {
    pub fn single(field: impl Into<String>, message: impl Into<String>) -> FieldErrors {
        let mut errors = FieldErrors::new();
        errors.add(field, message);
        errors
    }
}

/// Which public code entry refused a code; each has its own (fixed) wording.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeKind {
    Invite,
    Provider,
    Signup,
    /// Self-registration, where one entry takes a provider code or a sign-up code.
    Registration,
}

#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    /// A code that is unknown, expired, revoked, redeemed or locked, or a wrong birth date: one
    /// answer for all of them, so an anonymous caller learns nothing about which it was.
    #[error("the code was not accepted")]
    CodeNotAccepted(CodeKind),
    #[error("the submission has invalid fields")]
    Invalid(FieldErrors),
    /// Absent, or belonging to another practice: the caller cannot tell which.
    #[error("not found")]
    NotFound,
    #[error("your role does not allow this")]
    Forbidden,
    /// The right password, but every link of the patient's account has ended (end-dated by
    /// their practices, or a sign-up declined): the account can no longer sign in.
    #[error(
        "Your access to the patient portal has ended, or your sign-up was not approved. If you \
         think this is a mistake, contact your practice."
    )]
    AccessEnded,
    /// Wrong email or password: one answer for both, so accounts cannot be enumerated.
    #[error("the email address or password is not right")]
    SignInFailed,
    #[error("too many attempts; try again later")]
    Throttled { retry_after: Duration },
    /// So many consecutive failures that the key (an account name) is locked until it is reset
    /// (a password reset for patients, an admin for staff).
    #[error("locked after too many failed attempts")]
    Locked,
    /// The request is well-formed but the record's state does not allow it (e.g. re-sending a
    /// redeemed invitation); the message says what to do instead.
    #[error("{0}")]
    Conflict(&'static str),
    #[error("this set-up link is not valid any more")]
    SetupLinkInvalid,
    /// The registration ticket is unknown, used or expired: the patient starts again with a code.
    #[error("this registration has expired; start again with your code")]
    RegistrationExpired,
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<FieldErrors> for CoreError {
    fn from(errors: FieldErrors) -> CoreError {
        CoreError::Invalid(errors)
    }
}
