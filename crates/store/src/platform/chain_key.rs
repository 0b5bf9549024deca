//! The key the audit chain is written under. It lives with the plumbing because the store handle
//! carries it (every clone of a [`crate::Store`] writes under the same key) and the audit module
//! uses it to hash; keeping it here lets the two depend on it without depending on each other.

use std::fmt;

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

/// The key the chain is written under (derived from the server secret by the core). Its
/// `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct ChainKey([u8; 32]);

impl ChainKey {
    pub fn new(bytes: [u8; 32]) -> ChainKey {
        ChainKey(bytes)
    }

    pub(crate) fn mac(&self, data: &[u8]) -> String {
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&self.0)
            .expect("HMAC takes a key of any length");
        mac.update(data);
        hex(&mac.finalize().into_bytes())
    }

    /// Stored in `audit_head.key_check`: tells a wrong key from an edited event.
    pub(crate) fn check_value(&self) -> String {
        self.mac(b"portico-audit-key-check")
    }
}

impl fmt::Debug for ChainKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ChainKey(***)")
    }
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
