//! Patient sign-in, sessions and sign-out. Accounts are reached by email address or username; an
//! unknown name and a wrong password get one answer and take the same time (a decoy hash), and
//! failures are throttled per name and per address, as for staff.

use portico_domain::{EmailAddress, Username};
use portico_store::accounts::patients::{self, PatientRow};
use portico_store::{accounts::patient_sessions, links};

use crate::PatientActor;
use crate::audit::{self, Action, FAILURE};
use crate::platform::actor::ClientInfo;
use crate::platform::secrets::{Purpose, SecretToken};
use crate::platform::throttle::{self, BackoffRule, Rule};
use crate::{Core, CoreError};

/// A signed-in patient session: the cookie or bearer token (shown once) and whose it is.
#[derive(Debug)]
pub struct PatientSession {
    pub token: SecretToken,
    pub patient: PatientActor,
}

/// Finds the account a sign-in name (email address or username) reaches.
pub(crate) async fn find_by_name(core: &Core, name: &str) -> Result<Option<PatientRow>, CoreError> {
    let name = name.trim();
    let (email_key, username) = if name.contains('@') {
        (EmailAddress::parse(name).ok().map(|e| e.lookup_key()), None)
    } else {
        (
            None,
            Username::parse(name).ok().map(|u| u.as_str().to_owned()),
        )
    };
    if email_key.is_none() && username.is_none() {
        return Ok(None);
    }
    Ok(
        patients::find_by_sign_in_name(core.store(), email_key.as_deref(), username.as_deref())
            .await?,
    )
}

pub(crate) fn actor_from_row(row: &PatientRow, client: ClientInfo) -> PatientActor {
    PatientActor {
        patient_id: row.id.clone(),
        first_name: row.first_name.clone(),
        last_name: row.last_name.clone(),
        username: row.username.clone(),
        client,
    }
}

/// Consecutive failed sign-ins to one patient account from every address together.
fn account_waits(core: &Core) -> BackoffRule {
    BackoffRule {
        scope: "patient-sign-in-account-wide",
        backoff: core.settings().sign_in_account_backoff,
    }
}

/// Lifts the growing waits and the lock on every name the account signs in with (after a
/// password reset).
pub(crate) async fn reset_sign_in_failures(core: &Core, row: &PatientRow) -> Result<(), CoreError> {
    for name in [row.email.as_deref(), row.username.as_deref()]
        .into_iter()
        .flatten()
    {
        throttle::reset(core, account_waits(core), &super::sign_in_name_key(name)).await?;
    }
    Ok(())
}

/// Checks a name and password and opens a session.
pub async fn sign_in(
    core: &Core,
    name: &str,
    password: &str,
    client: ClientInfo,
) -> Result<PatientSession, CoreError> {
    let now = core.now();
    let by_account = Rule {
        scope: "patient-sign-in-account",
        limit: core.settings().sign_in_per_account,
    };
    let by_address = Rule {
        scope: "patient-sign-in-address",
        limit: core.settings().sign_in_per_address,
    };
    let address_key = client.address_key();
    let account_key = format!("{}\0{address_key}", name.trim().to_lowercase());
    throttle::attempt(core, by_account, &account_key).await?;
    throttle::attempt(core, by_address, &address_key).await?;
    // NIST SP 800-63B: an account's own limit, whoever types the wrong passwords from wherever.
    let name_key = super::sign_in_name_key(name);
    throttle::backoff_attempt(core, account_waits(core), &name_key).await?;

    let found = find_by_name(core, name).await?;
    let matches = core
        .hasher()
        .verify(
            password.to_owned(),
            found.as_ref().map(|r| r.password_hash.clone()),
        )
        .await?;
    let Some(row) = found.filter(|_| matches) else {
        audit::by_anonymous(Action::PatientSignedIn, now, &client)
            .outcome(FAILURE)
            .append_alone(core.store())
            .await?;
        return Err(CoreError::SignInFailed);
    };
    // An account whose every link has ended can no longer sign in (docs/PRODUCT.md §7). Only the
    // right password reaches this point, so saying so plainly tells a guesser nothing.
    if links::cards_for_patient(core.store(), &row.id, now.as_millis())
        .await?
        .is_empty()
    {
        audit::by_patient(&actor_from_row(&row, client), Action::PatientSignedIn, now)
            .outcome(FAILURE)
            .detail("reason", "access_ended")
            .append_alone(core.store())
            .await?;
        return Err(CoreError::AccessEnded);
    }
    throttle::clear(core, by_account, &account_key).await?;
    throttle::refund(core, by_address, &address_key).await?;
    throttle::reset(core, account_waits(core), &name_key).await?;
    start_session(core, actor_from_row(&row, client), Action::PatientSignedIn).await
}

/// Opens a session for `patient` and audits it as `action`.
pub(crate) async fn start_session(
    core: &Core,
    patient: PatientActor,
    action: Action,
) -> Result<PatientSession, CoreError> {
    let now = core.now();
    let mut tx = core.store().begin().await?;
    let token = insert_session(&mut tx, core, &patient).await?;
    audit::by_patient(&patient, action, now)
        .append(&mut tx)
        .await?;
    tx.commit().await?;
    Ok(PatientSession { token, patient })
}

/// Stores a new session for `patient` inside the caller's transaction; answers its token.
pub(crate) async fn insert_session(
    tx: &mut portico_store::Tx,
    core: &Core,
    patient: &PatientActor,
) -> Result<SecretToken, CoreError> {
    let now = core.now();
    let token = SecretToken::generate();
    patient_sessions::insert(
        tx,
        &patient_sessions::PatientSessionRow {
            token_hash: token.lookup_hash(core.keys(), Purpose::PatientSession),
            patient_id: patient.patient_id.clone(),
            created_at: now.as_millis(),
            last_seen_at: now.as_millis(),
            expires_at: now.plus(core.settings().session_absolute).as_millis(),
        },
    )
    .await?;
    Ok(token)
}

/// Finds whose a session token is; `None` for unknown, expired or idle sessions.
pub async fn authenticate(
    core: &Core,
    token: &SecretToken,
    client: ClientInfo,
) -> Result<Option<PatientActor>, CoreError> {
    let now = core.now();
    let hash = token.lookup_hash(core.keys(), Purpose::PatientSession);
    let Some(session) = patient_sessions::find(core.store(), &hash).await? else {
        return Ok(None);
    };
    if !super::session_in_force(core, now, session.expires_at, session.last_seen_at) {
        patient_sessions::delete(core.store(), &hash).await?;
        return Ok(None);
    }
    // Access that ended since the session opened (an end date reached) ends the session too.
    if !links::has_link_in_force(core.store(), &session.patient_id, now.as_millis()).await? {
        patient_sessions::delete(core.store(), &hash).await?;
        return Ok(None);
    }
    let Some(row) = patients::find(core.store(), &session.patient_id).await? else {
        return Ok(None);
    };
    // Refresh the idle timer at most once a minute: one write per minute, not one per request.
    if now.as_millis() - session.last_seen_at > 60_000 {
        patient_sessions::touch(core.store(), &hash, now.as_millis()).await?;
    }
    Ok(Some(actor_from_row(&row, client)))
}

/// Ends the session behind `token`.
pub async fn sign_out(
    core: &Core,
    token: &SecretToken,
    patient: &PatientActor,
) -> Result<(), CoreError> {
    let now = core.now();
    let mut tx = core.store().begin().await?;
    patient_sessions::delete(
        &mut tx,
        &token.lookup_hash(core.keys(), Purpose::PatientSession),
    )
    .await?;
    audit::by_patient(patient, Action::PatientSignedOut, now)
        .append(&mut tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Ends every session of the patient, on every device.
pub async fn sign_out_everywhere(core: &Core, patient: &PatientActor) -> Result<u64, CoreError> {
    let now = core.now();
    let mut tx = core.store().begin().await?;
    let ended = patient_sessions::delete_for_patient(&mut tx, &patient.patient_id).await?;
    audit::by_patient(patient, Action::PatientSignedOutEverywhere, now)
        .detail("sessions_ended", ended)
        .append(&mut tx)
        .await?;
    tx.commit().await?;
    Ok(ended)
}

/// Removes patient sessions past their limits; run now and then by the server.
pub(super) async fn sweep(core: &Core) -> Result<u64, CoreError> {
    let now = core.now();
    let idle_cutoff = now.minus(core.settings().session_idle).as_millis();
    Ok(patient_sessions::delete_expired(core.store(), now.as_millis(), idle_cutoff).await?)
}
