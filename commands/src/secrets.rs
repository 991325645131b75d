//! Secrets: random tokens and what is stored of them, and password hashes, kept beside
//! the log and never in it.

use deadpool_postgres::Pool;
use domain::UserId;
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::Error;

/// 256 random bits, hex-encoded: session cookies, CSRF tokens, invitation links.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// What the database (or an event) keeps of a token: its SHA-256.
pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

pub async fn store_password_hash(pool: &Pool, user_id: UserId, hash: &str) -> Result<(), Error> {
    let client = pool.get().await?;
    client
        .execute(
            "INSERT INTO credentials (user_id, password_hash) VALUES ($1, $2)
             ON CONFLICT (user_id) DO UPDATE SET password_hash = EXCLUDED.password_hash, updated_at = now()",
            &[&user_id.0, &hash],
        )
        .await?;
    Ok(())
}

pub async fn password_hash(pool: &Pool, user_id: UserId) -> Result<Option<String>, Error> {
    let client = pool.get().await?;
    let row = client.query_opt("SELECT password_hash FROM credentials WHERE user_id = $1", &[&user_id.0]).await?;
    Ok(row.map(|r| r.get(0)))
}
