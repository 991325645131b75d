//! What administrators do to sites, for the pages and the JSON API alike.

use domain::site::{Language, Position, Priority, Weights, WidgetSettings};
use domain::{SiteId, UserId};
use projections::sites::{Advisor, SiteRow, SiteSummary};
use projections::Registered;
use store::Position as StorePosition;

use crate::auth::Session;
use crate::{App, Error, Result};

async fn settle(app: &App, position: Option<StorePosition>) -> Result<()> {
    for projection in [Registered::Sites, Registered::Audit] {
        app.read_your_writes(projection, position).await?;
    }
    Ok(())
}

/// A site of the session's company (deleted ones included).
pub async fn load(app: &App, session: &Session, site_id: SiteId) -> Result<SiteRow> {
    let client = app.pool().get().await?;
    projections::sites::get(&**client, session.company_id(), site_id).await?.ok_or(Error::NotFound)
}

/// A live site of the session's company: a deleted one is gone for editing.
pub async fn load_live(app: &App, session: &Session, site_id: SiteId) -> Result<SiteRow> {
    let site = load(app, session, site_id).await?;
    if site.deleted {
        return Err(domain::site::Error::Deleted.into());
    }
    Ok(site)
}

/// The company's sites with their agents per priority and how many are online.
pub async fn list(app: &App, session: &Session) -> Result<Vec<SiteSummary>> {
    let client = app.pool().get().await?;
    Ok(projections::sites::list(&**client, session.company_id()).await?)
}

/// Every agent of the company and everyone assigned to the (live) site, with their priority.
pub async fn advisors(app: &App, session: &Session, site_id: SiteId) -> Result<Vec<Advisor>> {
    load_live(app, session, site_id).await?;
    let client = app.pool().get().await?;
    Ok(projections::sites::advisors(&**client, session.company_id(), site_id).await?)
}

/// URLs typed one per line (or separated by spaces or commas).
pub fn split_urls(text: &str) -> Vec<String> {
    text.split(|c: char| c.is_whitespace() || c == ',').filter(|u| !u.is_empty()).map(str::to_owned).collect()
}

/// A new site's widget speaks the company's language (else its creator's) from the start,
/// with the greeting and offline text in that language.
pub async fn create(app: &App, session: &Session, name: &str, urls: Vec<String>, notes: &str, restrict: bool) -> Result<SiteId> {
    let (site_id, position) = app.sites.create(session.company_id(), name, urls, notes, restrict, &session.metadata()).await?;
    settle(app, Some(position)).await?;
    let lang = session.company_language().unwrap_or_else(locale::lang);
    if lang != locale::Lang::En {
        settings(app, session, site_id, default_settings(lang)).await?;
    }
    Ok(site_id)
}

/// The settings a new site starts with, in `lang`.
pub fn default_settings(lang: locale::Lang) -> WidgetSettings {
    let text = |key| locale::text(lang, key, &[]);
    WidgetSettings {
        language: lang.into(),
        greeting: text("widget-greeting"),
        offline_text: text("widget-offline-text"),
        ..WidgetSettings::default()
    }
}

pub async fn change(app: &App, session: &Session, site_id: SiteId, name: &str, urls: Vec<String>, notes: &str, restrict: bool) -> Result<()> {
    let command = domain::site::Command::ChangeSite { name: name.to_owned(), urls, notes: notes.to_owned(), restrict_to_urls: restrict };
    let outcome = app.sites.change(session.company_id(), site_id, command, &session.metadata()).await?;
    settle(app, outcome.position).await
}

pub async fn settings(app: &App, session: &Session, site_id: SiteId, settings: WidgetSettings) -> Result<()> {
    let outcome = app.sites.settings(session.company_id(), site_id, settings, &session.metadata()).await?;
    settle(app, outcome.position).await
}

pub async fn weights(app: &App, session: &Session, site_id: SiteId, weights: Weights) -> Result<()> {
    let outcome = app.sites.weights(session.company_id(), site_id, weights, &session.metadata()).await?;
    settle(app, outcome.position).await
}

/// Turns "accept before it counts" on (a new chat rings for an agent for `seconds`) or off.
pub async fn accept_timeout(app: &App, session: &Session, site_id: SiteId, seconds: Option<u16>) -> Result<()> {
    let command = domain::site::Command::SetAcceptTimeout { seconds };
    let outcome = app.sites.change(session.company_id(), site_id, command, &session.metadata()).await?;
    settle(app, outcome.position).await
}

pub async fn rotate_key(app: &App, session: &Session, site_id: SiteId) -> Result<()> {
    let outcome = app.sites.rotate_key(session.company_id(), site_id, &session.metadata()).await?;
    settle(app, outcome.position).await
}

/// Assigns, moves (`Some`) or unassigns (`None`) an agent. (The site's stream refuses
/// changes to a deleted site and the handler another company's: no read model is asked.)
pub async fn place(app: &App, session: &Session, site_id: SiteId, user_id: UserId, priority: Option<Priority>) -> Result<()> {
    let (company_id, metadata) = (session.company_id(), session.metadata());
    let outcome = match priority {
        Some(p) => app.sites.assign(company_id, site_id, user_id, p, &metadata).await?,
        None => app.sites.unassign(company_id, site_id, user_id, &metadata).await?,
    };
    settle(app, outcome.position).await
}

pub async fn delete(app: &App, session: &Session, site_id: SiteId) -> Result<()> {
    let outcome = app.sites.delete(session.company_id(), site_id, &session.metadata()).await?;
    settle(app, outcome.position).await
}

/// The lines to paste before `</body>`.
pub fn snippet(app: &App, site: &SiteRow) -> String {
    format!(
        "<script async src=\"{}/widget.js\" data-switchboard-site=\"{}\"></script>",
        app.settings.public_url.trim_end_matches('/'),
        site.widget_key
    )
}

pub fn parse_position(s: &str) -> Result<Position> {
    match s {
        "bottom-right" => Ok(Position::BottomRight),
        "bottom-left" => Ok(Position::BottomLeft),
        other => Err(Error::invalid("position", locale::t!("sites-bad-position", value = other))),
    }
}

pub fn parse_language(s: &str) -> Result<Language> {
    match s {
        "en" => Ok(Language::En),
        "fr" => Ok(Language::Fr),
        other => Err(Error::invalid("language", locale::t!("sites-bad-language", value = other))),
    }
}

pub fn parse_weight(field: &'static str, s: &str) -> Result<u8> {
    s.trim().parse::<u8>().ok().filter(|w| (1..=100).contains(w)).ok_or_else(|| Error::invalid(field, locale::t!("sites-bad-weight", field = field)))
}

pub fn parse_priority(s: &str) -> Result<Priority> {
    s.parse::<Priority>().map_err(|_| Error::invalid("priority", locale::t!("err-bad-priority", value = s)))
}
