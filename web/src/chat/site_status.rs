//! What every widget of a site shows besides its own chat: whether an agent is online, and
//! its place in the queue. Worked out once per site and process when the site changes, and
//! handed to all of the site's sockets: a thousand widgets waiting on a busy site would
//! otherwise each ask the database whenever a chat started or an agent took one.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use domain::{ConversationId, SiteId};
use tokio::sync::Notify;

use super::hub::{Hub, Interest, Notice};

#[derive(Debug, Default, Clone, PartialEq)]
pub struct SiteStatus {
    /// Some agent of the site who holds the Agent role is online.
    pub online: bool,
    /// The waiting conversations, longest-waiting first.
    pub waiting: Vec<ConversationId>,
}

impl SiteStatus {
    pub async fn load(pool: &deadpool_postgres::Pool, site: SiteId) -> Result<SiteStatus, String> {
        let client = pool.get().await.map_err(|e| e.to_string())?;
        let (online, waiting) =
            tokio::try_join!(Self::online(&client, site), projections::chat::waiting(&**client, site)).map_err(|e| e.to_string())?;
        Ok(SiteStatus { online, waiting: waiting.into_iter().map(|(id, _)| id).collect() })
    }

    pub async fn online(client: &deadpool_postgres::Client, site: SiteId) -> Result<bool, tokio_postgres::Error> {
        let row = client
            .query_one(
                "SELECT EXISTS (SELECT 1 FROM site_agents a JOIN users u ON u.user_id = a.user_id JOIN agent_load l ON l.user_id = a.user_id
                 WHERE a.site_id = $1 AND u.active AND 'Agent' = ANY(u.roles) AND l.status = 'online')",
                &[&site.0],
            )
            .await?;
        Ok(row.get(0))
    }

    /// A conversation's place in the queue (1 is next), when it waits.
    pub fn position(&self, id: ConversationId) -> Option<i64> {
        self.waiting.iter().position(|w| *w == id).map(|i| i as i64 + 1)
    }
}

/// Sites whose status may have changed, worked out by `run` a moment later (changes come in
/// bursts: many visitors arriving at once).
#[derive(Clone, Default)]
pub struct SiteWatch {
    changed: Arc<Mutex<HashSet<SiteId>>>,
    wake: Arc<Notify>,
}

impl SiteWatch {
    pub fn touch(&self, sites: impl IntoIterator<Item = SiteId>) {
        self.changed.lock().unwrap().extend(sites);
        self.wake.notify_one();
    }

    /// Tells the sockets of each changed site its new status, for as long as it runs.
    pub async fn run(self, pool: deadpool_postgres::Pool, hub: Hub) {
        loop {
            self.wake.notified().await;
            tokio::time::sleep(super::SITE_SETTLE).await;
            let sites: Vec<SiteId> = self.changed.lock().unwrap().drain().collect();
            for site in sites {
                // Sites nobody here is looking at cost nothing.
                if !hub.has(Interest::Site(site)) {
                    continue;
                }
                match SiteStatus::load(&pool, site).await {
                    Ok(status) => hub.publish(Interest::Site(site), Notice::SiteChanged(site, Arc::new(status))),
                    Err(e) => tracing::warn!(error = %e, "cannot read a site's queue"),
                }
            }
        }
    }
}
