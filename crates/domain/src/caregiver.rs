//! Caregivers' proxy access (docs/PRODUCT.md §5a): how much a caregiver may do in a patient's
//! portal, and the authority staff record when they grant access without the patient's approval.

crate::stored::stored_words! {
    /// What a caregiver may do in the patient's portal, as stored in `caregiver_access.level`.
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    pub enum AccessLevel ("access level") {
        /// Read and act: everything the patient could do at this practice.
        Full = "full",
        /// Read only: the caregiver sees, and cannot change or send anything.
        ReadOnly = "read_only",
    }
}

impl AccessLevel {
    /// How the level reads to the caregiver and the patient.
    pub fn label(self) -> &'static str {
        match self {
            AccessLevel::Full => "Full access (see and act)",
            AccessLevel::ReadOnly => "Read only",
        }
    }
}

crate::stored::stored_words! {
    /// Why staff granted a caregiver access without the patient's approval, as stored in
    /// `caregiver_access.authority`.
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    pub enum CaregiverAuthority ("caregiver authority") {
        /// A parent of a patient under age.
        ParentOfMinor = "parent_of_minor",
        /// A guardian appointed by a court.
        LegalGuardian = "legal_guardian",
        /// Someone the patient named to make health care decisions (power of attorney).
        HealthCareProxy = "health_care_proxy",
    }
}

impl CaregiverAuthority {
    /// How the authority reads on staff pages and in the patient's record.
    pub fn label(self) -> &'static str {
        match self {
            CaregiverAuthority::ParentOfMinor => "Parent of a minor",
            CaregiverAuthority::LegalGuardian => "Legal guardian",
            CaregiverAuthority::HealthCareProxy => "Health care proxy (power of attorney)",
        }
    }
}
