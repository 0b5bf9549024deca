//! Staff members of the practice: the list, adding one (admins), one member's page and changing
//! their role or access (admins).

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use portico_core::FieldErrors;
use portico_core::practices::staff::{self, NewStaffInput, StaffChangeInput, StaffMember};
use portico_domain::StaffRole;

use crate::AppState;
use crate::pages::{FieldErrorsExt, field_errors, render};
use crate::platform::chrome::Chrome;
use crate::platform::csrf::CsrfForm;
use crate::platform::error::PageError;
use crate::platform::local_time::LocalTime;
use crate::platform::sessions::PageSession;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/staff/members", get(list).post(create))
        .route("/staff/members/{id}", get(show).post(update))
}

#[derive(Template)]
#[template(path = "staff_list.html")]
struct StaffListPage {
    chrome: Option<Chrome>,
    members: Vec<StaffMember>,
    input: NewStaffInput,
    errors: FieldErrors,
    roles: &'static [StaffRole],
}

async fn list(
    State(state): State<AppState>,
    PageSession(session): PageSession,
) -> Result<Response, PageError> {
    let members = staff::list(&state.core, &session.actor).await?;
    let input = NewStaffInput {
        role: StaffRole::Staff.as_str().into(),
        ..NewStaffInput::default()
    };
    let page = StaffListPage {
        chrome: Some(Chrome::of(&session)),
        members,
        input,
        errors: FieldErrors::new(),
        roles: StaffRole::ALL,
    };
    render(StatusCode::OK, &page)
}

async fn create(
    State(state): State<AppState>,
    PageSession(session): PageSession,
    CsrfForm(mut input): CsrfForm<NewStaffInput>,
) -> Result<Response, PageError> {
    match staff::create(&state.core, &session.actor, &input).await {
        Ok(member) => Ok(Redirect::to(&format!("/staff/members/{}", member.id)).into_response()),
        Err(e) => {
            let errors = field_errors(e)?;
            input.password.clear();
            let members = staff::list(&state.core, &session.actor).await?;
            let page = StaffListPage {
                chrome: Some(Chrome::of(&session)),
                members,
                input,
                errors,
                roles: StaffRole::ALL,
            };
            render(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
    }
}

#[derive(Template)]
#[template(path = "staff_member.html")]
struct StaffMemberPage {
    chrome: Option<Chrome>,
    member: StaffMember,
    errors: FieldErrors,
    roles: &'static [StaffRole],
    when: LocalTime,
}

async fn show(
    State(state): State<AppState>,
    PageSession(session): PageSession,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let member = staff::get(&state.core, &session.actor, &id).await?;
    let page = StaffMemberPage {
        when: LocalTime::of_staff(&state, &session.actor).await?,
        chrome: Some(Chrome::of(&session)),
        member,
        errors: FieldErrors::new(),
        roles: StaffRole::ALL,
    };
    render(StatusCode::OK, &page)
}

async fn update(
    State(state): State<AppState>,
    PageSession(session): PageSession,
    Path(id): Path<String>,
    CsrfForm(input): CsrfForm<StaffChangeInput>,
) -> Result<Response, PageError> {
    match staff::update(&state.core, &session.actor, &id, &input).await {
        Ok(member) => Ok(Redirect::to(&format!("/staff/members/{}", member.id)).into_response()),
        Err(e) => {
            let errors = field_errors(e)?;
            let member = staff::get(&state.core, &session.actor, &id).await?;
            let page = StaffMemberPage {
                when: LocalTime::of_staff(&state, &session.actor).await?,
                chrome: Some(Chrome::of(&session)),
                member,
                errors,
                roles: StaffRole::ALL,
            };
            render(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
    }
}
