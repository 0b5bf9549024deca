//! Caregivers' proxy access (`portico_core::caregivers`), from every side: the signed-in patient
//! sees who asks for or has access to their portal and approves, changes or withdraws it; the
//! signed-in caregiver adds a caregiver invitation to their account, confirms the patient's birth
//! date, opens the patient's portal and (with full access) acts in it; staff and integrators
//! record a caregiver's authority, change the level and withdraw access on the patient's record.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use portico_core::caregivers::{self, CaredForView, CaregiverAccess, Sharing};
use portico_core::invitations::redemption::RedeemInput;
use portico_core::links::Card;
use serde::Deserialize;
use utoipa_axum::router::UtoipaMethodRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::api::extract::{ApiPath, BoundedJson};
use crate::api::openapi::{
    CodeNotAccepted, Forbidden, InvalidFields, NotFound, PATIENT, PATIENTS, StateConflict,
    TooManyAttempts,
};
use crate::platform::error::ApiError;
use crate::platform::limits::Bounded;
use crate::platform::sessions::{ApiActor, PatientApi};
use portico_domain::{BirthDate, CODE_ENTRY_LIMIT, TextLimit};

pub fn routes() -> Vec<UtoipaMethodRouter<AppState>> {
    vec![
        routes!(sharing),
        routes!(approve),
        routes!(set_level),
        routes!(withdraw),
        routes!(accept_invitation),
        routes!(cared_for, give_up),
        routes!(confirm_birth_date),
        routes!(add_provider_code),
        routes!(record_authority),
        routes!(staff_set_level),
        routes!(staff_withdraw),
    ]
}

/// Words of a closed set are short; anything longer is refused before it is read.
const WORD_LIMIT: TextLimit = TextLimit {
    typed: 64,
    told: 32,
};

/// The level of access: `full` (see and act) or `read_only`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct CaregiverLevelInput {
    #[schema(value_type = portico_domain::AccessLevel)]
    pub level: String,
}

impl Bounded for CaregiverLevelInput {
    fn fields(&self) -> Vec<(&'static str, &str, TextLimit)> {
        vec![("level", &self.level, WORD_LIMIT)]
    }
}

/// The authority staff recorded, and the level they grant.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct CaregiverAuthorityInput {
    #[schema(value_type = portico_domain::CaregiverAuthority)]
    pub authority: String,
    #[schema(value_type = portico_domain::AccessLevel)]
    pub level: String,
}

impl Bounded for CaregiverAuthorityInput {
    fn fields(&self) -> Vec<(&'static str, &str, TextLimit)> {
        vec![
            ("authority", &self.authority, WORD_LIMIT),
            ("level", &self.level, WORD_LIMIT),
        ]
    }
}

/// The patient's date of birth, as the caregiver knows it.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct CaredForBirthDateInput {
    #[schema(value_type = BirthDate)]
    pub birth_date: String,
}

impl Bounded for CaredForBirthDateInput {
    fn fields(&self) -> Vec<(&'static str, &str, TextLimit)> {
        vec![("birth_date", &self.birth_date, BirthDate::LIMIT)]
    }
}

/// A caregiver invitation's code with the caregiver's own date of birth (the one on the
/// invitation).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct CaregiverInvitationInput {
    /// Any other text gets the same 400 as a wrong code.
    #[schema(value_type = portico_domain::InviteCode)]
    pub code: String,
    #[schema(value_type = BirthDate)]
    pub birth_date: String,
}

impl Bounded for CaregiverInvitationInput {
    fn fields(&self) -> Vec<(&'static str, &str, TextLimit)> {
        vec![
            ("code", &self.code, CODE_ENTRY_LIMIT),
            ("birth_date", &self.birth_date, BirthDate::LIMIT),
        ]
    }
}

/// A provider code of the practice that gave the caregiver access.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct CaredForCodeInput {
    #[schema(value_type = portico_domain::ProviderCode)]
    pub code: String,
}

impl Bounded for CaredForCodeInput {
    fn fields(&self) -> Vec<(&'static str, &str, TextLimit)> {
        vec![("code", &self.code, CODE_ENTRY_LIMIT)]
    }
}

/// The signed-in account's caregivers (who asks for or has access to its portal) and the
/// patients it cares for.
#[utoipa::path(get, path = "/patient/caregivers", tag = PATIENT,
    operation_id = "patient_caregivers", security(("patient_session" = [])),
    responses((status = OK, description = "Both sides", body = Sharing)))]
async fn sharing(
    State(state): State<AppState>,
    PatientApi(session): PatientApi,
) -> Result<Json<Sharing>, ApiError> {
    Ok(Json(
        caregivers::sharing(&state.core, &session.patient).await?,
    ))
}

/// The patient approves a caregiver's request, choosing the level.
#[utoipa::path(post, path = "/patient/caregivers/{id}/approval", tag = PATIENT,
    operation_id = "patient_approve_caregiver", security(("patient_session" = [])),
    params(("id" = String, Path)), request_body = CaregiverLevelInput,
    responses(
        (status = OK, description = "Approved", body = CaregiverAccess),
        (status = NOT_FOUND, response = NotFound),
        (status = CONFLICT, response = StateConflict),
        (status = UNPROCESSABLE_ENTITY, response = InvalidFields),
    ))]
async fn approve(
    State(state): State<AppState>,
    PatientApi(session): PatientApi,
    ApiPath(id): ApiPath<String>,
    BoundedJson(input): BoundedJson<CaregiverLevelInput>,
) -> Result<Json<CaregiverAccess>, ApiError> {
    let access = caregivers::approve(&state.core, &session.patient, &id, &input.level).await?;
    Ok(Json(access))
}

/// The patient changes what their caregiver may do.
#[utoipa::path(put, path = "/patient/caregivers/{id}/level", tag = PATIENT,
    operation_id = "patient_set_caregiver_level", security(("patient_session" = [])),
    params(("id" = String, Path)), request_body = CaregiverLevelInput,
    responses(
        (status = OK, description = "Changed", body = CaregiverAccess),
        (status = NOT_FOUND, response = NotFound),
        (status = CONFLICT, response = StateConflict),
        (status = UNPROCESSABLE_ENTITY, response = InvalidFields),
    ))]
async fn set_level(
    State(state): State<AppState>,
    PatientApi(session): PatientApi,
    ApiPath(id): ApiPath<String>,
    BoundedJson(input): BoundedJson<CaregiverLevelInput>,
) -> Result<Json<CaregiverAccess>, ApiError> {
    let access =
        caregivers::set_level_by_patient(&state.core, &session.patient, &id, &input.level).await?;
    Ok(Json(access))
}

/// The patient withdraws a caregiver's access (or declines the request), effective at once.
#[utoipa::path(delete, path = "/patient/caregivers/{id}", tag = PATIENT,
    operation_id = "patient_withdraw_caregiver", security(("patient_session" = [])),
    params(("id" = String, Path)),
    responses(
        (status = OK, description = "Ended", body = CaregiverAccess),
        (status = NOT_FOUND, response = NotFound),
        (status = CONFLICT, response = StateConflict),
    ))]
async fn withdraw(
    State(state): State<AppState>,
    PatientApi(session): PatientApi,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<CaregiverAccess>, ApiError> {
    Ok(Json(
        caregivers::end_by_patient(&state.core, &session.patient, &id).await?,
    ))
}

/// Adds a caregiver invitation to the signed-in account (one account for every patient one
/// cares for): its code with the caregiver's date of birth, checked as registering checks them.
#[utoipa::path(post, path = "/patient/caregiver-invitations", tag = PATIENT,
    operation_id = "patient_accept_caregiver_invitation", security(("patient_session" = [])),
    request_body = CaregiverInvitationInput,
    responses(
        (status = CREATED, description = "The access, waiting for the patient's approval",
            body = CaregiverAccess),
        (status = BAD_REQUEST, response = CodeNotAccepted),
        (status = CONFLICT, response = StateConflict),
        (status = UNPROCESSABLE_ENTITY, response = InvalidFields),
        (status = TOO_MANY_REQUESTS, response = TooManyAttempts),
    ))]
async fn accept_invitation(
    State(state): State<AppState>,
    PatientApi(session): PatientApi,
    BoundedJson(input): BoundedJson<CaregiverInvitationInput>,
) -> Result<(StatusCode, Json<CaregiverAccess>), ApiError> {
    let redeem = RedeemInput {
        code: Some(input.code),
        link_token: None,
        birth_date: input.birth_date,
    };
    let access = caregivers::accept_invitation(&state.core, &session.patient, &redeem).await?;
    Ok((StatusCode::CREATED, Json(access)))
}

/// The portal of a patient the signed-in account cares for, at the practice of the access
/// (audited as the caregiver acting for them). Not found once the access is withdrawn.
#[utoipa::path(get, path = "/patient/cared-for/{id}", tag = PATIENT,
    operation_id = "patient_cared_for", security(("patient_session" = [])),
    params(("id" = String, Path, description = "The access's id")),
    responses(
        (status = OK, description = "Their visit screen", body = CaredForView),
        (status = NOT_FOUND, response = NotFound),
    ))]
async fn cared_for(
    State(state): State<AppState>,
    PatientApi(session): PatientApi,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<CaredForView>, ApiError> {
    Ok(Json(
        caregivers::cared_for(&state.core, &session.patient, &id).await?,
    ))
}

/// The caregiver gives up their access to a patient's portal.
#[utoipa::path(delete, path = "/patient/cared-for/{id}", tag = PATIENT,
    operation_id = "patient_give_up_care", security(("patient_session" = [])),
    params(("id" = String, Path)),
    responses(
        (status = OK, description = "Ended", body = CaregiverAccess),
        (status = NOT_FOUND, response = NotFound),
        (status = CONFLICT, response = StateConflict),
    ))]
async fn give_up(
    State(state): State<AppState>,
    PatientApi(session): PatientApi,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<CaregiverAccess>, ApiError> {
    Ok(Json(
        caregivers::end_by_caregiver(&state.core, &session.patient, &id).await?,
    ))
}

/// The caregiver confirms the patient's date of birth; the fifth wrong date ends the access.
#[utoipa::path(post, path = "/patient/cared-for/{id}/birth-date", tag = PATIENT,
    operation_id = "patient_confirm_cared_for_birth_date", security(("patient_session" = [])),
    params(("id" = String, Path)), request_body = CaredForBirthDateInput,
    responses(
        (status = OK, description = "Confirmed", body = CaregiverAccess),
        (status = NOT_FOUND, response = NotFound),
        (status = CONFLICT, response = StateConflict),
        (status = UNPROCESSABLE_ENTITY, response = InvalidFields),
    ))]
async fn confirm_birth_date(
    State(state): State<AppState>,
    PatientApi(session): PatientApi,
    ApiPath(id): ApiPath<String>,
    BoundedJson(input): BoundedJson<CaredForBirthDateInput>,
) -> Result<Json<CaregiverAccess>, ApiError> {
    let access =
        caregivers::confirm_birth_date(&state.core, &session.patient, &id, &input.birth_date)
            .await?;
    Ok(Json(access))
}

/// A caregiver with full access links the patient to another provider of the same practice.
#[utoipa::path(post, path = "/patient/cared-for/{id}/provider-codes", tag = PATIENT,
    operation_id = "patient_cared_for_add_provider_code", security(("patient_session" = [])),
    params(("id" = String, Path)), request_body = CaredForCodeInput,
    responses(
        (status = OK, description = "The new (or existing) card", body = Card),
        (status = BAD_REQUEST, response = CodeNotAccepted),
        (status = FORBIDDEN, response = Forbidden),
        (status = NOT_FOUND, response = NotFound),
        (status = CONFLICT, response = StateConflict),
        (status = UNPROCESSABLE_ENTITY, response = InvalidFields),
        (status = TOO_MANY_REQUESTS, response = TooManyAttempts),
    ))]
async fn add_provider_code(
    State(state): State<AppState>,
    PatientApi(session): PatientApi,
    ApiPath(id): ApiPath<String>,
    BoundedJson(input): BoundedJson<CaredForCodeInput>,
) -> Result<Json<Card>, ApiError> {
    let (card, _) =
        caregivers::add_provider_code_for(&state.core, &session.patient, &id, &input.code).await?;
    Ok(Json(card))
}

/// Staff record that the caregiver has the authority to see the patient's portal (a parent of a
/// minor, a legal guardian, a health care proxy), which approves it at the level they choose.
#[utoipa::path(post, path = "/patients/{id}/caregivers/{access}/authority", tag = PATIENTS,
    operation_id = "record_caregiver_authority",
    params(("id" = String, Path, description = "The patient's or the caregiver's id"),
           ("access" = String, Path, description = "The access's id")),
    request_body = CaregiverAuthorityInput,
    responses(
        (status = OK, description = "Approved", body = CaregiverAccess),
        (status = NOT_FOUND, response = NotFound),
        (status = CONFLICT, response = StateConflict),
        (status = UNPROCESSABLE_ENTITY, response = InvalidFields),
    ))]
async fn record_authority(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath((id, access)): ApiPath<(String, String)>,
    BoundedJson(input): BoundedJson<CaregiverAuthorityInput>,
) -> Result<Json<CaregiverAccess>, ApiError> {
    let access = caregivers::record_authority(
        &state.core,
        &actor,
        &id,
        &access,
        &input.authority,
        &input.level,
    )
    .await?;
    Ok(Json(access))
}

/// Staff change what a caregiver may do.
#[utoipa::path(put, path = "/patients/{id}/caregivers/{access}/level", tag = PATIENTS,
    operation_id = "set_caregiver_level",
    params(("id" = String, Path), ("access" = String, Path)),
    request_body = CaregiverLevelInput,
    responses(
        (status = OK, description = "Changed", body = CaregiverAccess),
        (status = NOT_FOUND, response = NotFound),
        (status = CONFLICT, response = StateConflict),
        (status = UNPROCESSABLE_ENTITY, response = InvalidFields),
    ))]
async fn staff_set_level(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath((id, access)): ApiPath<(String, String)>,
    BoundedJson(input): BoundedJson<CaregiverLevelInput>,
) -> Result<Json<CaregiverAccess>, ApiError> {
    let access =
        caregivers::set_level_by_staff(&state.core, &actor, &id, &access, &input.level).await?;
    Ok(Json(access))
}

/// Staff withdraw a caregiver's access, effective at once.
#[utoipa::path(delete, path = "/patients/{id}/caregivers/{access}", tag = PATIENTS,
    operation_id = "withdraw_caregiver",
    params(("id" = String, Path), ("access" = String, Path)),
    responses(
        (status = OK, description = "Ended", body = CaregiverAccess),
        (status = NOT_FOUND, response = NotFound),
        (status = CONFLICT, response = StateConflict),
    ))]
async fn staff_withdraw(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath((id, access)): ApiPath<(String, String)>,
) -> Result<Json<CaregiverAccess>, ApiError> {
    Ok(Json(
        caregivers::end_by_staff(&state.core, &actor, &id, &access).await?,
    ))
}
