//! Who is asking: passwords, login sessions, CSRF tokens and the role gates.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::Method;
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use chrono::{Duration, Utc};
use domain::company::Role;
use domain::{Actor, CompanyId, Metadata};
use projections::users::{self, UserRow};

use crate::error::{ApiError, AppError};
use crate::App;

pub const SESSION_COOKIE: &str = "sb_session";
pub const LOGIN_CSRF_COOKIE: &str = "sb_login_csrf";
pub const CSRF_HEADER: &str = "x-csrf-token";
const SESSION_LIFETIME_DAYS: i64 = 7;

pub mod password {
    use argon2::password_hash::rand_core::OsRng;
    use argon2::password_hash::{PasswordHash, SaltString};
    use argon2::{Argon2, PasswordHasher, PasswordVerifier};
    use rand::seq::SliceRandom;

    pub const MIN_LEN: usize = 8;
    pub const MAX_LEN: usize = 128;

    #[derive(Debug, thiserror::Error)]
    pub enum PasswordError {
        #[error("the password must have at least {MIN_LEN} characters")]
        TooShort,
        #[error("the password must have at most {MAX_LEN} characters")]
        TooLong,
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
}

pub use commands::secrets::{hash_token, random_token};

/// Compares secrets without leaking where they differ through timing.
pub fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

pub fn session_cookie(app: &App, token: String) -> Cookie<'static> {
    Cookie::build((SESSION_COOKIE, token))
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(app.settings.secure_cookies)
        .path("/")
        .max_age(time_days(SESSION_LIFETIME_DAYS))
        .build()
}

fn time_days(days: i64) -> cookie::time::Duration {
    cookie::time::Duration::days(days)
}

/// A logged-in user, checked against the session table and the users read model on every
/// request, so a deactivated user is out at once.
#[derive(Debug, Clone)]
pub struct Session {
    pub user: UserRow,
    pub csrf: String,
    pub token_hash: String,
}

impl Session {
    pub fn company_id(&self) -> CompanyId {
        self.user.company_id
    }

    pub fn has_role(&self, role: Role) -> bool {
        self.user.roles.iter().any(|r| r == role.as_str())
    }

    pub fn check_csrf(&self, presented: &str) -> Result<(), AppError> {
        if same_secret(&self.csrf, presented) {
            Ok(())
        } else {
            Err(AppError::Invalid {
                code: "csrf",
                message: "This form has expired (security check failed). Reload the page and try again.".into(),
                field: None,
            })
        }
    }

    /// Metadata for the events this user's actions cause.
    pub fn metadata(&self) -> Metadata {
        Metadata::new(Some(self.company_id()), Actor::User(self.user.user_id))
    }
}

/// The user whose e-mail and password these are, counting failures for the rate limit.
/// The caller checks the rate limit first.
pub async fn authenticate(app: &App, email: &str, password_text: &str, ip: Option<std::net::IpAddr>) -> Result<Option<UserRow>, AppError> {
    let normalised = email.trim().to_lowercase();
    let client = app.pool.get().await?;
    let user = users::login_candidate(&**client, &normalised).await?;
    drop(client);
    let hash = match &user {
        Some(u) => commands::secrets::password_hash(&app.pool, u.user_id).await?,
        None => None,
    };
    if password::verify(password_text.to_owned(), hash).await {
        crate::ratelimit::forgive(app, &normalised).await?;
        tracing::info!(user_id = ?user.as_ref().map(|u| u.user_id), "logged in");
        Ok(user)
    } else {
        crate::ratelimit::record_failure(app, &normalised, ip).await?;
        tracing::info!("failed login");
        Ok(None)
    }
}

pub async fn start_session(app: &App, user: &UserRow) -> Result<String, AppError> {
    let token = random_token();
    let client = app.pool.get().await?;
    client
        .execute(
            "INSERT INTO sessions (token_hash, user_id, company_id, csrf_token, expires_at) VALUES ($1, $2, $3, $4, $5)",
            &[&hash_token(&token), &user.user_id.0, &user.company_id.0, &random_token(), &(Utc::now() + Duration::days(SESSION_LIFETIME_DAYS))],
        )
        .await?;
    Ok(token)
}

pub async fn end_session(app: &App, token_hash: &str) -> Result<(), AppError> {
    let client = app.pool.get().await?;
    client.execute("DELETE FROM sessions WHERE token_hash = $1", &[&token_hash]).await?;
    Ok(())
}

async fn session_from(parts: &mut Parts, app: &App) -> Result<Session, AppError> {
    let jar = CookieJar::from_headers(&parts.headers);
    let token = jar.get(SESSION_COOKIE).map(|c| c.value().to_owned()).ok_or(AppError::Unauthenticated)?;
    let token_hash = hash_token(&token);
    let client = app.pool.get().await?;
    let row = client
        .query_opt("SELECT user_id, company_id, csrf_token FROM sessions WHERE token_hash = $1 AND expires_at > now()", &[&token_hash])
        .await?
        .ok_or(AppError::Unauthenticated)?;
    let user = users::get(&**client, CompanyId(row.get(1)), domain::UserId(row.get(0)))
        .await?
        .filter(|u| u.status != users::Status::Deactivated)
        .ok_or(AppError::Unauthenticated)?;
    Ok(Session { user, csrf: row.get(2), token_hash })
}

impl FromRequestParts<App> for Session {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Self::Rejection> {
        session_from(parts, app).await
    }
}

/// An administrator of the company; anyone else is refused.
pub struct Admin(pub Session);

impl FromRequestParts<App> for Admin {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Self::Rejection> {
        let session = session_from(parts, app).await?;
        if session.has_role(Role::Administrator) {
            Ok(Admin(session))
        } else {
            Err(AppError::Forbidden)
        }
    }
}

/// A logged-in user calling the JSON API. Requests that change something carry the
/// session's CSRF token in the `X-CSRF-Token` header.
pub struct ApiSession(pub Session);

async fn api_session_from(parts: &mut Parts, app: &App) -> Result<Session, ApiError> {
    let session = session_from(parts, app).await?;
    if ![Method::GET, Method::HEAD, Method::OPTIONS].contains(&parts.method) {
        let presented = parts.headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok()).unwrap_or_default();
        session.check_csrf(presented)?;
    }
    Ok(session)
}

impl FromRequestParts<App> for ApiSession {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Self::Rejection> {
        api_session_from(parts, app).await.map(ApiSession)
    }
}

/// An administrator calling the JSON API (CSRF as for `ApiSession`).
pub struct ApiAdmin(pub Session);

impl FromRequestParts<App> for ApiAdmin {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Self::Rejection> {
        let session = api_session_from(parts, app).await?;
        if session.has_role(Role::Administrator) {
            Ok(ApiAdmin(session))
        } else {
            Err(ApiError(AppError::Forbidden))
        }
    }
}
