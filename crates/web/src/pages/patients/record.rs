//! A patient's record, `/staff/patients/{id}`: details, links to the practice, its providers and
//! programs, the invitations of their household, consents, and the newest events of their trail;
//! and the end of their access (set, moved or lifted), whose post comes back here with what it
//! did said once. A date the service refuses is shown next to its field, as typed.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use portico_core::caregivers::{AccessState, CaregiverAccess};
use portico_core::patients::end_dating::{self, EndDateInput};
use portico_core::patients::{self, PatientRecord, RecordLink, Standing};
use portico_core::threads::forms::PatientForm;
use portico_core::{CoreError, FieldErrors};
use portico_domain::{AccessLevel, CaregiverAuthority, ConsentMethod, LinkSource, Relation};

use crate::AppState;
use crate::pages::{FieldErrorsExt, field_errors, render};
use crate::platform::chrome::Chrome;
use crate::platform::csrf::{CsrfForm, NoFields};
use crate::platform::error::PageError;
use crate::platform::local_time::LocalTime;
use crate::platform::sessions::PageSession;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/staff/patients/{id}", get(show))
        .route("/staff/patients/{id}/access-end", post(set_end))
        .route("/staff/patients/{id}/access-end/lift", post(lift_end))
}

#[derive(Template)]
#[template(path = "patient.html")]
struct RecordPage {
    chrome: Option<Chrome>,
    when: LocalTime,
    record: PatientRecord,
    /// The end date as typed, when it was refused.
    typed_date: String,
    errors: FieldErrors,
    notice: Option<&'static str>,
    /// Today on the practice's calendar (`YYYY-MM-DD`), the earliest end date.
    today: String,
    /// The version of the practice's consent text in force: what a form printed now says.
    consent_version: i64,
    /// The caregiver access whose form `errors` belong to, when one was refused.
    caregiver_form: Option<String>,
    /// The intake forms this staff member sent the patient in their conversations.
    forms: Vec<PatientForm>,
}

impl RecordPage {
    fn name(&self) -> String {
        format!(
            "{} {}",
            self.record.patient.first_name, self.record.patient.last_name
        )
    }

    fn standing_words(&self) -> String {
        let p = &self.record.patient;
        if p.consent_awaited && p.standing == Standing::Active {
            return "Waiting for signed consent".to_owned();
        }
        match (&p.access_ends_at, &p.access_ended_at, p.standing) {
            (Some(ends), _, Standing::Active) => {
                format!("Active, no access from {}", self.when.day(ends))
            }
            (_, Some(ended), Standing::Ended) => {
                format!("Access ended {}", self.when.day(ended))
            }
            (_, _, standing) => super::standing_words(standing).to_owned(),
        }
    }

    /// Whether staff set an end (ahead or passed) that can be lifted.
    fn end_is_set(&self) -> bool {
        self.record.links.iter().any(|l| l.end_set_by_practice)
    }

    /// Who set the end, when staff did.
    fn ended_by(&self) -> Option<&str> {
        self.record.links.iter().find_map(|l| l.ended_by.as_deref())
    }

    /// What a link is: "Lakeside Family Practice", "Dr. Rivera", "Program ‘Diabetes care’".
    fn link_words(&self, link: &RecordLink) -> String {
        match (&link.provider_name, &link.program_name) {
            (Some(provider), Some(program)) => format!("{provider} · program ‘{program}’"),
            (Some(provider), None) => provider.clone(),
            (None, Some(program)) => format!("Program ‘{program}’"),
            (None, None) => "The practice".to_owned(),
        }
    }

    /// Whether the refused caregiver form was this access's.
    fn caregiver_errors(&self, access: &CaregiverAccess) -> bool {
        self.caregiver_form.as_deref() == Some(access.id.as_str())
    }

    fn authorities(&self) -> &'static [CaregiverAuthority] {
        CaregiverAuthority::ALL
    }

    fn levels(&self) -> &'static [AccessLevel] {
        AccessLevel::ALL
    }

    fn source_words(&self, link: &RecordLink) -> &'static str {
        match link.source {
            LinkSource::Invitation => "Invitation",
            LinkSource::ProviderCode => "Provider code",
            LinkSource::SignupCode => "Sign-up code",
        }
    }

    fn link_state(&self, link: &RecordLink) -> String {
        match &link.ends_at {
            Some(at) if self.when.is_past(at) => format!("Ended {}", self.when.day(at)),
            Some(at) => format!("Ends {}", self.when.day(at)),
            None if link.status == portico_domain::LinkStatus::Pending => {
                "Waiting for approval".to_owned()
            }
            None => "Active".to_owned(),
        }
    }
}

#[derive(serde::Deserialize)]
struct ShowQuery {
    #[serde(default)]
    done: Option<String>,
}

async fn show(
    State(state): State<AppState>,
    PageSession(session): PageSession,
    Path(id): Path<String>,
    Query(q): Query<ShowQuery>,
) -> Result<Response, PageError> {
    // What the last post did, said back (the page is reached by redirect after the button).
    let notice = match q.done.as_deref() {
        Some("ended") => Some(
            "End date saved. From that day the patient no longer sees your practice in the portal.",
        ),
        Some("restored") => Some("End date lifted. The patient sees your practice again."),
        Some("caregiver-approved") => Some(
            "Authority recorded. The caregiver opens the patient's portal once they have \
             confirmed the patient's date of birth.",
        ),
        Some("caregiver-level") => Some("The caregiver's access level was changed."),
        Some("caregiver-withdrawn") => {
            Some("Caregiver access withdrawn. From now on they cannot see the patient's portal.")
        }
        Some("consent") => Some(
            "Signed consent form saved. If the patient was waiting for it, they now see your \
             practice in the portal.",
        ),
        _ => None,
    };
    page(
        &state,
        &session,
        &id,
        notice,
        String::new(),
        FieldErrors::new(),
    )
    .await
}

pub(super) async fn page(
    state: &AppState,
    session: &crate::platform::sessions::StaffSession,
    id: &str,
    notice: Option<&'static str>,
    typed_date: String,
    errors: FieldErrors,
) -> Result<Response, PageError> {
    record_page(state, session, id, notice, typed_date, errors, None).await
}

/// The record with a caregiver form's refusal shown next to that form.
pub(crate) async fn with_caregiver_errors(
    state: &AppState,
    session: &crate::platform::sessions::StaffSession,
    id: &str,
    access_id: &str,
    errors: FieldErrors,
) -> Result<Response, PageError> {
    let form = Some(access_id.to_owned());
    record_page(state, session, id, None, String::new(), errors, form).await
}

async fn record_page(
    state: &AppState,
    session: &crate::platform::sessions::StaffSession,
    id: &str,
    notice: Option<&'static str>,
    typed_date: String,
    errors: FieldErrors,
    caregiver_form: Option<String>,
) -> Result<Response, PageError> {
    let record = patients::record(&state.core, &session.actor, id).await?;
    let when = LocalTime::of_staff(state, &session.actor).await?;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let consent_version =
        portico_core::registration::consent::current_for_staff(&state.core, &session.actor)
            .await?
            .version;
    let forms =
        portico_core::threads::forms::sent_to_patient(&state.core, &session.actor, id).await?;
    let page = RecordPage {
        chrome: Some(Chrome::of(session)),
        forms,
        consent_version,
        today: when.today(),
        when,
        record,
        typed_date,
        errors,
        notice,
        caregiver_form,
    };
    render(status, &page)
}

#[derive(serde::Deserialize)]
struct EndForm {
    #[serde(default)]
    date: String,
}

async fn set_end(
    State(state): State<AppState>,
    PageSession(session): PageSession,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<EndForm>,
) -> Result<Response, PageError> {
    let input = EndDateInput {
        date: form.date.clone(),
    };
    match end_dating::set_end_date(&state.core, &session.actor, &id, &input).await {
        Ok(()) => Ok(Redirect::to(&format!("/staff/patients/{id}?done=ended")).into_response()),
        Err(e @ CoreError::Invalid(_)) => {
            let errors = field_errors(e)?;
            page(&state, &session, &id, None, form.date, errors).await
        }
        // Ended meanwhile (another tab): said beside the field, with Lift on the page.
        Err(CoreError::Conflict(why)) => {
            let errors = FieldErrors::single("date", why);
            page(&state, &session, &id, None, form.date, errors).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn lift_end(
    State(state): State<AppState>,
    PageSession(session): PageSession,
    Path(id): Path<String>,
    CsrfForm(NoFields {}): CsrfForm<NoFields>,
) -> Result<Response, PageError> {
    match end_dating::restore_access(&state.core, &session.actor, &id).await {
        // Lifted already (a second tab): the page shows the access as it is.
        Ok(()) | Err(CoreError::Conflict(_)) => {
            Ok(Redirect::to(&format!("/staff/patients/{id}?done=restored")).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
