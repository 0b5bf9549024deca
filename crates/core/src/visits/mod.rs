//! Visit requests (docs/PRODUCT.md §7): *Tap to begin* on a card of the visit screen asks the
//! practice to see the patient now or at a time they choose, with a reason; staff answer once —
//! accept, propose another time, or decline with a note — and the patient sees the answer on their
//! visit screen. A caregiver with full access asks for the patient they care for (audited as the
//! caregiver acting for them). The reason and the note are health data: sealed at rest, never in
//! logs or audit details. Every change raises the practice's [`topic`] signal, on which its
//! waiting lists reload, on whichever node they are open.

pub mod settings;

use portico_domain::{Channel, SubjectKind, VisitState, VisitText};
use portico_store::Tx;
use portico_store::accounts::patients;
use portico_store::practices;
use portico_store::visits::{self as store, NewVisit, VisitRow};

use crate::PatientActor;
use crate::audit::{self, Action, Shown};
use crate::caregivers;
use crate::delivery::messages;
use crate::delivery::outbox::{self, About, MessageKind};
use crate::links::{self, Card};
use crate::platform::actor::StaffActor;
use crate::platform::clock::Timestamp;
use crate::platform::secrets::Purpose;
use crate::{Core, CoreError, FieldErrors, new_id};

/// How far ahead a patient may ask for a time, and staff may propose one.
const FURTHEST_AHEAD: std::time::Duration = std::time::Duration::from_secs(180 * 24 * 60 * 60);
/// Answered requests stay on the practice's list this long.
const ANSWERED_SHOWN: std::time::Duration = std::time::Duration::from_secs(7 * 24 * 60 * 60);
/// At most this many requests on a list.
const LIST_LIMIT: i64 = 200;

/// What the patient sends: the card (`link_id`), now or at a time, and why.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct VisitRequestInput {
    /// The card tapped: the id of the patient's link (`cards[].id` of `GET /patient`).
    #[cfg_attr(feature = "openapi", schema(required = true, default))]
    pub link_id: String,
    /// `now` (as soon as possible) or `at` (then `at` is the time wanted).
    #[cfg_attr(feature = "openapi", schema(pattern = "^(now|at)$"))]
    #[cfg_attr(feature = "openapi", schema(required = true, default))]
    pub when: String,
    /// The time wanted on the practice's clock, as `YYYY-MM-DDTHH:MM`.
    pub at: Option<String>,
    /// Why the patient would like to be seen (at most 500 characters).
    #[cfg_attr(feature = "openapi", schema(required = true, default))]
    pub reason: String,
    /// One answer to each of the provider's questions, in their order (see
    /// `GET /patient/visit-requests/questions`); each is required, at most 500 characters.
    /// Refusals name the n-th answer `answer_n` (from 1).
    pub answers: Vec<String>,
}

/// Staff's answer.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct VisitAnswerInput {
    /// `accept`, `propose` (then `at` is the time proposed) or `decline` (then `note` says why).
    #[cfg_attr(feature = "openapi", schema(pattern = "^(accept|propose|decline)$"))]
    #[cfg_attr(feature = "openapi", schema(required = true, default))]
    pub decision: String,
    /// The time proposed on the practice's clock, as `YYYY-MM-DDTHH:MM`.
    pub at: Option<String>,
    /// A note for the patient (required to decline; at most 500 characters).
    pub note: Option<String>,
}

/// One of the provider's questions and the patient's answer, as asked.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QuestionAnswer {
    pub question: String,
    pub answer: String,
}

/// The questions asked with a request on one card: its provider's.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VisitQuestions {
    pub questions: Vec<String>,
}

/// A visit request as its patient (or their caregiver) and staff see it.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VisitRequest {
    pub id: String,
    pub practice_name: String,
    pub provider_name: Option<String>,
    pub patient_id: String,
    pub patient_name: String,
    /// The time asked for (RFC 3339); none: as soon as possible.
    pub wanted_at: Option<String>,
    pub reason: String,
    /// The provider's questions, as they were when asked, with the answers.
    pub answers: Vec<QuestionAnswer>,
    pub state: VisitState,
    /// The time the practice proposes instead (RFC 3339).
    pub proposed_at: Option<String>,
    /// The practice's note with its answer.
    pub note: Option<String>,
    /// Who answered, for staff.
    #[serde(skip)]
    pub answered_by: Option<String>,
    pub answered_at: Option<String>,
    pub created_at: String,
    /// Whether a caregiver asked for the patient.
    pub by_caregiver: bool,
    /// When the patient would like to be seen, on the practice's clock: "Dec 9, 2026, 2:30 PM",
    /// or "As soon as possible".
    #[serde(skip)]
    pub wanted_words: String,
    /// The time proposed, on the practice's clock.
    #[serde(skip)]
    pub proposed_words: Option<String>,
}

impl VisitRequest {
    fn from_row(core: &Core, row: VisitRow) -> Result<VisitRequest, CoreError> {
        let open = |sealed: &str| {
            core.keys()
                .open(Purpose::VisitText, sealed)
                .ok_or_else(|| CoreError::Internal("a visit text does not open".into()))
        };
        let at = |millis: i64| Timestamp::from_millis(millis).to_rfc3339();
        let zone = portico_domain::TimeZone::parse(&row.time_zone)
            .map_err(|_| CoreError::Internal(format!("unknown time zone {:?}", row.time_zone)))?;
        let now = core.now().as_millis();
        let local = |millis: i64| zone.readable(millis, now);
        let answers = match row.answers_sealed.as_deref() {
            None => Vec::new(),
            Some(sealed) => serde_json::from_str(&open(sealed)?)
                .map_err(|e| CoreError::Internal(format!("stored visit answers: {e}")))?,
        };
        Ok(VisitRequest {
            answers,
            wanted_words: row
                .wanted_at
                .map_or_else(|| "As soon as possible".to_owned(), local),
            proposed_words: row.proposed_at.map(local),
            reason: open(&row.reason_sealed)?,
            note: row.note_sealed.as_deref().map(open).transpose()?,
            by_caregiver: row.requested_by != row.patient_id,
            id: row.id,
            practice_name: row.practice_name,
            provider_name: row.provider_name,
            patient_id: row.patient_id,
            patient_name: format!("{} {}", row.first_name, row.last_name),
            wanted_at: row.wanted_at.map(at),
            state: row.state,
            proposed_at: row.proposed_at.map(at),
            answered_by: row.answered_by_name,
            answered_at: row.answered_at.map(at),
            created_at: at(row.created_at),
        })
    }

    pub fn is_waiting(&self) -> bool {
        self.state == VisitState::Waiting
    }
}

/// Reads a `YYYY-MM-DDTHH:MM` time on the practice's clock, from now to 180 days ahead.
fn time_ahead(
    core: &Core,
    zone: &portico_domain::TimeZone,
    typed: Option<&str>,
) -> Result<i64, &'static str> {
    let typed = typed.map(str::trim).filter(|t| !t.is_empty());
    let at = typed
        .and_then(|t| zone.instant_of_local(t))
        .ok_or("Enter a day and a time.")?;
    let now = core.now();
    if at < now.as_millis() {
        return Err("Choose a time that has not passed yet.");
    }
    if at > now.plus(FURTHEST_AHEAD).as_millis() {
        return Err("Choose a time within the next six months.");
    }
    Ok(at)
}

/// Who asks: the patient, or a caregiver with full access acting for them.
enum Asker<'a> {
    Patient(&'a PatientActor),
    Caregiver(&'a PatientActor, Box<caregivers::ActingFor>),
}

/// The signed-in patient asks to be seen.
pub async fn request(
    core: &Core,
    patient: &PatientActor,
    input: &VisitRequestInput,
) -> Result<VisitRequest, CoreError> {
    make(core, Asker::Patient(patient), input).await
}

/// A caregiver with full access asks for the patient of access `access_id`; read-only access
/// is refused, a withdrawn one is not found.
pub async fn request_for(
    core: &Core,
    caregiver: &PatientActor,
    access_id: &str,
    input: &VisitRequestInput,
) -> Result<VisitRequest, CoreError> {
    let acting = caregivers::acting_for(core, caregiver, access_id).await?;
    if acting.access.is_read_only() {
        return Err(CoreError::Forbidden);
    }
    make(core, Asker::Caregiver(caregiver, Box::new(acting)), input).await
}

async fn make(
    core: &Core,
    asker: Asker<'_>,
    input: &VisitRequestInput,
) -> Result<VisitRequest, CoreError> {
    let (patient_id, practice_only) = match &asker {
        Asker::Patient(p) => (p.patient_id.clone(), None),
        Asker::Caregiver(_, acting) => (
            acting.patient_id.clone(),
            Some(acting.access.practice_id.clone()),
        ),
    };
    let card = card_seen(core, &patient_id, practice_only.as_deref(), &input.link_id).await?;
    if card.is_pending() {
        return Err(CoreError::Conflict(
            "The practice has not approved this sign-up yet: visits can be asked for once it has.",
        ));
    }
    let link = portico_store::links::find(core.store(), &card.id)
        .await?
        .ok_or(CoreError::NotFound)?;
    let practice = practices::find(core.store(), &link.practice_id)
        .await?
        .ok_or(CoreError::NotFound)?;
    let zone = crate::practices::time_zone(&practice)?;
    let mut errors = FieldErrors::new();
    let wanted_at = match input.when.trim() {
        "now" => None,
        "at" => errors.take("at", time_ahead(core, &zone, input.at.as_deref())),
        _ => {
            errors.add("when", "Choose now or a time.");
            None
        }
    };
    let reason = errors.take("reason", VisitText::parse(&input.reason));
    let asked = settings::for_request(core, &link.practice_id, link.provider_id.as_deref()).await?;
    let answers = answered(&asked.prompts, &input.answers, &mut errors);
    errors.into_result()?;
    let reason =
        reason.ok_or_else(|| CoreError::Internal("field errors were not recorded".into()))?;
    let answers_sealed = match answers.is_empty() {
        true => None,
        false => Some(
            core.keys().seal(
                Purpose::VisitText,
                &serde_json::to_string(&answers)
                    .map_err(|e| CoreError::Internal(format!("visit answers: {e}")))?,
            ),
        ),
    };
    let now = core.now();
    let id = new_id();
    let (requested_by, event) = match &asker {
        Asker::Patient(p) => (
            p.patient_id.clone(),
            audit::by_patient(p, Action::VisitRequested, now),
        ),
        Asker::Caregiver(c, _) => (
            c.patient_id.clone(),
            audit::by_caregiver(c, &patient_id, Action::VisitRequested, now),
        ),
    };
    let mut tx = core.store().begin().await?;
    store::insert(
        &mut tx,
        &NewVisit {
            id: id.clone(),
            practice_id: link.practice_id.clone(),
            patient_id: patient_id.clone(),
            link_id: link.id.clone(),
            provider_id: link.provider_id.clone(),
            requested_by,
            wanted_at,
            reason_sealed: core.keys().seal(Purpose::VisitText, reason.expose()),
            answers_sealed,
            created_at: now.as_millis(),
        },
    )
    .await?;
    event
        .practice(&link.practice_id)
        .subject(SubjectKind::VisitRequest, &id)
        .detail("when", if wanted_at.is_some() { "at" } else { "now" })
        .append(&mut tx)
        .await?;
    if let (Some(by), Some(to)) = (asked.notify_by, asked.notify_to.as_deref()) {
        let channel = by.channel();
        let message =
            messages::visit_requested(channel, to, &practice.name, &core.settings().public_url);
        let about = About {
            practice_id: &link.practice_id,
            subject: SubjectKind::VisitRequest,
            id: &id,
        };
        let kind = MessageKind::VisitRequested;
        outbox::enqueue(&mut tx, core.keys(), about, kind, channel, &message, now).await?;
    }
    tx.signal(&topic(&link.practice_id)).await?;
    tx.commit().await?;
    let row = store::find_in_practice(core.store(), &link.practice_id, &id)
        .await?
        .ok_or_else(|| CoreError::Internal("a new visit request is missing".into()))?;
    VisitRequest::from_row(core, row)
}

/// A card the patient sees now: in force, approved or waiting for approval, not waiting for a
/// consent form, and for a caregiver at the practice that gave the access. Any other is not
/// found.
async fn card_seen(
    core: &Core,
    patient_id: &str,
    practice_only: Option<&str>,
    link_id: &str,
) -> Result<Card, CoreError> {
    links::cards_of(core, patient_id, practice_only)
        .await?
        .into_iter()
        .find(|c| c.id == link_id)
        .ok_or(CoreError::NotFound)
}

/// Each question with its answer; a missing, blank or refused answer is a field error named
/// `answer_n`, and answers to questions not asked are refused.
fn answered(
    questions: &[String],
    answers: &[String],
    errors: &mut FieldErrors,
) -> Vec<QuestionAnswer> {
    if answers.len() > questions.len()
        && answers[questions.len()..]
            .iter()
            .any(|a| !a.trim().is_empty())
    {
        errors.add("answers", "Answer only the questions asked.");
    }
    let mut kept = Vec::new();
    for (n, question) in questions.iter().enumerate() {
        let field = format!("answer_{}", n + 1);
        let typed = answers.get(n).map_or("", String::as_str);
        match VisitText::parse(typed) {
            Ok(answer) => kept.push(QuestionAnswer {
                question: question.clone(),
                answer: answer.expose().to_owned(),
            }),
            Err(portico_domain::VisitTextError::Empty) => {
                errors.add(field, format!("Answer “{question}”"));
            }
            Err(refused) => errors.add(field, refused.to_string()),
        }
    }
    kept
}

/// The questions the provider of the patient's card asks with a request.
pub async fn questions(
    core: &Core,
    patient: &PatientActor,
    link_id: &str,
) -> Result<VisitQuestions, CoreError> {
    questions_on(core, &patient.patient_id, None, link_id).await
}

/// The questions asked with a request a caregiver makes for the patient of access `access_id`.
pub async fn questions_for(
    core: &Core,
    caregiver: &PatientActor,
    access_id: &str,
    link_id: &str,
) -> Result<VisitQuestions, CoreError> {
    let acting = caregivers::acting_for(core, caregiver, access_id).await?;
    let practice = acting.access.practice_id.as_str();
    questions_on(core, &acting.patient_id, Some(practice), link_id).await
}

async fn questions_on(
    core: &Core,
    patient_id: &str,
    practice_only: Option<&str>,
    link_id: &str,
) -> Result<VisitQuestions, CoreError> {
    let card = card_seen(core, patient_id, practice_only, link_id).await?;
    let link = portico_store::links::find(core.store(), &card.id)
        .await?
        .ok_or(CoreError::NotFound)?;
    let asked = settings::for_request(core, &link.practice_id, link.provider_id.as_deref()).await?;
    Ok(VisitQuestions {
        questions: asked.prompts,
    })
}

/// The signed-in patient's requests, newest first.
pub async fn for_patient(
    core: &Core,
    patient: &PatientActor,
) -> Result<Vec<VisitRequest>, CoreError> {
    let seen: Vec<String> = links::cards_of(core, &patient.patient_id, None)
        .await?
        .into_iter()
        .map(|c| c.id)
        .collect();
    // A practice that ended the patient's access is gone from the portal, its requests too.
    store::for_patient(core.store(), &patient.patient_id, None, LIST_LIMIT)
        .await?
        .into_iter()
        .filter(|r| seen.contains(&r.link_id))
        .map(|r| VisitRequest::from_row(core, r))
        .collect()
}

/// The requests of a patient the caregiver cares for, at the practice of the access.
pub async fn for_cared_for(
    core: &Core,
    caregiver: &PatientActor,
    access_id: &str,
) -> Result<Vec<VisitRequest>, CoreError> {
    let acting = caregivers::acting_for(core, caregiver, access_id).await?;
    let practice = acting.access.practice_id.as_str();
    let rows =
        store::for_patient(core.store(), &acting.patient_id, Some(practice), LIST_LIMIT).await?;
    rows.into_iter()
        .map(|r| VisitRequest::from_row(core, r))
        .collect()
}

/// The signal raised whenever the practice's waiting list changes (a request, an answer).
pub fn topic(practice_id: &str) -> String {
    format!("visits:{practice_id}")
}

/// Hears every change signal; a waiting list keeps those of its practice's [`topic`].
pub async fn watch(
    core: &Core,
) -> Result<portico_store::platform::signals::Subscription, CoreError> {
    Ok(core.store().subscribe().await?)
}

/// The practice's waiting list: requests waiting for an answer, oldest first, then those
/// answered in the last week. Each request shown is an audit event about its patient.
pub async fn waiting_list(core: &Core, actor: &StaffActor) -> Result<Vec<VisitRequest>, CoreError> {
    let since = core.now().minus(ANSWERED_SHOWN).as_millis();
    let rows = store::for_practice(core.store(), &actor.practice_id, since, LIST_LIMIT).await?;
    let list = rows
        .into_iter()
        .map(|r| VisitRequest::from_row(core, r))
        .collect::<Result<Vec<_>, _>>()?;
    let shown: Vec<Shown<'_>> = list
        .iter()
        .map(|v| Shown {
            kind: SubjectKind::VisitRequest,
            id: &v.id,
            patient_id: Some(&v.patient_id),
        })
        .collect();
    audit::staff_saw(core, actor, Action::VisitRequestsListed, &shown).await?;
    Ok(list)
}

/// Staff answer a waiting request once: accept it, propose another time, or decline it with a
/// note. Another practice's request is not found; one answered meanwhile is a conflict.
pub async fn answer(
    core: &Core,
    actor: &StaffActor,
    id: &str,
    input: &VisitAnswerInput,
) -> Result<VisitRequest, CoreError> {
    let row = store::find_in_practice(core.store(), &actor.practice_id, id)
        .await?
        .ok_or(CoreError::NotFound)?;
    let practice = practices::find(core.store(), &actor.practice_id)
        .await?
        .ok_or(CoreError::NotFound)?;
    let zone = crate::practices::time_zone(&practice)?;
    let mut errors = FieldErrors::new();
    let note = input
        .note
        .as_deref()
        .filter(|n| !n.trim().is_empty())
        .and_then(|n| errors.take("note", VisitText::parse(n).map_err(|e| e.to_string())));
    let (state, proposed_at) = match input.decision.trim() {
        "accept" => (Some(VisitState::Accepted), None),
        "propose" => (
            Some(VisitState::Proposed),
            errors.take("at", time_ahead(core, &zone, input.at.as_deref())),
        ),
        "decline" => {
            if note.is_none() && errors.get("note").is_none() {
                errors.add("note", "Say in a few words why, for the patient.");
            }
            (Some(VisitState::Declined), None)
        }
        _ => {
            errors.add(
                "decision",
                "Choose accept, propose another time or decline.",
            );
            (None, None)
        }
    };
    errors.into_result()?;
    let state =
        state.ok_or_else(|| CoreError::Internal("field errors were not recorded".into()))?;
    if row.state != VisitState::Waiting {
        return Err(CoreError::Conflict(
            "This request was already answered: the list shows the answer.",
        ));
    }
    let now = core.now();
    let sealed = note
        .as_ref()
        .map(|n| core.keys().seal(Purpose::VisitText, n.expose()));
    let mut tx = core.store().begin().await?;
    if !store::answer(
        &mut tx,
        &actor.practice_id,
        id,
        state,
        proposed_at,
        sealed.as_deref(),
        &actor.staff_id,
        now.as_millis(),
    )
    .await?
    {
        return Err(CoreError::Conflict(
            "This request was already answered: the list shows the answer.",
        ));
    }
    audit::by_staff(actor, Action::VisitAnswered, now)
        .subject(SubjectKind::VisitRequest, id)
        .patient(&row.patient_id)
        .detail("answer", state.as_str())
        .append(&mut tx)
        .await?;
    tell_asker(core, &mut tx, &row, now).await?;
    tx.signal(&topic(&actor.practice_id)).await?;
    tx.commit().await?;
    let row = store::find_in_practice(core.store(), &actor.practice_id, id)
        .await?
        .ok_or(CoreError::NotFound)?;
    VisitRequest::from_row(core, row)
}

/// Tells whoever asked (the patient, or the caregiver who asked for them) that the practice
/// answered: by email when their account has one, otherwise by text to its verified phone.
async fn tell_asker(
    core: &Core,
    tx: &mut Tx,
    row: &VisitRow,
    now: Timestamp,
) -> Result<(), CoreError> {
    let Some(asker) = patients::find(&mut *tx, &row.requested_by).await? else {
        return Ok(());
    };
    let (channel, to) = match asker.email {
        Some(email) => (Channel::Email, email),
        None => (Channel::Sms, asker.phone),
    };
    let message = messages::visit_answered(
        channel,
        &to,
        &row.practice_name,
        &core.settings().public_url,
    );
    let about = About {
        practice_id: &row.practice_id,
        subject: SubjectKind::VisitRequest,
        id: &row.id,
    };
    outbox::enqueue(
        tx,
        core.keys(),
        about,
        MessageKind::VisitAnswered,
        channel,
        &message,
        now,
    )
    .await?;
    Ok(())
}
