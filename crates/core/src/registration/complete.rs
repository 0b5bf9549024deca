//! The last step: the account is made from a finished registration — the patient, their link to
//! the practice (and provider, and program, under its policy), the accepted terms, the consent,
//! the invitation marked redeemed, the audit trail — and signed in, all in one transaction. The
//! guarded updates at the start (ticket, invitation) decide races between two completions.

use portico_domain::{ConsentMethod, EmailAddress, InvitationState, ProgramPolicy};
use portico_domain::{LinkSource, LinkStatus, SubjectKind};
use portico_store::links::{self as patient_links, LinkRow};
use portico_store::registration::{self as registrations, RegistrationRow};
use portico_store::{
    Tx, accounts::patients, invitations as invitations_store, registration::consents,
    registration::terms as terms_store, registration::tickets,
};

use super::Step;
use super::draft::{self, Draft};
use crate::PatientActor;
use crate::accounts::patient_sessions::{self, PatientSession};
use crate::audit::{self, Action};
use crate::links;
use crate::platform::actor::ClientInfo;
use crate::platform::clock::Timestamp;
use crate::{Core, CoreError, FieldErrors, new_id};

/// A new account, signed in.
#[derive(Debug)]
pub struct Registered {
    pub session: PatientSession,
    /// Set for accounts without email: the name to sign in with.
    pub username: Option<String>,
    /// The conversation the patient was invited into, opened by this registration: where they
    /// land (while their access is in force).
    pub thread_id: Option<String>,
}

/// Creates the account once every step is done: the patient, their link to the practice (and
/// provider, and program, under its policy), the accepted terms, the consent, the invitation
/// marked redeemed — all in one transaction — and then a session. A registration started on the
/// practice's tablet is finished there ([`complete_on_tablet`]), never here.
pub async fn complete(
    core: &Core,
    ticket: &str,
    client: &ClientInfo,
) -> Result<Registered, CoreError> {
    let draft = draft::load(core, ticket).await?;
    if draft.kiosk_staff_id.is_some() {
        return Err(CoreError::Conflict(
            "This registration was started on the practice's tablet: finish it there.",
        ));
    }
    let made = create(core, &draft, client).await?;
    let session = made
        .session
        .ok_or_else(|| CoreError::Internal("an own-device registration signs in".into()))?;
    Ok(Registered {
        username: made.username,
        session,
        thread_id: made.thread_id,
    })
}

/// Creates the account of a registration started on the practice's front-desk tablet, as
/// [`complete`] does, with the consent signed there witnessed by the staff member who started it
/// — and no session: the tablet is shared, and returns to a neutral screen.
pub async fn complete_on_tablet(
    core: &Core,
    ticket: &str,
    client: &ClientInfo,
) -> Result<(), CoreError> {
    let draft = draft::load(core, ticket).await?;
    if draft.kiosk_staff_id.is_none() {
        return Err(CoreError::Conflict(
            "This registration was not started on the practice's tablet.",
        ));
    }
    create(core, &draft, client).await?;
    Ok(())
}

/// What [`create`] made besides the account.
struct Made {
    username: Option<String>,
    session: Option<PatientSession>,
    thread_id: Option<String>,
}

/// The account, in one transaction; its session unless it was made on the tablet.
async fn create(core: &Core, draft: &Draft, client: &ClientInfo) -> Result<Made, CoreError> {
    let saved = draft.require(Step::Complete)?;
    let account = NewAccount::new(draft, saved, client, core.now());

    let mut tx = core.store().begin().await?;
    account.claim(&mut tx).await?;
    account.insert_patient(&mut tx).await?;
    let link = account.link_to_practice(&mut tx).await?;
    account.carry_over_terms(&mut tx).await?;
    account.carry_over_consent(&mut tx).await?;
    account.record_redemption(&mut tx).await?;
    account.begin_caregiver_access(&mut tx).await?;
    let thread_id = account.open_invited_thread(&mut tx, &link).await?;
    registrations::delete(&mut tx, &draft.ticket_hash).await?;
    account.audit_registered(&mut tx, &link).await?;
    // The new account is signed in by the same transaction that creates it, except on the
    // practice's shared tablet.
    let session = if draft.kiosk_staff_id.is_some() {
        None
    } else {
        Some(account.sign_in(&mut tx, core).await?)
    };
    tx.commit().await?;
    Ok(Made {
        username: saved.username.clone(),
        session,
        thread_id,
    })
}

/// An account being made from a finished registration; each method writes one part of it in the
/// caller's transaction.
struct NewAccount<'a> {
    draft: &'a Draft,
    saved: &'a RegistrationRow,
    patient_id: String,
    email_key: Option<String>,
    client: &'a ClientInfo,
    now: Timestamp,
}

impl<'a> NewAccount<'a> {
    fn new(
        draft: &'a Draft,
        saved: &'a RegistrationRow,
        client: &'a ClientInfo,
        now: Timestamp,
    ) -> NewAccount<'a> {
        NewAccount {
            draft,
            saved,
            patient_id: new_id(),
            email_key: saved
                .email
                .as_deref()
                .and_then(|e| EmailAddress::parse(e).ok())
                .map(|e| e.lookup_key()),
            client,
            now,
        }
    }

    /// Takes the ticket and the invitation for this account, refusing when another completion
    /// took them first or an account already has the email address or username.
    async fn claim(&self, tx: &mut Tx) -> Result<(), CoreError> {
        let now = self.now.as_millis();
        // The guarded update decides races: of two completions of one ticket, exactly one gets here.
        if tickets::consume(&mut *tx, &self.draft.ticket_hash, now)
            .await?
            .is_none()
        {
            return Err(CoreError::RegistrationExpired);
        }
        if patients::exists(
            &mut *tx,
            self.email_key.as_deref(),
            self.saved.username.as_deref(),
        )
        .await?
        {
            return Err(FieldErrors::single(
                "email",
                "An account with this email address already exists. Sign in instead.",
            )
            .into());
        }
        if let Some(invitation) = &self.draft.invitation
            && !invitations_store::redeem(tx, &invitation.id, now).await?
        {
            return Err(CoreError::Conflict(
                "This invitation has already been used to create an account. Sign in instead.",
            ));
        }
        Ok(())
    }

    async fn insert_patient(&self, tx: &mut Tx) -> Result<(), CoreError> {
        let saved = self.saved;
        let now = self.now.as_millis();
        patients::insert(
            tx,
            &patients::PatientRow {
                id: self.patient_id.clone(),
                email: saved.email.clone(),
                email_key: self.email_key.clone(),
                username: saved.username.clone(),
                first_name: saved.first_name.clone(),
                last_name: saved.last_name.clone(),
                birth_date: saved.birth_date.clone(),
                phone: saved.phone.clone(),
                phone_verified_at: saved.phone_verified_at.unwrap_or(now),
                password_hash: saved.password_hash.clone(),
                created_at: now,
                updated_at: now,
            },
        )
        .await?;
        Ok(())
    }

    /// Links the patient to the practice (and provider, and program). A program's policy applies
    /// to self-registration with its sign-up code — the link waits for approval, or staff are
    /// notified; staff who invite a patient into a program have already decided.
    async fn link_to_practice(&self, tx: &mut Tx) -> Result<LinkRow, CoreError> {
        let draft = self.draft;
        let policy = match (&draft.program, &draft.invitation) {
            (Some(program), None) => ProgramPolicy::parse(&program.policy).ok(),
            _ => None,
        };
        let pending = policy == Some(ProgramPolicy::Approval);
        let link = LinkRow {
            id: new_id(),
            patient_id: self.patient_id.clone(),
            practice_id: draft.practice.id.clone(),
            provider_id: draft.provider_id.clone(),
            program_id: draft.program.as_ref().map(|p| p.id.clone()),
            invitation_id: draft.invitation.as_ref().map(|i| i.id.clone()),
            source: if draft.invitation.is_some() {
                LinkSource::Invitation
            } else if draft.program.is_some() {
                LinkSource::SignupCode
            } else {
                LinkSource::ProviderCode
            },
            status: if pending {
                LinkStatus::Pending
            } else {
                LinkStatus::Active
            },
            created_at: self.now.as_millis(),
            decided_at: None,
            decided_by: None,
            ended_at: None,
        };
        patient_links::insert_new(&mut *tx, &link).await?;
        links::patient_terms::index_in_practice(tx, &link.practice_id, &link.patient_id).await?;
        match policy {
            Some(ProgramPolicy::Notify) => {
                links::notify(tx, &link, "patient.signed_up", self.now).await?
            }
            Some(ProgramPolicy::Approval) => {
                links::notify(tx, &link, "patient.awaits_approval", self.now).await?
            }
            _ => {}
        }
        Ok(link)
    }

    /// The terms accepted during registration become the account's acceptance.
    async fn carry_over_terms(&self, tx: &mut Tx) -> Result<(), CoreError> {
        let saved = self.saved;
        let (Some(version), Some(at)) = (saved.terms_version, saved.terms_accepted_at) else {
            return Ok(());
        };
        let practice_id = &self.draft.practice.id;
        terms_store::accept(
            &mut *tx,
            &self.patient_id,
            practice_id,
            version,
            at,
            saved.terms_ip.as_deref(),
        )
        .await?;
        audit::by_anonymous(Action::TermsAccepted, self.now, self.client)
            .practice(practice_id)
            .patient(&self.patient_id)
            .detail("version", version)
            .append(tx)
            .await?;
        Ok(())
    }

    /// The consent signed during registration (when it was asked for) becomes the account's. An
    /// invitation with consent on paper — or on the tablet, redeemed elsewhere — leaves the
    /// account waiting for consent given at the practice: staff upload the signed form.
    async fn carry_over_consent(&self, tx: &mut Tx) -> Result<(), CoreError> {
        let saved = self.saved;
        let on_tablet = self.draft.kiosk_staff_id.is_some();
        let given_at_the_practice = |method: &str| {
            method == ConsentMethod::Paper.as_str() || method == ConsentMethod::Tablet.as_str()
        };
        if let Some(invitation) = &self.draft.invitation
            && given_at_the_practice(&invitation.consent_method)
            && !on_tablet
        {
            consents::await_paper(
                &mut *tx,
                &self.patient_id,
                &self.draft.practice.id,
                Some(&invitation.id),
                self.now.as_millis(),
            )
            .await?;
        }
        let (Some(version), Some(signature), Some(at)) = (
            &saved.consent_version,
            &saved.consent_signature,
            saved.consent_signed_at,
        ) else {
            return Ok(());
        };
        let draft = self.draft;
        let method = if on_tablet {
            ConsentMethod::Tablet
        } else {
            ConsentMethod::InApp
        };
        consents::insert(
            &mut *tx,
            &consents::ConsentRow {
                id: new_id(),
                patient_id: self.patient_id.clone(),
                practice_id: draft.practice.id.clone(),
                invitation_id: draft.invitation.as_ref().map(|i| i.id.clone()),
                version: *version,
                signature: signature.clone(),
                signed_at: at,
                ip: saved.consent_ip.clone(),
                method: method.as_str().to_owned(),
                witnessed_by: self.draft.kiosk_staff_id.clone(),
            },
        )
        .await?;
        audit::by_anonymous(Action::ConsentSigned, self.now, self.client)
            .practice(&draft.practice.id)
            .patient(&self.patient_id)
            .detail("version", *version)
            .detail("method", method.as_str())
            .append(tx)
            .await?;
        Ok(())
    }

    /// Writes the invitation's move to `redeemed` (taken in `claim`) to its history and the audit
    /// trail, as the new patient's doing.
    async fn record_redemption(&self, tx: &mut Tx) -> Result<(), CoreError> {
        let Some(invitation) = &self.draft.invitation else {
            return Ok(());
        };
        crate::invitations::record_event(
            &mut *tx,
            &invitation.practice_id,
            &invitation.id,
            InvitationState::Redeemed,
            crate::invitations::MovedBy::Patient(&self.patient_id),
            self.now,
        )
        .await?;
        // The name may be corrected while registering (the birth date may not): the trail says
        // whether it was, the invitation view shows the name the account got.
        let name_corrected = invitation.first_name != self.saved.first_name
            || invitation.last_name != self.saved.last_name;
        audit::by_anonymous(Action::InvitationRedeemed, self.now, self.client)
            .practice(&invitation.practice_id)
            .subject(SubjectKind::Invitation, &invitation.id)
            .patient(&self.patient_id)
            .detail("name_corrected", name_corrected)
            .append(tx)
            .await?;
        Ok(())
    }

    /// A caregiver's account gets access waiting for its patient; a patient's account is named
    /// on the accesses of caregivers invited with them.
    async fn begin_caregiver_access(&self, tx: &mut Tx) -> Result<(), CoreError> {
        let Some(invitation) = &self.draft.invitation else {
            return Ok(());
        };
        let event = |action| {
            audit::by_anonymous(action, self.now, self.client).actor(
                "patient",
                &self.patient_id,
                None,
            )
        };
        crate::caregivers::invitation_redeemed(tx, invitation, &self.patient_id, event, self.now)
            .await
    }

    /// The conversation staff invited the patient into, opened now; its id when the patient can
    /// read it at once (a link waiting for approval or for a consent form on paper cannot).
    async fn open_invited_thread(
        &self,
        tx: &mut Tx,
        link: &LinkRow,
    ) -> Result<Option<String>, CoreError> {
        let Some(invitation) = &self.draft.invitation else {
            return Ok(None);
        };
        let event = |action| {
            audit::by_anonymous(action, self.now, self.client).actor(
                "patient",
                &self.patient_id,
                None,
            )
        };
        let opened = crate::threads::invited::invitation_redeemed(
            tx,
            invitation,
            &self.patient_id,
            event,
            self.now,
        )
        .await?;
        let waits_for_paper =
            consents::awaited_by(&mut *tx, &self.patient_id, self.now.as_millis())
                .await?
                .iter()
                .any(|(practice_id, _)| *practice_id == link.practice_id);
        Ok(opened.filter(|_| link.status == LinkStatus::Active && !waits_for_paper))
    }

    async fn audit_registered(&self, tx: &mut Tx, link: &LinkRow) -> Result<(), CoreError> {
        audit::by_anonymous(Action::PatientRegistered, self.now, self.client)
            .practice(&self.draft.practice.id)
            .subject(SubjectKind::PatientLink, &link.id)
            .patient(&self.patient_id)
            .detail("source", link.source.as_str())
            .detail("status", link.status.as_str())
            .append(tx)
            .await?;
        Ok(())
    }

    async fn sign_in(&self, tx: &mut Tx, core: &Core) -> Result<PatientSession, CoreError> {
        let patient = PatientActor {
            patient_id: self.patient_id.clone(),
            first_name: self.saved.first_name.clone(),
            last_name: self.saved.last_name.clone(),
            username: self.saved.username.clone(),
            client: self.client.clone(),
        };
        let token = patient_sessions::insert_session(tx, core, &patient).await?;
        Ok(PatientSession { token, patient })
    }
}
