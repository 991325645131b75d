//! Slowing down password guessing: the `login_failures` table counts failed logins per
//! address and per client IP over a window, in the database, so every server process sees
//! the same count.

use std::net::IpAddr;

use crate::{App, Error, Result};

const WINDOW_MINUTES: i32 = 15;
const PER_ADDRESS: i64 = 10;
const PER_IP: i64 = 50;

fn keys(email: &str, ip: Option<IpAddr>) -> (String, Option<String>) {
    (format!("email:{}", email.trim().to_lowercase()), ip.map(|ip| format!("ip:{ip}")))
}

/// Admits one login attempt, or refuses it when this address or this client failed too
/// often lately. The attempt is counted as a failure at once, in the same transaction as
/// the check and under a lock on its keys, so that a burst of simultaneous guesses is
/// admitted no more than the limit allows; a success then forgives the address.
pub async fn admit(app: &App, email: &str, ip: Option<IpAddr>) -> Result<()> {
    let (by_email, by_ip) = keys(email, ip);
    let mut client = app.pool().get().await?;
    let tx = client.transaction().await?;
    // Always the address first, then the client: two attempts never wait on each other in
    // opposite orders.
    tx.execute("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", &[&by_email]).await?;
    if let Some(by_ip) = &by_ip {
        tx.execute("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", &[by_ip]).await?;
    }
    let row = tx
        .query_one(
            "SELECT count(*) FILTER (WHERE key = $1), count(*) FILTER (WHERE key = $2)
             FROM login_failures WHERE key IN ($1, $2) AND at > now() - make_interval(mins => $3)",
            &[&by_email, &by_ip.clone().unwrap_or_default(), &WINDOW_MINUTES],
        )
        .await?;
    let (for_email, for_ip): (i64, i64) = (row.get(0), row.get(1));
    if for_email >= PER_ADDRESS || for_ip >= PER_IP {
        return Err(Error::TooManyRequests(locale::t!("auth-too-many-logins", minutes = WINDOW_MINUTES)));
    }
    tx.execute("INSERT INTO login_failures (key) VALUES ($1)", &[&by_email]).await?;
    if let Some(by_ip) = &by_ip {
        tx.execute("INSERT INTO login_failures (key) VALUES ($1)", &[by_ip]).await?;
    }
    tx.commit().await?;
    // Keep the table small.
    client.execute("DELETE FROM login_failures WHERE at < now() - interval '1 day'", &[]).await?;
    Ok(())
}

/// A successful login forgives the address's failures, and is not held against its client
/// (the attempt's own row goes).
pub async fn forgive(app: &App, email: &str, ip: Option<IpAddr>) -> Result<()> {
    let (by_email, by_ip) = keys(email, ip);
    let client = app.pool().get().await?;
    client.execute("DELETE FROM login_failures WHERE key = $1", &[&by_email]).await?;
    if let Some(by_ip) = by_ip {
        client
            .execute("DELETE FROM login_failures WHERE ctid = (SELECT ctid FROM login_failures WHERE key = $1 ORDER BY at DESC LIMIT 1)", &[&by_ip])
            .await?;
    }
    Ok(())
}
