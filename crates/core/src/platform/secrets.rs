//! The server secret and everything derived from it: keyed look-up hashes (HMAC-SHA-256) for
//! codes, tokens and throttle keys, and random tokens. A database dump alone yields nothing usable
//! because every stored token is a keyed hash of the real one.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chacha20poly1305::aead::{Aead, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hmac::{Hmac, KeyInit, Mac};
use rand::RngCore;
use sha2::Sha256;

/// Shortest secret key accepted (bytes): 256 bits.
pub const MIN_SECRET_LEN: usize = 32;

/// What a keyed hash is for. Each purpose gets its own domain so a value hashed for one purpose
/// can never be replayed as another.
#[derive(Debug, Clone, Copy)]
pub enum Purpose {
    Session,
    SetupToken,
    Throttle,
    Csrf,
    InviteCode,
    InviteLink,
    ProviderCode,
    SignupCode,
    Ticket,
    ApiToken,
    Outbox,
    PatientSession,
    OneTimeCode,
    Recovery,
    AuditChain,
    Browser,
    PageFlash,
    /// The scan of a signed paper consent form, sealed at rest.
    ConsentDocument,
    /// A visit request's reason and the practice's note, sealed at rest.
    VisitText,
    /// A secure thread's subject and messages, sealed at rest.
    ThreadText,
    /// A file attached to a thread's message, and the name it was uploaded under.
    ThreadAttachment,
    /// A patient's answers to an intake form, and their draft.
    FormAnswers,
    /// Who a practice invited by bulk import (external id; names, birth date and contact).
    ImportKey,
    /// A patient file uploaded for a bulk import, kept until its import ends.
    ImportFile,
}

impl Purpose {
    fn label(self) -> &'static [u8] {
        match self {
            Purpose::Session => b"portico/v1/session",
            Purpose::SetupToken => b"portico/v1/setup-token",
            Purpose::Throttle => b"portico/v1/throttle",
            Purpose::Csrf => b"portico/v1/csrf",
            Purpose::InviteCode => b"portico/v1/invite-code",
            Purpose::InviteLink => b"portico/v1/invite-link",
            Purpose::ProviderCode => b"portico/v1/provider-code",
            Purpose::SignupCode => b"portico/v1/signup-code",
            Purpose::Ticket => b"portico/v1/registration-ticket",
            Purpose::ApiToken => b"portico/v1/api-token",
            Purpose::Outbox => b"portico/v1/outbox",
            Purpose::PatientSession => b"portico/v1/patient-session",
            Purpose::OneTimeCode => b"portico/v1/one-time-code",
            Purpose::Recovery => b"portico/v1/recovery",
            Purpose::AuditChain => b"portico/v1/audit-chain",
            Purpose::Browser => b"portico/v1/browser",
            Purpose::PageFlash => b"portico/v1/page-flash",
            Purpose::ConsentDocument => b"portico/v1/consent-document",
            Purpose::VisitText => b"portico/v1/visit-text",
            Purpose::ThreadText => b"portico/v1/thread-text",
            Purpose::ThreadAttachment => b"portico/v1/thread-attachment",
            Purpose::ImportKey => b"portico/v1/import-key",
            Purpose::ImportFile => b"portico/v1/import-file",
            Purpose::FormAnswers => b"portico/v1/form-answers",
        }
    }
}

/// The server's secret key. Its `Debug` never shows it.
#[derive(Clone)]
pub struct Keys {
    master: Vec<u8>,
}

impl fmt::Debug for Keys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Keys(***)")
    }
}

#[derive(Debug, thiserror::Error)]
#[error("the secret key must be at least {MIN_SECRET_LEN} bytes long")]
pub struct KeyTooShort;

impl Keys {
    pub fn new(master: Vec<u8>) -> Result<Keys, KeyTooShort> {
        if master.len() < MIN_SECRET_LEN {
            return Err(KeyTooShort);
        }
        Ok(Keys { master })
    }

    /// A fresh random key, for a new data folder.
    pub fn generate_bytes() -> Vec<u8> {
        let mut bytes = vec![0_u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        bytes
    }

    /// HMAC-SHA-256 of `data` under this key and `purpose`.
    pub fn mac(&self, purpose: Purpose, data: &[u8]) -> [u8; 32] {
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&self.master)
            .expect("HMAC takes a key of any length");
        mac.update(purpose.label());
        mac.update(&[0]);
        mac.update(data);
        mac.finalize().into_bytes().into()
    }

    /// The keyed hash stored in place of a secret, as lower-case hex; look-ups go by this value.
    pub fn lookup_hash(&self, purpose: Purpose, data: &[u8]) -> String {
        hex(&self.mac(purpose, data))
    }

    /// The key the audit chain is written under: derived from the server secret, so it is never
    /// in the database and a database owner cannot re-chain edited events.
    pub fn audit_chain_key(&self) -> portico_store::ChainKey {
        portico_store::ChainKey::new(self.mac(Purpose::AuditChain, b"chain key"))
    }

    /// Checks `tag` against the MAC of `data` in constant time.
    pub fn verify_mac(&self, purpose: Purpose, data: &[u8], tag: &[u8]) -> bool {
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&self.master)
            .expect("HMAC takes a key of any length");
        mac.update(purpose.label());
        mac.update(&[0]);
        mac.update(data);
        mac.verify_slice(tag).is_ok()
    }
}

impl Keys {
    /// Encrypts `plain` (XChaCha20-Poly1305, random 192-bit nonce) under a key derived for
    /// `purpose`; the purpose is also bound as associated data. For values staff must see again
    /// (provider and sign-up codes) while the database holds only ciphertext.
    pub fn seal(&self, purpose: Purpose, plain: &str) -> String {
        base64url(&self.seal_bytes(purpose, plain.as_bytes()))
    }

    /// Decrypts what [`Keys::seal`] made for the same purpose; `None` if it was altered, sealed for
    /// another purpose, or under another key.
    pub fn open(&self, purpose: Purpose, sealed: &str) -> Option<String> {
        String::from_utf8(self.open_bytes(purpose, &from_base64url(sealed)?)?).ok()
    }

    /// Encrypts bytes as [`Keys::seal`] does a text: the nonce, then the ciphertext and its tag.
    /// For files staff upload (a signed consent form), stored as they are.
    pub fn seal_bytes(&self, purpose: Purpose, plain: &[u8]) -> Vec<u8> {
        let mut nonce = [0_u8; 24];
        rand::rng().fill_bytes(&mut nonce);
        let sealed = self
            .cipher(purpose)
            .encrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: plain,
                    aad: purpose.label(),
                },
            )
            .expect("encryption in memory cannot fail");
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        out
    }

    /// Decrypts what [`Keys::seal_bytes`] made for the same purpose; `None` if it was altered,
    /// sealed for another purpose, or under another key.
    pub fn open_bytes(&self, purpose: Purpose, bytes: &[u8]) -> Option<Vec<u8>> {
        if bytes.len() < 24 {
            return None;
        }
        let (nonce, body) = bytes.split_at(24);
        let nonce: [u8; 24] = nonce.try_into().ok()?;
        self.cipher(purpose)
            .decrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: body,
                    aad: purpose.label(),
                },
            )
            .ok()
    }

    fn cipher(&self, purpose: Purpose) -> XChaCha20Poly1305 {
        let key = self.mac(purpose, b"seal-key");
        XChaCha20Poly1305::new(&key.into())
    }
}

pub fn hex(bytes: &[u8]) -> String {
    // By table, not `format!` per byte: this runs on every code look-up and was most of its cost.
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    out
}

/// Decodes hexadecimal text (either case); `None` for anything else.
pub fn from_hex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) || !text.is_ascii() {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).ok())
        .collect()
}

/// A random bearer token (256 bits, base64url). Its `Debug` is redacted; the text leaves only
/// through [`SecretToken::expose`], e.g. into a cookie or a link printed once.
pub struct SecretToken(String);

impl fmt::Debug for SecretToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretToken(***)")
    }
}

impl SecretToken {
    pub fn generate() -> SecretToken {
        let mut bytes = [0_u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        SecretToken(URL_SAFE_NO_PAD.encode(bytes))
    }

    /// 32 random bytes in unpadded base64url.
    pub const LEN: usize = 43;
    /// A token is never longer than it is.
    pub const LIMIT: portico_domain::TextLimit = portico_domain::TextLimit {
        typed: SecretToken::LEN,
        told: SecretToken::LEN,
    };

    /// Accepts only text shaped like a token we issue, so junk never reaches a query.
    pub fn parse(text: &str) -> Option<SecretToken> {
        let ok = text.len() == SecretToken::LEN
            && text
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        ok.then(|| SecretToken(text.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn lookup_hash(&self, keys: &Keys, purpose: Purpose) -> String {
        keys.lookup_hash(purpose, self.0.as_bytes())
    }
}

pub fn base64url(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

pub fn from_base64url(text: &str) -> Option<Vec<u8>> {
    URL_SAFE_NO_PAD.decode(text).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookup_hashes_differ_by_purpose_and_key() {
        let a = Keys::new(vec![1; 32]).unwrap();
        let b = Keys::new(vec![2; 32]).unwrap();
        let session = a.lookup_hash(Purpose::Session, b"token");
        assert_ne!(session, a.lookup_hash(Purpose::SetupToken, b"token"));
        assert_ne!(session, b.lookup_hash(Purpose::Session, b"token"));
        assert_eq!(session, a.lookup_hash(Purpose::Session, b"token"));
    }

    #[test]
    fn hex_round_trips_and_junk_is_refused() {
        assert_eq!(
            from_hex(&hex(&[0, 1, 254, 255])),
            Some(vec![0, 1, 254, 255])
        );
        assert_eq!(from_hex("ABcd"), Some(vec![0xab, 0xcd]));
        assert_eq!(from_hex("abc"), None);
        assert_eq!(from_hex("zz"), None);
        assert_eq!(from_hex("é1"), None);
    }

    #[test]
    fn sealed_codes_open_only_with_the_same_key_and_purpose() {
        let a = Keys::new(vec![1; 32]).unwrap();
        let b = Keys::new(vec![2; 32]).unwrap();
        let sealed = a.seal(Purpose::ProviderCode, "ABC234");
        assert!(!sealed.contains("ABC234"));
        assert_ne!(
            sealed,
            a.seal(Purpose::ProviderCode, "ABC234"),
            "a fresh nonce each time"
        );
        assert_eq!(
            a.open(Purpose::ProviderCode, &sealed).as_deref(),
            Some("ABC234")
        );
        assert_eq!(a.open(Purpose::SignupCode, &sealed), None);
        assert_eq!(b.open(Purpose::ProviderCode, &sealed), None);
        let mut tampered = sealed.clone().into_bytes();
        let last = tampered.len() - 1;
        tampered[last] = if tampered[last] == b'A' { b'B' } else { b'A' };
        assert_eq!(
            a.open(Purpose::ProviderCode, &String::from_utf8(tampered).unwrap()),
            None
        );
    }

    #[test]
    fn short_keys_are_refused() {
        assert!(Keys::new(vec![0; 31]).is_err());
    }

    #[test]
    fn tokens_round_trip_and_junk_is_refused() {
        let t = SecretToken::generate();
        assert!(SecretToken::parse(t.expose()).is_some());
        assert!(SecretToken::parse("'; DROP TABLE staff; --").is_none());
        assert!(!format!("{t:?}").contains(t.expose()));
    }
}
