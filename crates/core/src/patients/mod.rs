//! Patients (DESIGN §5–§7): registration step by step, accounts and their sessions, password
//! recovery, the links to practices, providers and programs, terms of use and digital consent.

pub mod consent;
pub mod links;
mod one_time;
pub mod recovery;
pub mod registration;
pub mod sessions;
pub mod terms;

pub use one_time::{CODE_TTL, MAX_CODE_ATTEMPTS, resend_wait};

use crate::actor::ClientInfo;

/// A signed-in patient.
#[derive(Debug, Clone)]
pub struct PatientActor {
    pub patient_id: String,
    pub first_name: String,
    pub last_name: String,
    /// Set for accounts without email: what the patient signs in with.
    pub username: Option<String>,
    pub client: ClientInfo,
}
