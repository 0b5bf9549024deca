//! What a record-keeping row is about: the kind of record an outbox message or an audit event
//! names next to its id. Stored as the words below; a word not listed here is refused when read.

crate::stored::stored_words! {
    /// The kinds of record that messages and audit events are about.
    pub enum SubjectKind ("subject kind") {
        Practice = "practice",
        Provider = "provider",
        Staff = "staff",
        ApiToken = "api_token",
        Terms = "terms",
        /// A version of a practice's consent text.
        ConsentText = "consent_text",
        Program = "program",
        Invitation = "invitation",
        /// A registration in progress (before the account exists).
        Registration = "registration",
        /// A six-digit code sent to prove a phone number or recover an account.
        OneTimeCode = "one_time_code",
        PatientLink = "patient_link",
        /// A practice's own wording of a message (kind and language).
        Template = "template",
        /// A notice to staff about a sign-up.
        Notification = "notification",
        /// A patient's account (a username reminder is about it).
        Patient = "patient",
        /// A caregiver's proxy access to one patient's portal at one practice.
        CaregiverAccess = "caregiver_access",
        /// A patient's request to be seen.
        VisitRequest = "visit_request",
        /// A secure thread between one staff member and one patient.
        Thread = "thread",
        /// A practice's intake form (all its versions).
        IntakeForm = "intake_form",
        /// A bulk import of a practice's patient file.
        Import = "import",
    }
}
