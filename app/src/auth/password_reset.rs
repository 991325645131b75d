//! "Forgot your password?": asking for a reset link by address (the same answer whether an
//! account uses the address or not), an administrator sending one, and choosing the new
//! password through the link, which ends every session of the user. The rate limit's
//! table, `password_reset_requests`, is owned here.

use std::net::IpAddr;

use domain::user::{self, User};
use domain::{Actor, Decider, Metadata, UserId};
use locale::t;
use projections::users::Status;
use projections::Registered;

use super::links::{self, Link};
use super::{hash_token, password, Session};
use crate::{App, Error, Result};

const WINDOW_MINUTES: i32 = 60;
/// Requests per address, and per client, in the window.
const PER_ADDRESS: i64 = 3;
const PER_IP: i64 = 20;

/// Asks for a reset link for `email`: mailed when an active account with a password uses
/// it, nothing otherwise; either way the caller learns nothing but "done" (or, for every
/// address alike, that too many requests came from here or for it).
pub async fn request(app: &App, email: &str, ip: Option<IpAddr>) -> Result<()> {
    let normalised = email.trim().to_lowercase();
    if normalised.is_empty() {
        return Err(Error::invalid("email", t!("auth-reset-email-missing")));
    }
    count_request(app, &normalised, ip).await?;
    let user = {
        let client = app.pool().get().await?;
        projections::users::login_candidate(&**client, &normalised).await?
    };
    let Some(user) = user else {
        tracing::info!("password reset asked for an address without an account");
        return Ok(());
    };
    let metadata = Metadata::new(Some(user.company_id), Actor::System("login-page".into()));
    match app.accounts.request_password_reset(user.user_id, &metadata).await {
        Ok(_) => tracing::info!(user_id = %user.user_id, "password reset asked for"),
        // Nothing to reset (an invitation not accepted yet): the same answer.
        Err(commands::Error::User(e)) => tracing::info!(user_id = %user.user_id, error = %e, "no password reset"),
        Err(e) => return Err(e.into()),
    }
    Ok(())
}

/// Refuses when this address or this client asked too often lately, else counts the request.
async fn count_request(app: &App, email: &str, ip: Option<IpAddr>) -> Result<()> {
    let (by_email, by_ip) = (format!("email:{email}"), ip.map(|ip| format!("ip:{ip}")));
    let client = app.pool().get().await?;
    let row = client
        .query_one(
            "SELECT count(*) FILTER (WHERE key = $1), count(*) FILTER (WHERE key = $2)
             FROM password_reset_requests WHERE key IN ($1, $2) AND at > now() - make_interval(mins => $3)",
            &[&by_email, &by_ip.clone().unwrap_or_default(), &WINDOW_MINUTES],
        )
        .await?;
    let (for_email, for_ip): (i64, i64) = (row.get(0), row.get(1));
    if for_email >= PER_ADDRESS || for_ip >= PER_IP {
        return Err(Error::TooManyRequests(t!("auth-reset-too-many", minutes = WINDOW_MINUTES)));
    }
    client.execute("INSERT INTO password_reset_requests (key) VALUES ($1)", &[&by_email]).await?;
    if let Some(by_ip) = by_ip {
        client.execute("INSERT INTO password_reset_requests (key) VALUES ($1)", &[&by_ip]).await?;
    }
    client.execute("DELETE FROM password_reset_requests WHERE at < now() - interval '1 day'", &[]).await?;
    Ok(())
}

/// An administrator sends a reset link to a user of their company.
pub async fn send_to(app: &App, session: &Session, user_id: UserId) -> Result<()> {
    let row = crate::users::get(app, session, user_id).await?;
    if row.status == Status::Deactivated {
        return Err(Error::Refused { code: "deactivated", message: t!("auth-reset-deactivated") });
    }
    let outcome = app.accounts.request_password_reset(user_id, &session.metadata()).await?;
    app.read_your_writes(Registered::Audit, outcome.position).await?;
    Ok(())
}

pub use super::links::Usable;

/// Whose reset link `token` is, and whether it can still be used (if not, why).
pub async fn check(app: &App, token: &str) -> Result<Result<Usable, user::Error>> {
    links::check(app, Link::PasswordReset, token).await
}

/// Sets the password chosen through the link (checked first, so a refused link changes
/// nothing), records the reset, and ends every session of the user.
pub async fn reset(app: &App, user_id: UserId, token: &str, password_text: String) -> Result<()> {
    password::check_strength(&password_text).map_err(|e| Error::invalid("password", e.to_string()))?;
    let token_hash = hash_token(token);
    let (state, _) = commands::load::<User, _>(app.events(), &user::stream(user_id)).await?;
    User::decide(&state, &Link::PasswordReset.using(token_hash.clone()))?;
    let hash = crate::users::hash(password_text).await?;
    commands::secrets::store_password_hash(app.pool(), user_id, &hash).await?;
    let outcome = app.accounts.reset_password(user_id, &token_hash).await?;
    super::sessions::end_all(app, user_id).await?;
    super::login_failures::forgive(app, state.registration.as_ref().map_or("", |r| r.email.as_str()), None).await?;
    app.read_your_writes(Registered::Users, outcome.position).await?;
    tracing::info!(%user_id, "password reset");
    Ok(())
}
