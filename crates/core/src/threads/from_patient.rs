//! A patient starting a conversation (docs/PRODUCT.md §7). A conversation is between one staff
//! member and one patient, so the patient writes to someone they know: a staff member who has
//! had a conversation with them before, at a practice where their access is in force. Online
//! messaging must be allowed: a link in a program whose "online messaging allowed" is off does
//! not let its patient start one (a link in no program does).

use portico_domain::{MessageText, SubjectKind, ThreadSubject};
use portico_store::threads::{self as store, RecipientRow};

use super::{Between, Message, Poster, ThreadView, access, open_thread};
use crate::PatientActor;
use crate::audit::{self, Action};
use crate::{Core, CoreError, FieldErrors, new_id};

/// Someone the patient may write to.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Recipient {
    /// The staff member's id: `to` when starting a conversation.
    pub staff_id: String,
    pub staff_name: String,
    pub practice_name: String,
}

/// A conversation the patient starts.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct PatientThreadInput {
    /// One of the patient's recipients (`GET /patient/threads/recipients`).
    #[cfg_attr(feature = "openapi", schema(required = true, default))]
    pub to: String,
    /// What it is about (one line, at most 120 characters).
    #[cfg_attr(feature = "openapi", schema(required = true, default))]
    pub subject: String,
    /// The first message (at most 5000 characters).
    #[cfg_attr(feature = "openapi", schema(required = true, default))]
    pub body: String,
}

async fn rows(core: &Core, patient: &PatientActor) -> Result<Vec<RecipientRow>, CoreError> {
    let now = core.now().as_millis();
    let rows = store::recipients_for_patient(core.store(), &patient.patient_id, now).await?;
    let mut usable = Vec::with_capacity(rows.len());
    for row in rows {
        // A practice still waiting for the signed consent form is not in force yet.
        if access::patient_in_force(core, &patient.patient_id, &row.practice_id).await? {
            usable.push(row);
        }
    }
    Ok(usable)
}

/// Whom the patient may start a conversation with.
pub async fn recipients(core: &Core, patient: &PatientActor) -> Result<Vec<Recipient>, CoreError> {
    Ok(rows(core, patient)
        .await?
        .into_iter()
        .map(|r| Recipient {
            staff_id: r.staff_id,
            staff_name: r.staff_name,
            practice_name: r.practice_name,
        })
        .collect())
}

/// The patient starts a conversation with one of their recipients (anyone else is refused
/// under `to`, in the same words whether or not the id exists).
pub async fn start(
    core: &Core,
    patient: &PatientActor,
    input: &PatientThreadInput,
) -> Result<ThreadView, CoreError> {
    let mut errors = FieldErrors::new();
    let to = rows(core, patient)
        .await?
        .into_iter()
        .find(|r| r.staff_id == input.to.trim());
    if to.is_none() {
        errors.add("to", "Choose who to write to.");
    }
    let subject = errors.take("subject", ThreadSubject::parse(&input.subject));
    let body = errors.take("body", MessageText::parse(&input.body));
    errors.into_result()?;
    let (Some(to), Some(subject), Some(body)) = (to, subject, body) else {
        return Err(CoreError::Internal("field errors were not recorded".into()));
    };
    let now = core.now();
    let id = new_id();
    let mut tx = core.store().begin().await?;
    audit::by_patient(patient, Action::ThreadStartedByPatient, now)
        .practice(&to.practice_id)
        .subject(SubjectKind::Thread, &id)
        .append(&mut tx)
        .await?;
    let between = Between {
        practice_id: &to.practice_id,
        staff_id: &to.staff_id,
        patient_id: &patient.patient_id,
    };
    let first = Message {
        text: Some(body),
        file: None,
    };
    let poster = Poster::Patient(patient);
    open_thread(core, &mut tx, &id, between, &subject, poster, &first, now).await?;
    tx.commit().await?;
    super::patient_thread(core, patient, &id).await
}
