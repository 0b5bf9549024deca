//! The codes people type to come in. Provider codes live here; invitation codes are a column of
//! their invitation (`crate::invitations`) and sign-up codes one of their program
//! (`crate::programs`), each stored as a keyed hash.

pub mod provider_codes;
