//! The practice's patients (`portico_core::patients`): the list, one patient's record, and the
//! end of their access to the practice. Every read is audited with the patient; another
//! practice's patient answers 404 like an unknown id.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::StatusCode;
use portico_core::patients::end_dating::{self, EndDateInput};
use portico_core::patients::paper_consent;
use portico_core::patients::{self, PatientRecord, PatientsPage, PatientsQuery};
use portico_domain::TextLimit;
use utoipa_axum::router::UtoipaMethodRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::api::extract::{ApiPath, ApiQuery, BoundedJson};
use crate::api::openapi::{Forbidden, InvalidFields, NotFound, PATIENTS, StateConflict};
use crate::platform::body::MAX_UPLOAD;
use crate::platform::error::ApiError;
use crate::platform::limits::Bounded;
use crate::platform::sessions::ApiActor;

pub fn routes() -> Vec<UtoipaMethodRouter<AppState>> {
    vec![
        routes!(list),
        routes!(record),
        routes!(set_access_end, lift_access_end),
        upload_route(),
    ]
}

/// The practice's patients a page at a time, by last name: searched and filtered.
///
/// A patient is listed once, however many of the practice's providers and programs they are
/// linked to. A page's `next_cursor` leads to the page after it with the same filters.
#[utoipa::path(get, path = "/patients", tag = PATIENTS, operation_id = "list_patients",
    params(PatientsQuery),
    responses(
        (status = OK, description = "One page of patients", body = PatientsPage),
        (status = UNPROCESSABLE_ENTITY, response = InvalidFields),
    ))]
async fn list(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiQuery(query): ApiQuery<PatientsQuery>,
) -> Result<Json<PatientsPage>, ApiError> {
    Ok(Json(patients::list(&state.core, &actor, &query).await?))
}

/// One patient's record: details, links, household invitations and consents (the read is
/// audited).
#[utoipa::path(get, path = "/patients/{id}", tag = PATIENTS, operation_id = "get_patient",
    params(("id" = String, Path, description = "The patient's id")),
    responses(
        (status = OK, description = "The patient's record", body = PatientRecord),
        (status = NOT_FOUND, response = NotFound),
    ))]
async fn record(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<PatientRecord>, ApiError> {
    Ok(Json(patients::record(&state.core, &actor, &id).await?))
}

impl Bounded for EndDateInput {
    fn fields(&self) -> Vec<(&'static str, &str, TextLimit)> {
        vec![(
            "date",
            &self.date,
            TextLimit {
                typed: 32,
                told: 10,
            },
        )]
    }
}

/// Ends the patient's access to the practice from the first moment of a day (today or later on
/// the practice's calendar), or moves the day already set.
///
/// From then the patient no longer sees the practice; with no practice left they cannot sign
/// in, and when the day is today their open sessions end at once.
#[utoipa::path(put, path = "/patients/{id}/access-end", tag = PATIENTS,
    operation_id = "set_patient_access_end", params(("id" = String, Path)),
    request_body = EndDateInput,
    responses(
        (status = NO_CONTENT, description = "The end is set"),
        (status = FORBIDDEN, response = Forbidden),
        (status = NOT_FOUND, response = NotFound),
        (status = UNPROCESSABLE_ENTITY, response = InvalidFields),
    ))]
async fn set_access_end(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<String>,
    BoundedJson(input): BoundedJson<EndDateInput>,
) -> Result<StatusCode, ApiError> {
    end_dating::set_end_date(&state.core, &actor, &id, &input).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Lifts the end of the patient's access to the practice.
#[utoipa::path(delete, path = "/patients/{id}/access-end", tag = PATIENTS,
    operation_id = "lift_patient_access_end", params(("id" = String, Path)),
    responses(
        (status = NO_CONTENT, description = "The end is lifted"),
        (status = FORBIDDEN, response = Forbidden),
        (status = NOT_FOUND, response = NotFound),
        (status = CONFLICT, response = StateConflict),
    ))]
async fn lift_access_end(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<String>,
) -> Result<StatusCode, ApiError> {
    end_dating::restore_access(&state.core, &actor, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The upload's route reads bodies up to the edge's upload limit (the edge has bounded them).
fn upload_route() -> UtoipaMethodRouter<AppState> {
    let (schemas, paths, route) = routes!(upload_consent_scan);
    (
        schemas,
        paths,
        route.layer(DefaultBodyLimit::max(MAX_UPLOAD)),
    )
}

/// Where an uploaded scan's consent text version comes from.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ScanQuery {
    /// The version of the practice's consent text printed on the form; the version in force when
    /// left out (a form printed before a newer text was published names its own).
    #[param(minimum = 1)]
    pub version: Option<i64>,
}

/// Records the patient's consent on paper from the scan of the signed form, as the record page's
/// upload does: the body is the file itself (a PDF, JPEG or PNG of at most 5 MB, known by its
/// content whatever its `Content-Type`), witnessed by the caller. A patient whose account waited
/// for the form sees the practice from then on.
#[utoipa::path(post, path = "/patients/{id}/consent-scans", tag = PATIENTS,
    operation_id = "upload_consent_scan",
    params(("id" = String, Path, description = "The patient's id"), ScanQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream",
        description = "The scan of the signed form: a PDF, JPEG or PNG file of at most 5 MB"),
    responses(
        (status = NO_CONTENT, description = "The consent is recorded"),
        (status = NOT_FOUND, response = NotFound),
        (status = UNPROCESSABLE_ENTITY, response = InvalidFields),
    ))]
async fn upload_consent_scan(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<String>,
    ApiQuery(query): ApiQuery<ScanQuery>,
    body: Bytes,
) -> Result<StatusCode, ApiError> {
    paper_consent::record_scan(&state.core, &actor, &id, body.to_vec(), query.version).await?;
    Ok(StatusCode::NO_CONTENT)
}
