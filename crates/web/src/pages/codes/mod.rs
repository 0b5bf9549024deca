//! The practice's provider codes on staff pages (`portico_core::codes::provider_codes`): the list
//! of the practice's code and each provider's (`list`), replacing or turning off a code after a
//! confirmation (`change`, admins), and a printable sheet of business cards or a pamphlet insert
//! for each code (`card`, with its QR code from `qr`). Each calls the core functions the
//! `/api/v1/provider-codes` routes call.

mod card;
mod change;
mod list;
mod qr;

use axum::Router;
use portico_core::codes::provider_codes::ProviderCodeView;

use crate::AppState;

/// The list page, where every change comes back to.
const PAGE: &str = "/staff/codes";

pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(list::routes())
        .merge(change::routes())
        .merge(card::routes())
}

/// Whose code a page is about: the practice's own, or one provider's.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Owner {
    Practice,
    Provider(String),
}

impl Owner {
    fn of(view: &ProviderCodeView) -> Owner {
        match &view.provider_id {
            Some(id) => Owner::Provider(id.clone()),
            None => Owner::Practice,
        }
    }

    fn provider_id(&self) -> Option<&str> {
        match self {
            Owner::Practice => None,
            Owner::Provider(id) => Some(id),
        }
    }

    /// Where this owner's pages live: `/staff/codes/practice` or `/staff/codes/providers/{id}`.
    fn path(&self) -> String {
        match self {
            Owner::Practice => format!("{PAGE}/practice"),
            Owner::Provider(id) => format!("{PAGE}/providers/{id}"),
        }
    }
}

/// The address a patient opens to register with `code` filled in: what the QR code holds and,
/// without the query, what the card prints for those who type.
fn register_url(public_url: &str, code: Option<&str>) -> String {
    let base = format!("{}/register", public_url.trim_end_matches('/'));
    match code {
        Some(code) => format!("{base}?code={code}"),
        None => base,
    }
}
