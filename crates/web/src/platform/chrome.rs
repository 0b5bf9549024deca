//! The staff page frame (`base.html`): who is signed in, whether the admin's links show, and the
//! sign-out form's CSRF token. Staff pages fill it from their session; the error page shows the
//! frame empty. It knows nothing of any page.

use super::sessions::StaffSession;

/// What the page frame needs for a signed-in staff member: navigation and the sign-out form.
#[derive(Debug, Clone)]
pub struct Chrome {
    pub staff_name: String,
    pub is_admin: bool,
    pub csrf: String,
}

impl Chrome {
    pub fn of(session: &StaffSession) -> Chrome {
        Chrome {
            staff_name: session.actor.display_name.clone(),
            is_admin: session.actor.role == portico_domain::StaffRole::Admin,
            csrf: session.csrf.clone(),
        }
    }
}
