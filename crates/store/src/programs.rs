//! Programs (care plans, billing or pricing groups) and their sign-up codes.

use portico_domain::LinkStatus;

use crate::platform::db::{execute, fetch};
use crate::{Exec, Result};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ProgramRow {
    pub id: String,
    pub practice_id: String,
    pub name: String,
    pub signup_code_hash: String,
    pub signup_code_sealed: String,
    pub enabled: bool,
    pub policy: String,
    pub messaging_allowed: bool,
    pub created_at: i64,
    pub updated_at: i64,
}

macro_rules! columns {
    () => {
        "id, practice_id, name, signup_code_hash, signup_code_sealed, enabled, policy, messaging_allowed, \
         created_at, updated_at"
    };
}

pub async fn insert(db: impl Into<Exec<'_>>, row: &ProgramRow) -> Result<()> {
    execute!(db, concat!(
            "INSERT INTO programs (",
            columns!(),
            ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
        );
        &row.id, &row.practice_id, &row.name, &row.signup_code_hash, &row.signup_code_sealed,
        row.enabled, &row.policy, row.messaging_allowed, row.created_at, row.updated_at)?;
    Ok(())
}

/// Replaces every editable field of a practice's program; answers whether it existed.
pub async fn update(db: impl Into<Exec<'_>>, row: &ProgramRow) -> Result<bool> {
    let done = execute!(db,
        "UPDATE programs SET name = $3, signup_code_hash = $4, signup_code_sealed = $5, enabled = $6, policy = $7,
                messaging_allowed = $8, updated_at = $9
         WHERE practice_id = $1 AND id = $2";
        &row.practice_id, &row.id, &row.name, &row.signup_code_hash, &row.signup_code_sealed,
        row.enabled, &row.policy, row.messaging_allowed, row.updated_at)?;
    Ok(done == 1)
}

pub async fn find_in_practice(
    db: impl Into<Exec<'_>>,
    practice_id: &str,
    id: &str,
) -> Result<Option<ProgramRow>> {
    Ok(fetch!(db, fetch_optional,
        concat!("SELECT ", columns!(), " FROM programs WHERE practice_id = $1 AND id = $2");
        practice_id, id)?)
}

pub async fn list_for_practice(
    db: impl Into<Exec<'_>>,
    practice_id: &str,
) -> Result<Vec<ProgramRow>> {
    Ok(fetch!(db, fetch_all,
        concat!("SELECT ", columns!(), " FROM programs WHERE practice_id = $1 ORDER BY name, id");
        practice_id)?)
}

/// A program with how many patients it holds: linked through it and in force, or waiting for
/// staff to approve their sign-up.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ProgramEnrolmentRow {
    #[sqlx(flatten)]
    pub program: ProgramRow,
    pub enrolled: i64,
    pub awaiting_approval: i64,
}

/// A practice's programs (or only the one with `only_id`) with their patient counts, in one
/// statement: the counts are subqueries per program row, not a query per program.
pub async fn list_with_enrolment(
    db: impl Into<Exec<'_>>,
    practice_id: &str,
    only_id: Option<&str>,
    now: i64,
) -> Result<Vec<ProgramEnrolmentRow>> {
    Ok(fetch!(db, fetch_all,
        concat!("SELECT ", columns!(), ",
            (SELECT COUNT(*) FROM patient_links l
              WHERE l.practice_id = programs.practice_id AND l.program_id = programs.id
                AND l.status = $3 AND (l.ended_at IS NULL OR l.ended_at > $5)) AS enrolled,
            (SELECT COUNT(*) FROM patient_links l
              WHERE l.practice_id = programs.practice_id AND l.program_id = programs.id
                AND l.status = $4 AND (l.ended_at IS NULL OR l.ended_at > $5)) AS awaiting_approval
         FROM programs WHERE practice_id = $1 AND ($2 IS NULL OR id = $2)
         ORDER BY name, id");
        practice_id, only_id, LinkStatus::Active.as_str(), LinkStatus::Pending.as_str(), now)?)
}

/// The enabled program whose sign-up code has this hash (public look-up).
pub async fn find_enabled_by_code(
    db: impl Into<Exec<'_>>,
    signup_code_hash: &str,
) -> Result<Option<ProgramRow>> {
    Ok(fetch!(db, fetch_optional,
        concat!("SELECT ", columns!(), " FROM programs WHERE signup_code_hash = $1 AND enabled = TRUE");
        signup_code_hash)?)
}

/// Deletes a program no invitation, ticket or patient refers to; answers whether it was deleted.
pub async fn delete_unused(db: impl Into<Exec<'_>>, practice_id: &str, id: &str) -> Result<bool> {
    let done = execute!(db, "DELETE FROM programs WHERE practice_id = $1 AND id = $2
           AND NOT EXISTS (SELECT 1 FROM invitations WHERE program_id = $2)
           AND NOT EXISTS (SELECT 1 FROM registration_tickets WHERE program_id = $2)
           AND NOT EXISTS (SELECT 1 FROM patient_links WHERE program_id = $2)";
        practice_id, id)?;
    Ok(done == 1)
}
