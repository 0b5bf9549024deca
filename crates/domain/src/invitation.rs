//! The life of an invitation (docs/PRODUCT.md §3) and the choices made when creating one: states and the
//! transitions each allows, delivery channels, consent methods, relations; and the policies of
//! programs (docs/PRODUCT.md §6). Pure rules: "now" comes in as an argument.

use std::fmt;

/// Where an invitation stands. `Expired` is never stored: an open invitation past its expiry
/// *is* expired, whenever anyone looks (see [`InvitationState::effective`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum InvitationState {
    Draft,
    Sent,
    Delivered,
    Redeemed,
    Expired,
    Revoked,
    Locked,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Choose one of: draft, sent, delivered, redeemed, expired, revoked, locked.")]
pub struct UnknownState;

impl InvitationState {
    pub const ALL: &'static [InvitationState] = &[
        InvitationState::Draft,
        InvitationState::Sent,
        InvitationState::Delivered,
        InvitationState::Redeemed,
        InvitationState::Expired,
        InvitationState::Revoked,
        InvitationState::Locked,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            InvitationState::Draft => "draft",
            InvitationState::Sent => "sent",
            InvitationState::Delivered => "delivered",
            InvitationState::Redeemed => "redeemed",
            InvitationState::Expired => "expired",
            InvitationState::Revoked => "revoked",
            InvitationState::Locked => "locked",
        }
    }

    pub fn parse(s: &str) -> Result<InvitationState, UnknownState> {
        InvitationState::ALL
            .iter()
            .copied()
            .find(|st| st.as_str() == s.trim())
            .ok_or(UnknownState)
    }

    /// Open: the code can still be redeemed, unless the expiry has passed.
    pub fn is_open(self) -> bool {
        matches!(
            self,
            InvitationState::Draft | InvitationState::Sent | InvitationState::Delivered
        )
    }

    /// The state as people see it at `now_ms`: an open invitation past `expires_at_ms` is expired.
    pub fn effective(self, expires_at_ms: i64, now_ms: i64) -> InvitationState {
        if self.is_open() && now_ms >= expires_at_ms {
            InvitationState::Expired
        } else {
            self
        }
    }

    /// Re-send (a new code, killing the old) is allowed from sent, delivered, expired and locked —
    /// and from draft, which is a send that has not gone out yet. Never after redemption (staff
    /// link the existing account instead) or revocation.
    pub fn can_resend(self) -> bool {
        !matches!(self, InvitationState::Redeemed | InvitationState::Revoked)
    }

    pub fn can_revoke(self) -> bool {
        !matches!(self, InvitationState::Redeemed | InvitationState::Revoked)
    }

    /// The state in a word, as a front desk reads it on a staff page.
    pub fn label(self) -> &'static str {
        match self {
            InvitationState::Draft => "Waiting to send",
            InvitationState::Sent => "Sent",
            InvitationState::Delivered => "Delivered",
            InvitationState::Redeemed => "Registered",
            InvitationState::Expired => "Expired",
            InvitationState::Revoked => "Revoked",
            InvitationState::Locked => "Locked",
        }
    }

    /// Whether staff need to act: a locked or expired invitation only works again once re-sent.
    pub fn needs_resend(self) -> bool {
        matches!(self, InvitationState::Expired | InvitationState::Locked)
    }
}

impl fmt::Display for InvitationState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How an invitation reaches the patient.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Channel {
    Email,
    Sms,
    Voice,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Choose email, sms or voice.")]
pub struct UnknownChannel;

impl Channel {
    /// The longest channel word ("email", "voice"), with room for surrounding whitespace.
    pub const LIMIT: crate::TextLimit = crate::TextLimit { typed: 16, told: 5 };

    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Email => "email",
            Channel::Sms => "sms",
            Channel::Voice => "voice",
        }
    }

    /// How staff name the channel: "by email", "by text message", "by voice call".
    pub fn label(self) -> &'static str {
        match self {
            Channel::Email => "email",
            Channel::Sms => "text message",
            Channel::Voice => "voice call",
        }
    }

    pub fn parse(s: &str) -> Result<Channel, UnknownChannel> {
        match s.trim() {
            "email" => Ok(Channel::Email),
            "sms" => Ok(Channel::Sms),
            "voice" => Ok(Channel::Voice),
            _ => Err(UnknownChannel),
        }
    }

    /// Stored as a comma-separated list, in a fixed order and without repeats.
    pub fn join(channels: &[Channel]) -> String {
        let mut seen: Vec<Channel> = Vec::new();
        for c in [Channel::Email, Channel::Sms, Channel::Voice] {
            if channels.contains(&c) {
                seen.push(c);
            }
        }
        seen.iter()
            .map(|c| c.as_str())
            .collect::<Vec<_>>()
            .join(",")
    }

    pub fn split(stored: &str) -> Vec<Channel> {
        stored
            .split(',')
            .filter_map(|s| Channel::parse(s).ok())
            .collect()
    }
}

/// How the patient's consent is given (docs/PRODUCT.md §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ConsentMethod {
    InApp,
    Tablet,
    Paper,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Choose in_app, tablet or paper.")]
pub struct UnknownConsentMethod;

impl ConsentMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            ConsentMethod::InApp => "in_app",
            ConsentMethod::Tablet => "tablet",
            ConsentMethod::Paper => "paper",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ConsentMethod::InApp => "In the app, while registering",
            ConsentMethod::Tablet => "On the front-desk tablet",
            ConsentMethod::Paper => "On paper, scanned by staff",
        }
    }

    pub fn parse(s: &str) -> Result<ConsentMethod, UnknownConsentMethod> {
        match s.trim() {
            "in_app" => Ok(ConsentMethod::InApp),
            "tablet" => Ok(ConsentMethod::Tablet),
            "paper" => Ok(ConsentMethod::Paper),
            _ => Err(UnknownConsentMethod),
        }
    }
}

/// Who an invitation is for, relative to the invitation it was made with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Relation {
    /// The patient invited on their own.
    Patient,
    /// A spouse or family member invited in the same step.
    Household,
    /// A caregiver who gets proxy access to the patient once approved.
    Caregiver,
}

impl Relation {
    pub fn as_str(self) -> &'static str {
        match self {
            Relation::Patient => "patient",
            Relation::Household => "household",
            Relation::Caregiver => "caregiver",
        }
    }

    pub fn parse(s: &str) -> Option<Relation> {
        match s {
            "patient" => Some(Relation::Patient),
            "household" => Some(Relation::Household),
            "caregiver" => Some(Relation::Caregiver),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Relation::Patient => "Patient",
            Relation::Household => "Household member",
            Relation::Caregiver => "Caregiver",
        }
    }
}

/// What happens when a patient self-registers with a program's sign-up code (docs/PRODUCT.md §6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ProgramPolicy {
    /// Allow, and notify staff of each sign-up.
    Notify,
    /// Allow without notice.
    Silent,
    /// Hold the link as pending until staff approve.
    Approval,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Choose notify, silent or approval.")]
pub struct UnknownPolicy;

impl ProgramPolicy {
    pub fn as_str(self) -> &'static str {
        match self {
            ProgramPolicy::Notify => "notify",
            ProgramPolicy::Silent => "silent",
            ProgramPolicy::Approval => "approval",
        }
    }

    pub fn parse(s: &str) -> Result<ProgramPolicy, UnknownPolicy> {
        match s.trim() {
            "notify" => Ok(ProgramPolicy::Notify),
            "silent" => Ok(ProgramPolicy::Silent),
            "approval" => Ok(ProgramPolicy::Approval),
            _ => Err(UnknownPolicy),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::InvitationState::*;
    use super::*;

    #[test]
    fn an_open_invitation_past_its_expiry_is_expired() {
        for open in [Draft, Sent, Delivered] {
            assert_eq!(open.effective(1_000, 999), open);
            assert_eq!(open.effective(1_000, 1_000), Expired);
        }
    }

    #[test]
    fn closed_states_do_not_expire() {
        for closed in [Redeemed, Revoked, Locked] {
            assert_eq!(closed.effective(1_000, 5_000), closed);
        }
    }

    #[test]
    fn redeemed_and_revoked_invitations_cannot_be_resent_or_revoked() {
        for st in [Redeemed, Revoked] {
            assert!(!st.can_resend() && !st.can_revoke());
        }
        for st in [Draft, Sent, Delivered, Expired, Locked] {
            assert!(st.can_resend() && st.can_revoke(), "{st}");
        }
    }

    #[test]
    fn states_round_trip_through_their_names() {
        for st in InvitationState::ALL {
            assert_eq!(InvitationState::parse(st.as_str()), Ok(*st));
        }
        assert!(InvitationState::parse("pending").is_err());
    }

    #[test]
    fn channels_are_stored_in_a_fixed_order_without_repeats() {
        let stored = Channel::join(&[Channel::Voice, Channel::Email, Channel::Voice]);
        assert_eq!(stored, "email,voice");
        assert_eq!(
            Channel::split(&stored),
            vec![Channel::Email, Channel::Voice]
        );
        assert_eq!(Channel::split(""), vec![]);
    }
}
