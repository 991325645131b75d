//! The `sessions` table: one row per login, keyed by the hash of the cookie's token.

use chrono::{Duration, Utc};
use domain::{CompanyId, UserId};
use projections::users::{self, UserRow};

use super::{hash_token, random_token, Session};
use crate::{App, Result};

pub const LIFETIME_DAYS: i64 = 7;

/// A new session for `user`: the token for the cookie (only its hash is stored) and the
/// session's CSRF token.
pub async fn start(app: &App, user: &UserRow) -> Result<(String, String)> {
    let (token, csrf) = (random_token(), random_token());
    let client = app.pool().get().await?;
    client
        .execute(
            "INSERT INTO sessions (token_hash, user_id, company_id, csrf_token, expires_at) VALUES ($1, $2, $3, $4, $5)",
            &[&hash_token(&token), &user.user_id.0, &user.company_id.0, &csrf, &(Utc::now() + Duration::days(LIFETIME_DAYS))],
        )
        .await?;
    Ok((token, csrf))
}

/// A session for a user of `company_id` who has not logged in with a password (the
/// benchmark's agents, tests); as `start` otherwise.
pub async fn start_for(app: &App, company_id: CompanyId, user_id: UserId) -> Result<(String, String)> {
    let user = {
        let client = app.pool().get().await?;
        users::get(&**client, company_id, user_id).await?.ok_or(crate::Error::NotFound)?
    };
    start(app, &user).await
}

pub async fn end(app: &App, token_hash: &str) -> Result<()> {
    let client = app.pool().get().await?;
    client.execute("DELETE FROM sessions WHERE token_hash = $1", &[&token_hash]).await?;
    Ok(())
}

/// Ends every session of the user (their password changed: whoever knew the old one is out).
pub async fn end_all(app: &App, user_id: UserId) -> Result<()> {
    let client = app.pool().get().await?;
    client.execute("DELETE FROM sessions WHERE user_id = $1", &[&user_id.0]).await?;
    Ok(())
}

/// The session whose cookie carries `token`, if it is current and its user may still log in.
pub async fn find(app: &App, token: &str) -> Result<Option<Session>> {
    find_by_hash(app, hash_token(token)).await
}

/// The session as it stands now (None once logged out, expired, or its user deactivated):
/// what a live socket checks, again and again, to be closed when its rights end.
pub async fn find_by_hash(app: &App, token_hash: String) -> Result<Option<Session>> {
    let client = app.pool().get().await?;
    let Some(row) = client
        .query_opt(
            "SELECT s.user_id, s.company_id, s.csrf_token, c.language, c.time_zone
             FROM sessions s LEFT JOIN companies c ON c.company_id = s.company_id
             WHERE s.token_hash = $1 AND s.expires_at > now()",
            &[&token_hash],
        )
        .await?
    else {
        return Ok(None);
    };
    let user = users::get(&**client, CompanyId(row.get(1)), UserId(row.get(0))).await?;
    let company_defaults = domain::preferences::Preferences { language: row.get(3), time_zone: row.get(4) };
    Ok(user.filter(|u| u.status != users::Status::Deactivated).map(|user| Session { user, company_defaults, csrf: row.get(2), token_hash }))
}
