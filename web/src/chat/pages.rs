//! The chat pages: the agent console and the supervisor board (live, in JavaScript over
//! their sockets), and the conversation history (server-rendered).

use axum::extract::State;
use chrono::{DateTime, NaiveDate, Utc};
use domain::company::Role;
use domain::{ConversationId, SiteId, UserId};
use maud::{html, Markup};
use projections::chat::{ConversationRow, HistoryFilter};
use serde::Deserialize;

use crate::auth::Session;
use crate::error::AppError;
use crate::pages::layout::{page_with_head, urlencode};
use crate::pages::{Path, Query};
use crate::App;

fn live_head() -> Markup {
    html! { link rel="stylesheet" href="/static/console.css"; }
}

pub async fn console(session: Session) -> Result<Markup, AppError> {
    if !session.has_role(Role::Agent) {
        return Err(AppError::Forbidden);
    }
    let name = super::agent::signature(&session);
    Ok(page_with_head(
        "Console",
        Some(&session),
        live_head(),
        html! {
            div #console data-ws="/console/ws" data-user-id=(session.user.user_id) data-user-name=(name) {}
            script type="module" src="/static/console.js" {}
        },
    ))
}

pub async fn board(session: Session) -> Result<Markup, AppError> {
    if !session.has_role(Role::Supervisor) {
        return Err(AppError::Forbidden);
    }
    Ok(page_with_head(
        "Supervision",
        Some(&session),
        live_head(),
        html! {
            h1 { "Supervision" }
            div #board data-ws="/supervisor/ws" {}
            script type="module" src="/static/supervisor.js" {}
        },
    ))
}

/// Supervisors and administrators see the company's conversations; agents their own.
fn scope(session: &Session) -> Result<Option<UserId>, AppError> {
    if session.has_role(Role::Supervisor) || session.has_role(Role::Administrator) {
        Ok(None)
    } else if session.has_role(Role::Agent) {
        Ok(Some(session.user.user_id))
    } else {
        Err(AppError::Forbidden)
    }
}

/// What the history page and `GET /api/v1/conversations` search by.
#[derive(Deserialize, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HistoryQuery {
    /// Part of the visitor's name or e-mail, or of a message they wrote; or their visitor id.
    #[serde(default)]
    pub visitor: String,
    /// An agent's user id (an agent without another role always sees only their own).
    #[serde(default)]
    pub agent: String,
    /// A site's id.
    #[serde(default)]
    pub site: String,
    /// Started on or after this day (UTC), as YYYY-MM-DD.
    #[serde(default)]
    pub from: String,
    /// Started on or before this day (UTC), as YYYY-MM-DD.
    #[serde(default)]
    pub until: String,
    /// From 1.
    #[serde(default)]
    pub page: Option<i64>,
}

impl HistoryQuery {
    /// The filter, refusing what cannot be read and keeping agents to their own history.
    pub fn filter(&self, session: &Session) -> Result<HistoryFilter, AppError> {
        let own = scope(session)?;
        let id = |field: &'static str, text: &str| -> Result<Option<uuid::Uuid>, AppError> {
            match text.trim() {
                "" => Ok(None),
                t => t.parse().map(Some).map_err(|_| AppError::invalid(field, format!("{field} is not an id"))),
            }
        };
        let day = |field: &'static str, text: &str, next: bool| -> Result<Option<DateTime<Utc>>, AppError> {
            match text.trim() {
                "" => Ok(None),
                t => {
                    let date = NaiveDate::parse_from_str(t, "%Y-%m-%d")
                        .map_err(|_| AppError::invalid(field, format!("{field} must be a date like 2026-11-25")))?;
                    let date = if next { date.succ_opt().unwrap_or(date) } else { date };
                    Ok(Some(date.and_hms_opt(0, 0, 0).expect("midnight exists").and_utc()))
                }
            }
        };
        Ok(HistoryFilter {
            visitor: self.visitor.clone(),
            agent: own.or(id("agent", &self.agent)?.map(UserId)),
            site: id("site", &self.site)?.map(SiteId),
            from: day("from", &self.from, false)?,
            until: day("until", &self.until, true)?,
        })
    }
}

const PAGE: i64 = 50;

pub async fn history(State(app): State<App>, session: Session, Query(q): Query<HistoryQuery>) -> Result<Markup, AppError> {
    let filter = q.filter(&session)?;
    let page = q.page.unwrap_or(1).max(1);
    let client = app.pool.get().await?;
    let (rows, total) = projections::chat::history(&**client, session.company_id(), &filter, (page - 1) * PAGE, PAGE).await?;
    let sites = projections::sites::list(&**client, session.company_id()).await?;
    let agents = projections::chat::agents_of_company(&**client, session.company_id()).await?;
    let query = format!(
        "visitor={}&agent={}&site={}&from={}&until={}",
        urlencode(&q.visitor),
        urlencode(&q.agent),
        urlencode(&q.site),
        urlencode(&q.from),
        urlencode(&q.until)
    );
    Ok(page_with_head(
        "Conversations",
        Some(&session),
        html! {},
        html! {
            h1 { "Conversations" }
            form.toolbar method="get" action="/history" #history-search {
                input type="search" name="visitor" value=(q.visitor) placeholder="Visitor name, e-mail or words" aria-label="Visitor";
                @if scope(&session)?.is_none() {
                    select name="agent" aria-label="Agent" {
                        option value="" { "Any agent" }
                        @for a in &agents { option value=(a.user_id) selected[q.agent == a.user_id.to_string()] { (a.name) } }
                    }
                }
                select name="site" aria-label="Site" {
                    option value="" { "Any site" }
                    @for s in &sites { option value=(s.site.site_id) selected[q.site == s.site.site_id.to_string()] { (s.site.name) } }
                }
                label { "From " input type="date" name="from" value=(q.from); }
                label { "until " input type="date" name="until" value=(q.until); }
                button.secondary type="submit" { "Search" }
            }
            table #history {
                thead { tr { th { "Started (UTC)" } th { "Site" } th { "Visitor" } th { "Agent" } th { "State" } th { "First message" } } }
                tbody {
                    @for c in &rows { (row(c)) }
                    @if rows.is_empty() { tr { td colspan="6" .muted { "No conversation matches." } } }
                }
            }
            div.pager {
                @if page > 1 { a href={"/history?" (query) "&page=" (page - 1)} { "← Previous" } }
                span.muted { (total) " conversations" }
                @if page * PAGE < total { a href={"/history?" (query) "&page=" (page + 1)} { "Next →" } }
            }
        },
    ))
}

fn visitor_label(c: &ConversationRow) -> String {
    match (&c.visitor_name, &c.visitor_email) {
        (Some(name), Some(email)) if !name.is_empty() => format!("{name} <{email}>"),
        (_, Some(email)) => email.clone(),
        _ => format!("Visitor {}", &c.visitor_id.to_string()[..8]),
    }
}

fn row(c: &ConversationRow) -> Markup {
    html! {
        tr data-conversation-id=(c.conversation_id) {
            td { a href={"/history/" (c.conversation_id)} { (c.started_at.format("%Y-%m-%d %H:%M")) } }
            td { (c.site) }
            td { (visitor_label(c)) }
            td { (c.agent_name.clone().unwrap_or_default()) }
            td { span class={"status " (c.state)} { (c.state) } }
            td.preview { (c.preview) }
        }
    }
}

/// A conversation of the session's company that it may read: supervisors and
/// administrators any, an agent those they hold or once held. Anything else is not found.
pub async fn readable(app: &App, session: &Session, id: ConversationId) -> Result<ConversationRow, AppError> {
    let own = scope(session)?;
    let client = app.pool.get().await?;
    let c = projections::chat::get(&**client, id).await?.filter(|c| c.company_id == session.company_id()).ok_or(AppError::NotFound)?;
    if own.is_some() && c.agent_id != own && !agent_handled(app, id, session.user.user_id).await {
        return Err(AppError::NotFound);
    }
    Ok(c)
}

pub async fn transcript(State(app): State<App>, session: Session, Path(id): Path<ConversationId>) -> Result<Markup, AppError> {
    let c = readable(&app, &session, id).await?;
    let client = app.pool.get().await?;
    let messages = projections::chat::messages(&**client, id, 0).await?;
    Ok(page_with_head(
        "Conversation",
        Some(&session),
        html! {},
        html! {
            p { a href="/history" { "← Conversations" } }
            h1 { (c.site) ": " (visitor_label(&c)) }
            p.muted { "Started " (c.started_at.format("%Y-%m-%d %H:%M UTC")) " on " (c.page_url) " · " (c.state) }
            ol.transcript #transcript {
                @for m in &messages {
                    li class={"msg from-" (m.from)} {
                        span.who { @match m.from.as_str() { "agent" => (m.agent_name.clone().unwrap_or_default()), "system" => "Switchboard", _ => "Visitor" } }
                        " " span.when { (m.at.format("%H:%M:%S")) }
                        p.text { (m.text) }
                    }
                }
            }
            @if let Some(decision) = &c.decision { (why(decision)) }
        },
    ))
}

/// Whether an agent ever held this conversation (transferred ones stay in their history).
async fn agent_handled(app: &App, id: ConversationId, agent: UserId) -> bool {
    app.conversation_events(id)
        .await
        .iter()
        .any(|(_, _, e)| matches!(e, domain::conversation::Event::ConversationAssigned { agent_id, .. } if *agent_id == agent))
}

/// "Why did this agent get this chat?": the last routing decision, as recorded.
fn why(decision: &serde_json::Value) -> Markup {
    let candidates = decision.get("candidates").and_then(|c| c.as_array()).cloned().unwrap_or_default();
    html! {
        section.card #routing-decision {
            h2 { "Why this agent" }
            @match decision.get("by").and_then(|b| b.as_str()) {
                Some("routed") => {
                    p { "Chosen by the router among the agents online with a free slot, by priority weight then least load (random draw " (decision.get("roll").and_then(|r| r.as_f64()).map(|r| format!("{r:.3}")).unwrap_or_default()) "):" }
                    table {
                        thead { tr { th { "Agent" } th { "Priority" } th { "Weight" } th { "Load" } } }
                        tbody { @for c in &candidates { tr {
                            td { (c["user_id"].as_str().unwrap_or_default()) }
                            td { (c["priority"].as_str().unwrap_or_default()) }
                            td { (c["weight"]) }
                            td { (c["load"]) " / " (c["max_chats"]) }
                        } } }
                    }
                }
                Some("transferred") => p { "Transferred by the previous agent." },
                Some("reassigned") => p { "Reassigned by a supervisor." },
                _ => p { "" },
            }
        }
    }
}
