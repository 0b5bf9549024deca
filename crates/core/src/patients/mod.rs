//! The practice's patients as its staff see them (docs/PRODUCT.md §7): the list — searched by
//! name, email, username or phone digits (folded alike on both databases), narrowed by date of
//! birth, provider, program and standing, a page at a time by last name with keyset cursors —
//! and one patient's record: details, links to the practice, its providers and programs, the
//! invitations of their household, the consents they signed and the trail of what was done about
//! them. Staff of another practice find nothing (404). Every read is audited with the patient.
//! `end_dating` ends (and restores) a patient's access to the practice.

pub mod end_dating;
pub mod paper_consent;

pub use crate::links::patient_terms::index_unindexed;

use portico_domain::{LinkSource, LinkStatus, SearchQuery, SubjectKind};
use portico_store::patients::{self as store, ListFilter, PatientListRow};
use time::Date;
use time::macros::format_description;

use crate::audit::{self, Action, Shown, TrailItem};
use crate::platform::actor::StaffActor;
use crate::platform::clock::Timestamp;
use crate::platform::cursor;
use crate::{Core, CoreError, FieldErrors};

/// How a patient stands with the practice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Standing {
    /// At least one link in force: the patient sees the practice.
    Active,
    /// No link in force, one waiting for staff to approve a sign-up.
    Waiting,
    /// Every link ended (end-dated by staff): the practice's history stays readable to staff.
    Ended,
}

impl Standing {
    pub const ALL: &'static [Standing] = &[Standing::Active, Standing::Waiting, Standing::Ended];

    pub fn as_str(self) -> &'static str {
        match self {
            Standing::Active => "active",
            Standing::Waiting => "waiting",
            Standing::Ended => "ended",
        }
    }

    /// As the front desk reads it.
    pub fn label(self) -> &'static str {
        match self {
            Standing::Active => "Active",
            Standing::Waiting => "Waiting for approval",
            Standing::Ended => "Access ended",
        }
    }

    pub fn parse(s: &str) -> Option<Standing> {
        Standing::ALL.iter().copied().find(|x| x.as_str() == s)
    }

    fn of(row: &PatientListRow) -> Standing {
        if row.in_force > 0 {
            Standing::Active
        } else if row.waiting > 0 {
            Standing::Waiting
        } else {
            Standing::Ended
        }
    }
}

/// Filters for the list, as typed in the query string.
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
#[serde(default)]
pub struct PatientsQuery {
    /// Words that start the patient's first or last name, email address or username, or digits
    /// of their phone number; case and accents do not matter, and every word must match. At most
    /// 4 words and 200 characters.
    #[cfg_attr(feature = "openapi", param(max_length = 200))]
    pub q: Option<String>,
    /// Only patients born on this day (`1980-04-12`).
    pub birth_date: Option<String>,
    /// Only patients linked to this provider (the provider's id).
    pub provider_id: Option<String>,
    /// Only patients in this program (the program's id).
    pub program_id: Option<String>,
    /// Only patients who stand so with the practice; blank for all.
    #[cfg_attr(
        feature = "openapi",
        param(value_type = Option<portico_domain::schema::OrBlank<Standing>>, inline)
    )]
    pub standing: Option<String>,
    /// Patients a page, 1 to 200 (default 50).
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 200))]
    pub limit: Option<i64>,
    /// The `next_cursor` of a page, for the page after it; any other text answers 422.
    pub cursor: Option<String>,
}

/// One line of the list.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PatientSummary {
    pub id: String,
    pub first_name: String,
    pub last_name: String,
    /// `YYYY-MM-DD`.
    pub birth_date: String,
    pub email: Option<String>,
    /// For a patient without email: the name they sign in with.
    pub username: Option<String>,
    /// E.164.
    pub phone: String,
    pub standing: Standing,
    /// When the patient was first linked to the practice (RFC 3339).
    pub linked_at: String,
    /// When their access ends, if an end date lies ahead (RFC 3339).
    pub access_ends_at: Option<String>,
    /// When their access ended, if it has (RFC 3339).
    pub access_ended_at: Option<String>,
    /// Whether their account waits for their signed paper consent form: until staff upload its
    /// scan, the patient does not see the practice.
    pub consent_awaited: bool,
}

impl PatientSummary {
    fn from_row(row: &PatientListRow) -> PatientSummary {
        let ended = Standing::of(row) == Standing::Ended;
        PatientSummary {
            id: row.id.clone(),
            first_name: row.first_name.clone(),
            last_name: row.last_name.clone(),
            birth_date: row.birth_date.clone(),
            email: row.email.clone(),
            username: row.username.clone(),
            phone: row.phone.clone(),
            standing: Standing::of(row),
            linked_at: Timestamp::from_millis(row.linked_at).to_rfc3339(),
            access_ends_at: row
                .ends_at
                .map(|at| Timestamp::from_millis(at).to_rfc3339()),
            access_ended_at: row
                .ended_at
                .filter(|_| ended)
                .map(|at| Timestamp::from_millis(at).to_rfc3339()),
            consent_awaited: row.consent_awaited,
        }
    }

    /// "Lopez, Maria".
    pub fn listed_name(&self) -> String {
        format!("{}, {}", self.last_name, self.first_name)
    }
}

#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = PatientPage))]
pub struct PatientsPage {
    pub items: Vec<PatientSummary>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

pub const DEFAULT_PAGE: i64 = 50;
pub const MAX_PAGE: i64 = 200;

const BAD_CURSOR: &str =
    "This page link is not one we gave out; start from the first page of patients.";

fn blank_to_none(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// A cursor: the id, then the sort key (which may hold any character).
fn encode_cursor(sort_name: &str, id: &str) -> String {
    cursor::encode(&[id, sort_name])
}

fn decode_cursor(text: &str) -> Option<(String, String)> {
    let [id, key] = cursor::decode(text)?;
    (!id.is_empty()).then_some((key, id))
}

/// Reads a day typed as `YYYY-MM-DD`.
pub(crate) fn read_day(text: &str) -> Option<Date> {
    Date::parse(text.trim(), format_description!("[year]-[month]-[day]")).ok()
}

/// The query, read: the store's filter and the search that narrows it.
fn read_query(query: &PatientsQuery) -> Result<(ListFilter, Option<SearchQuery>), CoreError> {
    let mut errors = FieldErrors::new();
    let standing = blank_to_none(&query.standing).and_then(|s| {
        errors
            .take(
                "standing",
                Standing::parse(s).ok_or("Choose active, waiting or ended."),
            )
            .map(|s| s.as_str().to_owned())
    });
    let birth_date = blank_to_none(&query.birth_date).and_then(|d| {
        errors
            .take(
                "birth_date",
                read_day(d)
                    .ok_or("Enter the date of birth as year, month and day, such as 1980-04-12."),
            )
            .map(|d| format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day()))
    });
    let search = match &query.q {
        Some(q) => errors.take("q", SearchQuery::parse(q)).flatten(),
        None => None,
    };
    let limit = query.limit.unwrap_or(DEFAULT_PAGE);
    if !(1..=MAX_PAGE).contains(&limit) {
        errors.add("limit", format!("Ask for 1 to {MAX_PAGE} patients a page."));
    }
    let after = blank_to_none(&query.cursor)
        .and_then(|c| errors.take("cursor", decode_cursor(c).ok_or(BAD_CURSOR)));
    errors.into_result()?;
    let filter = ListFilter {
        standing,
        provider_id: blank_to_none(&query.provider_id).map(str::to_owned),
        program_id: blank_to_none(&query.program_id).map(str::to_owned),
        birth_date,
        among: None,
        patient_id: None,
        after,
        // One more than the page tells whether another page follows.
        limit: limit + 1,
    };
    Ok((filter, search))
}

/// A page of the actor's practice's patients by last name; the read is audited, one event per
/// patient shown.
pub async fn list(
    core: &Core,
    actor: &StaffActor,
    query: &PatientsQuery,
) -> Result<PatientsPage, CoreError> {
    let (mut filter, search) = read_query(query)?;
    if let Some(search) = search {
        let needles: Vec<Vec<String>> = search.needles().iter().map(|n| n.prefixes()).collect();
        let found = store::search::matching(core.store(), &actor.practice_id, &needles).await?;
        filter.among = Some(found);
    }
    let page = filter.limit - 1;
    let mut rows = store::list(
        core.store(),
        &actor.practice_id,
        &filter,
        core.now().as_millis(),
    )
    .await?;
    let more = rows.len() as i64 > page;
    rows.truncate(usize::try_from(page).unwrap_or(0));
    let next_cursor = rows
        .last()
        .filter(|_| more)
        .map(|r| encode_cursor(&r.sort_name, &r.id));
    let items: Vec<PatientSummary> = rows.iter().map(PatientSummary::from_row).collect();
    let shown: Vec<Shown> = (items.iter())
        .map(|p| Shown {
            kind: SubjectKind::Patient,
            id: &p.id,
            patient_id: Some(&p.id),
        })
        .collect();
    audit::staff_saw(core, actor, Action::PatientsListed, &shown).await?;
    Ok(PatientsPage { items, next_cursor })
}

/// One of the patient's links to the practice.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecordLink {
    pub id: String,
    /// The provider, for a link to one of the practice's providers.
    pub provider_name: Option<String>,
    /// The program, for an enrolment.
    pub program_name: Option<String>,
    /// The invitation it came by, if it did.
    pub invitation_id: Option<String>,
    pub source: LinkSource,
    pub status: LinkStatus,
    pub created_at: String,
    /// When it ends or ended (RFC 3339), if an end is set.
    pub ends_at: Option<String>,
    /// Whether the practice set the end (staff or an integration), rather than a declined
    /// sign-up: such an end can be moved or lifted.
    pub end_set_by_practice: bool,
    /// Who set the end: a staff member's name, or an API token's label.
    pub ended_by: Option<String>,
}

/// An invitation of the patient's household: theirs, or one made in the same step (a related
/// patient or a caregiver).
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HouseholdInvitation {
    pub id: String,
    pub first_name: String,
    pub last_name: String,
    pub relation: portico_domain::Relation,
    pub state: portico_domain::InvitationState,
    /// Whether the patient registered with it.
    pub own: bool,
    /// The patient it made, once redeemed (and linked to the practice).
    pub patient_id: Option<String>,
    pub created_at: String,
}

/// A consent the patient gave the practice.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConsentRecord {
    pub id: String,
    /// The version of the practice's consent text.
    pub version: i64,
    /// How it was given: in the app (the typed full name is the signature) or on paper.
    pub method: portico_domain::ConsentMethod,
    /// In the app, the typed full name that is the signature; on paper, the name the form was
    /// for.
    pub signature: String,
    /// When it was signed in the app, or the paper form was recorded.
    pub signed_at: String,
    /// The staff member who witnessed it (tablet and paper).
    pub witnessed_by: Option<String>,
    /// Whether the scan of the signed form can be downloaded.
    pub has_scan: bool,
}

/// A patient's record.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PatientRecord {
    #[serde(flatten)]
    pub patient: PatientSummary,
    /// When the account was made (RFC 3339).
    pub registered_at: String,
    pub links: Vec<RecordLink>,
    pub invitations: Vec<HouseholdInvitation>,
    pub consents: Vec<ConsentRecord>,
    /// Since when the patient's account waits for their signed paper consent form (RFC 3339):
    /// until staff upload its scan, the patient does not see the practice.
    pub consent_awaited_since: Option<String>,
    /// Caregivers with (or asking for) access to this patient's portal at the practice, and
    /// the patients this person cares for, oldest first.
    pub caregiver_access: Vec<crate::caregivers::CaregiverAccess>,
    /// The newest events about the patient, told (at most 50).
    #[serde(skip)]
    pub trail: Vec<TrailItem>,
}

impl PatientRecord {
    /// The caregivers of this patient.
    pub fn caregivers(&self) -> impl Iterator<Item = &crate::caregivers::CaregiverAccess> {
        let id = self.patient.id.clone();
        self.caregiver_access
            .iter()
            .filter(move |a| a.patient_id.as_deref() == Some(id.as_str()))
    }

    /// The patients this person cares for.
    pub fn cares_for(&self) -> impl Iterator<Item = &crate::caregivers::CaregiverAccess> {
        let id = self.patient.id.clone();
        self.caregiver_access
            .iter()
            .filter(move |a| a.caregiver_id == id)
    }
}

/// Events of the record's trail.
const TRAIL: i64 = 50;

/// The patient's record in the actor's practice; another practice's patient (or an unknown id)
/// is not found. The read is audited.
pub async fn record(
    core: &Core,
    actor: &StaffActor,
    patient_id: &str,
) -> Result<PatientRecord, CoreError> {
    let now = core.now().as_millis();
    let filter = ListFilter {
        patient_id: Some(patient_id.to_owned()),
        limit: 1,
        ..ListFilter::default()
    };
    let row = store::list(core.store(), &actor.practice_id, &filter, now)
        .await?
        .into_iter()
        .next()
        .ok_or(CoreError::NotFound)?;
    let links = store::links(core.store(), &actor.practice_id, patient_id).await?;
    let own: Vec<&str> = links
        .iter()
        .filter_map(|l| l.invitation_id.as_deref())
        .collect();
    let invitations = store::household_invitations(core.store(), &actor.practice_id, patient_id)
        .await?
        .into_iter()
        .map(|i| {
            Ok(HouseholdInvitation {
                own: own.contains(&i.id.as_str()),
                relation: portico_domain::Relation::parse(&i.relation).ok_or_else(|| {
                    CoreError::Internal(format!("unknown relation {:?}", i.relation))
                })?,
                state: portico_domain::InvitationState::parse(&i.state)
                    .map_err(|_| CoreError::Internal("stored state is unknown".into()))?,
                id: i.id,
                first_name: i.first_name,
                last_name: i.last_name,
                patient_id: i.patient_id.filter(|p| p != patient_id),
                created_at: Timestamp::from_millis(i.created_at).to_rfc3339(),
            })
        })
        .collect::<Result<Vec<HouseholdInvitation>, CoreError>>()?;
    // Their own invitation first, then the others made in the same step, oldest first.
    let mut invitations = invitations;
    invitations.sort_by_key(|i| !i.own);
    let consents = store::consents(core.store(), &actor.practice_id, patient_id)
        .await?
        .into_iter()
        .map(|c| {
            Ok(ConsentRecord {
                method: portico_domain::ConsentMethod::parse(&c.method)
                    .map_err(|_| CoreError::Internal("stored consent method is unknown".into()))?,
                has_scan: c.media_type.is_some(),
                id: c.id,
                version: c.version,
                signature: c.signature,
                signed_at: Timestamp::from_millis(c.signed_at).to_rfc3339(),
                witnessed_by: c.witnessed_by_name,
            })
        })
        .collect::<Result<Vec<_>, CoreError>>()?;
    let consent_awaited_since =
        store::consent_awaited_since(core.store(), &actor.practice_id, patient_id)
            .await?
            .map(|at| Timestamp::from_millis(at).to_rfc3339());
    let links = links
        .into_iter()
        .map(|l| {
            Ok(RecordLink {
                source: LinkSource::parse(&l.source)
                    .map_err(|e| CoreError::Internal(e.to_string()))?,
                status: LinkStatus::parse(&l.status)
                    .map_err(|e| CoreError::Internal(e.to_string()))?,
                id: l.id,
                provider_name: l.provider_name,
                program_name: l.program_name,
                invitation_id: l.invitation_id,
                created_at: Timestamp::from_millis(l.created_at).to_rfc3339(),
                ends_at: l.ended_at.map(|at| Timestamp::from_millis(at).to_rfc3339()),
                end_set_by_practice: l.end_set_by_practice,
                ended_by: l.ended_by_name,
            })
        })
        .collect::<Result<Vec<_>, CoreError>>()?;
    let caregiver_access =
        crate::caregivers::in_practice_for(core, &actor.practice_id, patient_id).await?;
    let trail = audit::about_patient(core, actor, patient_id, TRAIL).await?;
    audit::staff_saw(
        core,
        actor,
        Action::PatientViewed,
        &[Shown {
            kind: SubjectKind::Patient,
            id: patient_id,
            patient_id: Some(patient_id),
        }],
    )
    .await?;
    Ok(PatientRecord {
        patient: PatientSummary::from_row(&row),
        registered_at: Timestamp::from_millis(row.created_at).to_rfc3339(),
        links,
        invitations,
        consents,
        consent_awaited_since,
        caregiver_access,
        trail,
    })
}
