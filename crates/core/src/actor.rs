//! Who is asking: a signed-in staff member (with their practice and role) or an anonymous client,
//! plus where the request came from, for the audit log.

use portico_domain::StaffRole;

use crate::CoreError;

/// Where a request came from. The address is the peer address (or the configured proxy header).
#[derive(Debug, Clone, Default)]
pub struct ClientInfo {
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

impl ClientInfo {
    /// User agents are free text set by the client; cut them short before they reach the log.
    pub fn new(ip: Option<String>, user_agent: Option<&str>) -> ClientInfo {
        let user_agent = user_agent.map(|ua| ua.chars().take(200).collect());
        ClientInfo { ip, user_agent }
    }
}

/// How a practice-side actor proved who they are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActorKind {
    /// A staff member signed in with a session.
    Staff,
    /// An integrator holding one of the practice's API tokens (`staff_id` is then the token's id).
    ApiToken,
}

impl ActorKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ActorKind::Staff => "staff",
            ActorKind::ApiToken => "api_token",
        }
    }
}

/// A signed-in staff member (or an API token) acting within their own practice.
#[derive(Clone)]
pub struct StaffActor {
    pub kind: ActorKind,
    pub staff_id: String,
    pub practice_id: String,
    pub role: StaffRole,
    pub display_name: String,
    pub client: ClientInfo,
}

impl StaffActor {
    /// Only a signed-in admin: API tokens may manage invitations, codes and programs, but never
    /// staff accounts or practice settings (a leaked token must not mint web sign-ins).
    pub fn require_staff_admin(&self) -> Result<(), CoreError> {
        if self.kind == ActorKind::Staff {
            self.require_admin()
        } else {
            Err(CoreError::Forbidden)
        }
    }

    pub fn require_admin(&self) -> Result<(), CoreError> {
        if self.role == StaffRole::Admin {
            Ok(())
        } else {
            Err(CoreError::Forbidden)
        }
    }
}

// By hand, so that a logged actor shows ids and role but never the person's name.
impl std::fmt::Debug for StaffActor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StaffActor")
            .field("kind", &self.kind)
            .field("staff_id", &self.staff_id)
            .field("practice_id", &self.practice_id)
            .field("role", &self.role)
            .finish_non_exhaustive()
    }
}
