//! Staff sign-in, sessions and sign-out. One answer for an unknown email and a wrong password,
//! taking the same time; failures are throttled per account and address, per address, and per
//! account from anywhere (growing waits, then a lock an admin lifts), and audited.

use portico_domain::SubjectKind;
use portico_domain::{EmailAddress, StaffRole};
use portico_store::{accounts::staff_sessions, practices::staff};

use super::sign_in_name_key;
use crate::audit::{self, Action, FAILURE};
use crate::platform::actor::{ActorKind, ClientInfo, StaffActor};
use crate::platform::secrets::{Purpose, SecretToken};
use crate::platform::throttle::{self, BackoffRule, Rule};
use crate::{Core, CoreError};

/// Consecutive failed sign-ins to one staff account from every address together.
fn account_waits(core: &Core) -> BackoffRule {
    BackoffRule {
        scope: "staff-sign-in-account-wide",
        backoff: core.settings().sign_in_account_backoff,
    }
}

/// Lifts the growing waits and the lock of a staff account (an admin re-activating it).
pub(crate) async fn reset_sign_in_failures(core: &Core, email: &str) -> Result<(), CoreError> {
    throttle::reset(core, account_waits(core), &sign_in_name_key(email)).await
}

/// A signed-in session: the cookie token (shown to the browser once) and who it belongs to.
#[derive(Debug)]
pub struct Session {
    pub token: SecretToken,
    pub actor: StaffActor,
}

/// A password typed for a staff account, counted against the sign-in limits before it is
/// checked: per account and address, per address, and per account from anywhere. Signing in
/// and confirming the current password before changing it count alike, so the second is no
/// side door for guessing.
pub(crate) struct PasswordAttempt {
    by_account: Rule,
    by_address: Rule,
    account_key: String,
    address_key: String,
    name_key: String,
}

impl PasswordAttempt {
    /// Counts one attempt for the account `typed` names (an email address as typed, whether or
    /// not such an account exists: no enumeration by throttling), refusing once a limit is spent.
    pub(crate) async fn count(
        core: &Core,
        typed: &str,
        client: &ClientInfo,
    ) -> Result<PasswordAttempt, CoreError> {
        let attempt = PasswordAttempt {
            by_account: Rule {
                scope: "staff-sign-in-account",
                limit: core.settings().sign_in_per_account,
            },
            by_address: Rule {
                scope: "staff-sign-in-address",
                limit: core.settings().sign_in_per_address,
            },
            // The per-account limit is kept per address too: someone elsewhere typing wrong
            // passwords must not be able to lock a staff member out of their own desk.
            account_key: format!("{}\0{}", typed.trim().to_lowercase(), client.address_key()),
            address_key: client.address_key(),
            name_key: sign_in_name_key(typed),
        };
        throttle::attempt(core, attempt.by_account, &attempt.account_key).await?;
        throttle::attempt(core, attempt.by_address, &attempt.address_key).await?;
        // NIST SP 800-63B: an account's own limit, whoever types the wrong passwords from wherever.
        throttle::backoff_attempt(core, account_waits(core), &attempt.name_key).await?;
        Ok(attempt)
    }

    /// The password was right: the account's failures are forgotten and the address's attempt
    /// given back.
    pub(crate) async fn succeeded(self, core: &Core) -> Result<(), CoreError> {
        throttle::clear(core, self.by_account, &self.account_key).await?;
        throttle::refund(core, self.by_address, &self.address_key).await?;
        throttle::reset(core, account_waits(core), &self.name_key).await
    }
}

/// Checks an email and password and opens a session.
pub async fn sign_in(
    core: &Core,
    email: &str,
    password: &str,
    client: ClientInfo,
) -> Result<Session, CoreError> {
    let now = core.now();
    let attempt = PasswordAttempt::count(core, email, &client).await?;

    let found = match EmailAddress::parse(email) {
        Ok(email) => staff::find_by_email_key(core.store(), &email.lookup_key()).await?,
        Err(_) => None,
    };
    let known = found
        .as_ref()
        .map(|s| (s.practice_id.clone(), s.id.clone()));
    let usable = found.filter(|s| s.active);
    let matches = core
        .hasher()
        .verify(
            password.to_owned(),
            usable.as_ref().map(|s| s.password_hash.clone()),
        )
        .await?;

    let Some(row) = usable.filter(|_| matches) else {
        let mut entry = audit::by_anonymous(Action::StaffSignedIn, now, &client).outcome(FAILURE);
        if let Some((practice_id, staff_id)) = &known {
            // The practice sees failed attempts on its accounts; the caller still learns nothing.
            entry = entry
                .practice(practice_id)
                .subject(SubjectKind::Staff, staff_id);
        }
        entry.append_alone(core.store()).await?;
        return Err(CoreError::SignInFailed);
    };
    attempt.succeeded(core).await?;

    start_session(core, actor_from_row(row, client)?, Action::StaffSignedIn).await
}

fn actor_from_row(row: staff::StaffRow, client: ClientInfo) -> Result<StaffActor, CoreError> {
    let role = StaffRole::parse(&row.role)
        .map_err(|_| CoreError::Internal("stored role is unknown".into()))?;
    Ok(StaffActor {
        kind: ActorKind::Staff,
        staff_id: row.id,
        practice_id: row.practice_id,
        role,
        display_name: row.display_name,
        client,
    })
}

/// Opens a session for `actor` and audits it as `action`.
pub(crate) async fn start_session(
    core: &Core,
    actor: StaffActor,
    action: Action,
) -> Result<Session, CoreError> {
    let now = core.now();
    let token = SecretToken::generate();
    let mut tx = core.store().begin().await?;
    staff_sessions::insert(
        &mut tx,
        &staff_sessions::SessionRow {
            token_hash: token.lookup_hash(core.keys(), Purpose::Session),
            staff_id: actor.staff_id.clone(),
            practice_id: actor.practice_id.clone(),
            created_at: now.as_millis(),
            last_seen_at: now.as_millis(),
            expires_at: now.plus(core.settings().session_absolute).as_millis(),
        },
    )
    .await?;
    audit::by_staff(&actor, action, now)
        .subject(SubjectKind::Staff, &actor.staff_id)
        .append(&mut tx)
        .await?;
    tx.commit().await?;
    Ok(Session { token, actor })
}

/// Finds who a session cookie belongs to; `None` for unknown, expired, idle or deactivated.
pub async fn authenticate(
    core: &Core,
    token: &SecretToken,
    client: ClientInfo,
) -> Result<Option<StaffActor>, CoreError> {
    let now = core.now();
    let hash = token.lookup_hash(core.keys(), Purpose::Session);
    let Some(session) = staff_sessions::find(core.store(), &hash).await? else {
        return Ok(None);
    };
    if !super::session_in_force(core, now, session.expires_at, session.last_seen_at) {
        staff_sessions::delete(core.store(), &hash).await?;
        return Ok(None);
    }
    let Some(row) =
        staff::find_in_practice(core.store(), &session.practice_id, &session.staff_id).await?
    else {
        return Ok(None);
    };
    if !row.active {
        return Ok(None);
    }
    // Refresh the idle timer at most once a minute: one write per minute, not one per request.
    if now.as_millis() - session.last_seen_at > 60_000 {
        staff_sessions::touch(core.store(), &hash, now.as_millis()).await?;
    }
    Ok(Some(actor_from_row(row, client)?))
}

/// Ends the session behind `token`.
pub async fn sign_out(
    core: &Core,
    token: &SecretToken,
    actor: &StaffActor,
) -> Result<(), CoreError> {
    let now = core.now();
    let mut tx = core.store().begin().await?;
    staff_sessions::delete(&mut tx, &token.lookup_hash(core.keys(), Purpose::Session)).await?;
    audit::by_staff(actor, Action::StaffSignedOut, now)
        .subject(SubjectKind::Staff, &actor.staff_id)
        .append(&mut tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Ends every session of the signed-in staff member, on every device.
pub async fn sign_out_everywhere(core: &Core, actor: &StaffActor) -> Result<u64, CoreError> {
    let now = core.now();
    let mut tx = core.store().begin().await?;
    let ended = staff_sessions::delete_for_staff(&mut tx, &actor.staff_id).await?;
    audit::by_staff(actor, Action::StaffSignedOutEverywhere, now)
        .subject(SubjectKind::Staff, &actor.staff_id)
        .detail("sessions_ended", ended)
        .append(&mut tx)
        .await?;
    tx.commit().await?;
    Ok(ended)
}

/// Removes staff sessions past their limits.
pub(super) async fn sweep(core: &Core) -> Result<u64, CoreError> {
    let now = core.now();
    let idle_cutoff = now.minus(core.settings().session_idle).as_millis();
    Ok(staff_sessions::delete_expired(core.store(), now.as_millis(), idle_cutoff).await?)
}
