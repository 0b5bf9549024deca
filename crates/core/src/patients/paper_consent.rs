//! Consent on paper (docs/PRODUCT.md §5 and §7): the printable form for a patient to sign, and
//! the scan of the signed form uploaded by staff. The scan must be a PDF, JPEG or PNG by its
//! content and at most 5 MB (`portico_domain::ConsentScan`); it is stored sealed under a key
//! derived from the server secret, with a consent record saying which version of the practice's
//! consent text it was, when, and which staff member witnessed it. An account that waited for the
//! form (its invitation asked for consent on paper) is usable from then on. Downloading a scan is
//! audited like any read of the record.

use portico_domain::{ConsentMethod, ConsentScan, FileKind, SubjectKind};
use portico_store::accounts::patients as accounts;
use portico_store::patients as store;
use portico_store::registration::consents::{self, ConsentRow, DocumentRow};

use crate::audit::{self, Action, Shown};
use crate::platform::actor::{ActorKind, StaffActor};
use crate::platform::secrets::Purpose;
use crate::registration::consent::{self as texts, ConsentText};
use crate::{Core, CoreError, FieldErrors, new_id};

/// What the printable consent form shows: the practice's text in force and whom it is for.
#[derive(Debug, Clone)]
pub struct PrintableForm {
    pub patient_id: String,
    pub practice_name: String,
    pub patient_name: String,
    pub birth_date: String,
    pub text: ConsentText,
}

/// The form for a patient of the actor's practice to sign on paper (the read is audited).
pub async fn printable_form(
    core: &Core,
    actor: &StaffActor,
    patient_id: &str,
) -> Result<PrintableForm, CoreError> {
    if !store::is_of_practice(core.store(), &actor.practice_id, patient_id).await? {
        return Err(CoreError::NotFound);
    }
    let patient = accounts::find(core.store(), patient_id)
        .await?
        .ok_or(CoreError::NotFound)?;
    let practice = crate::practices::current(core, actor).await?;
    let text = texts::current(core, &actor.practice_id).await?;
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
    Ok(PrintableForm {
        patient_id: patient_id.to_owned(),
        practice_name: practice.name,
        patient_name: format!("{} {}", patient.first_name, patient.last_name),
        birth_date: patient.birth_date,
        text,
    })
}

/// Records the patient's consent on paper from the scan of the signed form, witnessed by the
/// actor (a staff member; an integration's upload names no witness). `version` is the version of the practice's consent text printed on the form (`None`:
/// the one in force — a form printed before a newer text was published names its own). A file
/// that is not a scan, or is too large, is refused under `scan`, a version the practice never
/// had under `version`, and nothing is stored.
pub async fn record_scan(
    core: &Core,
    actor: &StaffActor,
    patient_id: &str,
    file: Vec<u8>,
    version: Option<i64>,
) -> Result<(), CoreError> {
    if !store::is_of_practice(core.store(), &actor.practice_id, patient_id).await? {
        return Err(CoreError::NotFound);
    }
    let mut errors = FieldErrors::new();
    let scan = errors.take("scan", ConsentScan::parse(file));
    let text = match version {
        None => Some(texts::current(core, &actor.practice_id).await?),
        Some(v) => {
            let known = texts::version(core, &actor.practice_id, v).await?;
            errors.take(
                "version",
                known.ok_or(
                    "Your practice has no consent text of that version. Check the version \
                     printed on the form.",
                ),
            )
        }
    };
    errors.into_result()?;
    let (Some(scan), Some(text)) = (scan, text) else {
        return Err(CoreError::Internal("field errors were not recorded".into()));
    };
    let patient = accounts::find(core.store(), patient_id)
        .await?
        .ok_or(CoreError::NotFound)?;
    let now = core.now();
    let consent_id = new_id();
    let sealed = core
        .keys()
        .seal_bytes(Purpose::ConsentDocument, scan.bytes());
    let mut tx = core.store().begin().await?;
    consents::insert(
        &mut tx,
        &ConsentRow {
            id: consent_id.clone(),
            patient_id: patient_id.to_owned(),
            practice_id: actor.practice_id.clone(),
            invitation_id: None,
            version: text.version,
            signature: format!("{} {}", patient.first_name, patient.last_name),
            signed_at: now.as_millis(),
            ip: None,
            method: ConsentMethod::Paper.as_str().to_owned(),
            // A staff member witnesses the form they upload; an integration's upload names no
            // witness (the audit log names the token).
            witnessed_by: (actor.kind == ActorKind::Staff).then(|| actor.staff_id.clone()),
        },
    )
    .await?;
    consents::insert_document(
        &mut tx,
        &DocumentRow {
            consent_id: consent_id.clone(),
            media_type: scan.kind().media_type().to_owned(),
            size_bytes: i64::try_from(scan.bytes().len()).unwrap_or(i64::MAX),
            sealed,
            uploaded_at: now.as_millis(),
        },
    )
    .await?;
    let waited = consents::end_wait(&mut tx, patient_id, &actor.practice_id).await?;
    audit::by_staff(actor, Action::ConsentRecorded, now)
        .subject(SubjectKind::Patient, patient_id)
        .patient(patient_id)
        .detail("method", ConsentMethod::Paper.as_str())
        .detail("version", text.version)
        .detail("account_was_waiting", waited)
        .append(&mut tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// A scan, opened, for download.
#[derive(Debug)]
pub struct ScanFile {
    pub kind: FileKind,
    pub bytes: Vec<u8>,
}

/// The scan of one of the patient's consents to the actor's practice (the read is audited).
pub async fn scan(
    core: &Core,
    actor: &StaffActor,
    patient_id: &str,
    consent_id: &str,
) -> Result<ScanFile, CoreError> {
    let row = consents::document(core.store(), &actor.practice_id, patient_id, consent_id)
        .await?
        .ok_or(CoreError::NotFound)?;
    let kind = FileKind::from_media_type(&row.media_type)
        .ok_or_else(|| CoreError::Internal("stored scan type is unknown".into()))?;
    let bytes = core
        .keys()
        .open_bytes(Purpose::ConsentDocument, &row.sealed)
        .ok_or_else(|| CoreError::Internal("a stored scan does not open".into()))?;
    audit::by_staff(actor, Action::ConsentScanViewed, core.now())
        .subject(SubjectKind::Patient, patient_id)
        .patient(patient_id)
        .append_alone(core.store())
        .await?;
    Ok(ScanFile { kind, bytes })
}

/// One consent as its record shows it: how, when, by whom, and the text that was agreed to.
#[derive(Debug, Clone)]
pub struct ConsentView {
    pub patient_id: String,
    pub patient_name: String,
    pub practice_name: String,
    pub consent: super::ConsentRecord,
    /// The version of the consent text it names.
    pub text: ConsentText,
}

/// One of the patient's consents to the actor's practice with the text it names (the read is
/// audited).
pub async fn consent_view(
    core: &Core,
    actor: &StaffActor,
    patient_id: &str,
    consent_id: &str,
) -> Result<ConsentView, CoreError> {
    let record = super::record(core, actor, patient_id).await?;
    let consent = record
        .consents
        .into_iter()
        .find(|c| c.id == consent_id)
        .ok_or(CoreError::NotFound)?;
    let text = texts::version(core, &actor.practice_id, consent.version)
        .await?
        .ok_or_else(|| CoreError::Internal("a consent names an unknown text version".into()))?;
    let practice = crate::practices::current(core, actor).await?;
    Ok(ConsentView {
        patient_id: patient_id.to_owned(),
        patient_name: format!("{} {}", record.patient.first_name, record.patient.last_name),
        practice_name: practice.name,
        consent,
        text,
    })
}
