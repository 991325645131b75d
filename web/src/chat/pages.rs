//! The chat pages: the agent console and the supervisor board (live, in JavaScript over
//! their sockets), and the conversation history (server-rendered).

use std::collections::HashMap;

use app::chat::history;
use axum::extract::State;
use domain::company::Role;
use domain::ConversationId;
use maud::{html, Markup};
use projections::chat::ConversationRow;
use serde::Deserialize;

use crate::auth::User;
use crate::error::AppError;
use crate::pages::layout::{page_with_head, urlencode};
use crate::pages::{Path, Query};
use crate::Web;

fn live_head() -> Markup {
    html! { link rel="stylesheet" href="/static/console.css"; }
}

pub async fn console(User(session): User) -> Result<Markup, AppError> {
    if !session.has_role(Role::Agent) {
        return Err(app::Error::Forbidden.into());
    }
    let name = session.signature();
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

pub async fn board(User(session): User) -> Result<Markup, AppError> {
    if !session.has_role(Role::Supervisor) {
        return Err(app::Error::Forbidden.into());
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
    pub fn search(&self) -> history::Search {
        history::Search {
            visitor: self.visitor.clone(),
            agent: self.agent.clone(),
            site: self.site.clone(),
            from: self.from.clone(),
            until: self.until.clone(),
        }
    }
}

const PAGE: i64 = 50;

pub async fn history(State(web): State<Web>, User(session): User, Query(q): Query<HistoryQuery>) -> Result<Markup, AppError> {
    let page = q.page.unwrap_or(1).max(1);
    let (rows, total) = history::search(&web, &session, &q.search(), (page - 1) * PAGE, PAGE).await?;
    let (sites, agents) = history::choices(&web, &session).await?;
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
                @if history::scope(&session)?.is_none() {
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
    if c.visitor_erased {
        return "Erased visitor".into();
    }
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

pub async fn transcript(State(web): State<Web>, User(session): User, Path(id): Path<ConversationId>) -> Result<Markup, AppError> {
    let (c, messages) = history::transcript(&web, &session, id).await?;
    let names = match &c.decision {
        Some(decision) => history::decision_names(&web, &session, decision).await?,
        None => Default::default(),
    };
    Ok(page_with_head(
        "Conversation",
        Some(&session),
        html! {},
        html! {
            p { a href="/history" { "← Conversations" } }
            h1 { (c.site) ": " (visitor_label(&c)) }
            p.muted { "Started " (c.started_at.format("%Y-%m-%d %H:%M UTC")) @if !c.page_url.is_empty() { " on " (c.page_url) } " · " (c.state) }
            @if c.visitor_erased {
                p.notice #erased { "This visitor's personal data was erased: their messages, and the answers to them, can no longer be read." }
            }
            ol.transcript #transcript {
                @for m in &messages {
                    li class={"msg from-" (m.from)} {
                        span.who { @match m.from.as_str() { "agent" => (m.agent_name.clone().unwrap_or_default()), "system" => "Switchboard", _ => "Visitor" } }
                        " " span.when { (m.at.format("%H:%M:%S")) }
                        @if m.erased { p.text.erased { em { "Message erased" } } } @else { p.text { (m.text) } }
                    }
                }
            }
            @if session.has_role(Role::Administrator) && !c.visitor_erased {
                p { a.button.secondary #erase-visitor href={"/history/" (c.conversation_id) "/erase"} { "Erase this visitor's data…" } }
            }
            @if let Some(decision) = &c.decision { (why(decision, &names)) }
        },
    ))
}

/// "Why did this agent get this chat?": the last routing decision, as recorded, naming the
/// people in it ("a former user" for an id the users list does not hold).
fn why(decision: &serde_json::Value, names: &HashMap<uuid::Uuid, String>) -> Markup {
    let candidates = decision.get("candidates").and_then(|c| c.as_array()).cloned().unwrap_or_default();
    let name = |v: &serde_json::Value| {
        v.as_str().and_then(|s| s.parse::<uuid::Uuid>().ok()).and_then(|id| names.get(&id).cloned()).unwrap_or_else(|| "a former user".into())
    };
    html! {
        section.card #routing-decision {
            h2 { "Why this agent" }
            @match decision.get("by").and_then(|b| b.as_str()) {
                Some("routed") => {
                    p { "Chosen by the router among the agents online with a free slot, by priority weight then least load (random draw " (decision.get("roll").and_then(|r| r.as_f64()).map(|r| format!("{r:.3}")).unwrap_or_default()) "):" }
                    div.scroll { table {
                        thead { tr { th scope="col" { "Agent" } th scope="col" { "Priority" } th scope="col" { "Weight" } th scope="col" { "Load" } } }
                        tbody { @for c in &candidates { tr {
                            th scope="row" { (name(&c["user_id"])) }
                            td { (c["priority"].as_str().unwrap_or_default()) }
                            td { (c["weight"]) }
                            td { (c["load"]) " / " (c["max_chats"]) }
                        } } }
                    } }
                }
                Some("transferred") => p { "Transferred by " (name(&decision["from"])) ", the previous agent." },
                Some("reassigned") => p {
                    "Reassigned by " (name(&decision["supervisor"])) " (supervisor)"
                    @if decision.get("from").is_some_and(|f| !f.is_null()) { ", from " (name(&decision["from"])) }
                    "."
                },
                _ => p { "" },
            }
        }
    }
}
