//! Which agents have a console open, across every server process. An agent whose last
//! console closed (or whose process died) longer ago than the grace period is marked
//! offline, and their conversations go back to the queue.

use std::collections::HashSet;
use std::sync::Mutex;
use std::time::Duration;

use domain::agent::Status;
use domain::{Actor, CompanyId, Metadata, UserId};
use uuid::Uuid;

use crate::App;

/// A connection unseen this long belongs to a process that died.
const STALE_SECONDS: i32 = 30;
const HEARTBEAT: Duration = Duration::from_secs(10);

#[derive(Default)]
pub struct Presence {
    local: Mutex<HashSet<Uuid>>,
}

impl Presence {
    pub async fn connected(&self, app: &App, user: UserId) -> Uuid {
        let id = Uuid::now_v7();
        self.local.lock().unwrap().insert(id);
        if let Ok(client) = app.pool.get().await {
            let _ = client.execute("INSERT INTO agent_connections (connection_id, user_id) VALUES ($1, $2)", &[&id, &user.0]).await;
        }
        id
    }

    pub async fn disconnected(&self, app: &App, id: Uuid) {
        self.local.lock().unwrap().remove(&id);
        if let Ok(client) = app.pool.get().await {
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
            if let Ok(client) = app.pool.get().await {
                let _ = client.execute("UPDATE agent_connections SET last_seen = now() WHERE connection_id = ANY($1)", &[&ids]).await;
            }
        }
    }

    /// Marks offline the agents gone longer than the grace period, forever.
    pub async fn sweep(app: App) {
        loop {
            tokio::time::sleep(Duration::from_secs(1)).await;
            let grace = app.settings.agent_grace.as_secs_f64();
            let Ok(client) = app.pool.get().await else { continue };
            let gone = client
                .query(
                    "SELECT l.user_id, l.company_id FROM agent_load l
                     WHERE l.status <> 'offline'
                       AND NOT EXISTS (SELECT 1 FROM agent_connections c WHERE c.user_id = l.user_id AND c.open
                                       AND c.last_seen > now() - make_interval(secs => $1))
                       AND greatest(l.updated_at, (SELECT max(c.last_seen) FROM agent_connections c WHERE c.user_id = l.user_id))
                           < now() - make_interval(secs => $2)",
                    &[&(STALE_SECONDS as f64), &grace],
                )
                .await
                .unwrap_or_default();
            drop(client);
            for row in gone {
                let (user, company) = (UserId(row.get(0)), CompanyId(row.get(1)));
                let metadata = Metadata::new(Some(company), Actor::System("presence".into()));
                tracing::info!(%user, "agent disconnected for longer than the grace period: offline, conversations back to the queue");
                if let Err(e) = app.chat.set_status(user, Status::Offline, Some("disconnected".into()), &metadata).await {
                    tracing::warn!(%user, error = %e, "could not mark a disconnected agent offline");
                }
            }
            if let Ok(client) = app.pool.get().await {
                let _ = client.execute("DELETE FROM agent_connections WHERE NOT open AND last_seen < now() - interval '1 day'", &[]).await;
            }
        }
    }
}
