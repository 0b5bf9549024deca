//! The audit catalogue (`Action`, with the words each action reads as in `words`), building
//! events from actors, and reading a practice's trail back in words (`trail`, with the patient
//! it may be narrowed to from `people`). Events are appended in the same transaction as the
//! change they describe (see `portico_store::audit::append`).
//!
//! A generic module: it knows typed subjects (`SubjectKind`) and ids, never a feature. The names
//! an event is about are read by the store, by the subject's kind and id.

mod people;
mod trail;
mod words;

pub use people::{Person, PersonKind};
pub use trail::{
    ChainFields, Export, MAX_EXPORT, Outcome, TrailItem, TrailPage, TrailQuery, about_patient,
    export, trail,
};
pub use words::Area;

use portico_domain::SubjectKind;
use portico_store::audit::{self, NewEvent};
use portico_store::{Store, Tx};
use std::fmt;

use serde_json::Value;

use crate::platform::actor::{ClientInfo, StaffActor};
use crate::platform::clock::Timestamp;
use crate::{Core, CoreError};

/// Outcome words used in the log.
pub const SUCCESS: &str = "success";
pub const FAILURE: &str = "failure";
pub const DENIED: &str = "denied";

/// Declares the catalogue once: each variant with the dotted name stored in `audit_events.action`.
macro_rules! actions {
    ($($(#[$doc:meta])* $variant:ident => $name:literal,)+) => {
        /// Everything the audit log can record, named for what happened. The stored name is the
        /// variant's [`Action::as_str`]; a step that can fail is one action whose outcome says how
        /// it went, never two names. Names are stored for ever: never rename one, only add.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Action {
            $($(#[$doc])* $variant,)+
        }

        impl Action {
            /// Every action, in catalogue order.
            pub const ALL: &'static [Action] = &[$(Action::$variant,)+];

            /// The dotted name stored in the log.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Action::$variant => $name,)+
                }
            }
        }

        impl std::str::FromStr for Action {
            type Err = UnknownAction;

            fn from_str(s: &str) -> Result<Action, UnknownAction> {
                match s {
                    $($name => Ok(Action::$variant),)+
                    other => ALIASES
                        .iter()
                        .find(|(old, _)| *old == other)
                        .map(|(_, action)| *action)
                        .ok_or_else(|| UnknownAction(other.to_owned())),
                }
            }
        }
    };
}

actions! {
    ApiTokenCreated => "api_token.created",
    ApiTokenRevoked => "api_token.revoked",
    /// Staff recorded a caregiver's authority (a parent of a minor, a legal guardian), which
    /// approves their access to the patient's portal.
    CaregiverAuthorityRecorded => "caregiver_access.authority_recorded",
    /// The patient approved a caregiver's access to their portal.
    CaregiverAccessApproved => "caregiver_access.approved",
    /// A caregiver confirmed the patient's birth date (failure: a wrong date).
    CaregiverBirthDateChecked => "caregiver_access.birth_date_checked",
    /// The patient, staff, the caregiver or Portico (too many wrong birth dates) ended an access.
    CaregiverAccessEnded => "caregiver_access.ended",
    CaregiverAccessLevelChanged => "caregiver_access.level_changed",
    /// A caregiver's account got access waiting for the patient (registering with, or entering,
    /// a caregiver invitation's code).
    CaregiverAccessRequested => "caregiver_access.requested",
    /// A caregiver opened the portal of a patient they care for.
    CaregiverPortalViewed => "caregiver_access.portal_viewed",
    /// An admin exported the trail (or part of it) as a CSV file.
    AuditExported => "audit.exported",
    /// An admin read the trail (it names patients): one event per page read.
    AuditViewed => "audit.viewed",
    /// The developer outbox page was viewed (it shows message bodies).
    DevOutboxViewed => "dev_outbox.viewed",
    /// Staff recorded a patient's consent from the scan of a signed paper form.
    ConsentRecorded => "consent.recorded",
    /// Staff opened the scan of a signed consent form.
    ConsentScanViewed => "consent.scan_viewed",
    ConsentSigned => "consent.signed",
    /// An admin published a new version of the practice's consent text.
    ConsentTextPublished => "consent_text.published",
    /// Someone entered an invitation code and birth date: success opens a registration ticket,
    /// failure counts against the invitation.
    /// Staff (or an operator at the command line) started a bulk import of a patient file.
    ImportStarted => "import.started",
    /// A bulk import ended, with its counts.
    ImportFinished => "import.finished",
    InvitationCodeChecked => "invitation.code_checked",
    InvitationCreated => "invitation.created",
    InvitationDelivered => "invitation.delivered",
    InvitationLocked => "invitation.locked",
    InvitationRedeemed => "invitation.redeemed",
    InvitationResent => "invitation.resent",
    InvitationRevoked => "invitation.revoked",
    InvitationSent => "invitation.sent",
    /// Staff started an invitation's registration on the front-desk tablet.
    InvitationStartedOnTablet => "invitation.started_on_tablet",
    InvitationViewed => "invitation.viewed",
    /// Staff saved an intake form (a new form, or a changed one as its next version).
    IntakeFormSaved => "intake_form.saved",
    /// Staff downloaded the answers to an intake form.
    IntakeFormExported => "intake_form.exported",
    InvitationsListed => "invitation.listed",
    NotificationsListed => "notifications.read",
    /// A patient added a provider code: success links them, failure means the code was refused.
    PatientLinked => "patient.linked",
    PatientLinkApproved => "patient_link.approved",
    PatientLinkDeclined => "patient_link.declined",
    /// Staff set an end date on a patient's access to the practice (or moved it).
    PatientAccessEnded => "patient.access_ended",
    /// Staff lifted the end date of a patient's access.
    PatientAccessRestored => "patient.access_restored",
    PatientPasswordReset => "patient.password_reset",
    PatientRecoveryStarted => "patient.recovery_started",
    PatientRegistered => "patient.registered",
    /// A registration used an email address that already has an account (the caller is not told).
    PatientRegistrationAttemptOnExistingEmail => "patient.registration_on_existing_email",
    PatientSignInLocked => "patient.sign_in_locked",
    PatientSignedIn => "patient.sign_in",
    PatientSignedOut => "patient.sign_out",
    PatientSignedOutEverywhere => "patient.sign_out_everywhere",
    /// Someone asked for the usernames of a phone number (failure: none was texted).
    PatientUsernameReminded => "patient.username_reminded",
    /// A staff member opened a patient's record.
    PatientViewed => "patient.viewed",
    PatientsListed => "patient.listed",
    PendingSignUpsListed => "patient_links.pending_read",
    PracticeCreated => "practice.created",
    PracticeSettingsChanged => "practice.settings_changed",
    ProgramCreated => "program.created",
    ProgramDeleted => "program.deleted",
    ProgramUpdated => "program.updated",
    ProviderCodeDisabled => "provider_code.disabled",
    ProviderCodeRotated => "provider_code.rotated",
    ProviderCreated => "provider.created",
    /// An admin saved a provider's visit questions and how they hear of new requests.
    ProviderVisitSettingsSaved => "provider.visit_settings_saved",
    RegistrationPhoneCodeSent => "registration.phone_code_sent",
    RegistrationPhoneVerified => "registration.phone_verified",
    RegistrationStarted => "registration.started",
    /// A practice chose a sign-up code that is already taken (refused without saying by whom).
    SignupCodeCollision => "program.signup_code_collision",
    StaffCreated => "staff.created",
    /// A staff member changed their own password (failure: the current one was wrong).
    StaffPasswordChanged => "staff.password_changed",
    StaffSignInLocked => "staff.sign_in_locked",
    StaffSignedIn => "staff.sign_in",
    StaffSignedOut => "staff.sign_out",
    StaffSignedOutEverywhere => "staff.sign_out_everywhere",
    StaffUpdated => "staff.updated",
    TemplateReset => "template.reset",
    TemplateSaved => "template.saved",
    TermsAccepted => "terms.accepted",
    /// Staff sent an intake form in a secure thread.
    ThreadFormSent => "thread.form_sent",
    /// A patient (or their caregiver) submitted an intake form's answers.
    ThreadFormSubmitted => "thread.form_submitted",
    /// Staff read the answers to an intake form.
    ThreadFormRead => "thread.form_read",
    /// Someone opened a file attached to a secure thread's message (staff and caregiver reads).
    ThreadAttachmentOpened => "thread.attachment_opened",
    /// Staff invited someone without an account into a secure conversation (by email).
    ThreadInvited => "thread.invited",
    /// A message was posted in a secure thread (by staff, the patient or their caregiver).
    ThreadMessagePosted => "thread.message_posted",
    /// Someone opened a secure thread (staff reads are reads of patient data).
    ThreadRead => "thread.read",
    /// Staff started a secure thread with a patient.
    ThreadStarted => "thread.started",
    /// A patient started a secure thread with a staff member who had written with them.
    ThreadStartedByPatient => "thread.started_by_patient",
    /// A staff member read their inbox: one event per thread shown.
    ThreadsListed => "thread.listed",
    TermsPublished => "terms.published",
    /// Staff answered a visit request (accepted, proposed another time, declined).
    VisitAnswered => "visit_request.answered",
    /// A patient (or their caregiver) asked the practice for a visit.
    VisitRequested => "visit_request.created",
    /// Staff read the waiting list: one event per request shown.
    VisitRequestsListed => "visit_request.listed",
}

/// Names written before the catalogue unified them; chained rows are never rewritten, so they
/// read as the action they always meant.
const ALIASES: &[(&str, Action)] = &[
    ("invitation.code_accepted", Action::InvitationCodeChecked),
    ("invitation.redeem", Action::InvitationCodeChecked),
    ("patient.provider_code", Action::PatientLinked),
];

impl Action {
    /// Every name this action is stored under: its own, then any older ones (a filter by action
    /// must find events written under either).
    pub fn stored_names(self) -> Vec<&'static str> {
        let older = ALIASES
            .iter()
            .filter(|(_, a)| *a == self)
            .map(|(old, _)| *old);
        std::iter::once(self.as_str()).chain(older).collect()
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl serde::Serialize for Action {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// A stored action name this build does not know: the log was written by a newer version or
/// edited by hand. Reading it is an error rather than a guess.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown audit action {0:?}")]
pub struct UnknownAction(pub String);

impl From<UnknownAction> for CoreError {
    fn from(e: UnknownAction) -> CoreError {
        CoreError::Internal(e.to_string())
    }
}

/// An event about to be written; start from [`by_staff`], [`by_system`] or [`by_anonymous`].
pub struct Entry(NewEvent);

pub fn by_staff(actor: &StaffActor, action: Action, at: Timestamp) -> Entry {
    let mut e = base(action, at, &actor.client);
    e.practice_id = Some(actor.practice_id.clone());
    e.actor_kind = actor.kind.as_str().into();
    e.actor_id = Some(actor.staff_id.clone());
    e.actor_role = Some(actor.role.as_str().into());
    Entry(e)
}

/// Done from the command line or by the service itself.
pub fn by_system(kind: &str, action: Action, at: Timestamp) -> Entry {
    let mut e = base(action, at, &ClientInfo::default());
    e.actor_kind = kind.into();
    Entry(e)
}

/// Done by a signed-in patient; the event names them as its patient too.
pub fn by_patient(patient: &crate::PatientActor, action: Action, at: Timestamp) -> Entry {
    let mut e = base(action, at, &patient.client);
    e.actor_kind = "patient".into();
    e.actor_id = Some(patient.patient_id.clone());
    e.patient_id = Some(patient.patient_id.clone());
    Entry(e)
}

/// Done by a caregiver acting for the patient they care for: the caregiver is the actor, the
/// event is about the patient.
pub fn by_caregiver(
    caregiver: &crate::PatientActor,
    patient_id: &str,
    action: Action,
    at: Timestamp,
) -> Entry {
    let mut e = base(action, at, &caregiver.client);
    e.actor_kind = "caregiver".into();
    e.actor_id = Some(caregiver.patient_id.clone());
    e.patient_id = Some(patient_id.to_owned());
    Entry(e)
}

pub fn by_anonymous(action: Action, at: Timestamp, client: &ClientInfo) -> Entry {
    let mut e = base(action, at, client);
    e.actor_kind = "anonymous".into();
    Entry(e)
}

fn base(action: Action, at: Timestamp, client: &ClientInfo) -> NewEvent {
    NewEvent {
        at: at.as_millis(),
        action: action.as_str().into(),
        outcome: SUCCESS.into(),
        ip: client.ip.clone(),
        user_agent: client.user_agent.clone(),
        details: Value::Object(Default::default()),
        ..NewEvent::default()
    }
}

impl Entry {
    pub fn practice(mut self, practice_id: &str) -> Entry {
        self.0.practice_id = Some(practice_id.into());
        self
    }

    pub fn actor(mut self, kind: &str, id: &str, role: Option<&str>) -> Entry {
        self.0.actor_kind = kind.into();
        self.0.actor_id = Some(id.into());
        self.0.actor_role = role.map(Into::into);
        self
    }

    /// The patient whose data or account the event is about.
    pub fn patient(mut self, patient_id: &str) -> Entry {
        self.0.patient_id = Some(patient_id.into());
        self
    }

    pub fn subject(mut self, kind: SubjectKind, id: &str) -> Entry {
        self.0.subject_kind = Some(kind.as_str().into());
        self.0.subject_id = Some(id.into());
        self
    }

    pub fn outcome(mut self, outcome: &str) -> Entry {
        self.0.outcome = outcome.into();
        self
    }

    /// Adds an identifier or flag to the details; never personal data.
    pub fn detail(mut self, key: &str, value: impl Into<Value>) -> Entry {
        if let Value::Object(map) = &mut self.0.details {
            map.insert(key.into(), value.into());
        }
        self
    }

    pub async fn append(self, tx: &mut Tx) -> Result<(), CoreError> {
        audit::append(tx, self.0).await?;
        Ok(())
    }

    /// Appends in a transaction of its own, for events with no other change (a failed sign-in).
    pub async fn append_alone(self, store: &Store) -> Result<(), CoreError> {
        let mut tx = store.begin().await?;
        audit::append(&mut tx, self.0).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// One record shown to a staff member, and the patient it is about when it has one.
#[derive(Debug, Clone, Copy)]
pub struct Shown<'a> {
    pub kind: SubjectKind,
    pub id: &'a str,
    pub patient_id: Option<&'a str>,
}

/// Records that `actor` was shown these records (a list page, an API list, a detail view), all
/// in one transaction.
///
/// One event per shown record, with the record as subject and its patient in the event's own
/// `patient_id` column, rather than one event with the ids in its details: the question an
/// auditor asks is "who saw Maria's record, and when", and that is then the same indexed look-up
/// by patient as for every other event about her (and her own trail), with no JSON search that
/// differs per database. A page holds at most a few hundred records, so the cost stays small. An
/// empty list still leaves one event, so the read itself is on record.
pub async fn staff_saw(
    core: &Core,
    actor: &StaffActor,
    action: Action,
    shown: &[Shown<'_>],
) -> Result<(), CoreError> {
    let now = core.now();
    let mut entries = Vec::with_capacity(shown.len().max(1));
    if shown.is_empty() {
        entries.push(by_staff(actor, action, now).detail("count", 0).0);
    }
    for record in shown {
        let mut entry = by_staff(actor, action, now).subject(record.kind, record.id);
        if let Some(patient_id) = record.patient_id {
            entry = entry.patient(patient_id);
        }
        entries.push(entry.0);
    }
    // One claim of the chain's head for the whole page (see `audit::append_all`).
    let mut tx = core.store().begin().await?;
    audit::append_all(&mut tx, entries).await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_has_its_own_name_and_reads_back() {
        let mut names = std::collections::HashSet::new();
        for &action in Action::ALL {
            assert!(names.insert(action.as_str()), "{action} is named twice");
            assert_eq!(action.as_str().parse::<Action>(), Ok(action));
        }
    }

    #[test]
    fn names_from_before_the_catalogue_still_read() {
        for (old, now) in [
            ("invitation.code_accepted", Action::InvitationCodeChecked),
            ("invitation.redeem", Action::InvitationCodeChecked),
            ("patient.provider_code", Action::PatientLinked),
        ] {
            assert_eq!(old.parse::<Action>(), Ok(now));
            assert!(now.stored_names().contains(&old), "a filter finds {old}");
        }
    }

    #[test]
    fn an_unknown_stored_action_is_an_error() {
        assert_eq!(
            "invitation.teleported".parse::<Action>(),
            Err(UnknownAction("invitation.teleported".into()))
        );
    }
}
