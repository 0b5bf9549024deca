//! Caregivers with proxy access (docs/PRODUCT.md §5a). A caregiver invited with a patient gets an
//! account of their own — or adds the invitation to the one they have, so that a parent of three
//! children keeps one account — and sees the patient's portal at that practice once four things
//! hold: the caregiver has an account, the patient has registered, the patient approved (or
//! staff recorded the caregiver's authority: a parent of a minor, a legal guardian) and the
//! caregiver confirmed the patient's birth date. Access is full (see and act) or read only, and
//! the patient or staff can end it at any time, effective with the next request: every page
//! the caregiver opens for the patient asks [`acting::acting_for`] again.
//!
//! `joining` writes the access when an invitation is redeemed, `approval` holds the patient's
//! and staff's decisions, `acting` what a caregiver does for the patient, audited as the
//! caregiver acting for them.

mod acting;
mod approval;
mod joining;

pub use acting::{
    ActingFor, CaredForView, acting_for, add_provider_code_for, cared_for, confirm_birth_date,
};
pub use approval::{
    approve, end_by_caregiver, end_by_patient, end_by_staff, record_authority,
    set_level_by_patient, set_level_by_staff,
};
pub use joining::accept_invitation;
pub(crate) use joining::invitation_redeemed;

use portico_domain::{AccessLevel, CaregiverAuthority};
use portico_store::caregivers::{self as store, AccessRow};

use crate::PatientActor;
use crate::platform::clock::Timestamp;
use crate::{Core, CoreError};

/// Wrong tries at the patient's birth date before the access ends (staff invite again).
pub const BIRTH_DATE_TRIES: i64 = 5;

/// Where an access stands, in the order its conditions are met.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AccessState {
    /// The patient has not registered yet.
    AwaitingPatient,
    /// The patient has not approved, and staff have not recorded the caregiver's authority.
    AwaitingApproval,
    /// Approved; the caregiver has yet to confirm the patient's birth date.
    AwaitingBirthDate,
    /// The caregiver sees the patient's portal at this practice.
    Active,
    /// Withdrawn by the patient or staff, given up by the caregiver, or ended after too many
    /// wrong birth dates.
    Ended,
}

/// Who approved an access.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ApprovedBy {
    /// The patient, in their portal.
    Patient,
    /// Staff, recording the caregiver's authority.
    Staff,
}

/// A caregiver's access to one patient's portal at one practice.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaregiverAccess {
    pub id: String,
    pub practice_name: String,
    pub caregiver_id: String,
    pub caregiver_name: String,
    /// The patient's account, once they have registered.
    pub patient_id: Option<String>,
    pub patient_name: String,
    pub state: AccessState,
    pub level: AccessLevel,
    pub approved_by: Option<ApprovedBy>,
    /// The authority staff recorded, when staff approved.
    pub authority: Option<CaregiverAuthority>,
    pub birth_date_confirmed: bool,
    /// When the caregiver's account got the access (RFC 3339).
    pub created_at: String,
    /// When it ended (RFC 3339).
    pub ended_at: Option<String>,
    #[serde(skip)]
    pub practice_id: String,
    /// For an open access: whether the patient still sees the practice (an end-dated patient is
    /// closed to their caregiver too).
    #[serde(skip)]
    pub reachable: bool,
}

impl CaregiverAccess {
    fn from_row(row: AccessRow) -> Result<CaregiverAccess, CoreError> {
        let state = match &row {
            r if r.ended_at.is_some() => AccessState::Ended,
            r if r.patient_id.is_none() => AccessState::AwaitingPatient,
            r if r.approved_at.is_none() => AccessState::AwaitingApproval,
            r if r.birth_date_confirmed_at.is_none() => AccessState::AwaitingBirthDate,
            _ => AccessState::Active,
        };
        let approved_by = match row.approved_by_kind.as_deref() {
            None => None,
            Some("patient") => Some(ApprovedBy::Patient),
            Some("staff") => Some(ApprovedBy::Staff),
            Some(other) => {
                return Err(CoreError::Internal(format!(
                    "unknown approver kind {other:?}"
                )));
            }
        };
        let authority = row
            .authority
            .as_deref()
            .map(CaregiverAuthority::parse)
            .transpose()
            .map_err(|e| CoreError::Internal(e.to_string()))?;
        Ok(CaregiverAccess {
            id: row.id,
            practice_name: row.practice_name,
            caregiver_id: row.caregiver_id,
            caregiver_name: format!("{} {}", row.caregiver_first_name, row.caregiver_last_name),
            patient_id: row.patient_id,
            patient_name: format!("{} {}", row.patient_first_name, row.patient_last_name),
            state,
            level: row.level,
            approved_by,
            authority,
            birth_date_confirmed: row.birth_date_confirmed_at.is_some(),
            created_at: Timestamp::from_millis(row.created_at).to_rfc3339(),
            ended_at: row
                .ended_at
                .map(|at| Timestamp::from_millis(at).to_rfc3339()),
            practice_id: row.practice_id,
            reachable: true,
        })
    }

    pub fn is_active(&self) -> bool {
        self.state == AccessState::Active
    }

    pub fn is_ended(&self) -> bool {
        self.state == AccessState::Ended
    }

    pub fn is_read_only(&self) -> bool {
        self.level == AccessLevel::ReadOnly
    }

    /// Where it stands, as the caregiver reads it.
    pub fn caregiver_sees(&self) -> &'static str {
        match self.state {
            AccessState::AwaitingPatient => "Waiting for them to register.",
            AccessState::AwaitingApproval => "Waiting for their approval (or the practice's).",
            AccessState::AwaitingBirthDate => "Approved. Confirm their date of birth to open it.",
            AccessState::Active if !self.reachable => {
                "Their access to this practice has ended, so you cannot open it either."
            }
            AccessState::Active => "You can open their portal.",
            AccessState::Ended => "Your access has ended.",
        }
    }

    /// Where it stands, as the patient and staff read it.
    pub fn patient_sees(&self) -> &'static str {
        match self.state {
            AccessState::AwaitingPatient => "Waiting for the patient to register.",
            AccessState::AwaitingApproval => "Asks for access: waiting for approval.",
            AccessState::AwaitingBirthDate => {
                "Approved: waiting for the caregiver to confirm the date of birth."
            }
            AccessState::Active => "Has access.",
            AccessState::Ended => "Access ended.",
        }
    }
}

fn read_all(rows: Vec<AccessRow>) -> Result<Vec<CaregiverAccess>, CoreError> {
    rows.into_iter().map(CaregiverAccess::from_row).collect()
}

/// The signed-in account's caregivers and the people it cares for.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Sharing {
    /// Caregivers of this account's patient: who asks for or has access to their portal.
    pub caregivers: Vec<CaregiverAccess>,
    /// The patients this account cares for.
    pub cared_for: Vec<CaregiverAccess>,
}

impl Sharing {
    /// Caregivers waiting for this patient's approval.
    pub fn requests(&self) -> impl Iterator<Item = &CaregiverAccess> {
        self.caregivers
            .iter()
            .filter(|a| a.state == AccessState::AwaitingApproval)
    }

    /// The people whose portal this account can open now.
    pub fn open(&self) -> impl Iterator<Item = &CaregiverAccess> {
        self.cared_for
            .iter()
            .filter(|a| a.is_active() && a.reachable)
    }
}

/// Both sides for the signed-in account.
pub async fn sharing(core: &Core, account: &PatientActor) -> Result<Sharing, CoreError> {
    let mut cared_for = read_all(store::for_caregiver(core.store(), &account.patient_id).await?)?;
    for access in cared_for.iter_mut().filter(|a| a.is_active()) {
        access.reachable = acting::acting_for(core, account, &access.id).await.is_ok();
    }
    Ok(Sharing {
        caregivers: read_all(store::for_patient(core.store(), &account.patient_id).await?)?,
        cared_for,
    })
}

/// The practice's accesses where `person_id` is the patient or the caregiver, for the record
/// staff see (the record's own read is audited by its caller).
pub async fn in_practice_for(
    core: &Core,
    practice_id: &str,
    person_id: &str,
) -> Result<Vec<CaregiverAccess>, CoreError> {
    read_all(store::in_practice_for(core.store(), practice_id, person_id).await?)
}

/// One access, read fresh.
async fn load(core: &Core, id: &str) -> Result<CaregiverAccess, CoreError> {
    let row = store::find(core.store(), id)
        .await?
        .ok_or(CoreError::NotFound)?;
    CaregiverAccess::from_row(row)
}
