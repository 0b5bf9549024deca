//! Password hashing with Argon2id at OWASP's parameters (m = 19 MiB, t = 2, p = 1).
//! Hashing is CPU- and memory-heavy, so it runs on the blocking pool and a semaphore bounds how
//! many run at once: a burst of sign-ins queues instead of exhausting memory.

use std::sync::Arc;

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};
use argon2::{Algorithm, Argon2, Params, Version};
use tokio::sync::Semaphore;

use crate::CoreError;

pub const ARGON2_M_KIB: u32 = 19_456;
pub const ARGON2_T: u32 = 2;
pub const ARGON2_P: u32 = 1;

#[derive(Clone)]
pub struct PasswordHasher {
    permits: Arc<Semaphore>,
    /// A real hash of a random password, verified against when an account does not exist so
    /// that "no such user" takes as long as "wrong password".
    decoy: Arc<String>,
}

fn argon2() -> Argon2<'static> {
    let params =
        Params::new(ARGON2_M_KIB, ARGON2_T, ARGON2_P, None).expect("OWASP parameters are valid");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashes on the calling thread; for the CLI, benchmarks and start-up.
pub fn hash_blocking(password: &str) -> Result<String, CoreError> {
    argon2()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| CoreError::Internal(format!("password hashing failed: {e}")))
}

fn verify_blocking(password: &str, phc: &str) -> bool {
    match PasswordHash::new(phc) {
        Ok(parsed) => argon2()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

impl PasswordHasher {
    pub fn new(max_parallel: usize) -> Result<PasswordHasher, CoreError> {
        let decoy = hash_blocking(crate::platform::secrets::SecretToken::generate().expose())?;
        Ok(PasswordHasher {
            permits: Arc::new(Semaphore::new(max_parallel.max(1))),
            decoy: Arc::new(decoy),
        })
    }

    pub async fn hash(&self, password: String) -> Result<String, CoreError> {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|_| CoreError::Internal("hasher closed".into()))?;
        tokio::task::spawn_blocking(move || hash_blocking(&password))
            .await
            .map_err(|e| CoreError::Internal(format!("hashing task failed: {e}")))?
    }

    /// Checks `password` against `phc`, or against the decoy when there is no account, taking the
    /// same time either way.
    pub async fn verify(&self, password: String, phc: Option<String>) -> Result<bool, CoreError> {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|_| CoreError::Internal("hasher closed".into()))?;
        let decoy = Arc::clone(&self.decoy);
        tokio::task::spawn_blocking(move || match phc {
            Some(phc) => verify_blocking(&password, &phc),
            None => {
                let _ = verify_blocking(&password, &decoy);
                false
            }
        })
        .await
        .map_err(|e| CoreError::Internal(format!("verification task failed: {e}")))
    }
}
