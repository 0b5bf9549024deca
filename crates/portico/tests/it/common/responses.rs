//! The JSON answers tests read field by field, as typed structs: only the fields some test
//! checks, so an answer may carry more. A missing or mistyped field fails the reading, with the
//! body in the message (`Api::expect_as`).

use serde::Deserialize;

/// An RFC 9457 problem document.
#[derive(Debug, Deserialize)]
pub struct Problem {
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    #[serde(default)]
    pub detail: String,
    /// The path of the request.
    pub instance: Option<String>,
    pub request_id: Option<String>,
    /// Each invalid field, for `/problems/invalid-fields`.
    #[serde(default)]
    pub errors: Vec<FieldError>,
}

impl Problem {
    /// The fields named in `errors`, in order.
    pub fn fields(&self) -> Vec<&str> {
        self.errors.iter().map(|e| e.field.as_str()).collect()
    }

    /// The message next to `field` (empty when the field is not named).
    pub fn message_for(&self, field: &str) -> &str {
        self.errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
            .unwrap_or_default()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

/// An invitation just issued (`POST /invitations`, a re-send): the only answer with its code.
#[derive(Debug, Deserialize)]
pub struct IssuedInvitation {
    pub id: String,
    pub code: String,
    pub link: String,
    pub state: String,
    pub expires_at: String,
    /// For a patient invited without an email address: the username they will sign in with.
    pub username: Option<String>,
}

impl IssuedInvitation {
    /// The token at the end of the invitation link.
    pub fn link_token(&self) -> &str {
        self.link.rsplit('/').next().unwrap_or_default()
    }
}

/// An invitation as its practice's staff read it (`GET /invitations/{id}`).
#[derive(Debug, Deserialize)]
pub struct Invitation {
    pub state: String,
    pub phone: Option<String>,
    pub related_to: Option<String>,
    pub failed_attempts: i64,
    pub history: Vec<HistoryEntry>,
    pub messages: Vec<MessageStatus>,
    /// The account's name, when the patient corrected the invitation's while registering.
    pub name_corrected_to: Option<serde_json::Value>,
}

impl Invitation {
    /// The states it went through, oldest first.
    pub fn states(&self) -> Vec<&str> {
        self.history.iter().map(|h| h.state.as_str()).collect()
    }

    /// Its message on `channel`.
    pub fn message(&self, channel: &str) -> &MessageStatus {
        self.messages
            .iter()
            .find(|m| m.channel == channel)
            .unwrap_or_else(|| panic!("a {channel} message in {self:?}"))
    }
}

#[derive(Debug, Deserialize)]
pub struct HistoryEntry {
    pub state: String,
    /// `staff:<id>`, `api_token:<id>`, `anonymous` or `system`.
    pub actor: String,
}

/// One message sent for an invitation, with its delivery state.
#[derive(Debug, Deserialize)]
pub struct MessageStatus {
    pub id: String,
    pub channel: String,
    pub state: String,
    pub attempts: i64,
    pub last_error: Option<String>,
}

impl MessageStatus {
    /// The reason of the last failed attempt (empty when there is none).
    pub fn last_error(&self) -> &str {
        self.last_error.as_deref().unwrap_or_default()
    }
}

/// A page of invitations (`GET /invitations`).
#[derive(Debug, Deserialize)]
pub struct InvitationPage {
    pub items: Vec<InvitationLine>,
    pub next_cursor: Option<String>,
    pub previous_cursor: Option<String>,
}

impl InvitationPage {
    /// The full names listed, in order.
    pub fn names(&self) -> Vec<String> {
        self.items
            .iter()
            .map(|i| format!("{} {}", i.first_name, i.last_name))
            .collect()
    }
}

#[derive(Debug, Deserialize)]
pub struct InvitationLine {
    pub id: String,
    pub state: String,
    pub first_name: String,
    pub last_name: String,
}

/// What a bulk re-send did to each invitation (`POST /invitations/resend`).
#[derive(Debug, Deserialize)]
pub struct BulkResent {
    pub items: Vec<BulkResentItem>,
}

#[derive(Debug, Deserialize)]
pub struct BulkResentItem {
    pub id: String,
    pub outcome: String,
}

/// A redeemed invitation: the registration's ticket and what pre-fills the form.
#[derive(Debug, Deserialize)]
pub struct Redeemed {
    pub ticket: String,
    pub prefill: Prefill,
}

#[derive(Debug, Deserialize)]
pub struct Prefill {
    pub first_name: String,
    pub last_name: String,
    pub email: Option<String>,
    pub username: Option<String>,
    pub relation: String,
    pub practice_name: String,
}

/// A practice's or a provider's code as staff see it (`GET /provider-codes`).
#[derive(Debug, Deserialize)]
pub struct ProviderCode {
    /// `None` for the practice's own code.
    pub provider_id: Option<String>,
    /// `None` while disabled.
    pub code: Option<String>,
    pub active: bool,
}

/// A program patients sign up for with its code (`/programs`).
#[derive(Debug, Deserialize)]
pub struct Program {
    pub id: String,
    /// As staff chose it.
    pub signup_code: String,
    pub policy: String,
    pub enabled: bool,
}

/// Where a registration stands (every registration step answers it).
#[derive(Debug, Deserialize)]
pub struct RegistrationView {
    pub next: String,
    pub consent_required: bool,
    pub details: Details,
    pub username: Option<String>,
    /// The terms to accept (when `next` is `terms`).
    pub terms: Option<Terms>,
    /// The consent to sign (when `next` is `consent`).
    pub consent: Option<ConsentText>,
}

impl RegistrationView {
    /// The terms the `terms` step asks for.
    pub fn terms(&self) -> &Terms {
        self.terms
            .as_ref()
            .unwrap_or_else(|| panic!("terms to accept in {self:?}"))
    }
}

/// The details the form shows: what the patient typed, else what the invitation knew.
#[derive(Debug, Deserialize)]
pub struct Details {
    pub first_name: String,
    pub email: String,
}

/// A practice's terms of use, in a registration or due for a signed-in patient.
#[derive(Debug, Clone, Deserialize)]
pub struct Terms {
    pub practice_id: String,
    pub practice_name: String,
    pub version: i64,
    pub body: String,
}

#[derive(Debug, Deserialize)]
pub struct ConsentText {
    pub paragraphs: Vec<String>,
}

/// A phone code on its way.
#[derive(Debug, Deserialize)]
pub struct CodeSent {
    pub phone_masked: String,
    pub resend_after_seconds: u64,
    pub valid_for_seconds: u64,
}

/// A new account, signed in.
#[derive(Debug, Deserialize)]
pub struct Registered {
    pub session_token: String,
    pub patient_id: String,
    pub username: Option<String>,
    /// The conversation the patient was invited into, opened by the registration.
    pub thread_id: Option<String>,
}

/// A patient's session, opened by signing in.
#[derive(Debug, Deserialize)]
pub struct SessionOpened {
    pub session_token: String,
}

/// The signed-in patient (`GET /patient`): their cards and the terms still to accept.
#[derive(Debug, Deserialize)]
pub struct Me {
    pub first_name: String,
    pub cards: Vec<Card>,
    pub terms_due: Vec<Terms>,
}

/// One card of the visit screen: a linked practice, provider or program.
#[derive(Debug, Clone, Deserialize)]
pub struct Card {
    pub id: String,
    pub practice_name: String,
    pub provider_name: Option<String>,
    pub program_name: Option<String>,
    /// `active`, or `pending` while the practice has not approved a sign-up.
    pub status: String,
}

/// A password as the meter rates it.
#[derive(Debug, Deserialize)]
pub struct PasswordCheck {
    pub score: u8,
    pub acceptable: bool,
    pub length: usize,
}

/// A sign-up waiting for the practice's approval (`GET /patient-links/pending`).
#[derive(Debug, Deserialize)]
pub struct PendingLink {
    pub id: String,
    pub first_name: String,
}

/// A notification for the practice's staff (`GET /notifications`).
#[derive(Debug, Deserialize)]
pub struct Notification {
    pub id: String,
    pub kind: String,
    pub program_name: Option<String>,
}
