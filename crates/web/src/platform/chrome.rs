//! The staff page frame (`base.html`): the navigation, who is signed in, whether the admin's links
//! show, and the sign-out form's CSRF token. Staff pages fill it from their session; an error page
//! under `/staff` shows the navigation without the account ([`Chrome::navigation_only`]). It
//! knows nothing of any page.

use super::sessions::StaffSession;

/// What the page frame needs for a signed-in staff member: navigation and the sign-out form.
#[derive(Debug, Clone)]
pub struct Chrome {
    pub staff_name: String,
    pub is_admin: bool,
    pub csrf: String,
}

impl Chrome {
    /// The navigation alone, for an error page (whose session is not looked up): following a
    /// link signs in first if need be.
    pub fn navigation_only() -> Chrome {
        Chrome {
            staff_name: String::new(),
            is_admin: false,
            csrf: String::new(),
        }
    }

    /// Whether the account and its sign-out button show.
    pub fn signed_in(&self) -> bool {
        !self.csrf.is_empty()
    }

    pub fn of(session: &StaffSession) -> Chrome {
        Chrome {
            staff_name: session.actor.display_name.clone(),
            is_admin: session.actor.role == portico_domain::StaffRole::Admin,
            csrf: session.csrf.clone(),
        }
    }
}
