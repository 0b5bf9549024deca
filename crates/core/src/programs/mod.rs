//! Programs (docs/PRODUCT.md §6): a care plan or billing group with a practice-chosen sign-up code that
//! enrols self-registering patients, a policy (notify, silent, approval) and whether messaging is
//! allowed. Sign-up codes are unique across the deployment regardless of case and of confusable
//! characters; they are stored as a keyed hash for look-up and sealed for staff to see again.

mod overview;

pub use overview::{ProgramOverview, get, overview};

use portico_domain::SubjectKind;
use portico_domain::{DisplayName, ProgramPolicy, SignupCode};
use portico_store::{practices, programs};

use crate::audit::{self, Action};
use crate::codes::guessing::{CodeGuess, CodeUse};
use crate::platform::actor::{ClientInfo, StaffActor};
use crate::platform::clock::Timestamp;
use crate::platform::secrets::Purpose;
use crate::platform::throttle::{self, Rule};

use crate::{CodeKind, Core, CoreError, FieldErrors, new_id};

#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Program {
    pub id: String,
    pub name: String,
    pub signup_code: String,
    pub enabled: bool,
    pub policy: ProgramPolicy,
    pub messaging_allowed: bool,
    pub created_at: String,
    pub updated_at: String,
}

/// A program as typed (create and full update).
// In the API document a bare `default` keeps serde's container default (an empty string, which
// the rules refuse) off the required fields.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct ProgramInput {
    #[cfg_attr(feature = "openapi", schema(value_type = DisplayName, required = true, default))]
    pub name: String,
    /// Unique across the service; a code another program holds answers 422.
    #[cfg_attr(feature = "openapi", schema(value_type = SignupCode, required = true, default))]
    pub signup_code: String,
    /// Whether the sign-up code works (default true).
    #[cfg_attr(feature = "openapi", schema(default = true))]
    pub enabled: Option<bool>,
    #[cfg_attr(
        feature = "openapi",
        schema(value_type = portico_domain::ProgramPolicy, required = true, default)
    )]
    pub policy: String,
    /// Whether patients of the program may message the practice (default true).
    #[cfg_attr(feature = "openapi", schema(default = true))]
    pub messaging_allowed: Option<bool>,
}

struct Checked {
    name: DisplayName,
    code: SignupCode,
    policy: ProgramPolicy,
    enabled: bool,
    messaging_allowed: bool,
}

impl ProgramInput {
    fn check(&self) -> Result<Checked, CoreError> {
        let mut errors = FieldErrors::new();
        let name = errors.take("name", DisplayName::parse(&self.name));
        let code = errors.take("signup_code", SignupCode::parse(&self.signup_code));
        let policy = errors.take("policy", ProgramPolicy::parse(&self.policy));
        errors.into_result()?;
        match (name, code, policy) {
            (Some(name), Some(code), Some(policy)) => Ok(Checked {
                name,
                code,
                policy,
                enabled: self.enabled.unwrap_or(true),
                messaging_allowed: self.messaging_allowed.unwrap_or(true),
            }),
            _ => Err(CoreError::Internal("field errors were not recorded".into())),
        }
    }
}

pub(crate) fn code_hash(core: &Core, code: &SignupCode) -> String {
    core.keys()
        .lookup_hash(Purpose::SignupCode, code.normalized().as_bytes())
}

/// Saves a program row (new or changed) unless its sign-up code is taken, in which case the
/// refusal is throttled per staff member or token and audited.
///
/// Sign-up codes are unique across all practices, so "taken" may mean "taken by another
/// practice": the answer is the same whoever holds it, never names them, and the practice's
/// trail records only its own actor and program. Each attempt counts before the database is
/// asked and is given back unless the code was taken, so someone over the limit learns nothing
/// more about which codes exist.
async fn save_unless_code_taken(
    core: &Core,
    actor: &StaffActor,
    row: &programs::ProgramRow,
    save: Save,
) -> Result<(), CoreError> {
    let rule = Rule {
        scope: "signup-code-collision-actor",
        limit: core.settings().signup_code_collisions_per_actor,
    };
    throttle::attempt(core, rule, &actor.staff_id).await?;
    let now = core.now();
    let mut tx = core.store().begin().await?;
    let saved = match save {
        Save::Insert => programs::insert(&mut tx, row).await.map(|()| true),
        Save::Update => programs::update(&mut tx, row).await,
    };
    match saved {
        Ok(true) => {}
        // Deleted since it was read.
        Ok(false) => return Err(CoreError::NotFound),
        Err(e) if e.is_conflict() => {
            drop(tx);
            let mut refusal =
                audit::by_staff(actor, Action::SignupCodeCollision, now).outcome(audit::DENIED);
            if save == Save::Update {
                refusal = refusal.subject(SubjectKind::Program, &row.id);
            }
            refusal.append_alone(core.store()).await?;
            return Err(CoreError::Invalid(FieldErrors::single(
                "signup_code",
                "This sign-up code cannot be used; choose another.",
            )));
        }
        Err(e) => return Err(e.into()),
    }
    let action = match save {
        Save::Insert => audit::by_staff(actor, Action::ProgramCreated, now)
            .subject(SubjectKind::Program, &row.id),
        Save::Update => audit::by_staff(actor, Action::ProgramUpdated, now)
            .subject(SubjectKind::Program, &row.id)
            .detail("enabled", row.enabled)
            .detail("policy", row.policy.clone()),
    };
    action.append(&mut tx).await?;
    tx.commit().await?;
    throttle::refund(core, rule, &actor.staff_id).await?;
    Ok(())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Save {
    Insert,
    Update,
}

fn view(core: &Core, row: programs::ProgramRow) -> Result<Program, CoreError> {
    Ok(Program {
        signup_code: core
            .keys()
            .open(Purpose::SignupCode, &row.signup_code_sealed)
            .ok_or_else(|| CoreError::Internal("a sealed sign-up code does not open".into()))?,
        policy: ProgramPolicy::parse(&row.policy)
            .map_err(|_| CoreError::Internal("stored policy is unknown".into()))?,
        id: row.id,
        name: row.name,
        enabled: row.enabled,
        messaging_allowed: row.messaging_allowed,
        created_at: Timestamp::from_millis(row.created_at).to_rfc3339(),
        updated_at: Timestamp::from_millis(row.updated_at).to_rfc3339(),
    })
}

pub async fn create(
    core: &Core,
    actor: &StaffActor,
    input: &ProgramInput,
) -> Result<Program, CoreError> {
    actor.require_admin()?;
    let checked = input.check()?;
    let now = core.now();
    let row = programs::ProgramRow {
        id: new_id(),
        practice_id: actor.practice_id.clone(),
        name: checked.name.as_str().to_owned(),
        signup_code_hash: code_hash(core, &checked.code),
        signup_code_sealed: core
            .keys()
            .seal(Purpose::SignupCode, checked.code.as_chosen()),
        enabled: checked.enabled,
        policy: checked.policy.as_str().to_owned(),
        messaging_allowed: checked.messaging_allowed,
        created_at: now.as_millis(),
        updated_at: now.as_millis(),
    };
    save_unless_code_taken(core, actor, &row, Save::Insert).await?;
    view(core, row)
}

/// The practice's programs to choose from, for any staff member (the invite form, an
/// invitation's page); managing them, with their patients counted, is [`overview`] (admins).
pub async fn list(core: &Core, actor: &StaffActor) -> Result<Vec<Program>, CoreError> {
    programs::list_for_practice(core.store(), &actor.practice_id)
        .await?
        .into_iter()
        .map(|r| view(core, r))
        .collect()
}

/// Replaces a program's settings (admins); a changed sign-up code stops the old one at once.
pub async fn update(
    core: &Core,
    actor: &StaffActor,
    id: &str,
    input: &ProgramInput,
) -> Result<Program, CoreError> {
    actor.require_admin()?;
    let checked = input.check()?;
    let now = core.now();
    let mut row = programs::find_in_practice(core.store(), &actor.practice_id, id)
        .await?
        .ok_or(CoreError::NotFound)?;
    row.name = checked.name.as_str().to_owned();
    row.signup_code_hash = code_hash(core, &checked.code);
    row.signup_code_sealed = core
        .keys()
        .seal(Purpose::SignupCode, checked.code.as_chosen());
    // Omitted flags keep their value: renaming a disabled program must not switch it back on.
    row.enabled = input.enabled.unwrap_or(row.enabled);
    row.policy = checked.policy.as_str().to_owned();
    row.messaging_allowed = input.messaging_allowed.unwrap_or(row.messaging_allowed);
    row.updated_at = now.as_millis();
    save_unless_code_taken(core, actor, &row, Save::Update).await?;
    view(core, row)
}

/// Deletes a program nobody was invited or enrolled into (admins); otherwise disable it instead.
pub async fn delete(core: &Core, actor: &StaffActor, id: &str) -> Result<(), CoreError> {
    actor.require_admin()?;
    let now = core.now();
    let mut tx = core.store().begin().await?;
    programs::find_in_practice(&mut tx, &actor.practice_id, id)
        .await?
        .ok_or(CoreError::NotFound)?;
    if !programs::delete_unused(&mut tx, &actor.practice_id, id).await? {
        return Err(CoreError::Invalid(FieldErrors::single(
            "id",
            "This program has invitations or sign-ups; disable it instead of deleting it.",
        )));
    }
    audit::by_staff(actor, Action::ProgramDeleted, now)
        .subject(SubjectKind::Program, id)
        .append(&mut tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// What an anonymous caller learns from a good sign-up code: display names only.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SignupCodeMatch {
    pub program_name: String,
    pub practice_name: String,
}

/// Public look-up of a sign-up code (enabled programs only), throttled as registration is.
pub async fn lookup(
    core: &Core,
    typed: &str,
    client: &ClientInfo,
) -> Result<SignupCodeMatch, CoreError> {
    let guess = CodeGuess::begin(core, client, CodeUse::Registration).await?;
    let found = match SignupCode::parse_entry(typed) {
        Ok(code) => programs::find_enabled_by_code(core.store(), &code_hash(core, &code)).await?,
        Err(_) => None,
    };
    let Some(program) = found else {
        return Err(CoreError::CodeNotAccepted(CodeKind::Signup));
    };
    guess.found(core).await?;
    let practice = practices::find(core.store(), &program.practice_id)
        .await?
        .ok_or(CoreError::NotFound)?;
    Ok(SignupCodeMatch {
        program_name: program.name,
        practice_name: practice.name,
    })
}
