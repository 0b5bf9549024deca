//! Passwords: hashing with Argon2id at OWASP's parameters (m = 19 MiB, t = 2, p = 1), and the
//! strength meter forms call while a password is typed (with the passphrase it suggests).
//! Hashing is CPU- and memory-heavy, so it runs on the blocking pool and a semaphore bounds how
//! many run at once: a burst of sign-ins queues instead of exhausting memory. The meter applies
//! the domain's rules (`portico_domain::Password`) and never stores or logs what it is shown.

use std::sync::Arc;

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};
use argon2::{Algorithm, Argon2, Params, Version};
use portico_domain::{Password, PasswordContext};
use tokio::sync::Semaphore;

use crate::platform::actor::ClientInfo;
use crate::platform::throttle::{self, Rule};
use crate::{Core, CoreError};

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

/// What the strength meter asks about a password being typed.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PasswordCheckInput {
    /// The password as typed. Up to 512 characters are rated (over 128 is never acceptable);
    /// a longer one answers 422.
    #[cfg_attr(feature = "openapi", schema(max_length = 512))]
    pub password: String,
    /// The details typed so far, which the password must not be built from; each up to the
    /// typed limit of its field.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 400))]
    pub first_name: String,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 400))]
    pub last_name: String,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 508))]
    pub email: String,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 32))]
    pub birth_date: String,
}

/// The meter's answer: the same rules registration applies, so the meter never praises a
/// password the form will refuse.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PasswordCheck {
    /// 0 (very weak) to 4 (very strong).
    pub score: u8,
    /// Whether registration would accept it.
    pub acceptable: bool,
    /// Why not, in plain words.
    pub message: Option<String>,
    pub min_length: usize,
    /// Characters counted as the rules count them (Unicode code points after NFKC).
    pub length: usize,
}

/// Checks a password as registration would, without storing or logging anything. Every check
/// counts against the caller's address (the meter is anonymous and each check costs CPU), and the
/// check itself runs on the blocking pool, off the threads that serve requests.
pub async fn check_password(
    core: &Core,
    input: PasswordCheckInput,
    client: &ClientInfo,
) -> Result<PasswordCheck, CoreError> {
    let rule = Rule {
        scope: "password-check-address",
        limit: core.settings().password_check_per_address,
    };
    throttle::attempt(core, rule, client.ip.as_deref().unwrap_or_default()).await?;
    tokio::task::spawn_blocking(move || rate_password(&input))
        .await
        .map_err(|e| CoreError::Internal(format!("password check stopped: {e}")))
}

fn rate_password(input: &PasswordCheckInput) -> PasswordCheck {
    let inputs: Vec<&str> = [
        input.first_name.as_str(),
        input.last_name.as_str(),
        input.email.as_str(),
        input.birth_date.as_str(),
    ]
    .into_iter()
    .map(str::trim)
    .filter(|s| !s.is_empty())
    .collect();
    let verdict = Password::parse(&input.password, &PasswordContext::single_factor(&inputs));
    PasswordCheck {
        score: portico_domain::strength(&input.password, &inputs),
        acceptable: verdict.is_ok(),
        message: verdict.err().map(|e| e.to_string()),
        min_length: portico_domain::MIN_LEN_SINGLE_FACTOR,
        length: portico_domain::counted_length(&input.password),
    }
}

/// A passphrase of four random words that meets the rules, for the form to suggest.
pub fn suggest_passphrase() -> String {
    portico_domain::suggest_passphrase(&mut rand::rng())
}
