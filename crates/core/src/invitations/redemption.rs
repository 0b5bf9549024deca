//! Redeeming an invitation (docs/PRODUCT.md §2, §5), the public side: an invite code (or link token) and
//! the patient's date of birth give a short-lived, single-use registration ticket and the details
//! to pre-fill. The invitation is marked redeemed when the registration creates the account. Whatever went wrong — unknown, expired, revoked, redeemed or locked code, wrong
//! birth date, a lost race — the caller gets the same answer; only staff see the real state.
//! Wrong birth dates count against the invitation (the fifth locks it) and every failure counts
//! against the caller's address.

use portico_domain::SubjectKind;
use portico_domain::{BirthDate, InvitationState, InviteCode};
use portico_store::invitations::{self as store, InvitationRow};
use portico_store::{practices, programs, registration::tickets};

use crate::audit::{self, Action, FAILURE};
use crate::platform::actor::ClientInfo;
use crate::platform::secrets::{Purpose, SecretToken};
use crate::platform::throttle::{self, Rule};
use crate::{CodeKind, Core, CoreError, FieldErrors};

/// What the patient typed (or the link carried): the invite code or the link's token (one of
/// them, else 422), with the date of birth.
// In the API document a bare `default` keeps serde's container default (an empty string, which
// the rules refuse) off the required field.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct RedeemInput {
    /// The invite code; any other text gets the same 400 as a wrong code.
    #[cfg_attr(
        feature = "openapi",
        schema(value_type = Option<portico_domain::schema::OrBlank<InviteCode>>)
    )]
    pub code: Option<String>,
    /// The token at the end of the invitation link (`/i/<token>`): 43 characters of base64url.
    #[cfg_attr(
        feature = "openapi",
        schema(max_length = 43, pattern = "^[A-Za-z0-9_-]{43}$|^\\s*$")
    )]
    pub link_token: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = BirthDate, required = true, default))]
    pub birth_date: String,
}

/// The details that pre-fill the registration form.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Prefill {
    pub first_name: String,
    pub last_name: String,
    pub birth_date: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// Set for patients without email: the username reserved for their account.
    pub username: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = portico_domain::Relation))]
    pub relation: String,
    #[cfg_attr(feature = "openapi", schema(value_type = portico_domain::ConsentMethod))]
    pub consent_method: String,
    pub practice_name: String,
    pub provider_name: Option<String>,
    pub program_name: Option<String>,
}

/// A successful redemption: the ticket (shown once) and the pre-fill.
#[derive(Debug)]
pub struct Redemption {
    pub ticket: SecretToken,
    pub prefill: Prefill,
}

fn not_accepted() -> CoreError {
    CoreError::CodeNotAccepted(CodeKind::Invite)
}

/// Checks a code (or link token) and birth date and issues a registration ticket.
pub async fn redeem(
    core: &Core,
    input: &RedeemInput,
    client: &ClientInfo,
) -> Result<Redemption, CoreError> {
    let now = core.now();
    let rule = Rule {
        scope: "invite-redeem-address",
        limit: core.settings().invite_code_per_address,
    };
    let address = client.address_key();
    throttle::attempt(core, rule, &address).await?;

    // Form errors (nothing typed, a date that is not a date) are about the input, not the code:
    // answering them plainly reveals nothing about any invitation.
    let code = input
        .code
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty());
    let link = input
        .link_token
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty());
    let mut errors = FieldErrors::new();
    if code.is_none() && link.is_none() {
        errors.add(
            "code",
            "Enter the code from your invitation, like XYZ-234-ABC.",
        );
    }
    let birth_date = errors.take(
        "birth_date",
        BirthDate::parse(&input.birth_date, now.date()),
    );
    if !errors.is_empty() {
        throttle::refund(core, rule, &address).await?;
    }
    errors.into_result()?;
    let Some(birth_date) = birth_date else {
        return Err(CoreError::Internal("field errors were not recorded".into()));
    };

    let found = match (code, link) {
        (Some(code), _) => match InviteCode::parse(code) {
            Ok(code) => {
                let hash = core
                    .keys()
                    .lookup_hash(Purpose::InviteCode, code.expose_normalized().as_bytes());
                store::find_by_code_hash(core.store(), &hash).await?
            }
            Err(_) => None,
        },
        (None, Some(link)) => find_by_link(core, link).await?,
        (None, None) => None,
    };
    let open = found.filter(|row| {
        InvitationState::parse(&row.state)
            .is_ok_and(|s| s.effective(row.expires_at, now.as_millis()).is_open())
    });
    // The attempt is reserved before the date is compared, in one statement that also checks the
    // invitation is open and has tries left: a parallel burst gets exactly the allowed tries.
    let reserved = match open
        .as_ref()
        .and_then(|r| r.code_hash.clone().map(|h| (r, h)))
    {
        Some((row, code_hash)) => store::reserve_attempt(
            core.store(),
            &row.id,
            &code_hash,
            i64::from(core.settings().wrong_birth_dates_to_lock),
            now.as_millis(),
        )
        .await?
        .map(|attempts| (row, code_hash, attempts)),
        None => None,
    };
    let Some((row, code_hash, attempts)) = reserved else {
        // Unknown, closed or out of tries: one audited failure, as for a wrong date, so that
        // neither the answer nor the work done tells a real code from a made-up one.
        audit::by_anonymous(Action::InvitationCodeChecked, now, client)
            .outcome(FAILURE)
            .append_alone(core.store())
            .await?;
        return Err(not_accepted());
    };

    if row.birth_date != birth_date.expose_iso() {
        wrong_birth_date(core, row, attempts, client).await?;
        return Err(not_accepted());
    }
    if let Err(refused) =
        crate::accounts::registration_limit::open_registration_allowed(core, client).await
    {
        // The date was right: a caller over the registration cap keeps the invitation's try.
        let mut tx = core.store().begin().await?;
        store::release_attempt(&mut tx, &row.id, &code_hash, now.as_millis()).await?;
        tx.commit().await?;
        return Err(refused);
    }

    // The invitation stays open until the account is created (`registration::complete`
    // marks it redeemed): a patient who abandons the form can come back with the same code.
    let mut tx = core.store().begin().await?;
    // Re-checked where the ticket is issued: re-sent, revoked or locked since the date was
    // compared means no ticket. The right date gives its reserved try back.
    if !store::release_attempt(&mut tx, &row.id, &code_hash, now.as_millis()).await? {
        return Err(not_accepted());
    }
    let ticket = SecretToken::generate();
    tickets::insert(
        &mut tx,
        &tickets::TicketRow {
            ticket_hash: ticket.lookup_hash(core.keys(), Purpose::Ticket),
            practice_id: row.practice_id.clone(),
            invitation_id: Some(row.id.clone()),
            provider_code_id: None,
            program_id: row.program_id.clone(),
            invitation_code_hash: Some(code_hash),
            created_at: now.as_millis(),
            expires_at: now.plus(core.settings().ticket_ttl).as_millis(),
            used_at: None,
            kiosk_staff_id: None,
        },
    )
    .await?;
    audit::by_anonymous(Action::InvitationCodeChecked, now, client)
        .practice(&row.practice_id)
        .subject(SubjectKind::Invitation, &row.id)
        .append(&mut tx)
        .await?;
    tx.commit().await?;
    throttle::refund(core, rule, &address).await?;
    let row = row.clone();
    let prefill = prefill(core, row).await?;
    Ok(Redemption { ticket, prefill })
}

/// The invitation whose link carries `token`, if the token has a token's shape.
async fn find_by_link(core: &Core, token: &str) -> Result<Option<InvitationRow>, CoreError> {
    let Some(token) = SecretToken::parse(token) else {
        return Ok(None);
    };
    let hash = token.lookup_hash(core.keys(), Purpose::InviteLink);
    Ok(store::find_by_link_hash(core.store(), &hash).await?)
}

/// What an invitation link tells whoever holds it, before any birth date: never who the patient
/// is (a link may be forwarded), and one answer for every link that cannot be used any more.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkLook {
    /// Open: the practice that sent it; the birth date is asked next.
    Open { practice_name: String },
    /// Already used to create an account: signing in is the way in.
    Used,
    /// Expired, revoked, locked, replaced by a re-send, or no invitation at all.
    NotUsable,
}

/// Looks at the invitation behind a link (`/i/<token>`). The token is 256 random bits: holding it
/// is the proof, so there is nothing to guess and no throttle; a token of the wrong shape costs
/// no database read.
pub async fn look_at_link(core: &Core, token: &str) -> Result<LinkLook, CoreError> {
    let Some(row) = find_by_link(core, token.trim()).await? else {
        return Ok(LinkLook::NotUsable);
    };
    let state =
        super::stored::stored_state(&row.state)?.effective(row.expires_at, core.now().as_millis());
    Ok(match state {
        InvitationState::Redeemed => LinkLook::Used,
        s if s.is_open() => match practices::find(core.store(), &row.practice_id).await? {
            Some(practice) => LinkLook::Open {
                practice_name: practice.name,
            },
            None => LinkLook::NotUsable,
        },
        _ => LinkLook::NotUsable,
    })
}

/// Records a wrong birth date (its try was reserved already) and locks the invitation when it
/// was the last try (audited).
async fn wrong_birth_date(
    core: &Core,
    row: &InvitationRow,
    attempts: i64,
    client: &ClientInfo,
) -> Result<(), CoreError> {
    let now = core.now();
    let mut tx = core.store().begin().await?;
    audit::by_anonymous(Action::InvitationCodeChecked, now, client)
        .practice(&row.practice_id)
        .subject(SubjectKind::Invitation, &row.id)
        .outcome(FAILURE)
        .detail("failed_attempts", attempts)
        .append(&mut tx)
        .await?;
    if attempts >= i64::from(core.settings().wrong_birth_dates_to_lock)
        && store::lock(&mut tx, &row.id, now.as_millis()).await?
    {
        add_anonymous_event(&mut tx, row, InvitationState::Locked, now.as_millis()).await?;
        audit::by_anonymous(Action::InvitationLocked, now, client)
            .practice(&row.practice_id)
            .subject(SubjectKind::Invitation, &row.id)
            .append(&mut tx)
            .await?;
    }
    tx.commit().await?;
    Ok(())
}

async fn add_anonymous_event(
    tx: &mut portico_store::Tx,
    row: &InvitationRow,
    state: InvitationState,
    at: i64,
) -> Result<(), CoreError> {
    let at = crate::Timestamp::from_millis(at);
    super::record_event(
        tx,
        &row.practice_id,
        &row.id,
        state,
        super::MovedBy::Anonymous,
        at,
    )
    .await?;
    Ok(())
}

async fn prefill(core: &Core, row: InvitationRow) -> Result<Prefill, CoreError> {
    let practice = practices::find(core.store(), &row.practice_id)
        .await?
        .ok_or(CoreError::NotFound)?;
    let provider_name = crate::codes::provider_codes::provider_display_name(
        core,
        &row.practice_id,
        row.provider_id.as_deref(),
    )
    .await?;
    let program_name = match &row.program_id {
        Some(id) => programs::find_in_practice(core.store(), &row.practice_id, id)
            .await?
            .map(|p| p.name),
        None => None,
    };
    Ok(Prefill {
        first_name: row.first_name,
        last_name: row.last_name,
        birth_date: row.birth_date,
        email: row.email,
        phone: row.phone,
        username: row.username,
        relation: row.relation,
        consent_method: row.consent_method,
        practice_name: practice.name,
        provider_name,
        program_name,
    })
}
