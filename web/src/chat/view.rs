//! The read models routing consults: candidates, the queue, an agent's sites.

use commands::chat::{ChatView, Named};
use commands::Error;
use std::time::Duration;

use deadpool_postgres::Pool;
use domain::routing::Candidate;
use domain::{ConversationId, SiteId, UserId};
use projections::Checkpoints;
use store::Position;

#[derive(Clone)]
pub struct ReadModels {
    pub pool: Pool,
    pub checkpoints: Checkpoints,
}

impl ChatView for ReadModels {
    async fn caught_up(&self, position: Position) {
        for name in ["agent-load", "conversations"] {
            // A projection that stalls must not stall chat: route on what it shows.
            let _ = projections::wait_for(&self.pool, &self.checkpoints, name, position, Duration::from_secs(2)).await;
        }
    }

    async fn candidates(&self, site: SiteId) -> Result<Vec<Named>, Error> {
        let client = self.pool.get().await?;
        let rows = client
            .query(
                "SELECT a.user_id, a.priority,
                        CASE a.priority WHEN 'high' THEN s.weight_high WHEN 'normal' THEN s.weight_normal ELSE s.weight_low END,
                        l.conversations, u.max_chats, coalesce(nullif(u.display_name, ''), u.first_name)
                 FROM site_agents a
                 JOIN sites s ON s.site_id = a.site_id AND NOT s.deleted
                 JOIN users u ON u.user_id = a.user_id AND u.member AND u.active AND 'Agent' = ANY(u.roles)
                 JOIN agent_load l ON l.user_id = a.user_id AND l.status = 'online'
                 WHERE a.site_id = $1
                 ORDER BY a.user_id",
                &[&site.0],
            )
            .await?;
        Ok(rows
            .iter()
            .map(|r| Named {
                candidate: Candidate {
                    user_id: UserId(r.get(0)),
                    priority: r.get::<_, String>(1).parse().unwrap_or(domain::site::Priority::Normal),
                    weight: r.get::<_, i32>(2).clamp(0, 255) as u8,
                    load: r.get::<_, i32>(3).max(0) as u32,
                    max_chats: r.get::<_, i32>(4).max(0) as u32,
                },
                name: r.get(5),
            })
            .collect())
    }

    async fn waiting(&self, site: SiteId) -> Result<Vec<ConversationId>, Error> {
        let client = self.pool.get().await?;
        Ok(projections::chat::waiting(&**client, site).await?.into_iter().map(|(id, _)| id).collect())
    }

    async fn sites_of(&self, agent: UserId) -> Result<Vec<SiteId>, Error> {
        let client = self.pool.get().await?;
        let rows = client
            .query("SELECT a.site_id FROM site_agents a JOIN sites s ON s.site_id = a.site_id AND NOT s.deleted WHERE a.user_id = $1", &[&agent.0])
            .await?;
        Ok(rows.iter().map(|r| SiteId(r.get(0))).collect())
    }
}
