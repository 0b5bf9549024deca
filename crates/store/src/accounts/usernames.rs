//! Usernames, which patients without an email address sign in with. One name space spans the
//! accounts, the invitations that reserve a username for the patient they invite, and the
//! registrations in progress that drew one: a name held in any of them is taken.

use crate::platform::db::fetch;
use crate::{Exec, Result};

/// Whether `username` (as stored: lower case) is held by a patient, an invitation (whatever its
/// state) or a registration in progress.
pub async fn taken(db: impl Into<Exec<'_>>, username: &str) -> Result<bool> {
    let row: Option<(i64,)> = fetch!(db, fetch_optional,
        "SELECT CAST(1 AS BIGINT) FROM patients WHERE username = $1
         UNION ALL SELECT CAST(1 AS BIGINT) FROM invitations WHERE username = $1
         UNION ALL SELECT CAST(1 AS BIGINT) FROM registrations WHERE username = $1
         LIMIT 1";
        username)?;
    Ok(row.is_some())
}
