//! Usernames of accounts without an email address, and the one rule that keeps them apart: a
//! username held by a patient, reserved by an invitation or drawn by a registration in progress
//! is taken, whichever path — staff inviting or a patient registering — asks for it.

use portico_domain::Username;
use portico_store::{Exec, accounts::usernames as store};

use crate::CoreError;

/// How many random usernames are drawn before giving up. There are about 1.8 million names, so
/// even with tens of thousands held a second draw is rare and twenty taken in a row mean
/// something else is wrong.
const DRAWS: usize = 20;

/// Whether nobody holds `username` yet.
pub(crate) async fn is_free(
    db: impl Into<Exec<'_>>,
    username: &Username,
) -> Result<bool, CoreError> {
    Ok(!store::taken(db, username.as_str()).await?)
}

/// A random username nobody holds yet. Run it in the transaction that reserves the name when
/// there is one, so that names reserved earlier in it count too.
pub(crate) async fn draw_free(db: impl Into<Exec<'_>>) -> Result<Username, CoreError> {
    let mut db = db.into();
    for _ in 0..DRAWS {
        let candidate = Username::generate(&mut rand::rng());
        if is_free(db.reborrow(), &candidate).await? {
            return Ok(candidate);
        }
    }
    Err(CoreError::Internal(format!(
        "no free username after {DRAWS} draws"
    )))
}
