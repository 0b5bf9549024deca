//! A patient's link to a practice (and provider and program): how it was made and whether it is
//! in force (see docs/PRODUCT.md §6 and §7).

crate::stored::stored_words! {
    /// Whether a link is in force, as stored in `patient_links.status`.
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    pub enum LinkStatus ("link status") {
        /// The patient sees the practice and can be reached by it.
        Active = "active",
        /// Waiting for staff to approve a sign-up (a program with the approval policy).
        Pending = "pending",
    }
}

crate::stored::stored_words! {
    /// How a link was made, as stored in `patient_links.source`.
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    pub enum LinkSource ("link source") {
        /// A personal invitation, redeemed.
        Invitation = "invitation",
        /// A practice's or provider's generic code.
        ProviderCode = "provider_code",
        /// A program's sign-up code.
        SignupCode = "signup_code",
    }
}
