//! Passwords: how strong they must be, argon2id hashes, and generated ones.

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, SaltString};
use argon2::{Argon2, PasswordHasher, PasswordVerifier};
use rand::seq::SliceRandom;

pub const MIN_LEN: usize = 8;
pub const MAX_LEN: usize = 128;

/// Its message is in the reader's language (a request's; English elsewhere).
#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    #[error("{}", locale::t!("auth-password-too-short", min = MIN_LEN))]
    TooShort,
    #[error("{}", locale::t!("auth-password-too-long", max = MAX_LEN))]
    TooLong,
    /// A fault, not a refusal: only logged, so not translated.
    #[error("the password cannot be hashed: {0}")]
    Hashing(String),
}

pub fn check_strength(password: &str) -> Result<(), PasswordError> {
    let len = password.chars().count();
    if len < MIN_LEN {
        Err(PasswordError::TooShort)
    } else if len > MAX_LEN {
        Err(PasswordError::TooLong)
    } else {
        Ok(())
    }
}

/// An argon2id hash (PHC string with its own random salt), computed off the async threads.
pub async fn hash(password: String) -> Result<String, PasswordError> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default().hash_password(password.as_bytes(), &salt).map(|h| h.to_string()).map_err(|e| PasswordError::Hashing(e.to_string()))
    })
    .await
    .map_err(|e| PasswordError::Hashing(e.to_string()))?
}

/// Checks `password` against `hash`; with no hash it still spends the same time, so a
/// login for an unknown address takes as long as one for a known address.
pub async fn verify(password: String, hash: Option<String>) -> bool {
    tokio::task::spawn_blocking(move || {
        const DECOY: &str = "$argon2id$v=19$m=19456,t=2,p=1$c3dpdGNoYm9hcmRkZWNveQ$0+Xb2wrc0T3C1JTHdG+/bQ1s4CBZL6Z3VJ6zxv3SHeU";
        let known = hash.is_some();
        let hash = hash.unwrap_or_else(|| DECOY.to_owned());
        let Ok(parsed) = PasswordHash::new(&hash) else { return false };
        Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok() && known
    })
    .await
    .unwrap_or(false)
}

/// A strong random password to show once: 20 characters, no look-alikes.
pub fn generate() -> String {
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789-_";
    let mut rng = rand::rngs::OsRng;
    (0..20).map(|_| *ALPHABET.choose(&mut rng).expect("non-empty") as char).collect()
}
