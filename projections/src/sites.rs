//! Site configurations: URLs, widget key and settings, priority weights, and agents with
//! their priority. Read by the Sites pages, the widget endpoints and the router.

use chrono::{DateTime, Utc};
use domain::business_hours::BusinessHours;
use domain::site::{self, Priority, WidgetSettings};
use domain::{CompanyId, Event, SiteId, UserId};
use serde::Serialize;
use store::RecordedEvent;
use tokio_postgres::GenericClient;

use crate::{params, Projection, ProjectionError, Writes};

pub struct Sites;

impl Projection for Sites {
    const NAME: &'static str = "sites";
    const TABLES: &'static [&'static str] = &["sites", "site_agents"];

    fn apply(&self, event: &RecordedEvent, decoded: &Event, writes: &mut Writes) -> Result<(), ProjectionError> {
        let Event::Site(e) = decoded else { return Ok(()) };
        let site_id = site::id_from_stream(&event.stream)?.0;
        let at = event.occurred_at;
        let json = |v: &WidgetSettings| serde_json::to_value(v).expect("settings serialise");
        match e {
            site::Event::SiteCreated { company_id, name, urls, notes, widget_key, restrict_to_urls, .. } => writes.push(
                "INSERT INTO sites (site_id, company_id, name, urls, notes, widget_key, restrict_to_urls, settings, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)",
                params![
                    site_id,
                    company_id.0,
                    name.clone(),
                    urls.clone(),
                    notes.clone(),
                    widget_key.clone(),
                    *restrict_to_urls,
                    json(&WidgetSettings::default()),
                    at
                ],
            ),
            site::Event::SiteChanged { name, urls, notes, restrict_to_urls } => writes.push(
                "UPDATE sites SET name = $2, urls = $3, notes = $4, restrict_to_urls = $5, updated_at = $6 WHERE site_id = $1",
                params![site_id, name.clone(), urls.clone(), notes.clone(), *restrict_to_urls, at],
            ),
            site::Event::WidgetKeyRotated { widget_key } => {
                writes.push("UPDATE sites SET widget_key = $2, updated_at = $3 WHERE site_id = $1", params![site_id, widget_key.clone(), at])
            }
            site::Event::WidgetSettingsChanged { settings } => {
                writes.push("UPDATE sites SET settings = $2, updated_at = $3 WHERE site_id = $1", params![site_id, json(settings), at])
            }
            site::Event::PriorityWeightsChanged { weights } => writes.push(
                "UPDATE sites SET weight_high = $2, weight_normal = $3, weight_low = $4, updated_at = $5 WHERE site_id = $1",
                params![site_id, weights.high as i32, weights.normal as i32, weights.low as i32, at],
            ),
            site::Event::BusinessHoursSet { hours } => writes.push(
                "UPDATE sites SET hours = $2, updated_at = $3 WHERE site_id = $1",
                params![site_id, serde_json::to_value(hours).expect("hours serialise"), at],
            ),
            site::Event::AcceptTimeoutSet { seconds } => {
                writes.push("UPDATE sites SET accept_seconds = $2, updated_at = $3 WHERE site_id = $1", params![site_id, seconds.map(i32::from), at])
            }
            site::Event::AgentAssigned { user_id, priority } => writes.push(
                "INSERT INTO site_agents (site_id, user_id, priority, assigned_at) VALUES ($1, $2, $3, $4)",
                params![site_id, user_id.0, priority.as_str(), at],
            ),
            site::Event::AgentPriorityChanged { user_id, priority } => writes
                .push("UPDATE site_agents SET priority = $3 WHERE site_id = $1 AND user_id = $2", params![site_id, user_id.0, priority.as_str()]),
            site::Event::AgentUnassigned { user_id } => {
                writes.push("DELETE FROM site_agents WHERE site_id = $1 AND user_id = $2", params![site_id, user_id.0])
            }
            site::Event::SiteDeleted {} => writes.push("UPDATE sites SET deleted = true, updated_at = $2 WHERE site_id = $1", params![site_id, at]),
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct SiteRow {
    pub site_id: SiteId,
    pub company_id: CompanyId,
    pub name: String,
    pub urls: Vec<String>,
    pub notes: String,
    pub widget_key: String,
    pub restrict_to_urls: bool,
    pub settings: WidgetSettings,
    pub weights: site::Weights,
    pub hours: BusinessHours,
    /// How long a new chat rings for an agent before it goes to the next; None: off.
    pub accept_seconds: Option<u16>,
    pub deleted: bool,
    pub created_at: DateTime<Utc>,
}

const COLUMNS: &str = "site_id, company_id, name, urls, notes, widget_key, restrict_to_urls, settings,
    weight_high, weight_normal, weight_low, deleted, created_at, hours, accept_seconds";

fn to_site(r: &tokio_postgres::Row) -> SiteRow {
    SiteRow {
        site_id: SiteId(r.get(0)),
        company_id: CompanyId(r.get(1)),
        name: r.get(2),
        urls: r.get(3),
        notes: r.get(4),
        widget_key: r.get(5),
        restrict_to_urls: r.get(6),
        settings: serde_json::from_value(r.get(7)).unwrap_or_default(),
        weights: site::Weights { high: r.get::<_, i32>(8) as u8, normal: r.get::<_, i32>(9) as u8, low: r.get::<_, i32>(10) as u8 },
        deleted: r.get(11),
        created_at: r.get(12),
        hours: serde_json::from_value(r.get(13)).unwrap_or_default(),
        accept_seconds: r.get::<_, Option<i32>>(14).and_then(|s| u16::try_from(s).ok()),
    }
}

/// One of `company_id`'s sites (deleted ones too, so their page can say so).
pub async fn get(client: &impl GenericClient, company_id: CompanyId, site_id: SiteId) -> Result<Option<SiteRow>, tokio_postgres::Error> {
    let row = client.query_opt(&format!("SELECT {COLUMNS} FROM sites WHERE site_id = $1 AND company_id = $2"), &[&site_id.0, &company_id.0]).await?;
    Ok(row.as_ref().map(to_site))
}

/// The site a widget key opens, if it is not deleted.
pub async fn by_widget_key(client: &impl GenericClient, key: &str) -> Result<Option<SiteRow>, tokio_postgres::Error> {
    let row = client.query_opt(&format!("SELECT {COLUMNS} FROM sites WHERE widget_key = $1"), &[&key]).await?;
    Ok(row.as_ref().map(to_site))
}

/// A site in the list: its agents per priority and how many of those are online now.
#[derive(Debug, Clone, Serialize)]
pub struct SiteSummary {
    pub site: SiteRow,
    pub high: i64,
    pub normal: i64,
    pub low: i64,
    pub online: i64,
}

pub async fn list(client: &impl GenericClient, company_id: CompanyId) -> Result<Vec<SiteSummary>, tokio_postgres::Error> {
    let rows = client
        .query(
            &format!(
                "SELECT {}, count(a.user_id) FILTER (WHERE a.priority = 'high'), count(a.user_id) FILTER (WHERE a.priority = 'normal'),
                        count(a.user_id) FILTER (WHERE a.priority = 'low'),
                        count(a.user_id) FILTER (WHERE l.status = 'online' AND u.active AND 'Agent' = ANY(u.roles))
                 FROM sites s
                 LEFT JOIN site_agents a ON a.site_id = s.site_id
                 LEFT JOIN users u ON u.user_id = a.user_id
                 LEFT JOIN agent_load l ON l.user_id = a.user_id
                 WHERE s.company_id = $1 AND NOT s.deleted
                 GROUP BY s.site_id ORDER BY lower(s.name), s.site_id",
                COLUMNS.split(", ").map(|c| format!("s.{}", c.trim())).collect::<Vec<_>>().join(", ")
            ),
            &[&company_id.0],
        )
        .await?;
    Ok(rows.iter().map(|r| SiteSummary { site: to_site(r), high: r.get(15), normal: r.get(16), low: r.get(17), online: r.get(18) }).collect())
}

/// An agent as the Advisors page shows them: assigned or not, and whether chats reach them.
#[derive(Debug, Clone, Serialize)]
pub struct Advisor {
    pub user_id: UserId,
    pub name: String,
    pub email: String,
    pub priority: Option<Priority>,
    /// Holds the Agent role and is active: routing may offer chats.
    pub offered: bool,
}

/// Every active agent of the company, and everyone assigned to the site (an assignment is
/// kept when the user loses the Agent role or is deactivated).
pub async fn advisors(client: &impl GenericClient, company_id: CompanyId, site_id: SiteId) -> Result<Vec<Advisor>, tokio_postgres::Error> {
    let rows = client
        .query(
            "SELECT u.user_id, u.first_name || ' ' || u.last_name, u.email, a.priority, u.active AND 'Agent' = ANY(u.roles)
             FROM users u LEFT JOIN site_agents a ON a.user_id = u.user_id AND a.site_id = $2
             WHERE u.company_id = $1 AND u.member AND ((u.active AND 'Agent' = ANY(u.roles)) OR a.site_id IS NOT NULL)
             ORDER BY lower(u.last_name), lower(u.first_name), u.user_id",
            &[&company_id.0, &site_id.0],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|r| Advisor {
            user_id: UserId(r.get(0)),
            name: r.get(1),
            email: r.get(2),
            priority: r.get::<_, Option<String>>(3).and_then(|p| p.parse().ok()),
            offered: r.get(4),
        })
        .collect())
}

/// Whether an agent of the site who holds the Agent role and is active is online now.
pub async fn has_online_agent(client: &impl GenericClient, site: SiteId) -> Result<bool, tokio_postgres::Error> {
    let row = client
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM site_agents a JOIN users u ON u.user_id = a.user_id JOIN agent_load l ON l.user_id = a.user_id
             WHERE a.site_id = $1 AND u.active AND 'Agent' = ANY(u.roles) AND l.status = 'online')",
            &[&site.0],
        )
        .await?;
    Ok(row.get(0))
}

/// What judging a site's business hours needs.
#[derive(Debug, Clone)]
pub struct SiteHours {
    pub hours: BusinessHours,
    /// The company's time zone, when it chose one.
    pub time_zone: Option<String>,
    /// The site's widget language, for the sentence that says when the team is back.
    pub language: site::Language,
}

pub async fn hours(client: &impl GenericClient, site: SiteId) -> Result<Option<SiteHours>, tokio_postgres::Error> {
    let row = client
        .query_opt(
            "SELECT s.hours, c.time_zone, s.settings->'language' FROM sites s LEFT JOIN companies c ON c.company_id = s.company_id WHERE s.site_id = $1",
            &[&site.0],
        )
        .await?;
    Ok(row.map(|r| SiteHours {
        hours: serde_json::from_value(r.get(0)).unwrap_or_default(),
        time_zone: r.get(1),
        language: r.get::<_, Option<serde_json::Value>>(2).and_then(|l| serde_json::from_value(l).ok()).unwrap_or(site::Language::En),
    }))
}

/// The live sites these agents answer on.
pub async fn sites_of_agents(client: &impl GenericClient, agents: &[UserId]) -> Result<Vec<SiteId>, tokio_postgres::Error> {
    let ids: Vec<uuid::Uuid> = agents.iter().map(|a| a.0).collect();
    let rows = client
        .query(
            "SELECT DISTINCT a.site_id FROM site_agents a JOIN sites s ON s.site_id = a.site_id AND NOT s.deleted WHERE a.user_id = ANY($1) ORDER BY 1",
            &[&ids],
        )
        .await?;
    Ok(rows.iter().map(|r| SiteId(r.get(0))).collect())
}

/// Whether `agent` answers the chats of `site`.
pub async fn answers_on(client: &impl GenericClient, site: SiteId, agent: UserId) -> Result<bool, tokio_postgres::Error> {
    let row = client.query_opt("SELECT 1 FROM site_agents WHERE site_id = $1 AND user_id = $2", &[&site.0, &agent.0]).await?;
    Ok(row.is_some())
}
