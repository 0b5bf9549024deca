//! The switch at the top of the portal between the signed-in account's own portal ("Me") and
//! the portal of each patient it may open as their caregiver. Shown only to caregivers.

use portico_core::PatientActor;
use portico_core::caregivers::{self, Sharing};

use crate::AppState;
use crate::platform::error::PageError;

/// One entry of the switch.
pub struct Whose {
    pub href: String,
    pub label: String,
    pub current: bool,
}

/// The entries ("Me" first, then the others by name), with `current` the access id shown (`None`: the account's own portal); empty
/// when the account cares for no one it can open.
pub fn entries(sharing: &Sharing, current: Option<&str>) -> Vec<Whose> {
    let names: Vec<&str> = sharing.open().map(|a| a.patient_name.as_str()).collect();
    let mut open: Vec<Whose> = sharing
        .open()
        .map(|a| {
            // Someone cared for at two practices is told apart by the practice.
            let twice = names.iter().filter(|n| **n == a.patient_name).count() > 1;
            Whose {
                href: format!("/portal/care/{}", a.id),
                label: match twice {
                    true => format!("{} ({})", a.patient_name, a.practice_name),
                    false => a.patient_name.clone(),
                },
                current: current == Some(a.id.as_str()),
            }
        })
        .collect();
    // By name, so that each person keeps their place however their access began.
    open.sort_by(|a, b| a.label.cmp(&b.label).then_with(|| a.href.cmp(&b.href)));
    if open.is_empty() {
        return open;
    }
    std::iter::once(Whose {
        href: "/portal".to_owned(),
        label: "Me".to_owned(),
        current: current.is_none(),
    })
    .chain(open)
    .collect()
}

/// The entries for a page of the signed-in account's own portal.
pub async fn for_own_portal(
    state: &AppState,
    account: &PatientActor,
) -> Result<(Sharing, Vec<Whose>), PageError> {
    let sharing = caregivers::sharing(&state.core, account).await?;
    let entries = entries(&sharing, None);
    Ok((sharing, entries))
}
