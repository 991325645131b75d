//! The supervisor board's figures: how long visitors wait for an agent and for a first
//! answer, and how they rate their chats, per site and per agent over a time window.
//!
//! Each figure belongs to the moment its measure ends: a wait to its assignment, a first
//! response to the agent's message, a rating to the moment it was given (the latest one
//! counts). A window holds the measures that ended in it.

use chrono::{DateTime, Utc};
use domain::conversation::{self, Sender};
use domain::{CompanyId, Event, SiteId, UserId};
use serde::Serialize;
use store::RecordedEvent;
use tokio_postgres::GenericClient;

use crate::{params, Projection, ProjectionError, Writes};

pub struct BoardFigures;

impl Projection for BoardFigures {
    const NAME: &'static str = "board-figures";
    const TABLES: &'static [&'static str] = &["board_waits", "board_conversations"];

    fn apply(&self, event: &RecordedEvent, decoded: &Event, writes: &mut Writes) -> Result<(), ProjectionError> {
        let Event::Conversation(e) = decoded else { return Ok(()) };
        let id = conversation::id_from_stream(&event.stream)?.0;
        let (at, seq) = (event.occurred_at, event.version as i64);
        match e {
            conversation::Event::ConversationStarted { site_id, company_id, .. } => {
                writes.push(
                    "INSERT INTO board_conversations (conversation_id, company_id, site_id, started_at) VALUES ($1, $2, $3, $4)",
                    params![id, company_id.0, site_id.0, at],
                );
                writes.push(
                    "INSERT INTO board_waits (conversation_id, seq, company_id, site_id, queued_at) VALUES ($1, $2, $3, $4, $5)",
                    params![id, seq, company_id.0, site_id.0, at],
                );
            }
            // Back in the queue: a new wait, on the conversation's site.
            conversation::Event::ConversationRequeued { .. } => writes.push(
                "INSERT INTO board_waits (conversation_id, seq, company_id, site_id, queued_at)
                 SELECT conversation_id, $2, company_id, site_id, $3 FROM board_conversations WHERE conversation_id = $1",
                params![id, seq, at],
            ),
            // Ends the open wait, if any: a transfer between agents ends none.
            conversation::Event::ConversationAssigned { agent_id, .. } => {
                writes.push("UPDATE board_waits SET assigned_at = $2 WHERE conversation_id = $1 AND assigned_at IS NULL", params![id, at]);
                writes.push("UPDATE board_conversations SET agent_id = $2 WHERE conversation_id = $1", params![id, agent_id.0]);
            }
            conversation::Event::MessagePosted { from: Sender::Visitor, .. } => writes.push(
                "UPDATE board_conversations SET first_visitor_at = $2 WHERE conversation_id = $1 AND first_visitor_at IS NULL",
                params![id, at],
            ),
            // Measured from the visitor's first message, or from the start when the agent
            // spoke first.
            conversation::Event::MessagePosted { from: Sender::Agent { .. }, .. } => writes.push(
                "UPDATE board_conversations SET first_response_at = $2, responded_from = coalesce(first_visitor_at, started_at)
                 WHERE conversation_id = $1 AND first_response_at IS NULL",
                params![id, at],
            ),
            // Given to the agent who held the chat last.
            conversation::Event::ConversationRated { rating, .. } => writes.push(
                "UPDATE board_conversations SET rating = $2, rated_at = $3, rated_agent_id = agent_id WHERE conversation_id = $1",
                params![id, rating.as_str().to_owned(), at],
            ),
            // Offline messages are no chat; nothing else changes a figure.
            _ => {}
        }
        Ok(())
    }
}

/// The windows the board counts in, each from its start up to `now`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Windows {
    pub now: DateTime<Utc>,
    pub last_hour: DateTime<Utc>,
    /// Midnight in the company's time zone.
    pub today: DateTime<Utc>,
    pub last_30_days: DateTime<Utc>,
}

/// Durations measured in a window: how many, and their sum (exact, in microseconds, so
/// the average is rounded once).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Durations {
    pub count: i64,
    pub total_us: i64,
}

/// Ratings given in a window.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Ratings {
    pub good: i64,
    pub rated: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SiteFigures {
    pub site_id: SiteId,
    pub site: String,
    pub waiting_last_hour: Durations,
    pub waiting_today: Durations,
    pub first_response_last_hour: Durations,
    pub first_response_today: Durations,
    pub rated_today: Ratings,
    pub rated_last_30_days: Ratings,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AgentFigures {
    pub user_id: UserId,
    pub rated_today: Ratings,
    pub rated_last_30_days: Ratings,
}

/// Durations ending in the last hour and today, per site, as `(site, last hour, today)`.
const DURATIONS: &str = "SELECT site_id,
        count(*) FILTER (WHERE ended >= $2), coalesce(sum(us) FILTER (WHERE ended >= $2), 0)::bigint,
        count(*) FILTER (WHERE ended >= $3), coalesce(sum(us) FILTER (WHERE ended >= $3), 0)::bigint
     FROM (SELECT site_id, {ended} AS ended, greatest(0, extract(epoch FROM {ended} - {from}) * 1000000)::bigint AS us
           FROM {table} WHERE company_id = $1 AND {ended} >= least($2::timestamptz, $3::timestamptz) AND {ended} <= $4) m
     GROUP BY site_id";

fn durations(ended: &str, from: &str, table: &str) -> String {
    DURATIONS.replace("{ended}", ended).replace("{from}", from).replace("{table}", table)
}

fn of_site(rows: &[tokio_postgres::Row], site: uuid::Uuid) -> Option<&tokio_postgres::Row> {
    rows.iter().find(|r| r.get::<_, uuid::Uuid>(0) == site)
}

fn durations_of(r: &tokio_postgres::Row, at: usize) -> Durations {
    Durations { count: r.get(at), total_us: r.get(at + 1) }
}

fn ratings_of(r: &tokio_postgres::Row, at: usize) -> Ratings {
    Ratings { good: r.get(at), rated: r.get(at + 1) }
}

/// Ratings given today and in the last 30 days, grouped by `key`.
fn ratings(key: &str) -> String {
    format!(
        "SELECT {key},
            count(*) FILTER (WHERE rated_at >= $2 AND rating = 'good'), count(*) FILTER (WHERE rated_at >= $2),
            count(*) FILTER (WHERE rated_at >= $3 AND rating = 'good'), count(*) FILTER (WHERE rated_at >= $3)
         FROM board_conversations WHERE company_id = $1 AND rated_at >= least($2::timestamptz, $3::timestamptz) AND rated_at <= $4 {and}
         GROUP BY {key}",
        and = if key == "site_id" { "" } else { "AND rated_agent_id IS NOT NULL" }
    )
}

/// Every live site of the company, by name, with its figures (zero where nothing ended).
pub async fn sites_of_company(client: &impl GenericClient, company: CompanyId, w: Windows) -> Result<Vec<SiteFigures>, tokio_postgres::Error> {
    let sites = "SELECT site_id, name FROM sites WHERE company_id = $1 AND NOT deleted ORDER BY lower(name), site_id";
    let (waits, responses, rated) = (
        durations("assigned_at", "queued_at", "board_waits"),
        durations("first_response_at", "responded_from", "board_conversations"),
        ratings("site_id"),
    );
    let hour = [&company.0 as &(dyn tokio_postgres::types::ToSql + Sync), &w.last_hour, &w.today, &w.now];
    let month = [&company.0 as &(dyn tokio_postgres::types::ToSql + Sync), &w.today, &w.last_30_days, &w.now];
    let (sites, waits, responses, rated) = tokio::try_join!(
        client.query(sites, &hour[..1]),
        client.query(&waits, &hour),
        client.query(&responses, &hour),
        client.query(&rated, &month)
    )?;
    Ok(sites
        .iter()
        .map(|s| {
            let site: uuid::Uuid = s.get(0);
            let (wait, response, rating) = (of_site(&waits, site), of_site(&responses, site), of_site(&rated, site));
            SiteFigures {
                site_id: SiteId(site),
                site: s.get(1),
                waiting_last_hour: wait.as_ref().map(|r| durations_of(r, 1)).unwrap_or_default(),
                waiting_today: wait.as_ref().map(|r| durations_of(r, 3)).unwrap_or_default(),
                first_response_last_hour: response.as_ref().map(|r| durations_of(r, 1)).unwrap_or_default(),
                first_response_today: response.as_ref().map(|r| durations_of(r, 3)).unwrap_or_default(),
                rated_today: rating.as_ref().map(|r| ratings_of(r, 1)).unwrap_or_default(),
                rated_last_30_days: rating.as_ref().map(|r| ratings_of(r, 3)).unwrap_or_default(),
            }
        })
        .collect())
}

/// The ratings of the chats each agent of the company held last, for agents rated in the
/// last 30 days.
pub async fn agents_of_company(client: &impl GenericClient, company: CompanyId, w: Windows) -> Result<Vec<AgentFigures>, tokio_postgres::Error> {
    let rows = client.query(&ratings("rated_agent_id"), &[&company.0, &w.today, &w.last_30_days, &w.now]).await?;
    let mut agents: Vec<AgentFigures> = rows
        .iter()
        .map(|r| AgentFigures { user_id: UserId(r.get(0)), rated_today: ratings_of(r, 1), rated_last_30_days: ratings_of(r, 3) })
        .collect();
    agents.sort_by_key(|a| a.user_id.0);
    Ok(agents)
}

#[cfg(test)]
mod tests {
    use super::BoardFigures;
    use crate::{Projection, Writes};
    use domain::conversation::{Event, Sender};
    use domain::{CompanyId, ConversationId, SiteId, UserId, VisitorId};

    fn writes_of(event: Event) -> usize {
        let encoded = domain::EventPayload::encode(&event);
        let recorded = crate::testing::recorded(domain::conversation::stream(ConversationId::new()), 3, encoded);
        let mut writes = Writes::default();
        BoardFigures.apply(&recorded, &domain::Event::Conversation(event), &mut writes).unwrap();
        writes.len()
    }

    #[test]
    fn chats_are_measured_and_offline_messages_notes_and_system_lines_are_not() {
        let (company, site, visitor, agent) = (CompanyId::new(), SiteId::new(), VisitorId::new(), UserId::new());
        let started = Event::ConversationStarted {
            conversation_id: ConversationId::new(),
            site_id: site,
            company_id: company,
            visitor_id: visitor,
            page_url: "".into(),
            visitor: Default::default(),
        };
        assert_eq!(writes_of(started), 2, "the chat and its first wait");
        assert_eq!(
            writes_of(Event::ConversationAssigned {
                agent_id: agent,
                agent_name: "Ann".into(),
                decision: domain::conversation::Decision::Transferred { from: agent }
            }),
            2
        );
        let line = |from| Event::MessagePosted { client_id: uuid::Uuid::now_v7(), from, text: "hi".into() };
        assert_eq!(writes_of(line(Sender::Visitor)), 1);
        assert_eq!(writes_of(line(Sender::Agent { user_id: agent, name: "Ann".into() })), 1);
        assert_eq!(writes_of(line(Sender::System)), 0);
        assert_eq!(writes_of(Event::NoteAdded { note_id: uuid::Uuid::now_v7(), author_id: agent, author_name: "Ann".into(), text: "x".into() }), 0);
        let offline = Event::OfflineMessageLeft {
            site_id: site,
            company_id: company,
            visitor_id: visitor,
            name: "".into(),
            email: "".into(),
            message: "hi".into(),
            page_url: "".into(),
            visitor: Default::default(),
        };
        assert_eq!(writes_of(offline), 0, "an offline message is no chat");
        assert_eq!(writes_of(Event::ConversationClosed { by: "visitor".into() }), 0);
    }
}
