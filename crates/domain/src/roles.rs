//! What a staff account may do in its practice (docs/PRODUCT.md §1). The role names stored and sent over
//! the API are the lower-case `as_str` forms; the labels are for people.

use serde::{Deserialize, Serialize};

/// Why a role name was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum RoleError {
    #[error("Choose a role: practice admin, staff or provider.")]
    Unknown,
}

/// The role of a staff account within one practice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum StaffRole {
    /// Sets up the practice: providers, staff accounts, codes, programs, templates.
    Admin,
    /// Front desk, health assistants, nurses: invites patients and talks to them.
    Staff,
    /// A clinician who is also bookable and has a provider code.
    Provider,
}

impl StaffRole {
    /// Every role, in the order forms list them.
    pub const ALL: &'static [StaffRole] =
        &[StaffRole::Admin, StaffRole::Staff, StaffRole::Provider];

    /// The stored and wire name: `admin`, `staff` or `provider`.
    pub fn as_str(self) -> &'static str {
        match self {
            StaffRole::Admin => "admin",
            StaffRole::Staff => "staff",
            StaffRole::Provider => "provider",
        }
    }

    /// Reads a stored or submitted role name, ignoring case and surrounding whitespace.
    pub fn parse(input: &str) -> Result<StaffRole, RoleError> {
        let input = input.trim();
        StaffRole::ALL
            .iter()
            .copied()
            .find(|role| role.as_str().eq_ignore_ascii_case(input))
            .ok_or(RoleError::Unknown)
    }

    /// The name shown to people.
    pub fn label(self) -> &'static str {
        match self {
            StaffRole::Admin => "Practice admin",
            StaffRole::Staff => "Staff",
            StaffRole::Provider => "Provider",
        }
    }
}
