//! What a front desk follows up on: how many invitations stand in each state, and the ones whose
//! message could not be delivered while the invitation is still usable.

use super::*;
use crate::audit::Shown;

/// How many invitations are in one state (as people see it).
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StateCount {
    pub state: InvitationState,
    pub count: i64,
}

/// Every state with its count, in the states' own order (zeros included, so a page can link to
/// each). Counts carry nothing about any patient, so reading them is not audited.
pub async fn counts(core: &Core, actor: &StaffActor) -> Result<Vec<StateCount>, CoreError> {
    let now = core.now();
    let rows = store::count_by_state(core.store(), &actor.practice_id, now.as_millis()).await?;
    let mut counts: Vec<StateCount> = InvitationState::ALL
        .iter()
        .map(|&state| StateCount { state, count: 0 })
        .collect();
    for (state, n) in rows {
        let state = stored::stored_state(&state)?;
        if let Some(c) = counts.iter_mut().find(|c| c.state == state) {
            c.count += n;
        }
    }
    Ok(counts)
}

/// An invitation whose latest message on a channel was not delivered.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Undelivered {
    pub invitation_id: String,
    pub first_name: String,
    pub last_name: String,
    pub channel: Channel,
    /// The mail server's or provider's reason, as it gave it.
    pub reason: Option<String>,
    pub at: String,
}

/// The practice's usable invitations whose last message on some channel failed or was given up
/// on, newest first; the read is audited when it shows anyone (the dashboard asks on every load).
pub async fn undelivered(
    core: &Core,
    actor: &StaffActor,
    limit: i64,
) -> Result<Vec<Undelivered>, CoreError> {
    let rows = store::undelivered(core.store(), &actor.practice_id, limit).await?;
    let shown: Vec<Shown> = rows
        .iter()
        .map(|r| Shown {
            kind: SubjectKind::Invitation,
            id: &r.id,
            patient_id: None,
        })
        .collect();
    if !shown.is_empty() {
        audit::staff_saw(core, actor, Action::InvitationsListed, &shown).await?;
    }
    rows.into_iter()
        .map(|r| {
            Ok(Undelivered {
                channel: Channel::parse(&r.channel)
                    .map_err(|_| CoreError::Internal("stored channel is unknown".into()))?,
                invitation_id: r.id,
                first_name: r.first_name,
                last_name: r.last_name,
                reason: r.last_error,
                at: Timestamp::from_millis(r.updated_at).to_rfc3339(),
            })
        })
        .collect()
}
