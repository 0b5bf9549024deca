//! Re-sending many invitations at once: the expired and locked ones a front desk selects on the
//! list. Each goes through the same [`resend`] as one re-send, in its own transaction, so one that
//! cannot go (redeemed meanwhile, another practice's id) is reported and the others still go.
//!
//! Only expired and locked invitations are re-sent here: an open one was perhaps re-sent a moment
//! ago by a colleague, and sending it again would kill the code the patient just got. Nor one
//! handed over in person: its new code must be shown to staff, which only its own page does.

use super::lifecycle::{ResendInput, resend};
use super::stored::stored_state;
use super::*;

/// The most invitations one bulk re-send takes: a few pages of the list.
pub const MAX_BULK: usize = 200;

/// The invitations to re-send.
// No `#[serde(default)]`: `ids` is required, so the API document says so too.
#[derive(Debug, Clone, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BulkResend {
    /// Ids of the practice's expired or locked invitations; repeats count once.
    #[cfg_attr(feature = "openapi", schema(min_items = 1, max_items = 200))]
    pub ids: Vec<String>,
}

/// What became of one invitation of a bulk re-send.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum BulkOutcome {
    /// A new code went out on the invitation's channels; the old one stopped working.
    Resent,
    /// No invitation of this practice has this id.
    NotFound,
    /// The patient already registered with it: link their account instead.
    Redeemed,
    /// It was revoked: make a new invitation instead.
    Revoked,
    /// It is open (neither expired nor locked), so it was left alone: someone may have just
    /// re-sent it. Re-send it on its own if it must go again.
    StillOpen,
    /// It is handed over in person: re-send it on its own, which shows the new code to hand over.
    HandedOver,
}

/// One invitation of a bulk re-send and what became of it.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BulkResentItem {
    pub id: String,
    pub outcome: BulkOutcome,
    /// When the new code expires (re-sent ones only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
    /// The person's name, for the page that reports the outcome (not in the API's answer, whose
    /// caller has the ids).
    #[serde(skip)]
    pub name: Option<String>,
}

/// The outcome of a bulk re-send, one item per id asked for, in the order asked.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BulkResent {
    pub items: Vec<BulkResentItem>,
}

/// Re-sends each expired or locked invitation among `input.ids` with a new code on its own
/// channels. Refuses (422) an empty list or more than [`MAX_BULK`] ids before doing anything.
pub async fn resend_many(
    core: &Core,
    actor: &StaffActor,
    input: &BulkResend,
) -> Result<BulkResent, CoreError> {
    // A blank id is an id like any other that names no invitation: reported as not found.
    let mut ids: Vec<&str> = Vec::new();
    for id in input.ids.iter().map(|id| id.trim()) {
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    if ids.is_empty() {
        return Err(
            FieldErrors::single("ids", "Choose at least one invitation to re-send.").into(),
        );
    }
    if ids.len() > MAX_BULK {
        return Err(FieldErrors::single(
            "ids",
            format!("Re-send at most {MAX_BULK} invitations at a time."),
        )
        .into());
    }
    let mut items = Vec::with_capacity(ids.len());
    for id in ids {
        items.push(resend_one(core, actor, id).await?);
    }
    Ok(BulkResent { items })
}

async fn resend_one(
    core: &Core,
    actor: &StaffActor,
    id: &str,
) -> Result<BulkResentItem, CoreError> {
    let mut item = BulkResentItem {
        id: id.to_owned(),
        outcome: BulkOutcome::NotFound,
        expires_at: None,
        name: None,
    };
    let Some(row) = store::find_in_practice(core.store(), &actor.practice_id, id).await? else {
        return Ok(item);
    };
    item.name = Some(format!("{} {}", row.first_name, row.last_name));
    if let Some(outcome) = left_alone(&row, core.now())? {
        item.outcome = outcome;
        return Ok(item);
    }
    match resend(core, actor, id, &ResendInput::default()).await {
        Ok(issued) => {
            item.outcome = BulkOutcome::Resent;
            item.expires_at = Some(issued.expires_at.to_rfc3339());
        }
        // It changed since it was read (redeemed or revoked meanwhile): say what it is now.
        Err(CoreError::Conflict(_)) => {
            item.outcome =
                match store::find_in_practice(core.store(), &actor.practice_id, id).await? {
                    Some(now) => left_alone(&now, core.now())?.unwrap_or(BulkOutcome::StillOpen),
                    None => BulkOutcome::NotFound,
                };
        }
        Err(CoreError::NotFound) => item.outcome = BulkOutcome::NotFound,
        Err(e) => return Err(e),
    }
    Ok(item)
}

/// Why a bulk re-send leaves this invitation alone, if it does.
fn left_alone(row: &InvitationRow, now: Timestamp) -> Result<Option<BulkOutcome>, CoreError> {
    let state = stored_state(&row.state)?.effective(row.expires_at, now.as_millis());
    Ok(match state {
        InvitationState::Redeemed => Some(BulkOutcome::Redeemed),
        InvitationState::Revoked => Some(BulkOutcome::Revoked),
        InvitationState::Expired | InvitationState::Locked => Channel::split(&row.channels)
            .is_empty()
            .then_some(BulkOutcome::HandedOver),
        InvitationState::Draft | InvitationState::Sent | InvitationState::Delivered => {
            Some(BulkOutcome::StillOpen)
        }
    })
}
