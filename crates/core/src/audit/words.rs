//! What each action of the catalogue reads as, for a practice manager rather than a developer:
//! a short label for the "what" filter, the area of the product it belongs to, and the sentence
//! an event is told in ("{actor} viewed {subject}"). A new action does not compile until it has
//! its words here.
//!
//! A sentence names its parts with placeholders, which `trail` fills from the event: `{actor}`
//! (who did it: "Dana Front", "An integration (token ‘EHR sync’)", "Someone"), `{subject}` (what
//! it was about: "the invitation of Maria Lopez") and `{patient}` (the patient the event names).

use super::Action;

/// The parts of the product an action belongs to, for grouping the "what" filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Area {
    Invitations,
    Registration,
    Patients,
    SignIn,
    Staff,
    Practice,
    Integrations,
    AuditLog,
}

impl Area {
    pub const ALL: &'static [Area] = &[
        Area::Invitations,
        Area::Registration,
        Area::Patients,
        Area::SignIn,
        Area::Staff,
        Area::Practice,
        Area::Integrations,
        Area::AuditLog,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Area::Invitations => "Invitations",
            Area::Registration => "Registration",
            Area::Patients => "Patients and sign-ups",
            Area::SignIn => "Signing in and passwords",
            Area::Staff => "Staff",
            Area::Practice => "Practice settings",
            Area::Integrations => "API tokens",
            Area::AuditLog => "Audit log",
        }
    }
}

/// How one action reads.
#[derive(Debug, Clone, Copy)]
pub(super) struct Words {
    pub label: &'static str,
    pub area: Area,
    /// The sentence when it went through.
    pub done: &'static str,
    /// The sentence when it failed or was refused; without one, `done` with a note.
    pub failed: Option<&'static str>,
    /// The sentence when the event names no record (a list that showed nothing, say).
    pub without_subject: Option<&'static str>,
    /// The sentence when a caregiver did it for the patient, for actions that name the patient
    /// as the one who acted.
    pub by_caregiver: Option<&'static str>,
}

const fn words(label: &'static str, area: Area, done: &'static str) -> Words {
    Words {
        label,
        area,
        done,
        failed: None,
        without_subject: None,
        by_caregiver: None,
    }
}

impl Words {
    const fn or_failed(mut self, failed: &'static str) -> Words {
        self.failed = Some(failed);
        self
    }

    const fn or_by_caregiver(mut self, sentence: &'static str) -> Words {
        self.by_caregiver = Some(sentence);
        self
    }

    const fn or_without_subject(mut self, sentence: &'static str) -> Words {
        self.without_subject = Some(sentence);
        self
    }
}

impl Action {
    /// A short label for the action ("Invitation viewed"), as the "what" filter offers it.
    pub fn label(self) -> &'static str {
        self.words().label
    }

    /// The part of the product the action belongs to.
    pub fn area(self) -> Area {
        self.words().area
    }

    pub(super) fn words(self) -> Words {
        use Area::*;
        match self {
            Action::ApiTokenCreated => words(
                "API token created",
                Integrations,
                "{actor} created {subject}",
            ),
            Action::ApiTokenRevoked => words(
                "API token revoked",
                Integrations,
                "{actor} revoked {subject}",
            ),
            Action::CaregiverAuthorityRecorded => words(
                "Caregiver authority recorded",
                Patients,
                "{actor} recorded the authority of {subject} for {patient}",
            ),
            Action::CaregiverAccessApproved => words(
                "Caregiver access approved",
                Patients,
                "{actor} approved {subject}",
            ),
            Action::CaregiverBirthDateChecked => words(
                "Caregiver confirmed a birth date",
                Patients,
                "{actor} confirmed the birth date of {patient}",
            )
            .or_failed("{actor} entered a wrong birth date for {patient}"),
            Action::CaregiverAccessEnded => words(
                "Caregiver access ended",
                Patients,
                "{actor} ended {subject}",
            ),
            Action::CaregiverAccessLevelChanged => words(
                "Caregiver access level changed",
                Patients,
                "{actor} changed the access level of {subject}",
            ),
            Action::CaregiverAccessRequested => words(
                "Caregiver access requested",
                Patients,
                "{actor} asked for access to the portal of {patient}",
            ),
            Action::CaregiverPortalViewed => words(
                "Portal opened by a caregiver",
                Patients,
                "{actor} opened the portal of {patient}",
            ),
            Action::ThreadStarted => words(
                "Conversation started",
                Patients,
                "{actor} started a secure conversation with {patient}",
            ),
            Action::ThreadStartedByPatient => words(
                "Conversation started by a patient",
                Patients,
                "{actor} started a secure conversation with the practice",
            ),
            Action::ThreadMessagePosted => words(
                "Message sent",
                Patients,
                "{actor} wrote in a secure conversation with {patient}",
            )
            .or_by_caregiver("{actor} wrote for {patient} in a secure conversation"),
            Action::ThreadRead => words(
                "Conversation read",
                Patients,
                "{actor} read a secure conversation with {patient}",
            )
            .or_by_caregiver("{actor} read a secure conversation of {patient}"),
            Action::ThreadAttachmentOpened => words(
                "File opened",
                Patients,
                "{actor} opened a file in a secure conversation with {patient}",
            )
            .or_by_caregiver("{actor} opened a file in a secure conversation of {patient}"),
            Action::ThreadInvited => words(
                "Invited into a conversation",
                Patients,
                "{actor} invited someone into a secure conversation by email",
            ),
            Action::ThreadFormSent => words(
                "Form sent",
                Patients,
                "{actor} sent an intake form to {patient} in a secure conversation",
            ),
            Action::ThreadFormSubmitted => words(
                "Form submitted",
                Patients,
                "{patient} submitted an intake form",
            )
            .or_by_caregiver("{actor} submitted an intake form for {patient}"),
            Action::ThreadFormRead => words(
                "Form answers read",
                Patients,
                "{actor} read the answers of {patient} to an intake form",
            ),
            Action::IntakeFormSaved => {
                words("Intake form saved", Practice, "{actor} saved {subject}")
            }
            Action::IntakeFormExported => words(
                "Form answers downloaded",
                Patients,
                "{actor} downloaded the answers to {subject}",
            ),
            Action::ThreadsListed => words(
                "Inbox read",
                Patients,
                "{actor} saw a secure conversation with {patient} in their inbox",
            )
            .or_without_subject("{actor} read their inbox (no conversations)"),
            Action::VisitAnswered => words(
                "Visit request answered",
                Patients,
                "{actor} answered the visit request of {patient}",
            ),
            Action::VisitRequested => {
                words("Visit requested", Patients, "{patient} asked for a visit")
                    .or_by_caregiver("{actor} asked for a visit for {patient}")
            }
            Action::VisitRequestsListed => words(
                "Waiting list read",
                Patients,
                "{actor} saw the visit request of {patient} on the waiting list",
            )
            .or_without_subject("{actor} read the waiting list (no requests)"),
            Action::AuditExported => words(
                "Audit log exported",
                AuditLog,
                "{actor} exported the audit log about {subject} as a spreadsheet (CSV)",
            )
            .or_without_subject("{actor} exported the audit log as a spreadsheet (CSV)"),
            Action::AuditViewed => words(
                "Audit log read",
                AuditLog,
                "{actor} read the audit log about {subject}",
            )
            .or_without_subject("{actor} read the audit log"),
            Action::DevOutboxViewed => words(
                "Development outbox read",
                Practice,
                "{actor} read the messages waiting in the development outbox",
            ),
            Action::ConsentRecorded => words(
                "Paper consent recorded",
                Patients,
                "{actor} recorded the signed paper consent form of {subject}",
            ),
            Action::ConsentScanViewed => words(
                "Signed consent form opened",
                Patients,
                "{actor} opened the signed consent form of {subject}",
            ),
            Action::ConsentSigned => words(
                "Consent signed",
                Registration,
                "{patient} signed the consent form",
            ),
            Action::InvitationCodeChecked => words(
                "Invitation code entered",
                Registration,
                "{actor} entered the code of {subject} with the right date of birth",
            )
            .or_failed(
                "{actor} entered a code or date of birth for {subject} that was not accepted",
            ),
            Action::ImportStarted => {
                words("Import started", Invitations, "{actor} started {subject}")
            }
            Action::ImportFinished => words("Import finished", Invitations, "{subject} finished"),
            Action::InvitationCreated => words(
                "Invitation created",
                Invitations,
                "{actor} created {subject}",
            ),
            Action::InvitationDelivered => words(
                "Invitation delivered",
                Invitations,
                "{subject} was delivered",
            ),
            Action::InvitationLocked => words(
                "Invitation locked",
                Invitations,
                "{subject} was locked after too many wrong dates of birth",
            ),
            Action::InvitationRedeemed => words(
                "Invitation used to register",
                Registration,
                "{subject} was used to register",
            ),
            Action::InvitationResent => words(
                "Invitation re-sent",
                Invitations,
                "{actor} re-sent {subject} with a new code",
            ),
            Action::InvitationRevoked => words(
                "Invitation revoked",
                Invitations,
                "{actor} revoked {subject}",
            ),
            Action::InvitationStartedOnTablet => words(
                "Registration started on the tablet",
                Invitations,
                "{actor} opened {subject} on the front-desk tablet for the patient to register",
            ),
            Action::InvitationSent => words("Invitation sent", Invitations, "{subject} was sent"),
            Action::InvitationViewed => {
                words("Invitation viewed", Invitations, "{actor} viewed {subject}")
            }
            Action::InvitationsListed => words(
                "Invitation seen in a list",
                Invitations,
                "{actor} saw {subject} in a list",
            )
            .or_without_subject("{actor} looked at a list of invitations that was empty"),
            Action::NotificationsListed => words(
                "Sign-up notice seen",
                Patients,
                "{actor} saw the sign-up notice about {patient}",
            )
            .or_without_subject("{actor} looked at the sign-up notices (there were none)"),
            Action::PatientLinked => words(
                "Provider code added by a patient",
                Patients,
                "{patient} added a provider code and was linked",
            )
            .or_by_caregiver("{actor} added a provider code for {patient}, who was linked")
            .or_failed("{actor} entered a provider code that was not accepted"),
            Action::PatientLinkApproved => {
                words("Sign-up approved", Patients, "{actor} approved {subject}")
            }
            Action::PatientLinkDeclined => {
                words("Sign-up declined", Patients, "{actor} declined {subject}")
            }
            Action::PatientAccessEnded => words(
                "Patient access end-dated",
                Patients,
                "{actor} set an end date on the access of {subject}",
            ),
            Action::PatientAccessRestored => words(
                "Patient access end date lifted",
                Patients,
                "{actor} lifted the end date on the access of {subject}",
            ),
            Action::PatientPasswordReset => words(
                "Patient password reset",
                SignIn,
                "{patient} set a new password with a recovery code",
            ),
            Action::PatientRecoveryStarted => words(
                "Password recovery asked for",
                SignIn,
                "{actor} asked for a password recovery code for {patient}",
            ),
            Action::PatientRegistered => words(
                "Patient registered",
                Registration,
                "{patient} registered and was linked to the practice",
            ),
            Action::PatientRegistrationAttemptOnExistingEmail => words(
                "Registration with an existing email address",
                Registration,
                "{actor} tried to register with the email address of an existing account \
                 (its owner was told by email)",
            ),
            Action::PatientSignInLocked => words(
                "Patient sign-in locked",
                SignIn,
                "Signing in as {patient} was locked after too many wrong passwords",
            ),
            Action::PatientSignedIn => words("Patient signed in", SignIn, "{patient} signed in")
                .or_failed("{actor} could not sign in as {patient} (wrong password)"),
            Action::PatientSignedOut => words("Patient signed out", SignIn, "{patient} signed out"),
            Action::PatientSignedOutEverywhere => words(
                "Patient signed out everywhere",
                SignIn,
                "{patient} signed out on every device",
            ),
            Action::PatientUsernameReminded => words(
                "Username reminder asked for",
                SignIn,
                "{actor} asked for a username reminder, and it was sent by text message",
            )
            .or_failed("{actor} asked for a username reminder, and none was sent"),
            Action::PatientViewed => words(
                "Patient record viewed",
                Patients,
                "{actor} viewed the record of {subject}",
            ),
            Action::PatientsListed => words(
                "Patient seen in a list",
                Patients,
                "{actor} saw {patient} in the list of patients",
            )
            .or_without_subject("{actor} looked at the list of patients (it was empty)"),
            Action::PendingSignUpsListed => words(
                "Waiting sign-up seen",
                Patients,
                "{actor} saw the sign-up of {patient} waiting for approval",
            )
            .or_without_subject(
                "{actor} looked at the sign-ups waiting for approval (there were none)",
            ),
            Action::PracticeCreated => {
                words("Practice set up", Practice, "{actor} set up the practice")
            }
            Action::PracticeSettingsChanged => words(
                "Practice settings changed",
                Practice,
                "{actor} changed the practice's settings",
            ),
            Action::ProgramCreated => {
                words("Program created", Practice, "{actor} created {subject}")
            }
            Action::ProgramDeleted => {
                words("Program deleted", Practice, "{actor} deleted {subject}")
            }
            Action::ProgramUpdated => {
                words("Program changed", Practice, "{actor} changed {subject}")
            }
            Action::ProviderCodeDisabled => words(
                "Provider code turned off",
                Practice,
                "{actor} turned off the code of {subject}",
            ),
            Action::ProviderCodeRotated => words(
                "Provider code replaced",
                Practice,
                "{actor} replaced the code of {subject}; the old code stopped working",
            ),
            Action::ProviderCreated => words("Provider added", Practice, "{actor} added {subject}"),
            Action::ProviderVisitSettingsSaved => words(
                "Visit settings saved",
                Practice,
                "{actor} saved the visit questions and notifications of {subject}",
            ),
            Action::RegistrationPhoneCodeSent => words(
                "Phone code sent",
                Registration,
                "{actor} asked for a code to prove a phone number while registering",
            ),
            Action::RegistrationPhoneVerified => words(
                "Phone number proved",
                Registration,
                "{actor} proved a phone number while registering",
            )
            .or_failed("{actor} entered a wrong phone code while registering"),
            Action::RegistrationStarted => words(
                "Registration started",
                Registration,
                "{actor} started registering with a provider or sign-up code",
            ),
            Action::SignupCodeCollision => words(
                "Sign-up code refused as taken",
                Practice,
                "{actor} chose a sign-up code that is already taken, and it was refused",
            )
            .or_failed("{actor} chose a sign-up code that is already taken, and it was refused"),
            Action::StaffCreated => words(
                "Staff member added",
                Staff,
                "{actor} added {subject} to the staff",
            ),
            Action::StaffPasswordChanged => words(
                "Own password changed",
                SignIn,
                "{actor} changed their password; their other sessions were signed out",
            )
            .or_failed("{actor} typed a wrong current password while changing their password"),
            Action::StaffSignInLocked => words(
                "Staff sign-in locked",
                SignIn,
                "Signing in as {subject} was locked after too many wrong passwords",
            ),
            Action::StaffSignedIn => words("Staff signed in", SignIn, "{actor} signed in")
                .or_failed("{actor} could not sign in as {subject} (wrong password)"),
            Action::StaffSignedOut => words("Staff signed out", SignIn, "{actor} signed out"),
            Action::StaffSignedOutEverywhere => words(
                "Staff signed out everywhere",
                SignIn,
                "{actor} signed out on every device",
            ),
            Action::StaffUpdated => words(
                "Staff role or access changed",
                Staff,
                "{actor} changed the role or access of {subject}",
            ),
            Action::TemplateReset => words(
                "Message template reset",
                Practice,
                "{actor} put {subject} back to the default",
            ),
            Action::TemplateSaved => words(
                "Message template saved",
                Practice,
                "{actor} saved {subject}",
            ),
            Action::TermsAccepted => words(
                "Terms of use accepted",
                Registration,
                "{patient} accepted the terms of use",
            ),
            Action::TermsPublished => words(
                "Terms of use published",
                Practice,
                "{actor} published {subject}",
            ),
            Action::ConsentTextPublished => words(
                "Consent text published",
                Practice,
                "{actor} published {subject}",
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_has_a_label_of_its_own_and_a_sentence_with_its_parts() {
        let mut labels = std::collections::HashSet::new();
        for &action in Action::ALL {
            let w = action.words();
            assert!(labels.insert(w.label), "{action}: label used twice");
            for sentence in [Some(w.done), w.failed, w.without_subject]
                .into_iter()
                .flatten()
            {
                let rest = sentence
                    .replace("{actor}", "")
                    .replace("{subject}", "")
                    .replace("{patient}", "");
                assert!(!rest.contains(['{', '}']), "{action}: {sentence}");
            }
        }
    }
}
