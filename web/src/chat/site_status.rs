//! What every widget of a site shows besides its own chat: whether an agent is online, and
//! its place in the queue. Worked out once per site and process when the site changes, and
//! handed to all of the site's sockets: a thousand widgets waiting on a busy site would
//! otherwise each ask the database whenever a chat started or an agent took one.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use domain::SiteId;
use tokio::sync::Notify;

use super::hub::{Interest, Notice};
use crate::Web;

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
    pub async fn run(self, web: Web) {
        loop {
            self.wake.notified().await;
            tokio::time::sleep(super::SITE_SETTLE).await;
            let sites: Vec<SiteId> = self.changed.lock().unwrap().drain().collect();
            for site in sites {
                // Sites nobody here is looking at cost nothing.
                if !web.hub().has(Interest::Site(site)) {
                    continue;
                }
                match app::chat::site_status(&web, site).await {
                    Ok(status) => web.hub().publish(Interest::Site(site), Notice::SiteChanged(site, Arc::new(status))),
                    Err(e) => tracing::warn!(error = %e, "cannot read a site's queue"),
                }
            }
        }
    }
}
