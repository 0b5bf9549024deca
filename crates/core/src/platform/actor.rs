//! Who is asking: a signed-in staff member (with their practice and role) or an anonymous client,
//! plus where the request came from, for the audit log and the guessing limits.

use portico_domain::StaffRole;

use crate::CoreError;
use crate::platform::secrets::{Keys, Purpose, SecretToken};

/// Where a request came from. The address is the peer address (or the configured proxy header).
#[derive(Debug, Clone, Default)]
pub struct ClientInfo {
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    /// The browser, when it sent its device cookie: many people can share one address (a
    /// clinic's tablet, a family's Wi-Fi), so guessing limits give each browser its own
    /// allowance. The client chooses the cookie, so it only ever narrows a limit that the
    /// address also bounds.
    pub browser: Option<BrowserKey>,
}

/// A browser as guessing limits know it: the keyed hash of its device cookie, so the cookie's
/// value itself is never held past the request's edge, logged or stored.
#[derive(Clone, PartialEq, Eq)]
pub struct BrowserKey(String);

impl BrowserKey {
    pub fn of_cookie(keys: &Keys, cookie: &SecretToken) -> BrowserKey {
        BrowserKey(cookie.lookup_hash(keys, Purpose::Browser))
    }

    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for BrowserKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("BrowserKey(***)")
    }
}

impl ClientInfo {
    /// User agents are free text set by the client; cut them short before they reach the log.
    pub fn new(ip: Option<String>, user_agent: Option<&str>) -> ClientInfo {
        let user_agent = user_agent.map(|ua| ua.chars().take(200).collect());
        ClientInfo {
            ip,
            user_agent,
            browser: None,
        }
    }

    /// The same client, known by its browser.
    pub fn with_browser(self, browser: Option<BrowserKey>) -> ClientInfo {
        ClientInfo { browser, ..self }
    }

    /// The address as guessing limits count it. An IPv6 client usually holds a whole /64 (its
    /// provider hands out prefixes, and privacy addresses rotate inside it), so every address of
    /// one /64 shares a bucket; IPv4 addresses count one by one.
    pub fn address_key(&self) -> String {
        let Some(ip) = self.ip.as_deref() else {
            return String::new();
        };
        match ip.parse::<std::net::IpAddr>() {
            Ok(std::net::IpAddr::V6(v6)) => match v6.to_ipv4_mapped() {
                Some(v4) => v4.to_string(),
                None => {
                    let s = v6.segments();
                    format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
                }
            },
            Ok(std::net::IpAddr::V4(v4)) => v4.to_string(),
            Err(_) => ip.to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::ClientInfo;

    fn key(ip: &str) -> String {
        ClientInfo::new(Some(ip.into()), None).address_key()
    }

    #[test]
    fn ipv6_addresses_of_one_slash_64_share_a_bucket() {
        assert_eq!(
            key("2001:db8:1:2::1"),
            key("2001:db8:1:2:ffff:eeee:dddd:cccc")
        );
        assert_ne!(key("2001:db8:1:2::1"), key("2001:db8:1:3::1"));
        assert_eq!(key("2001:db8:1:2::1"), "2001:db8:1:2::/64");
    }

    #[test]
    fn ipv4_addresses_count_one_by_one_also_when_mapped() {
        assert_ne!(key("192.0.2.1"), key("192.0.2.2"));
        assert_eq!(key("::ffff:192.0.2.1"), key("192.0.2.1"));
    }
}

/// How a practice-side actor proved who they are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActorKind {
    /// A staff member signed in with a session.
    Staff,
    /// An integrator holding one of the practice's API tokens (`staff_id` is then the token's id).
    ApiToken,
    /// Someone at the server's command line (`portico import`): they hold the server itself
    /// (`staff_id` is then `cli`).
    Operator,
}

impl ActorKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ActorKind::Staff => "staff",
            ActorKind::ApiToken => "api_token",
            // The audit log's word for everything done at the command line.
            ActorKind::Operator => "cli",
        }
    }

    pub fn parse(word: &str) -> Option<ActorKind> {
        [ActorKind::Staff, ActorKind::ApiToken, ActorKind::Operator]
            .into_iter()
            .find(|k| k.as_str() == word)
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
    /// An operator at the command line, acting for `practice_id` as its admin would.
    pub fn operator(practice_id: &str) -> StaffActor {
        StaffActor {
            kind: ActorKind::Operator,
            staff_id: ActorKind::Operator.as_str().to_owned(),
            practice_id: practice_id.to_owned(),
            role: StaffRole::Admin,
            display_name: "Command line".to_owned(),
            client: ClientInfo::default(),
        }
    }

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

/// A signed-in patient.
#[derive(Debug, Clone)]
pub struct PatientActor {
    pub patient_id: String,
    pub first_name: String,
    pub last_name: String,
    /// Set for accounts without email: what the patient signs in with.
    pub username: Option<String>,
    pub client: ClientInfo,
}
