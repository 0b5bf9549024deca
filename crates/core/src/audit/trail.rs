//! A practice's trail as its admins read it: each event told in a sentence ("Dana Front viewed
//! the invitation of Maria Lopez"), newest first, a page at a time (keyset pages along the
//! chain's own order), narrowed by who did it, what was done, which patient it was about and
//! between which days of the practice's calendar; and the same events whole for a CSV export.
//! Reading the trail is itself audited (it names patients), one event per page or export.

use portico_domain::{SearchQuery, SubjectKind, TimeZone};
use portico_store::audit::trail::{self as stored, TrailFilter, TrailRow, Walk};
use time::Date;
use time::macros::format_description;

use super::people::{self, Person, PersonKind};
use super::{Action, by_staff};
use crate::platform::actor::StaffActor;
use crate::platform::clock::Timestamp;
use crate::{Core, CoreError, FieldErrors};

pub use portico_store::audit::AuditEvent as ChainFields;

/// Events a page.
const PAGE: i64 = 50;
/// Events read at a time while exporting.
const EXPORT_BATCH: i64 = 1000;
/// The most events one export holds; a compliance request for more is split by dates.
pub const MAX_EXPORT: usize = 50_000;

const BAD_PAGE: &str = "This page link is not one we gave out; start from the newest events.";

/// What an admin asks of the trail, as typed in the page's address; every field may be blank.
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize)]
#[serde(default)]
pub struct TrailQuery {
    /// Who did it: `staff:<id>` or `api_token:<id>`, or `patients`, `anyone` (someone not
    /// signed in) or `portico` (the service itself and its command line).
    pub who: Option<String>,
    /// What was done: an action's stored name (`invitation.viewed`).
    pub what: Option<String>,
    /// The events about this patient (their id) and the invitations they registered with.
    pub patient: Option<String>,
    /// The events about this invitation (its id), for someone who has not registered.
    pub invitation: Option<String>,
    /// Words of a patient's name, to find the patient by (instead of `patient` or `invitation`).
    pub patient_name: Option<String>,
    /// The first day, on the practice's calendar (`2026-12-01`).
    pub from: Option<String>,
    /// The last day, included.
    pub to: Option<String>,
    /// The page of events before this one (`older` of the page shown).
    pub older: Option<String>,
    /// The page of events after this one (`newer` of the page shown).
    pub newer: Option<String>,
}

/// How an event went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Success,
    Failure,
    Denied,
}

impl Outcome {
    fn parse(stored: &str) -> Result<Outcome, CoreError> {
        match stored {
            super::SUCCESS => Ok(Outcome::Success),
            super::FAILURE => Ok(Outcome::Failure),
            super::DENIED => Ok(Outcome::Denied),
            other => Err(CoreError::Internal(format!(
                "unknown audit outcome {other:?}"
            ))),
        }
    }

    /// As a practice manager reads it.
    pub fn label(self) -> &'static str {
        match self {
            Outcome::Success => "Done",
            Outcome::Failure => "Failed",
            Outcome::Denied => "Refused",
        }
    }
}

/// One event, told.
#[derive(Debug, Clone)]
pub struct TrailItem {
    pub seq: i64,
    /// RFC 3339, UTC.
    pub at: String,
    pub action: Action,
    pub outcome: Outcome,
    /// Who did it: "Dana Front", "An integration (token ‘EHR sync’)", "Someone".
    pub who: String,
    /// The whole event in a sentence.
    pub sentence: String,
    /// What it was about, when it names a record: "the invitation of Maria Lopez".
    pub about: Option<String>,
    /// The name of the patient it concerns, when it names one.
    pub patient: Option<String>,
    /// The event as stored and hashed, for an export that can be checked against the chain.
    pub chain: ChainFields,
}

/// A page of the trail.
#[derive(Debug, Clone)]
pub struct TrailPage {
    pub items: Vec<TrailItem>,
    /// Pass as `older` for the page of older events; absent on the last page.
    pub older: Option<i64>,
    /// Pass as `newer` for the page of newer events; absent on the first page.
    pub newer: Option<i64>,
    /// The person the page is narrowed to.
    pub about: Option<Person>,
    /// The people a typed name may mean, when it means more than one: nothing is listed until
    /// one is chosen.
    pub choices: Vec<Person>,
    /// A typed name that matches no one of the practice.
    pub nobody_named: bool,
}

/// A practice's events for an export: the filter's, whole, newest first.
#[derive(Debug, Clone)]
pub struct Export {
    pub items: Vec<TrailItem>,
    pub about: Option<Person>,
}

/// Who did it, as the filter reads it.
enum Who {
    Anyone,
    Staff(String),
    Token(String),
    Patients,
    NotSignedIn,
    Service,
}

/// Whom the events are about, as the filter reads it.
enum Whom {
    Everyone,
    Person(PersonKind, String),
    Named(SearchQuery),
}

/// The query, read.
struct Asked {
    who: Who,
    what: Option<Action>,
    whom: Whom,
    from: i64,
    until: i64,
    walk: Walk,
}

fn blank_to_none(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

fn read_query(query: &TrailQuery, zone: &TimeZone) -> Result<Asked, CoreError> {
    let mut errors = FieldErrors::new();
    let who = match blank_to_none(&query.who) {
        None => Some(Who::Anyone),
        Some(who) => errors.take("who", read_who(who).ok_or("Choose someone from the list.")),
    };
    let what = match blank_to_none(&query.what) {
        None => None,
        Some(name) => errors.take(
            "what",
            name.parse::<Action>()
                .map_err(|_| "Choose what happened from the list."),
        ),
    };
    // A name typed in the form is a new search: it wins over the person chosen before.
    let whom = match (
        blank_to_none(&query.patient_name),
        blank_to_none(&query.patient),
        blank_to_none(&query.invitation),
    ) {
        (Some(words), _, _) => match errors.take("patient_name", SearchQuery::parse(words)) {
            Some(Some(query)) => Whom::Named(query),
            _ => Whom::Everyone,
        },
        (None, Some(id), _) => Whom::Person(PersonKind::Patient, id.to_owned()),
        (None, None, Some(id)) => Whom::Person(PersonKind::Invitation, id.to_owned()),
        (None, None, None) => Whom::Everyone,
    };
    let day = |field: &'static str, value: &Option<String>, errors: &mut FieldErrors| {
        let text = blank_to_none(value)?;
        errors.take(
            field,
            Date::parse(text, format_description!("[year]-[month]-[day]"))
                .map_err(|_| "Enter a date as year, month and day, such as 2026-12-01."),
        )
    };
    let first_day = day("from", &query.from, &mut errors);
    let last_day = day("to", &query.to, &mut errors);
    if let (Some(first), Some(last)) = (first_day, last_day)
        && last < first
    {
        errors.add("to", "The last day is before the first day.");
    }
    let from = first_day.map_or(i64::MIN, |d| zone.start_of_day(d));
    let until = last_day
        .and_then(Date::next_day)
        .map_or(i64::MAX, |d| zone.start_of_day(d));
    let cursor = |field: &'static str, value: &Option<String>, errors: &mut FieldErrors| {
        let text = blank_to_none(value)?;
        errors.take(
            field,
            text.parse::<i64>()
                .ok()
                .filter(|seq| *seq > 0)
                .ok_or(BAD_PAGE),
        )
    };
    let walk = match (
        cursor("older", &query.older, &mut errors),
        cursor("newer", &query.newer, &mut errors),
    ) {
        (Some(before), _) => Walk::Older(Some(before)),
        (None, Some(after)) => Walk::Newer(after),
        (None, None) => Walk::Older(None),
    };
    errors.into_result()?;
    let who = who.ok_or_else(|| CoreError::Internal("field errors were not recorded".into()))?;
    Ok(Asked {
        who,
        what,
        whom,
        from,
        until,
        walk,
    })
}

fn read_who(text: &str) -> Option<Who> {
    match text {
        "patients" => return Some(Who::Patients),
        "anyone" => return Some(Who::NotSignedIn),
        "portico" => return Some(Who::Service),
        _ => {}
    }
    match text.split_once(':') {
        Some(("staff", id)) if !id.is_empty() => Some(Who::Staff(id.to_owned())),
        Some(("api_token", id)) if !id.is_empty() => Some(Who::Token(id.to_owned())),
        _ => None,
    }
}

/// Whom the events are about, once the name is looked up.
enum Narrowed {
    Everyone,
    To(Person),
    /// No events are listed: the name means several people, or none.
    Undecided {
        choices: Vec<Person>,
    },
}

async fn narrow(core: &Core, actor: &StaffActor, whom: &Whom) -> Result<Narrowed, CoreError> {
    match whom {
        Whom::Everyone => Ok(Narrowed::Everyone),
        Whom::Person(kind, id) => match people::one(core, &actor.practice_id, *kind, id).await? {
            Some(person) => Ok(Narrowed::To(person)),
            // Another practice's patient reads like an unknown one.
            None => Err(CoreError::Invalid(FieldErrors::single(
                "patient_name",
                "We could not find this patient. Search for them by name.",
            ))),
        },
        Whom::Named(query) => {
            let mut found = people::named(core, &actor.practice_id, query).await?;
            if found.len() == 1 {
                Ok(Narrowed::To(found.remove(0)))
            } else {
                Ok(Narrowed::Undecided { choices: found })
            }
        }
    }
}

fn filter(asked: &Asked, narrowed: &Narrowed, walk: Walk, limit: i64) -> TrailFilter {
    let (actor_kinds, actor_id): (&[&str], Option<&String>) = match &asked.who {
        Who::Anyone => (&[], None),
        // The first admin's set-up is theirs too.
        Who::Staff(id) => (&["staff", "setup_link"], Some(id)),
        Who::Token(id) => (&["api_token"], Some(id)),
        Who::Patients => (&["patient", "caregiver"], None),
        Who::NotSignedIn => (&["anonymous"], None),
        Who::Service => (&["cli", "worker", "system"], None),
    };
    let (patient_id, invitation_id) = match narrowed {
        Narrowed::To(p) if p.kind == PersonKind::Patient => (Some(p.id.clone()), None),
        Narrowed::To(p) => (None, Some(p.id.clone())),
        Narrowed::Everyone | Narrowed::Undecided { .. } => (None, None),
    };
    TrailFilter {
        actor_kinds: actor_kinds.iter().map(|k| (*k).to_owned()).collect(),
        actor_id: actor_id.cloned(),
        actions: asked.what.map_or_else(Vec::new, |a| {
            a.stored_names().into_iter().map(str::to_owned).collect()
        }),
        patient_id,
        invitation_id,
        from: asked.from,
        until: asked.until,
        walk,
        limit,
    }
}

/// A page of the actor's practice's trail (admins only); the read is audited.
pub async fn trail(
    core: &Core,
    actor: &StaffActor,
    query: &TrailQuery,
    zone: &TimeZone,
) -> Result<TrailPage, CoreError> {
    actor.require_admin()?;
    let asked = read_query(query, zone)?;
    let narrowed = narrow(core, actor, &asked.whom).await?;
    let mut page = TrailPage {
        items: Vec::new(),
        older: None,
        newer: None,
        about: None,
        choices: Vec::new(),
        nobody_named: false,
    };
    match &narrowed {
        Narrowed::Undecided { choices } => {
            page.nobody_named = choices.is_empty();
            page.choices = choices.clone();
        }
        Narrowed::Everyone | Narrowed::To(_) => {
            // One extra row tells whether another page follows.
            let f = filter(&asked, &narrowed, asked.walk, PAGE + 1);
            let mut rows = stored::page(core.store(), &actor.practice_id, &f).await?;
            let more = rows.len() as i64 > PAGE;
            rows.truncate(PAGE as usize);
            let (first, last) = match asked.walk {
                Walk::Older(before) => {
                    let newest = rows.first().map(|r| r.event.seq);
                    let oldest = rows.last().map(|r| r.event.seq);
                    (before.and(newest), oldest.filter(|_| more))
                }
                Walk::Newer(_) => {
                    rows.reverse();
                    let newest = rows.first().map(|r| r.event.seq);
                    let oldest = rows.last().map(|r| r.event.seq);
                    (newest.filter(|_| more), oldest)
                }
            };
            page.newer = first;
            page.older = last;
            page.items = rows.into_iter().map(told).collect::<Result<_, _>>()?;
        }
    }
    if let Narrowed::To(person) = narrowed {
        page.about = Some(person);
    }
    audit_reading(
        core,
        actor,
        Action::AuditViewed,
        &asked,
        page.about.as_ref(),
        None,
    )
    .await?;
    Ok(page)
}

/// The newest events (at most `limit`) about one patient of the actor's practice, told, for their
/// record — what was done, not every time someone looked: views of the record and appearances in
/// lists are left out (the audit log keeps them). The caller audits the view of the record.
pub async fn about_patient(
    core: &Core,
    actor: &StaffActor,
    patient_id: &str,
    limit: i64,
) -> Result<Vec<TrailItem>, CoreError> {
    let f = TrailFilter {
        actor_kinds: Vec::new(),
        actor_id: None,
        actions: Vec::new(),
        patient_id: Some(patient_id.to_owned()),
        invitation_id: None,
        from: i64::MIN,
        until: i64::MAX,
        walk: Walk::Older(None),
        // Reads are left out after the page is read: a few times more rows leave room for them.
        limit: limit * 5,
    };
    let reads = [Action::PatientViewed, Action::PatientsListed];
    stored::page(core.store(), &actor.practice_id, &f)
        .await?
        .into_iter()
        .map(told)
        .filter(|item| !item.as_ref().is_ok_and(|i| reads.contains(&i.action)))
        .take(usize::try_from(limit).unwrap_or(0))
        .collect()
}

/// Every event of the actor's practice the query asks for (its page aside), newest first, for a
/// CSV file (admins only). A query that means several people, or more than [`MAX_EXPORT`]
/// events, is refused with the field to change. The export is audited.
pub async fn export(
    core: &Core,
    actor: &StaffActor,
    query: &TrailQuery,
    zone: &TimeZone,
) -> Result<Export, CoreError> {
    actor.require_admin()?;
    let asked = read_query(query, zone)?;
    let narrowed = narrow(core, actor, &asked.whom).await?;
    if let Narrowed::Undecided { choices } = &narrowed {
        let message = if choices.is_empty() {
            "No patient of this practice has that name. Check the spelling, or clear the name."
        } else {
            "Several people have that name. Choose one before you download."
        };
        return Err(CoreError::Invalid(FieldErrors::single(
            "patient_name",
            message,
        )));
    }
    let mut rows: Vec<TrailRow> = Vec::new();
    let mut walk = Walk::Older(None);
    loop {
        let f = filter(&asked, &narrowed, walk, EXPORT_BATCH);
        let batch = stored::page(core.store(), &actor.practice_id, &f).await?;
        let Some(last) = batch.last().map(|r| r.event.seq) else {
            break;
        };
        let full = batch.len() as i64 == EXPORT_BATCH;
        rows.extend(batch);
        if rows.len() > MAX_EXPORT {
            return Err(CoreError::Invalid(FieldErrors::single(
                "from",
                format!(
                    "More than {MAX_EXPORT} events match, too many for one file. Choose fewer \
                     days and download each part."
                ),
            )));
        }
        if !full {
            break;
        }
        walk = Walk::Older(Some(last));
    }
    let items: Vec<TrailItem> = rows.into_iter().map(told).collect::<Result<_, _>>()?;
    let about = match narrowed {
        Narrowed::To(person) => Some(person),
        Narrowed::Everyone | Narrowed::Undecided { .. } => None,
    };
    audit_reading(
        core,
        actor,
        Action::AuditExported,
        &asked,
        about.as_ref(),
        Some(items.len()),
    )
    .await?;
    Ok(Export { items, about })
}

/// One event for a page read or an export: what was asked (identifiers only, never a typed
/// name), and the person it was about as its subject, so "who looked at Maria's trail" is
/// answered by her own trail.
async fn audit_reading(
    core: &Core,
    actor: &StaffActor,
    action: Action,
    asked: &Asked,
    about: Option<&Person>,
    count: Option<usize>,
) -> Result<(), CoreError> {
    let mut entry = by_staff(actor, action, core.now());
    if let Some(person) = about {
        entry = match person.kind {
            PersonKind::Patient => entry
                .subject(SubjectKind::Patient, &person.id)
                .patient(&person.id),
            PersonKind::Invitation => entry.subject(SubjectKind::Invitation, &person.id),
        };
    }
    if let Some(what) = asked.what {
        entry = entry.detail("what", what.as_str());
    }
    match &asked.who {
        Who::Staff(id) | Who::Token(id) => entry = entry.detail("who", id.as_str()),
        Who::Patients => entry = entry.detail("who", "patients"),
        Who::NotSignedIn => entry = entry.detail("who", "anyone"),
        Who::Service => entry = entry.detail("who", "portico"),
        Who::Anyone => {}
    }
    if asked.from != i64::MIN {
        entry = entry.detail("from", asked.from);
    }
    if asked.until != i64::MAX {
        entry = entry.detail("until", asked.until);
    }
    if let Some(count) = count {
        entry = entry.detail("events", count);
    }
    entry.append_alone(core.store()).await
}

/// An event told in words.
fn told(row: TrailRow) -> Result<TrailItem, CoreError> {
    let TrailRow {
        event,
        actor_name,
        subject_name,
        patient_name,
    } = row;
    let action: Action = event.action.parse()?;
    let outcome = Outcome::parse(&event.outcome)?;
    let kind = (event.subject_kind.as_deref())
        .map(SubjectKind::parse)
        .transpose()
        .map_err(|e| CoreError::Internal(e.to_string()))?;
    let who = actor_words(&event.actor_kind, actor_name.as_deref())?;
    // A staff member acting on their own account (the first admin adding themselves).
    let oneself = kind == Some(SubjectKind::Staff)
        && event.subject_id.is_some()
        && event.subject_id == event.actor_id;
    let about = kind.map(|kind| match oneself {
        true => "themselves".to_owned(),
        false => subject_words(
            kind,
            event.subject_id.as_deref().unwrap_or_default(),
            subject_name.as_deref(),
        ),
    });
    let words = action.words();
    let by_caregiver = words
        .by_caregiver
        .filter(|_| event.actor_kind == "caregiver");
    let (template, note) = match (outcome, words.failed, words.without_subject) {
        (Outcome::Success, _, _) if by_caregiver.is_some() => {
            (by_caregiver.unwrap_or(words.done), "")
        }
        (Outcome::Success, _, Some(empty)) if about.is_none() => (empty, ""),
        (Outcome::Success, _, _) => (words.done, ""),
        (_, Some(failed), _) => (failed, ""),
        (_, None, _) => (words.done, " (it did not go through)"),
    };
    let sentence = template
        .replace("{actor}", &who)
        .replace("{subject}", about.as_deref().unwrap_or("a record"))
        .replace("{patient}", patient_name.as_deref().unwrap_or("a patient"));
    Ok(TrailItem {
        seq: event.seq,
        at: Timestamp::from_millis(event.at).to_rfc3339(),
        action,
        outcome,
        who,
        sentence: format!("{}{note}.", capitalised(&sentence)),
        about,
        patient: patient_name,
        chain: event,
    })
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Who did it, from the stored actor kind and the name found for them.
fn actor_words(kind: &str, name: Option<&str>) -> Result<String, CoreError> {
    Ok(match (kind, name) {
        ("staff", Some(name)) | ("patient", Some(name)) => name.to_owned(),
        ("staff", None) => "A staff member".to_owned(),
        ("patient", None) => "A patient".to_owned(),
        ("caregiver", Some(name)) => format!("{name} (caregiver)"),
        ("caregiver", None) => "A caregiver".to_owned(),
        ("api_token", Some(label)) => format!("An integration (token ‘{label}’)"),
        ("api_token", None) => "An integration".to_owned(),
        // The first admin, who set the practice up before they could sign in.
        ("setup_link", Some(name)) => format!("{name} (with the set-up link)"),
        ("setup_link", None) => "Someone with the set-up link".to_owned(),
        ("anonymous", _) => "Someone".to_owned(),
        ("cli", _) => "An administrator at the command line".to_owned(),
        ("worker" | "system", _) => "Portico".to_owned(),
        (other, _) => {
            return Err(CoreError::Internal(format!(
                "unknown audit actor kind {other:?}"
            )));
        }
    })
}

/// What an event was about, from its subject's kind, id and the name found for it.
fn subject_words(kind: SubjectKind, id: &str, name: Option<&str>) -> String {
    match (kind, name) {
        (SubjectKind::Staff | SubjectKind::Patient, Some(name)) => name.to_owned(),
        (SubjectKind::Staff, None) => "a staff member".to_owned(),
        (SubjectKind::Patient, None) => "a patient".to_owned(),
        (SubjectKind::ApiToken, Some(label)) => format!("the API token ‘{label}’"),
        (SubjectKind::ApiToken, None) => "an API token".to_owned(),
        (SubjectKind::Invitation, Some(name)) => format!("the invitation of {name}"),
        (SubjectKind::Invitation, None) => "an invitation".to_owned(),
        (SubjectKind::Provider, Some(name)) => format!("the provider {name}"),
        (SubjectKind::Provider, None) => "a provider".to_owned(),
        (SubjectKind::Program, Some(name)) => format!("the program ‘{name}’"),
        (SubjectKind::Program, None) => "a program".to_owned(),
        (SubjectKind::PatientLink, Some(name)) => format!("the sign-up of {name}"),
        (SubjectKind::PatientLink, None) => "a sign-up".to_owned(),
        (SubjectKind::Practice, _) => "the practice".to_owned(),
        (SubjectKind::Terms, _) => format!("version {id} of the terms of use"),
        (SubjectKind::CaregiverAccess, Some(name)) => format!("caregiver {name}"),
        (SubjectKind::CaregiverAccess, None) => "a caregiver".to_owned(),
        (SubjectKind::VisitRequest, _) => "a visit request".to_owned(),
        (SubjectKind::Thread, _) => "a secure conversation".to_owned(),
        (SubjectKind::IntakeForm, _) => "an intake form".to_owned(),
        (SubjectKind::Import, _) => "an import of patients".to_owned(),
        (SubjectKind::ConsentText, _) => format!("version {id} of the consent text"),
        (SubjectKind::Template, _) => template_words(id),
        (SubjectKind::Notification, _) => "a sign-up notice".to_owned(),
        (SubjectKind::Registration | SubjectKind::OneTimeCode, _) => {
            "a registration in progress".to_owned()
        }
    }
}

/// A message template's audit id (`invite_sms/en`) in words: "the English message template
/// “invite SMS”". The audit log knows no feature, so it reads the id's own words.
fn template_words(id: &str) -> String {
    let (kind, language) = id.split_once('/').unwrap_or((id, ""));
    let kind = kind
        .split('_')
        .map(|w| if w == "sms" { "SMS" } else { w })
        .collect::<Vec<_>>()
        .join(" ");
    let language = match language {
        "en" => "English ",
        "es" => "Spanish ",
        _ => "",
    };
    format!("the {language}message template “{kind}”")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(action: &str, outcome: &str) -> TrailRow {
        TrailRow {
            event: ChainFields {
                seq: 7,
                at: 1_796_871_600_000,
                practice_id: Some("p".into()),
                actor_kind: "staff".into(),
                actor_id: Some("s".into()),
                actor_role: Some("staff".into()),
                action: action.into(),
                subject_kind: Some("invitation".into()),
                subject_id: Some("i".into()),
                patient_id: None,
                ip: None,
                user_agent: None,
                outcome: outcome.into(),
                details: "{}".into(),
                prev_hash: String::new(),
                hash: String::new(),
            },
            actor_name: Some("Dana Front".into()),
            subject_name: Some("Maria Lopez".into()),
            patient_name: None,
        }
    }

    #[test]
    fn an_event_reads_as_a_sentence_with_its_names() {
        let item = told(row("invitation.viewed", "success")).unwrap();
        assert_eq!(
            item.sentence,
            "Dana Front viewed the invitation of Maria Lopez."
        );
        let item = told(row("invitation.resent", "success")).unwrap();
        assert_eq!(
            item.sentence,
            "Dana Front re-sent the invitation of Maria Lopez with a new code."
        );
    }

    #[test]
    fn an_integration_is_named_by_its_token() {
        let mut r = row("invitation.created", "success");
        r.event.actor_kind = "api_token".into();
        r.actor_name = Some("EHR sync".into());
        assert_eq!(
            told(r).unwrap().sentence,
            "An integration (token ‘EHR sync’) created the invitation of Maria Lopez."
        );
    }

    #[test]
    fn a_sentence_may_start_with_its_subject_and_a_failure_has_its_own_words() {
        let mut r = row("invitation.delivered", "success");
        r.event.actor_kind = "system".into();
        assert_eq!(
            told(r).unwrap().sentence,
            "The invitation of Maria Lopez was delivered."
        );
        let mut r = row("staff.sign_in", "failure");
        r.event.actor_kind = "anonymous".into();
        r.event.subject_kind = Some("staff".into());
        r.subject_name = Some("Sam Staff".into());
        assert_eq!(
            told(r).unwrap().sentence,
            "Someone could not sign in as Sam Staff (wrong password)."
        );
    }

    #[test]
    fn an_unknown_outcome_or_actor_is_an_error_not_a_guess() {
        assert!(told(row("invitation.viewed", "maybe")).is_err());
        let mut r = row("invitation.viewed", "success");
        r.event.actor_kind = "ghost".into();
        assert!(told(r).is_err());
    }

    #[test]
    fn a_template_reads_in_words() {
        assert_eq!(
            template_words("invite_sms/es"),
            "the Spanish message template “invite SMS”"
        );
    }

    #[test]
    fn who_reads_only_the_forms_the_filter_offers() {
        assert!(matches!(read_who("staff:abc"), Some(Who::Staff(id)) if id == "abc"));
        assert!(matches!(read_who("portico"), Some(Who::Service)));
        assert!(read_who("staff:").is_none());
        assert!(read_who("root").is_none());
    }
}
