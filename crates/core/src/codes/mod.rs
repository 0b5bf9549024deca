//! Codes patients type: the practice's and providers' printed provider codes, and the guard in
//! front of every look-up of a provider or sign-up code. Invite codes belong to `invitations`,
//! sign-up codes to `programs`; their shapes are `portico_domain::codes`.

pub(crate) mod guessing;
pub mod provider_codes;
