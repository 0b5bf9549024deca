//! Secure threads (`portico_core::threads`): a staff member's conversations with patients, the
//! patient's side, and a caregiver's for the patient they care for. Anyone else gets 404.

use axum::Json;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::StatusCode;
use axum::response::Response;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use portico_core::platform::upload::Upload;
use portico_core::threads::attachments::{self, AttachmentDownload};
use portico_core::threads::from_patient::{self, PatientThreadInput, Recipient};
use portico_core::threads::invited::{
    self, ThreadInvitation, ThreadInvitationInput, WaitingThread,
};
use portico_core::threads::{
    self, NewThreadInput, ReplyInput, StaffInbox, StaffInboxQuery, ThreadSummary, ThreadView,
};
use portico_core::{CoreError, FieldErrors};
use portico_domain::{MessageText, TextLimit};
use utoipa_axum::router::UtoipaMethodRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::api::extract::{ApiPath, ApiQuery, BoundedJson};
use crate::api::openapi::{Forbidden, InvalidFields, NotFound, PATIENT, PATIENTS, StateConflict};
use crate::platform::body::MAX_UPLOAD;
use crate::platform::download;
use crate::platform::error::ApiError;
use crate::platform::limits::Bounded;
use crate::platform::sessions::{ApiActor, PatientApi};

pub fn routes() -> Vec<UtoipaMethodRouter<AppState>> {
    vec![
        routes!(start, staff_inbox),
        routes!(invite, waiting),
        routes!(staff_thread),
        takes_file(routes!(staff_reply)),
        routes!(staff_file),
        routes!(patient_inbox, patient_start),
        routes!(patient_recipients),
        routes!(patient_thread),
        takes_file(routes!(patient_reply)),
        routes!(patient_file),
        routes!(cared_for_inbox),
        routes!(cared_for_thread),
        takes_file(routes!(cared_for_reply)),
        routes!(cared_for_file),
    ]
}

/// A reply's route reads bodies up to the edge's upload limit (the edge has bounded them): a
/// file of 5 MB is about 6.7 MB of base64.
fn takes_file(r: UtoipaMethodRouter<AppState>) -> UtoipaMethodRouter<AppState> {
    let (schemas, paths, route) = r;
    (
        schemas,
        paths,
        route.layer(DefaultBodyLimit::max(MAX_UPLOAD)),
    )
}

/// A reply through the API: words, a file, or both.
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
pub struct ApiReply {
    /// At most 5000 characters; may be empty when a file is attached.
    #[serde(default)]
    #[schema(required = true)]
    pub body: String,
    /// A file sent with the reply.
    #[serde(default)]
    pub attachment: Option<ApiAttachment>,
}

/// A file sent with a reply.
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
pub struct ApiAttachment {
    /// The name it is shown under (its folder, if any, is dropped).
    #[serde(default)]
    #[schema(required = true)]
    pub file_name: String,
    /// The file's bytes in base64 (standard alphabet, padded): a PDF, JPEG or PNG, known by its
    /// content, of at most 5 MB.
    #[serde(default)]
    #[schema(required = true)]
    pub content_base64: String,
}

/// A file's name: far longer than any a file system keeps.
const FILE_NAME: TextLimit = TextLimit {
    typed: 1000,
    told: 255,
};

impl Bounded for ApiReply {
    fn fields(&self) -> Vec<(&'static str, &str, TextLimit)> {
        let mut fields = vec![("body", self.body.as_str(), MessageText::LIMIT)];
        if let Some(file) = &self.attachment {
            fields.push(("attachment", file.file_name.as_str(), FILE_NAME));
        }
        fields
    }
}

impl ApiReply {
    /// The reply as core takes it, the file decoded; text that is not base64 is refused under
    /// `attachment`.
    fn into_input(self) -> Result<ReplyInput, CoreError> {
        let attachment = match self.attachment {
            None => None,
            Some(file) => {
                let bytes = STANDARD.decode(file.content_base64.trim()).map_err(|_| {
                    CoreError::Invalid(FieldErrors::single(
                        "attachment",
                        "Send the file's content as base64 text (standard alphabet, padded).",
                    ))
                })?;
                Some(Upload {
                    file_name: file.file_name,
                    bytes,
                })
            }
        };
        Ok(ReplyInput {
            body: self.body,
            attachment,
        })
    }
}

/// A downloaded file's bytes, as the document describes them.
#[derive(utoipa::ToSchema)]
#[schema(value_type = String, format = Binary)]
struct FileBytes(#[allow(dead_code)] Vec<u8>);

fn file_response(file: AttachmentDownload) -> Response {
    download::file(file.bytes, file.kind.media_type(), &file.download_name)
}

/// Starts a private conversation with a patient of the practice (a signed-in staff member;
/// API tokens get 403). Only this staff member and the patient's side will read it.
#[utoipa::path(post, path = "/threads", tag = PATIENTS, operation_id = "start_thread",
    request_body = NewThreadInput,
    responses(
        (status = CREATED, description = "Started, with its first message", body = ThreadView),
        (status = FORBIDDEN, response = Forbidden),
        (status = NOT_FOUND, response = NotFound),
        (status = CONFLICT, response = StateConflict),
        (status = UNPROCESSABLE_ENTITY, response = InvalidFields),
    ))]
async fn start(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    BoundedJson(input): BoundedJson<NewThreadInput>,
) -> Result<(StatusCode, Json<ThreadView>), ApiError> {
    let started = threads::start(&state.core, &actor, &input).await?;
    Ok((StatusCode::CREATED, Json(started)))
}

/// The signed-in staff member's conversations, latest message first, with their unread counts:
/// fifty a page, the next page by `cursor`.
#[utoipa::path(get, path = "/threads", tag = PATIENTS, operation_id = "staff_threads",
    params(StaffInboxQuery),
    responses(
        (status = OK, description = "Latest first", body = StaffInbox),
        (status = FORBIDDEN, response = Forbidden),
        (status = UNPROCESSABLE_ENTITY, response = InvalidFields),
    ))]
async fn staff_inbox(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiQuery(query): ApiQuery<StaffInboxQuery>,
) -> Result<Json<StaffInbox>, ApiError> {
    Ok(Json(
        threads::staff_inbox(&state.core, &actor, &query).await?,
    ))
}

/// One of the staff member's conversations, marked read.
#[utoipa::path(get, path = "/threads/{id}", tag = PATIENTS, operation_id = "staff_thread",
    params(("id" = String, Path)),
    responses(
        (status = OK, description = "Oldest message first", body = ThreadView),
        (status = FORBIDDEN, response = Forbidden),
        (status = NOT_FOUND, response = NotFound),
    ))]
async fn staff_thread(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<ThreadView>, ApiError> {
    Ok(Json(threads::staff_thread(&state.core, &actor, &id).await?))
}

/// The staff member writes in their conversation.
#[utoipa::path(post, path = "/threads/{id}/messages", tag = PATIENTS,
    operation_id = "staff_thread_reply", params(("id" = String, Path)), request_body = ApiReply,
    responses(
        (status = CREATED, description = "Posted", body = ThreadView),
        (status = FORBIDDEN, response = Forbidden),
        (status = NOT_FOUND, response = NotFound),
        (status = CONFLICT, response = StateConflict),
        (status = UNPROCESSABLE_ENTITY, response = InvalidFields),
    ))]
async fn staff_reply(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<String>,
    BoundedJson(input): BoundedJson<ApiReply>,
) -> Result<(StatusCode, Json<ThreadView>), ApiError> {
    let input = input.into_input()?;
    let view = threads::staff_reply(&state.core, &actor, &id, &input).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

/// The signed-in patient's conversations at the practices they see, latest first.
#[utoipa::path(get, path = "/patient/threads", tag = PATIENT, operation_id = "patient_threads",
    security(("patient_session" = [])),
    responses((status = OK, description = "Latest first", body = [ThreadSummary])))]
async fn patient_inbox(
    State(state): State<AppState>,
    PatientApi(session): PatientApi,
) -> Result<Json<Vec<ThreadSummary>>, ApiError> {
    Ok(Json(
        threads::patient_inbox(&state.core, &session.patient).await?,
    ))
}

/// One of the patient's conversations, marked read.
#[utoipa::path(get, path = "/patient/threads/{id}", tag = PATIENT,
    operation_id = "patient_thread", security(("patient_session" = [])),
    params(("id" = String, Path)),
    responses(
        (status = OK, description = "Oldest message first", body = ThreadView),
        (status = NOT_FOUND, response = NotFound),
    ))]
async fn patient_thread(
    State(state): State<AppState>,
    PatientApi(session): PatientApi,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<ThreadView>, ApiError> {
    Ok(Json(
        threads::patient_thread(&state.core, &session.patient, &id).await?,
    ))
}

/// The patient writes in their conversation.
#[utoipa::path(post, path = "/patient/threads/{id}/messages", tag = PATIENT,
    operation_id = "patient_thread_reply", security(("patient_session" = [])),
    params(("id" = String, Path)), request_body = ApiReply,
    responses(
        (status = CREATED, description = "Posted", body = ThreadView),
        (status = NOT_FOUND, response = NotFound),
        (status = UNPROCESSABLE_ENTITY, response = InvalidFields),
    ))]
async fn patient_reply(
    State(state): State<AppState>,
    PatientApi(session): PatientApi,
    ApiPath(id): ApiPath<String>,
    BoundedJson(input): BoundedJson<ApiReply>,
) -> Result<(StatusCode, Json<ThreadView>), ApiError> {
    let input = input.into_input()?;
    let view = threads::patient_reply(&state.core, &session.patient, &id, &input).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

/// The conversations of the patient a caregiver cares for, at the practice of the access.
#[utoipa::path(get, path = "/patient/cared-for/{id}/threads", tag = PATIENT,
    operation_id = "patient_cared_for_threads", security(("patient_session" = [])),
    params(("id" = String, Path, description = "The caregiver access's id")),
    responses(
        (status = OK, description = "Latest first", body = [ThreadSummary]),
        (status = NOT_FOUND, response = NotFound),
    ))]
async fn cared_for_inbox(
    State(state): State<AppState>,
    PatientApi(session): PatientApi,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Vec<ThreadSummary>>, ApiError> {
    Ok(Json(
        threads::cared_for_inbox(&state.core, &session.patient, &id).await?,
    ))
}

/// One conversation of the patient a caregiver cares for (the read is audited as theirs).
#[utoipa::path(get, path = "/patient/cared-for/{id}/threads/{thread}", tag = PATIENT,
    operation_id = "patient_cared_for_thread", security(("patient_session" = [])),
    params(("id" = String, Path, description = "The caregiver access's id"), ("thread" = String, Path)),
    responses(
        (status = OK, description = "Oldest message first", body = ThreadView),
        (status = NOT_FOUND, response = NotFound),
    ))]
async fn cared_for_thread(
    State(state): State<AppState>,
    PatientApi(session): PatientApi,
    ApiPath((id, thread)): ApiPath<(String, String)>,
) -> Result<Json<ThreadView>, ApiError> {
    Ok(Json(
        threads::cared_for_thread(&state.core, &session.patient, &id, &thread).await?,
    ))
}

/// A caregiver with full access writes for the patient (read-only access: 403).
#[utoipa::path(post, path = "/patient/cared-for/{id}/threads/{thread}/messages", tag = PATIENT,
    operation_id = "patient_cared_for_thread_reply", security(("patient_session" = [])),
    params(("id" = String, Path, description = "The caregiver access's id"), ("thread" = String, Path)),
    request_body = ApiReply,
    responses(
        (status = CREATED, description = "Posted", body = ThreadView),
        (status = FORBIDDEN, response = Forbidden),
        (status = NOT_FOUND, response = NotFound),
        (status = UNPROCESSABLE_ENTITY, response = InvalidFields),
    ))]
async fn cared_for_reply(
    State(state): State<AppState>,
    PatientApi(session): PatientApi,
    ApiPath((id, thread)): ApiPath<(String, String)>,
    BoundedJson(input): BoundedJson<ApiReply>,
) -> Result<(StatusCode, Json<ThreadView>), ApiError> {
    let input = input.into_input()?;
    let view =
        threads::cared_for_reply(&state.core, &session.patient, &id, &thread, &input).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

/// One of the staff member's conversation's files (the read is audited).
#[utoipa::path(get, path = "/threads/{id}/attachments/{file}", tag = PATIENTS,
    operation_id = "staff_thread_attachment",
    params(("id" = String, Path), ("file" = String, Path, description = "The attachment's id")),
    responses(
        (status = OK, description = "The file, as a download",
            content((FileBytes = "application/pdf"), (FileBytes = "image/jpeg"),
                (FileBytes = "image/png"))),
        (status = FORBIDDEN, response = Forbidden),
        (status = NOT_FOUND, response = NotFound),
    ))]
async fn staff_file(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath((id, file)): ApiPath<(String, String)>,
) -> Result<Response, ApiError> {
    Ok(file_response(
        attachments::staff_file(&state.core, &actor, &id, &file).await?,
    ))
}

/// A file of one of the patient's conversations.
#[utoipa::path(get, path = "/patient/threads/{id}/attachments/{file}", tag = PATIENT,
    operation_id = "patient_thread_attachment", security(("patient_session" = [])),
    params(("id" = String, Path), ("file" = String, Path, description = "The attachment's id")),
    responses(
        (status = OK, description = "The file, as a download",
            content((FileBytes = "application/pdf"), (FileBytes = "image/jpeg"),
                (FileBytes = "image/png"))),
        (status = NOT_FOUND, response = NotFound),
    ))]
async fn patient_file(
    State(state): State<AppState>,
    PatientApi(session): PatientApi,
    ApiPath((id, file)): ApiPath<(String, String)>,
) -> Result<Response, ApiError> {
    Ok(file_response(
        attachments::patient_file(&state.core, &session.patient, &id, &file).await?,
    ))
}

/// A file of a conversation of the patient a caregiver cares for (the read is audited as theirs).
#[utoipa::path(get, path = "/patient/cared-for/{id}/threads/{thread}/attachments/{file}",
    tag = PATIENT, operation_id = "patient_cared_for_thread_attachment",
    security(("patient_session" = [])),
    params(("id" = String, Path, description = "The caregiver access's id"),
        ("thread" = String, Path), ("file" = String, Path, description = "The attachment's id")),
    responses(
        (status = OK, description = "The file, as a download",
            content((FileBytes = "application/pdf"), (FileBytes = "image/jpeg"),
                (FileBytes = "image/png"))),
        (status = NOT_FOUND, response = NotFound),
    ))]
async fn cared_for_file(
    State(state): State<AppState>,
    PatientApi(session): PatientApi,
    ApiPath((id, thread, file)): ApiPath<(String, String, String)>,
) -> Result<Response, ApiError> {
    Ok(file_response(
        attachments::cared_for_file(&state.core, &session.patient, &id, &thread, &file).await?,
    ))
}

/// Invites someone without an account at the practice into a private conversation with the
/// caller (a signed-in staff member; API tokens get 403): an invitation goes by email (the
/// address typed twice), and the conversation opens when they register with it, landing them
/// on it. A patient of the practice with that email address and birth date gets the
/// conversation at once (`waiting_for_registration` false); one with another birth date is
/// refused under `email`.
#[utoipa::path(post, path = "/threads/invitations", tag = PATIENTS,
    operation_id = "invite_into_thread", request_body = ThreadInvitationInput,
    responses(
        (status = CREATED, description = "Invited (or started)", body = ThreadInvitation),
        (status = FORBIDDEN, response = Forbidden),
        (status = CONFLICT, response = StateConflict),
        (status = UNPROCESSABLE_ENTITY, response = InvalidFields),
    ))]
async fn invite(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    BoundedJson(input): BoundedJson<ThreadInvitationInput>,
) -> Result<(StatusCode, Json<ThreadInvitation>), ApiError> {
    let done = invited::invite(&state.core, &actor, &input).await?;
    Ok((StatusCode::CREATED, Json(done)))
}

/// The caller's conversations still waiting for their person to register, newest first.
#[utoipa::path(get, path = "/threads/invitations", tag = PATIENTS,
    operation_id = "threads_waiting_for_registration",
    responses(
        (status = OK, description = "Newest first", body = [WaitingThread]),
        (status = FORBIDDEN, response = Forbidden),
    ))]
async fn waiting(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<Vec<WaitingThread>>, ApiError> {
    Ok(Json(invited::waiting(&state.core, &actor).await?))
}

/// Whom the signed-in patient may start a conversation with: the staff members who have written
/// with them, at a practice where their access is in force and online messaging is allowed.
#[utoipa::path(get, path = "/patient/threads/recipients", tag = PATIENT,
    operation_id = "patient_thread_recipients", security(("patient_session" = [])),
    responses((status = OK, description = "By practice, then name", body = [Recipient])))]
async fn patient_recipients(
    State(state): State<AppState>,
    PatientApi(session): PatientApi,
) -> Result<Json<Vec<Recipient>>, ApiError> {
    Ok(Json(
        from_patient::recipients(&state.core, &session.patient).await?,
    ))
}

/// The signed-in patient starts a conversation with one of their recipients (anyone else is
/// refused under `to`).
#[utoipa::path(post, path = "/patient/threads", tag = PATIENT, operation_id = "patient_start_thread",
    security(("patient_session" = [])), request_body = PatientThreadInput,
    responses(
        (status = CREATED, description = "Started, with its first message", body = ThreadView),
        (status = UNPROCESSABLE_ENTITY, response = InvalidFields),
    ))]
async fn patient_start(
    State(state): State<AppState>,
    PatientApi(session): PatientApi,
    BoundedJson(input): BoundedJson<PatientThreadInput>,
) -> Result<(StatusCode, Json<ThreadView>), ApiError> {
    let started = from_patient::start(&state.core, &session.patient, &input).await?;
    Ok((StatusCode::CREATED, Json(started)))
}
