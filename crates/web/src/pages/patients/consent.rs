//! Consent on paper from a patient's record: the printable form to sign
//! (`/staff/patients/{id}/consent-form`), the upload of its scan (`…/consent-scan`, a file of at
//! most 5 MB, refused beside the field when it is not a PDF, JPEG or PNG by content, with nothing
//! stored), the download of a stored scan (`…/consents/{consent}/scan`, never cached), and each
//! consent's record with the text it agreed to (`…/consents/{consent}`, and as a text file).

use askama::Template;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use portico_core::patients::paper_consent::{self, ConsentView, PrintableForm};
use portico_core::{CoreError, FieldErrors};
use portico_domain::ConsentMethod;

use super::record;
use crate::AppState;
use crate::pages::{field_errors, render};
use crate::platform::body::MAX_UPLOAD;
use crate::platform::chrome::Chrome;
use crate::platform::csrf::CsrfUpload;
use crate::platform::download;
use crate::platform::error::PageError;
use crate::platform::local_time::LocalTime;
use crate::platform::sessions::PageSession;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/staff/patients/{id}/consent-form", get(printable_form))
        .route(
            "/staff/patients/{id}/consent-scan",
            // The body was bounded (and read) at the edge; the form parser need not cut it again.
            post(upload).layer(DefaultBodyLimit::max(MAX_UPLOAD)),
        )
        .route(
            "/staff/patients/{id}/consents/{consent}/scan",
            get(download),
        )
        .route("/staff/patients/{id}/consents/{consent}", get(show_record))
        .route(
            "/staff/patients/{id}/consents/{consent}/record.txt",
            get(download_record),
        )
}

#[derive(Template)]
#[template(path = "consent_record.html")]
struct RecordPage {
    chrome: Option<Chrome>,
    when: LocalTime,
    view: ConsentView,
}

/// One consent: how it was given, when, by whom, and the text agreed to.
async fn show_record(
    State(state): State<AppState>,
    PageSession(session): PageSession,
    Path((id, consent)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let view = paper_consent::consent_view(&state.core, &session.actor, &id, &consent).await?;
    let page = RecordPage {
        chrome: Some(Chrome::of(&session)),
        when: LocalTime::of_staff(&state, &session.actor).await?,
        view,
    };
    render(StatusCode::OK, &page)
}

/// The same record as a plain-text file, for a compliance request or the patient's own copy.
async fn download_record(
    State(state): State<AppState>,
    PageSession(session): PageSession,
    Path((id, consent)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let view = paper_consent::consent_view(&state.core, &session.actor, &id, &consent).await?;
    let when = LocalTime::of_staff(&state, &session.actor).await?;
    let c = &view.consent;
    let mut text = format!(
        "Consent record — {practice}\n\nPatient: {patient}\nHow: {how}\nWhen: {at}\n\
         Consent text: version {version}\n",
        practice = view.practice_name,
        patient = view.patient_name,
        how = c.method.label(),
        at = when.at(&c.signed_at),
        version = c.version,
    );
    if c.method != ConsentMethod::Paper {
        text.push_str(&format!("Typed signature: {}\n", c.signature));
    }
    if let Some(witness) = &c.witnessed_by {
        text.push_str(&format!("Witnessed by: {witness}\n"));
    }
    text.push('\n');
    for paragraph in &view.text.paragraphs {
        text.push_str(paragraph);
        text.push_str("\n\n");
    }
    Ok(download::file(
        text.into_bytes(),
        "text/plain; charset=utf-8",
        "consent-record.txt",
    ))
}

#[derive(Template)]
#[template(path = "consent_form.html")]
struct FormPage {
    chrome: Option<Chrome>,
    form: PrintableForm,
}

async fn printable_form(
    State(state): State<AppState>,
    PageSession(session): PageSession,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let form = paper_consent::printable_form(&state.core, &session.actor, &id).await?;
    let page = FormPage {
        chrome: Some(Chrome::of(&session)),
        form,
    };
    render(StatusCode::OK, &page)
}

async fn upload(
    State(state): State<AppState>,
    PageSession(session): PageSession,
    Path(id): Path<String>,
    CsrfUpload(fields): CsrfUpload,
) -> Result<Response, PageError> {
    let file = fields.file("scan").map(|f| f.bytes).unwrap_or_default();
    // The version printed on the form; blank (or a form without the field) means the one in
    // force, and text that is not a number a version no practice has.
    let version = fields
        .text("version")
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
        .map(|v| v.parse::<i64>().unwrap_or(0));
    match paper_consent::record_scan(&state.core, &session.actor, &id, file, version).await {
        Ok(()) => Ok(Redirect::to(&format!("/staff/patients/{id}?done=consent")).into_response()),
        Err(e @ CoreError::Invalid(_)) => {
            let errors: FieldErrors = field_errors(e)?;
            record::page(&state, &session, &id, None, String::new(), errors).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn download(
    State(state): State<AppState>,
    PageSession(session): PageSession,
    Path((id, consent)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let scan = paper_consent::scan(&state.core, &session.actor, &id, &consent).await?;
    let name = format!("signed-consent.{}", scan.kind.extension());
    Ok(download::file(scan.bytes, scan.kind.media_type(), &name))
}
