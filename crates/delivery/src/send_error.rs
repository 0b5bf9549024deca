//! The one answer every transport gives when a message did not go through, and what the worker
//! does with it: try again later, or give up.

/// Why a send did not go through.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendError {
    /// Worth another attempt later (a time-out, a 5xx, a rate limit).
    Retryable(String),
    /// Will never succeed as it is (a refused address, a 4xx): dead-letter it.
    Permanent(String),
}
