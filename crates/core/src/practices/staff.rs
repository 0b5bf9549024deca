//! Staff accounts of a practice: who may sign in to the staff pages, with which role. Admins add
//! staff and change roles; a practice never loses its last active admin. Every read and change is
//! scoped to the actor's own practice.

use portico_domain::SubjectKind;
use portico_domain::{EmailAddress, Password, PasswordContext, PersonName, StaffRole};
use portico_store::{accounts::staff_sessions, practices::staff};

use crate::audit::{self, Action};
use crate::platform::actor::StaffActor;
use crate::platform::clock::Timestamp;
use crate::{Core, CoreError, FieldErrors, new_id};

/// A staff member as shown to their practice (never the password hash).
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StaffMember {
    pub id: String,
    pub display_name: String,
    pub email: String,
    pub role: StaffRole,
    pub active: bool,
    pub created_at: String,
}

impl TryFrom<staff::StaffRow> for StaffMember {
    type Error = CoreError;

    fn try_from(row: staff::StaffRow) -> Result<Self, CoreError> {
        Ok(StaffMember {
            role: StaffRole::parse(&row.role)
                .map_err(|_| CoreError::Internal("stored role is unknown".into()))?,
            id: row.id,
            display_name: row.display_name,
            email: row.email,
            active: row.active,
            created_at: Timestamp::from_millis(row.created_at).to_rfc3339(),
        })
    }
}

/// A new staff account as typed into a form or posted to the API, before checking.
// In the API document a bare `default` keeps serde's container default (an empty string, which
// the rules refuse) off the required fields.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct NewStaffInput {
    #[cfg_attr(feature = "openapi", schema(value_type = PersonName, required = true, default))]
    pub display_name: String,
    /// Unique across the service regardless of case (otherwise 422).
    #[cfg_attr(feature = "openapi", schema(value_type = EmailAddress, required = true, default))]
    pub email: String,
    #[cfg_attr(feature = "openapi", schema(value_type = StaffRole, required = true, default))]
    pub role: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Password, required = true, default))]
    pub password: String,
}

/// A new staff account that passed every rule.
pub struct NewStaff {
    pub display_name: PersonName,
    pub email: EmailAddress,
    pub role: StaffRole,
    pub password: Password,
}

impl NewStaffInput {
    /// Checks every field and reports all the bad ones at once.
    pub fn parse(&self) -> Result<NewStaff, CoreError> {
        let mut errors = FieldErrors::new();
        let display_name = errors.take("display_name", PersonName::parse(&self.display_name));
        let email = errors.take("email", EmailAddress::parse(&self.email));
        let role = errors.take("role", StaffRole::parse(&self.role));
        let inputs: Vec<&str> = [self.display_name.as_str(), self.email.as_str()]
            .into_iter()
            .collect();
        let password = errors.take(
            "password",
            Password::parse(&self.password, &PasswordContext::single_factor(&inputs)),
        );
        errors.into_result()?;
        match (display_name, email, role, password) {
            (Some(display_name), Some(email), Some(role), Some(password)) => Ok(NewStaff {
                display_name,
                email,
                role,
                password,
            }),
            _ => Err(CoreError::Internal("field errors were not recorded".into())),
        }
    }
}

/// Adds a staff member to the actor's practice (admins only).
pub async fn create(
    core: &Core,
    actor: &StaffActor,
    input: &NewStaffInput,
) -> Result<StaffMember, CoreError> {
    actor.require_staff_admin()?;
    let new = input.parse()?;
    let row = build_row(core, &actor.practice_id, new).await?;
    let now = core.now();
    let mut tx = core.store().begin().await?;
    staff::insert(&mut tx, &row).await.map_err(email_taken)?;
    audit::by_staff(actor, Action::StaffCreated, now)
        .subject(SubjectKind::Staff, &row.id)
        .detail("role", row.role.clone())
        .append(&mut tx)
        .await?;
    tx.commit().await?;
    StaffMember::try_from(row)
}

/// Builds the row for a new staff member, hashing the password off the async threads.
pub(crate) async fn build_row(
    core: &Core,
    practice_id: &str,
    new: NewStaff,
) -> Result<staff::StaffRow, CoreError> {
    let now = core.now().as_millis();
    let password_hash = core
        .hasher()
        .hash(new.password.expose_secret().to_owned())
        .await?;
    Ok(staff::StaffRow {
        id: new_id(),
        practice_id: practice_id.to_owned(),
        email: new.email.as_str().to_owned(),
        email_key: new.email.lookup_key(),
        display_name: new.display_name.as_str().to_owned(),
        role: new.role.as_str().to_owned(),
        password_hash,
        active: true,
        created_at: now,
        updated_at: now,
    })
}

/// Turns the unique-email conflict into a message next to the email field.
pub(crate) fn email_taken(e: portico_store::StoreError) -> CoreError {
    if e.is_conflict() {
        CoreError::Invalid(FieldErrors::single(
            "email",
            "A staff account with this email address already exists.",
        ))
    } else {
        e.into()
    }
}

pub async fn list(core: &Core, actor: &StaffActor) -> Result<Vec<StaffMember>, CoreError> {
    staff::list_for_practice(core.store(), &actor.practice_id)
        .await?
        .into_iter()
        .map(StaffMember::try_from)
        .collect()
}

/// One staff member of the actor's practice; `NotFound` for any other practice's id.
pub async fn get(core: &Core, actor: &StaffActor, id: &str) -> Result<StaffMember, CoreError> {
    let row = staff::find_in_practice(core.store(), &actor.practice_id, id)
        .await?
        .ok_or(CoreError::NotFound)?;
    StaffMember::try_from(row)
}

/// A change of role or active flag, as typed.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct StaffChangeInput {
    pub role: String,
    /// Present and "true"/"on" for active; forms send nothing for an unticked box.
    #[serde(default)]
    pub active: Option<String>,
}

/// Changes a staff member's role or deactivates them (admins only). Deactivation ends their
/// sessions at once; the last active admin of a practice cannot be demoted or deactivated.
pub async fn update(
    core: &Core,
    actor: &StaffActor,
    id: &str,
    input: &StaffChangeInput,
) -> Result<StaffMember, CoreError> {
    actor.require_staff_admin()?;
    let role = StaffRole::parse(&input.role)
        .map_err(|e| CoreError::Invalid(FieldErrors::single("role", e.to_string())))?;
    let active = matches!(input.active.as_deref(), Some("true" | "on" | "1"));
    let now = core.now();
    let mut tx = core.store().begin().await?;
    // Two admins demoting each other at once must not leave the practice without one.
    portico_store::practices::lock(&mut tx, &actor.practice_id).await?;
    let current = staff::find_in_practice(&mut tx, &actor.practice_id, id)
        .await?
        .ok_or(CoreError::NotFound)?;
    let loses_admin = current.role == StaffRole::Admin.as_str()
        && current.active
        && (role != StaffRole::Admin || !active);
    if loses_admin
        && staff::count_active_admins_in_practice(&mut tx, &actor.practice_id).await? <= 1
    {
        return Err(CoreError::Invalid(FieldErrors::single(
            "role",
            "A practice needs at least one active admin. Make someone else an admin first.",
        )));
    }
    staff::update_role_and_active(
        &mut tx,
        &actor.practice_id,
        id,
        role.as_str(),
        active,
        now.as_millis(),
    )
    .await?;
    if !active {
        staff_sessions::delete_for_staff(&mut tx, id).await?;
    }
    audit::by_staff(actor, Action::StaffUpdated, now)
        .subject(SubjectKind::Staff, id)
        .detail("role", role.as_str())
        .detail("active", active)
        .append(&mut tx)
        .await?;
    let row = staff::find_in_practice(&mut tx, &actor.practice_id, id)
        .await?
        .ok_or(CoreError::NotFound)?;
    tx.commit().await?;
    if active {
        // An admin saving an active member is how a sign-in lock is lifted.
        crate::accounts::staff_sessions::reset_sign_in_failures(core, &row.email).await?;
    }
    StaffMember::try_from(row)
}
