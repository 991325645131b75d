//! What administrators do to sites, shared by the pages and the JSON API.

use domain::site::{Language, Position, Priority, Weights, WidgetSettings};
use domain::{SiteId, UserId};
use projections::sites::SiteRow;
use store::Position as StorePosition;

use crate::auth::Session;
use crate::error::AppError;
use crate::App;

async fn settle(app: &App, position: Option<StorePosition>) -> Result<(), AppError> {
    for name in ["sites", "audit"] {
        app.read_your_writes(name, position).await?;
    }
    Ok(())
}

/// A site of the session's company (deleted ones included).
pub async fn load(app: &App, session: &Session, site_id: SiteId) -> Result<SiteRow, AppError> {
    let client = app.pool.get().await?;
    projections::sites::get(&**client, session.company_id(), site_id).await?.ok_or(AppError::NotFound)
}

/// A live site of the session's company: a deleted one is gone for editing.
pub async fn load_live(app: &App, session: &Session, site_id: SiteId) -> Result<SiteRow, AppError> {
    let site = load(app, session, site_id).await?;
    if site.deleted {
        return Err(AppError::Command(commands::Error::Site(domain::site::Error::Deleted)));
    }
    Ok(site)
}

/// URLs typed one per line (or separated by spaces or commas).
pub fn split_urls(text: &str) -> Vec<String> {
    text.split(|c: char| c.is_whitespace() || c == ',').filter(|u| !u.is_empty()).map(str::to_owned).collect()
}

pub async fn create(app: &App, session: &Session, name: &str, urls: Vec<String>, notes: &str, restrict: bool) -> Result<SiteId, AppError> {
    let (site_id, position) = app.sites.create(session.company_id(), name, urls, notes, restrict, &session.metadata()).await?;
    settle(app, Some(position)).await?;
    Ok(site_id)
}

pub async fn change(
    app: &App,
    session: &Session,
    site_id: SiteId,
    name: &str,
    urls: Vec<String>,
    notes: &str,
    restrict: bool,
) -> Result<(), AppError> {
    let command = domain::site::Command::ChangeSite { name: name.to_owned(), urls, notes: notes.to_owned(), restrict_to_urls: restrict };
    let outcome = app.sites.change(session.company_id(), site_id, command, &session.metadata()).await?;
    settle(app, outcome.position).await
}

pub async fn settings(app: &App, session: &Session, site_id: SiteId, settings: WidgetSettings) -> Result<(), AppError> {
    let outcome = app.sites.settings(session.company_id(), site_id, settings, &session.metadata()).await?;
    settle(app, outcome.position).await
}

pub async fn weights(app: &App, session: &Session, site_id: SiteId, weights: Weights) -> Result<(), AppError> {
    let outcome = app.sites.weights(session.company_id(), site_id, weights, &session.metadata()).await?;
    settle(app, outcome.position).await
}

pub async fn rotate_key(app: &App, session: &Session, site_id: SiteId) -> Result<(), AppError> {
    let outcome = app.sites.rotate_key(session.company_id(), site_id, &session.metadata()).await?;
    settle(app, outcome.position).await
}

/// Assigns, moves (`Some`) or unassigns (`None`) an agent.
pub async fn place(app: &App, session: &Session, site_id: SiteId, user_id: UserId, priority: Option<Priority>) -> Result<(), AppError> {
    let outcome = match priority {
        Some(p) => app.sites.assign(session.company_id(), site_id, user_id, p, &session.metadata()).await?,
        None => app.sites.unassign(session.company_id(), site_id, user_id, &session.metadata()).await?,
    };
    settle(app, outcome.position).await
}

pub async fn delete(app: &App, session: &Session, site_id: SiteId) -> Result<(), AppError> {
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

pub fn parse_position(s: &str) -> Result<Position, AppError> {
    match s {
        "bottom-right" => Ok(Position::BottomRight),
        "bottom-left" => Ok(Position::BottomLeft),
        other => Err(AppError::invalid("position", format!("position `{other}` should be bottom-right or bottom-left"))),
    }
}

pub fn parse_language(s: &str) -> Result<Language, AppError> {
    match s {
        "en" => Ok(Language::En),
        "fr" => Ok(Language::Fr),
        other => Err(AppError::invalid("language", format!("language `{other}` should be en or fr"))),
    }
}

pub fn parse_weight(field: &'static str, s: &str) -> Result<u8, AppError> {
    s.trim()
        .parse::<u8>()
        .ok()
        .filter(|w| (1..=100).contains(w))
        .ok_or_else(|| AppError::invalid(field, format!("{field} must be a whole number from 1 to 100")))
}
