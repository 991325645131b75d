//! The read models routing consults, through their queries in `projections`.

use std::time::Duration;

use commands::Error;
use deadpool_postgres::Pool;
use domain::{ConversationId, SiteId, UserId};
use projections::{Checkpoints, Registered};
use store::Position;

use super::routing::{ChatView, Named};

#[derive(Clone)]
pub struct ReadModels {
    pub pool: Pool,
    pub checkpoints: Checkpoints,
    /// The time rings are judged at (set in tests).
    pub clock: crate::WallClock,
}

impl ChatView for ReadModels {
    async fn caught_up(&self, position: Position) {
        for projection in [Registered::AgentLoad, Registered::Conversations] {
            // A projection that stalls must not stall chat: route on what it shows.
            let _ = projections::wait_for(&self.pool, &self.checkpoints, projection.name(), position, Duration::from_secs(2)).await;
        }
    }

    async fn candidates(&self, site: SiteId) -> Result<Vec<Named>, Error> {
        let client = self.pool.get().await?;
        Ok(projections::chat::candidates(&**client, site).await?)
    }

    async fn waiting(&self, site: SiteId) -> Result<Vec<ConversationId>, Error> {
        let client = self.pool.get().await?;
        Ok(projections::chat::waiting(&**client, site).await?.into_iter().map(|(id, _)| id).collect())
    }

    async fn candidates_and_ringing(&self, site: SiteId) -> Result<(Vec<Named>, Option<u16>), Error> {
        let client = self.pool.get().await?;
        Ok(projections::chat::candidates_and_ringing(&**client, site).await?)
    }

    fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.now()
    }

    async fn sites_of(&self, agent: UserId) -> Result<Vec<SiteId>, Error> {
        let client = self.pool.get().await?;
        Ok(projections::sites::sites_of_agents(&**client, &[agent]).await?)
    }
}
