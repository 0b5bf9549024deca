//! The plumbing every feature shares: the connection pools and transactions of both databases
//! (`db`), the store's error type, the key of the audit chain, and the counters that throttle
//! guessing (`throttles` for fixed windows, `backoffs` for growing waits).

pub mod backoffs;
pub(crate) mod chain_key;
pub(crate) mod db;
pub(crate) mod error;
pub mod signals;
pub mod throttles;
