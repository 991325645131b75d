//! Which agents have a console open, across every server process (the `agent_connections`
//! table, owned here). An agent whose last console closed (or whose process died) longer
//! ago than the grace period is marked offline, and their conversations go back to the queue.

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;
use std::time::Duration;

use chrono::{DateTime, Utc};
use domain::agent::Status;
use domain::{Actor, Metadata, UserId};
use uuid::Uuid;

use crate::App;

/// A connection unseen this long belongs to a process that died.
const STALE_SECONDS: f64 = 30.0;
const HEARTBEAT: Duration = Duration::from_secs(10);

#[derive(Default)]
pub struct Presence {
    local: Mutex<HashSet<Uuid>>,
}

impl Presence {
    /// A console of `user` opened on this process; the connection's id.
    pub async fn connected(&self, app: &App, user: UserId) -> Uuid {
        let id = Uuid::now_v7();
        self.local.lock().unwrap().insert(id);
        if let Ok(client) = app.pool().get().await {
            let _ = client.execute("INSERT INTO agent_connections (connection_id, user_id) VALUES ($1, $2)", &[&id, &user.0]).await;
        }
        id
    }

    pub async fn disconnected(&self, app: &App, id: Uuid) {
        self.local.lock().unwrap().remove(&id);
        if let Ok(client) = app.pool().get().await {
            let _ = client.execute("UPDATE agent_connections SET open = false, last_seen = now() WHERE connection_id = $1", &[&id]).await;
        }
    }

    /// Keeps this process's connections fresh, forever.
    pub async fn heartbeat(app: App) {
        loop {
            tokio::time::sleep(HEARTBEAT).await;
            let ids: Vec<Uuid> = app.presence.local.lock().unwrap().iter().copied().collect();
            if ids.is_empty() {
                continue;
            }
            if let Ok(client) = app.pool().get().await {
                let _ = client.execute("UPDATE agent_connections SET last_seen = now() WHERE connection_id = ANY($1)", &[&ids]).await;
            }
        }
    }

    /// Marks offline the agents gone longer than the grace period, forever.
    pub async fn sweep(app: App) {
        loop {
            tokio::time::sleep(Duration::from_secs(1)).await;
            for (user, company) in gone(&app).await.unwrap_or_default() {
                let metadata = Metadata::new(Some(company), Actor::System("presence".into()));
                tracing::info!(%user, "agent disconnected for longer than the grace period: offline, conversations back to the queue");
                if let Err(e) = app.chat.set_status(user, Status::Offline, Some("disconnected".into()), &metadata).await {
                    tracing::warn!(%user, error = %e, "could not mark a disconnected agent offline");
                }
            }
            if let Ok(client) = app.pool().get().await {
                let _ = client.execute("DELETE FROM agent_connections WHERE NOT open AND last_seen < now() - interval '1 day'", &[]).await;
            }
        }
    }
}

/// An agent's consoles, as the `agent_connections` table tells.
struct Connections {
    /// One is open and was seen lately.
    live: bool,
    last_seen: Option<DateTime<Utc>>,
    /// The database's clock, for both sides of the comparison.
    now: DateTime<Utc>,
}

/// Agents shown online or away with no live console anywhere, and none for longer than the
/// grace period (counted from their last status change or last console, whichever is later).
async fn gone(app: &App) -> Result<Vec<(UserId, domain::CompanyId)>, crate::Error> {
    let client = app.pool().get().await?;
    let present = projections::chat::present_agents(&**client).await?;
    if present.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<Uuid> = present.iter().map(|(u, _, _)| u.0).collect();
    let rows = client
        .query(
            "SELECT u.id, bool_or(c.open AND c.last_seen > now() - make_interval(secs => $2)), max(c.last_seen), now()
             FROM unnest($1::uuid[]) AS u(id) LEFT JOIN agent_connections c ON c.user_id = u.id GROUP BY u.id",
            &[&ids, &STALE_SECONDS],
        )
        .await?;
    let connections: HashMap<Uuid, Connections> = rows
        .iter()
        .map(|r| (r.get(0), Connections { live: r.get::<_, Option<bool>>(1).unwrap_or(false), last_seen: r.get(2), now: r.get(3) }))
        .collect();
    let grace = chrono::Duration::from_std(app.settings.agent_grace).unwrap_or(chrono::Duration::MAX);
    Ok(present
        .into_iter()
        .filter(|(user, _, updated_at)| {
            let Some(c) = connections.get(&user.0) else { return false };
            let since = c.last_seen.map_or(*updated_at, |seen| seen.max(*updated_at));
            !c.live && since < c.now - grace
        })
        .map(|(user, company, _)| (user, company))
        .collect())
}
