//! What every widget of a site shows besides its own chat: whether chats may start (an
//! agent online, within business hours), and its place in the queue. Worked out once per
//! site and process when the site changes, and handed to all of the site's sockets: a
//! thousand widgets waiting on a busy site would otherwise each ask the database whenever
//! a chat started or an agent took one. Business hours open and close with no event, so a
//! site is also worked out again at its next opening or closing time.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use domain::SiteId;
use tokio::sync::Notify;

use super::hub::{Interest, Notice};
use crate::Web;

/// Sites whose status may have changed, worked out by `run` a moment later (changes come in
/// bursts: many visitors arriving at once), and when each site's hours next open or close.
#[derive(Clone, Default)]
pub struct SiteWatch {
    changed: Arc<Mutex<HashSet<SiteId>>>,
    due: Arc<Mutex<HashMap<SiteId, DateTime<Utc>>>>,
    wake: Arc<Notify>,
}

impl SiteWatch {
    pub fn touch(&self, sites: impl IntoIterator<Item = SiteId>) {
        self.changed.lock().unwrap().extend(sites);
        self.wake.notify_one();
    }

    /// Works the site out again at `at` (its hours open or close then).
    pub fn at(&self, site: SiteId, at: Option<DateTime<Utc>>) {
        let Some(at) = at else { return };
        let earlier = {
            let mut due = self.due.lock().unwrap();
            let slot = due.entry(site).or_insert(at);
            // The soonest wins: a later one is learnt again when the site is worked out.
            let earlier = at <= *slot;
            if earlier {
                *slot = at;
            }
            earlier
        };
        if earlier {
            self.wake.notify_one();
        }
    }

    /// The sites due by `now` (no longer waited for), and when the next one is due.
    fn take_due(&self, now: DateTime<Utc>) -> (Vec<SiteId>, Option<DateTime<Utc>>) {
        let mut due = self.due.lock().unwrap();
        let ready: Vec<SiteId> = due.iter().filter(|(_, at)| **at <= now).map(|(s, _)| *s).collect();
        for site in &ready {
            due.remove(site);
        }
        (ready, due.values().min().copied())
    }

    /// Tells the sockets of each changed site its new status, for as long as it runs.
    pub async fn run(self, web: Web) {
        loop {
            let (ready, next) = self.take_due(web.settings.clock.now());
            if ready.is_empty() {
                let wait = next.map(|at| (at - web.settings.clock.now()).to_std().unwrap_or_default());
                tokio::select! {
                    _ = self.wake.notified() => {}
                    _ = tokio::time::sleep(wait.unwrap_or(std::time::Duration::MAX)), if wait.is_some() => {}
                }
                tokio::time::sleep(super::SITE_SETTLE).await;
            }
            let mut sites: HashSet<SiteId> = self.changed.lock().unwrap().drain().collect();
            sites.extend(ready);
            for site in sites {
                // Sites nobody here is looking at cost nothing (a widget that comes looks again).
                if !web.hub().has(Interest::Site(site)) {
                    continue;
                }
                match app::chat::site_status(&web, site).await {
                    Ok(status) => {
                        self.at(site, status.hours.next_change);
                        web.hub().publish(Interest::Site(site), Notice::SiteChanged(site, Arc::new(status)));
                    }
                    Err(e) => tracing::warn!(error = %e, "cannot read a site's queue"),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_site_is_due_at_its_soonest_boundary_once() {
        let watch = SiteWatch::default();
        let (site, other) = (SiteId::new(), SiteId::new());
        let t = |s: &str| s.parse::<DateTime<Utc>>().unwrap();
        watch.at(site, Some(t("2026-03-02T08:00:00Z")));
        watch.at(site, Some(t("2026-03-02T16:00:00Z")));
        watch.at(other, Some(t("2026-03-02T09:00:00Z")));
        watch.at(other, None);
        assert_eq!(watch.take_due(t("2026-03-02T07:59:59Z")), (vec![], Some(t("2026-03-02T08:00:00Z"))));
        assert_eq!(watch.take_due(t("2026-03-02T08:00:00Z")), (vec![site], Some(t("2026-03-02T09:00:00Z"))));
        assert_eq!(watch.take_due(t("2026-03-02T08:30:00Z")), (vec![], Some(t("2026-03-02T09:00:00Z"))));
    }
}
