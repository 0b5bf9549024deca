//! Portico's service core: every use case as a function that tests can call without HTTP, in
//! one folder per feature of the product — `codes` (provider codes and the guard in front of code
//! look-ups), `invitations` (create, re-send, revoke, redeem), `delivery` (outbox, message words,
//! templates, delivery reports), `registration` (step by step, terms of use, consent), `accounts`
//! (staff and patient sign-in, sessions, recovery, passwords, API tokens), `programs`, `links`
//! (what a patient is linked to, sign-ups awaiting approval), `patients` (staff's list and record
//! of the practice's patients, end-dating), `practices` (settings, providers,
//! staff members, first-run set-up) and `audit` — over `platform` (clock, secrets, throttles,
//! actors, errors, settings). It never speaks HTTP and holds no SQL (that is `portico_store`'s).
//! See `docs/ARCHITECTURE.md`.

pub mod accounts;
pub mod audit;
pub mod caregivers;
pub mod codes;
pub mod delivery;
pub mod imports;
pub mod intake_forms;
pub mod invitations;
pub mod links;
pub mod patients;
pub mod platform;
pub mod practices;
pub mod programs;
pub mod registration;
pub mod threads;
pub mod visits;

use std::sync::Arc;

pub use platform::actor::{ActorKind, BrowserKey, ClientInfo, PatientActor, StaffActor};
pub use platform::clock::{Clock, ManualClock, SystemClock, Timestamp};
pub use platform::error::{CodeKind, CoreError, FieldError, FieldErrors};
pub use platform::secrets::{Keys, Purpose, SecretToken};
pub use platform::settings::Settings;
pub use portico_store::{Backend, Store};

use accounts::passwords::PasswordHasher;
use delivery::reports::Listeners;
use portico_domain::SubjectKind;

/// What a delivery means to each feature: the listeners the outbox's reports are told to (see
/// `delivery::reports`). The one place where the generic delivery meets the features.
fn listeners() -> Listeners {
    let mut listeners = Listeners::default();
    listeners.on(SubjectKind::Invitation, invitations::delivery_reported);
    listeners
}

/// The service: cheap to clone, shared by every request handler and the CLI.
#[derive(Clone)]
pub struct Core {
    inner: Arc<Inner>,
}

struct Inner {
    store: Store,
    clock: Arc<dyn Clock>,
    keys: Keys,
    hasher: PasswordHasher,
    settings: Settings,
    listeners: Listeners,
}

impl Core {
    pub fn new(
        store: Store,
        clock: Arc<dyn Clock>,
        keys: Keys,
        settings: Settings,
    ) -> Result<Core, CoreError> {
        let hasher = PasswordHasher::new(settings.max_parallel_hashes)?;
        store.set_audit_key(keys.audit_chain_key())?;
        Ok(Core {
            inner: Arc::new(Inner {
                store,
                clock,
                keys,
                hasher,
                settings,
                listeners: listeners(),
            }),
        })
    }

    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    pub fn now(&self) -> Timestamp {
        self.inner.clock.now()
    }

    pub fn keys(&self) -> &Keys {
        &self.inner.keys
    }

    pub fn settings(&self) -> &Settings {
        &self.inner.settings
    }

    pub(crate) fn delivery_listeners(&self) -> &Listeners {
        &self.inner.listeners
    }

    pub(crate) fn hasher(&self) -> &PasswordHasher {
        &self.inner.hasher
    }
}

pub(crate) use platform::new_id;
