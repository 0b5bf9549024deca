//! The core's tunable rules and their defaults: the one home of every limit's default value (the
//! binary's configuration starts from `Settings::default()` and overrides what is set).

use std::time::Duration;

use super::throttle::{Backoff, Limit};

/// The window of the per-day limits.
const DAY: Duration = Duration::from_secs(24 * 60 * 60);

/// Tunable rules of the core; the binary fills them from configuration.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Where people reach the service; links in messages start with it (no trailing slash).
    pub public_url: String,
    /// A session unused for this long ends.
    pub session_idle: Duration,
    /// A session ends this long after sign-in, used or not.
    pub session_absolute: Duration,
    /// How long a printed set-up link stays usable.
    pub setup_link_ttl: Duration,
    /// Failed staff sign-ins allowed per account (email) and per client address.
    pub sign_in_per_account: Limit,
    pub sign_in_per_address: Limit,
    /// How many Argon2 hashes may run at once.
    pub max_parallel_hashes: usize,
    /// Failed invite-code redemptions allowed per client address.
    pub invite_code_per_address: Limit,
    /// Failed provider and sign-up code look-ups allowed per browser (its device cookie), or per
    /// client address for a caller without one; counted apart for each use of a code.
    pub code_lookup_per_browser: Limit,
    /// Failed code look-ups allowed per client address from all its browsers together: the outer
    /// bound for a shared network, and against scripts that make up device cookies.
    pub code_lookup_per_address: Limit,
    /// Wrong birth dates that lock an invitation (only a re-send unlocks it).
    pub wrong_birth_dates_to_lock: u32,
    /// How long a registration ticket from a redemption stays usable.
    pub ticket_ttl: Duration,
    /// Failed patient password recoveries (wrong codes) allowed per client address.
    pub recovery_per_address: Limit,
    /// Recovery codes sent per account; a newer recovery voids the older ones.
    pub recovery_per_account: Limit,
    /// Consecutive failed sign-ins per account (staff and patients, whoever types them, from
    /// wherever): growing waits, then a lock until a password reset.
    pub sign_in_account_backoff: Backoff,
    /// Failed code look-ups per browser: growing waits once the free ones are used (per address,
    /// the same waits start once `code_lookup_per_address` is used).
    pub code_lookup_backoff: Backoff,
    /// Failed provider and sign-up code look-ups from every caller together.
    pub code_lookup_global: Limit,
    /// Verification texts and calls (phone codes) per destination number, per client address
    /// and per practice: each send costs the practice money and reaches someone's phone.
    pub phone_codes_per_number: Limit,
    pub phone_codes_per_address: Limit,
    pub phone_codes_per_practice: Limit,
    /// Registrations started (tickets issued) per client address.
    pub registrations_per_address: Limit,
    /// Sign-up codes refused because another program holds them, per staff member or API token:
    /// a small fixed number, so that nobody can probe which codes other practices use.
    pub signup_code_collisions_per_actor: Limit,
    /// Password strength checks (the meter, anonymous) allowed per client address, counted
    /// whether or not the password passes: each one costs CPU.
    pub password_check_per_address: Limit,
}

impl Default for Settings {
    fn default() -> Self {
        let quarter_hour = Duration::from_secs(15 * 60);
        Settings {
            public_url: "http://127.0.0.1:8080".into(),
            session_idle: Duration::from_secs(30 * 60),
            session_absolute: Duration::from_secs(12 * 60 * 60),
            setup_link_ttl: Duration::from_secs(60 * 60),
            sign_in_per_account: Limit {
                max: 10,
                window: quarter_hour,
            },
            sign_in_per_address: Limit {
                max: 50,
                window: quarter_hour,
            },
            // One hash per core: two 19 MiB hashes sharing a core evict each other's memory from the
            // caches and finish later than one after the other (see BENCHMARKS.md).
            max_parallel_hashes: std::thread::available_parallelism().map_or(2, |n| n.get()),
            invite_code_per_address: Limit {
                max: 20,
                window: quarter_hour,
            },
            code_lookup_per_browser: Limit {
                max: 10,
                window: quarter_hour,
            },
            // Room for a clinic's waiting room or a family, each browser with its own ten.
            code_lookup_per_address: Limit {
                max: 50,
                window: quarter_hour,
            },
            wrong_birth_dates_to_lock: 5,
            ticket_ttl: Duration::from_secs(30 * 60),
            recovery_per_address: Limit {
                max: 10,
                window: quarter_hour,
            },
            recovery_per_account: Limit {
                max: 5,
                window: DAY,
            },
            sign_in_account_backoff: Backoff {
                free: 10,
                step: Duration::from_secs(60),
                longest: Duration::from_secs(15 * 60),
                lock_at: Some(100),
            },
            code_lookup_backoff: Backoff {
                free: 10,
                step: Duration::from_secs(60),
                longest: Duration::from_secs(60 * 60),
                lock_at: None,
            },
            code_lookup_global: Limit {
                max: 1_000,
                window: Duration::from_secs(60 * 60),
            },
            phone_codes_per_number: Limit {
                max: 5,
                window: DAY,
            },
            phone_codes_per_address: Limit {
                max: 20,
                window: DAY,
            },
            phone_codes_per_practice: Limit {
                max: 1_000,
                window: DAY,
            },
            registrations_per_address: Limit {
                max: 10,
                window: Duration::from_secs(60 * 60),
            },
            signup_code_collisions_per_actor: Limit {
                max: 10,
                window: Duration::from_secs(60 * 60),
            },
            password_check_per_address: Limit {
                max: 300,
                window: quarter_hour,
            },
        }
    }
}
