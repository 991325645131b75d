//! What a visitor's widget may open: the site behind a public widget key, checked against
//! the page's origin, and its configuration. The `widget_origins` table (origins a widget
//! was loaded from that its site does not list) is owned here.

use chrono::{DateTime, Utc};
use domain::site::{self, WidgetSettings};
use domain::SiteId;
use projections::sites::SiteRow;
use serde::Serialize;

use crate::{App, Error, Result};

/// What the widget needs to draw itself.
#[derive(Debug, Serialize)]
pub struct WidgetConfig {
    pub site: String,
    pub settings: WidgetSettings,
    /// Chats may start now: within business hours and any agent of the site online (if not,
    /// the widget offers the offline form).
    pub online: bool,
    pub hours: crate::hours::Hours,
    /// The origin is not among the site's URLs (the widget still opens unless restricted).
    pub unlisted_origin: bool,
}

/// The live site behind `key`.
async fn site_of_key(app: &App, key: &str) -> Result<SiteRow> {
    let client = app.pool().get().await?;
    let site = projections::sites::by_widget_key(&**client, key.trim()).await?.ok_or(Error::NotFound)?;
    if site.deleted {
        return Err(site::Error::Deleted.into());
    }
    Ok(site)
}

/// Whether `origin` is one of the site's URLs, or Switchboard's own ("Test my module").
fn listed(app: &App, site: &SiteRow, origin: &str) -> bool {
    site::origin_of(&app.settings.public_url).eq_ignore_ascii_case(origin)
        || site.urls.iter().any(|u| site::origin_of(u).eq_ignore_ascii_case(origin))
}

fn not_allowed(site: &SiteRow, origin: Option<&str>) -> Error {
    let message = match origin {
        Some(origin) => locale::t!("sites-origin-refused", site = &site.name, origin = origin),
        None => locale::t!("sites-origin-refused-none", site = &site.name),
    };
    Error::Denied { code: "origin_not_allowed", message }
}

/// The configuration for a page at `origin` (none when the browser sent none: same-origin
/// requests). An unlisted origin is remembered for the site's page, and refused when the
/// site is restricted to its URLs.
pub async fn config(app: &App, key: &str, origin: Option<&str>) -> Result<WidgetConfig> {
    let site = site_of_key(app, key).await?;
    let unlisted = origin.filter(|o| !listed(app, &site, o));
    if let Some(origin) = unlisted {
        origins::remember(app, site.site_id, origin).await;
        if site.restrict_to_urls {
            return Err(not_allowed(&site, Some(origin)));
        }
    }
    let client = app.pool().get().await?;
    let agent = projections::sites::has_online_agent(&**client, site.site_id).await?;
    let hours = crate::hours::of_site(app, site.site_id).await?;
    Ok(WidgetConfig { site: site.name, settings: site.settings, online: agent && hours.open, hours, unlisted_origin: unlisted.is_some() })
}

/// The site a widget socket from `origin` may chat on. Browsers always send an origin with
/// a WebSocket: a restricted site refuses one without.
pub async fn admit(app: &App, key: &str, origin: Option<&str>) -> Result<SiteRow> {
    let site = site_of_key(app, key).await?;
    if site.restrict_to_urls && !origin.is_some_and(|o| listed(app, &site, o)) {
        return Err(not_allowed(&site, origin));
    }
    Ok(site)
}

/// Origins a site's widget was loaded from that the site does not list, newest first.
pub async fn unlisted_origins(app: &App, site: &SiteRow) -> Result<Vec<(String, DateTime<Utc>)>> {
    origins::unlisted(app, site).await
}

mod origins {
    use super::*;

    /// At most one write a minute per origin; a failure only costs the warning.
    pub async fn remember(app: &App, site: SiteId, origin: &str) {
        let Ok(client) = app.pool().get().await else { return };
        let _ = client
            .execute(
                "INSERT INTO widget_origins (site_id, origin) VALUES ($1, left($2, 200))
                 ON CONFLICT (site_id, origin) DO UPDATE SET last_seen = now() WHERE widget_origins.last_seen < now() - interval '1 minute'",
                &[&site.0, &origin],
            )
            .await;
    }

    pub async fn unlisted(app: &App, site: &SiteRow) -> Result<Vec<(String, DateTime<Utc>)>> {
        let listed: Vec<String> = site.urls.iter().map(|u| site::origin_of(u)).collect();
        let client = app.pool().get().await?;
        let rows = client
            .query(
                "SELECT origin, last_seen FROM widget_origins WHERE site_id = $1 AND NOT (origin = ANY($2)) ORDER BY last_seen DESC LIMIT 20",
                &[&site.site_id.0, &listed],
            )
            .await?;
        Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
    }
}
