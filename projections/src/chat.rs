//! Live chat read models: each agent's presence and load, and the conversations with their
//! transcripts, which routing, the consoles, the supervisor board and the history read.

use chrono::{DateTime, Utc};
use domain::conversation::{self, Sender};
use domain::visitor_details::VisitorDetails;
use domain::{agent, visitor, CompanyId, ConversationId, Event, Personal, SiteId, UserId, VisitorId};
use serde::Serialize;
use store::RecordedEvent;
use tokio_postgres::GenericClient;

use crate::{params, Projection, ProjectionError, Writes};

pub struct AgentLoad;

impl Projection for AgentLoad {
    const NAME: &'static str = "agent-load";
    const TABLES: &'static [&'static str] = &["agent_load"];

    fn apply(&self, event: &RecordedEvent, decoded: &Event, writes: &mut Writes) -> Result<(), ProjectionError> {
        let Event::Agent(e) = decoded else { return Ok(()) };
        let user_id = agent::id_from_stream(&event.stream)?.0;
        let company = event.company_id().map(|c| c.0).unwrap_or_default();
        let (status, delta): (Option<&str>, i32) = match e {
            agent::Event::StatusChanged { status, .. } => (Some(status.as_str()), 0),
            agent::Event::ConversationTaken { .. } => (None, 1),
            agent::Event::ConversationReleased { .. } => (None, -1),
        };
        writes.push(
            "INSERT INTO agent_load (user_id, company_id, status, conversations, updated_at) VALUES ($1, $2, coalesce($3, 'offline'), greatest($4, 0), $5)
             ON CONFLICT (user_id) DO UPDATE SET status = coalesce($3, agent_load.status),
                 conversations = greatest(agent_load.conversations + $4, 0), updated_at = $5",
            params![user_id, company, status.map(str::to_owned), delta, event.occurred_at],
        );
        Ok(())
    }
}

pub struct Conversations;

impl Projection for Conversations {
    const NAME: &'static str = "conversations";
    const TABLES: &'static [&'static str] = &["conversations", "messages", "visitor_numbers"];
    const READS_PERSONAL_DATA: bool = true;

    fn apply(&self, event: &RecordedEvent, decoded: &Event, writes: &mut Writes) -> Result<(), ProjectionError> {
        let e = match decoded {
            Event::Conversation(e) => e,
            Event::Visitor(visitor::Event::VisitorErased { company_id, visitor_id, .. }) => {
                erase_visitor(writes, *company_id, *visitor_id);
                return Ok(());
            }
            _ => return Ok(()),
        };
        let id = conversation::id_from_stream(&event.stream)?.0;
        let at = event.occurred_at;
        // Personal data arrives opened: plain, or erased (its key was destroyed) and kept as
        // nothing, with the erasure marked.
        let text = |p: &Personal| p.text_or_empty().to_owned();
        let named = |p: &Personal| p.text().map(str::to_owned);
        match e {
            conversation::Event::ConversationStarted { site_id, company_id, visitor_id, page_url, visitor, .. } => {
                number_visitor(writes, *company_id, *visitor_id);
                writes.push(
                    "INSERT INTO conversations (conversation_id, company_id, site_id, visitor_id, state, page_url, started_at, queued_at, visitor_erased)
                     VALUES ($1, $2, $3, $4, 'waiting', $5, $6, $6, $7)",
                    params![id, company_id.0, site_id.0, visitor_id.0, text(page_url), at, page_url.is_erased()],
                );
                note_details(writes, id, *company_id, *visitor_id, visitor);
            }
            conversation::Event::OfflineMessageLeft { site_id, company_id, visitor_id, name, email, message, page_url, visitor } => {
                number_visitor(writes, *company_id, *visitor_id);
                writes.push(
                    "INSERT INTO conversations (conversation_id, company_id, site_id, visitor_id, visitor_name, visitor_email, state,
                         page_url, started_at, closed_at, closed_by, last_message_at, messages, preview, visitor_erased)
                     VALUES ($1, $2, $3, $4, $5, $6, 'offline', $7, $8, $8, 'visitor', $8, 1, left($9, 200), $10)",
                    params![
                        id,
                        company_id.0,
                        site_id.0,
                        visitor_id.0,
                        named(name),
                        named(email),
                        text(page_url),
                        at,
                        text(message),
                        message.is_erased()
                    ],
                );
                note_details(writes, id, *company_id, *visitor_id, visitor);
                writes.push(
                    "INSERT INTO messages (conversation_id, seq, client_id, sender, text, posted_at, erased) VALUES ($1, $2, $3, 'visitor', $4, $5, $6)",
                    params![id, event.version as i64, event.event_id, text(message), at, message.is_erased()],
                );
            }
            conversation::Event::MessagePosted { client_id, from, text: message } => {
                let (sender, agent_id, agent_name) = match from {
                    Sender::Visitor => ("visitor", None, None),
                    Sender::Agent { user_id, name } => ("agent", Some(user_id.0), Some(name.clone())),
                    Sender::System => ("system", None, None),
                };
                writes.push(
                    "INSERT INTO messages (conversation_id, seq, client_id, sender, agent_id, agent_name, text, posted_at, erased)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                    params![id, event.version as i64, *client_id, sender, agent_id, agent_name, text(message), at, message.is_erased()],
                );
                writes.push(
                    "UPDATE conversations SET messages = messages + 1, last_message_at = $2,
                         preview = CASE WHEN preview = '' THEN left($3, 200) ELSE preview END WHERE conversation_id = $1",
                    params![id, at, text(message)],
                );
            }
            conversation::Event::ConversationAssigned { agent_id, agent_name, decision } => writes.push(
                "UPDATE conversations SET state = 'assigned', agent_id = $2, agent_name = $3, assigned_at = $4, decision = $5,
                     ringing_agent = NULL, ringing_until = NULL,
                     handled_by = CASE WHEN $2 = ANY(handled_by) THEN handled_by ELSE handled_by || $2 END WHERE conversation_id = $1",
                params![id, agent_id.0, agent_name.clone(), at, serde_json::to_value(decision).expect("serialisable")],
            ),
            conversation::Event::ConversationRequeued { .. } => writes.push(
                "UPDATE conversations SET state = 'waiting', agent_id = NULL, agent_name = NULL, queued_at = $2 WHERE conversation_id = $1",
                params![id, at],
            ),
            conversation::Event::ConversationClosed { by } => writes.push(
                "UPDATE conversations SET state = 'closed', closed_at = $2, closed_by = $3, ringing_agent = NULL, ringing_until = NULL
                 WHERE conversation_id = $1",
                params![id, at, by.clone()],
            ),
            // Ringing, it still waits (the visitor keeps their place); the console and the ring
            // sweep read who it rings for and until when.
            conversation::Event::ConversationOffered { offer } => writes.push(
                "UPDATE conversations SET ringing_agent = $2, ringing_until = $3 WHERE conversation_id = $1",
                params![id, offer.agent_id.0, offer.until],
            ),
            conversation::Event::OfferEnded { .. } => {
                writes.push("UPDATE conversations SET ringing_agent = NULL, ringing_until = NULL WHERE conversation_id = $1", params![id])
            }
            conversation::Event::RingingRoundEnded {} => {}
            conversation::Event::VisitorNavigated { page_url } => {
                writes.push("UPDATE conversations SET page_url = $2 WHERE conversation_id = $1", params![id, text(page_url)])
            }
            // A note is in the transcript for staff, not counted as a message of the chat.
            conversation::Event::NoteAdded { note_id, author_id, author_name, text: note } => writes.push(
                "INSERT INTO messages (conversation_id, seq, client_id, sender, agent_id, agent_name, text, posted_at, erased)
                 VALUES ($1, $2, $3, 'note', $4, $5, $6, $7, $8)",
                params![id, event.version as i64, *note_id, author_id.0, author_name.clone(), text(note), at, note.is_erased()],
            ),
            // The latest rating counts; the comment is the visitor's (blank once erased).
            conversation::Event::ConversationRated { rating, comment } => writes.push(
                "UPDATE conversations SET rating = $2, rating_comment = $3, rated_at = $4 WHERE conversation_id = $1",
                params![id, rating.as_str().to_owned(), text(comment), at],
            ),
            // Mailed by the transcript mailer; the address stays in the log only.
            conversation::Event::VisitorGaveEmail { .. } | conversation::Event::TranscriptRequested { .. } => {}
            conversation::Event::OfflineMessageAnswered { answer_id, agent_id, agent_name, text: answer } => {
                writes.push(
                    "INSERT INTO messages (conversation_id, seq, client_id, sender, agent_id, agent_name, text, posted_at, erased, by_email)
                     VALUES ($1, $2, $3, 'agent', $4, $5, $6, $7, $8, true)",
                    params![id, event.version as i64, *answer_id, agent_id.0, agent_name.clone(), text(answer), at, answer.is_erased()],
                );
                writes.push(
                    "UPDATE conversations SET messages = messages + 1, last_message_at = $2,
                         handled_by = CASE WHEN $3 = ANY(handled_by) THEN handled_by ELSE handled_by || $3 END WHERE conversation_id = $1",
                    params![id, at, agent_id.0],
                );
            }
        }
        Ok(())
    }
}

/// The visitor's number in their company: the next one when this is their first
/// conversation or message there. Numbers follow the log's order, so a replay gives the
/// same ones.
fn number_visitor(writes: &mut Writes, company: CompanyId, visitor: VisitorId) {
    writes.push(
        "INSERT INTO visitor_numbers (company_id, visitor_id, number)
         SELECT $1, $2, coalesce(max(number), 0) + 1 FROM visitor_numbers WHERE company_id = $1
         ON CONFLICT (company_id, visitor_id) DO NOTHING",
        params![company.0, visitor.0],
    );
}

fn note_details(writes: &mut Writes, id: uuid::Uuid, company: CompanyId, visitor: VisitorId, details: &VisitorDetails) {
    // A pre-chat form's name and address are the visitor's given ones, as an offline form's.
    writes.push(
        "UPDATE conversations SET referrer = $2, browser = $3, system = $4, visitor_language = $5, visitor_time_zone = $6,
             visitor_number = (SELECT number FROM visitor_numbers WHERE company_id = $7 AND visitor_id = $8),
             visitor_name = coalesce(nullif($9, ''), visitor_name), visitor_email = coalesce(nullif($10, ''), visitor_email)
         WHERE conversation_id = $1",
        params![
            id,
            details.referrer.text_or_empty().to_owned(),
            details.browser.clone(),
            details.system.clone(),
            details.language.clone(),
            details.time_zone.clone(),
            company.0,
            visitor.0,
            details.given_name().to_owned(),
            details.given_email().to_owned()
        ],
    );
}

/// Blanks what the read models show of an erased visitor: exactly what a replay, finding
/// their keys destroyed, writes. Who answered, and when, stays.
fn erase_visitor(writes: &mut Writes, company: CompanyId, visitor: VisitorId) {
    writes.push(
        "UPDATE messages m SET text = '', erased = true FROM conversations c
         WHERE c.conversation_id = m.conversation_id AND c.company_id = $1 AND c.visitor_id = $2",
        params![company.0, visitor.0],
    );
    writes.push(
        "UPDATE conversations SET visitor_name = NULL, visitor_email = NULL, page_url = '', referrer = '', preview = '', rating_comment = '', visitor_erased = true
         WHERE company_id = $1 AND visitor_id = $2",
        params![company.0, visitor.0],
    );
}

#[derive(Debug, Clone, Serialize)]
pub struct Message {
    pub seq: i64,
    pub client_id: uuid::Uuid,
    pub from: String,
    pub agent_id: Option<uuid::Uuid>,
    pub agent_name: Option<String>,
    pub text: String,
    pub at: DateTime<Utc>,
    /// The visitor was erased: `text` is empty and who wrote it, and when, is all there is.
    pub erased: bool,
    /// An agent's answer to an offline message, sent by e-mail.
    pub by_email: bool,
}

/// A conversation's messages, in order. An offline message is its conversation's first
/// event (seq 0), so none is skipped by a "seen up to" bound here.
pub async fn messages(client: &impl GenericClient, conversation_id: ConversationId) -> Result<Vec<Message>, tokio_postgres::Error> {
    let rows = client
        .query(
            "SELECT seq, client_id, sender, agent_id, agent_name, text, posted_at, erased, by_email FROM messages WHERE conversation_id = $1 ORDER BY seq",
            &[&conversation_id.0],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|r| Message {
            seq: r.get(0),
            client_id: r.get(1),
            from: r.get(2),
            agent_id: r.get(3),
            agent_name: r.get(4),
            text: r.get(5),
            at: r.get(6),
            erased: r.get(7),
            by_email: r.get(8),
        })
        .collect())
}

#[derive(Debug, Clone, Serialize)]
pub struct ConversationRow {
    pub conversation_id: ConversationId,
    pub company_id: CompanyId,
    pub site_id: SiteId,
    pub site: String,
    pub visitor_id: uuid::Uuid,
    /// Their number in the company (none only for a conversation not yet projected).
    pub visitor_number: Option<i32>,
    pub visitor_name: Option<String>,
    pub visitor_email: Option<String>,
    pub state: String,
    pub agent_id: Option<UserId>,
    pub agent_name: Option<String>,
    pub page_url: String,
    pub started_at: DateTime<Utc>,
    pub queued_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub messages: i32,
    pub preview: String,
    pub decision: Option<serde_json::Value>,
    /// The visitor was erased: name, e-mail, page and messages are gone.
    pub visitor_erased: bool,
    /// What their browser said when they started (empty when it said nothing).
    pub referrer: String,
    pub browser: String,
    pub system: String,
    pub visitor_language: String,
    pub visitor_time_zone: String,
    /// The visitor's latest rating (`good` or `bad`) and comment, once they rated.
    pub rating: Option<String>,
    pub rating_comment: String,
}

impl ConversationRow {
    /// The name the visitor gave, if they gave one that is not blank.
    pub fn given_name(&self) -> Option<&str> {
        self.visitor_name.as_deref().filter(|n| !n.trim().is_empty())
    }

    /// The e-mail address the visitor gave, if any.
    pub fn given_email(&self) -> Option<&str> {
        self.visitor_email.as_deref().filter(|e| !e.trim().is_empty())
    }
}

const COLUMNS: &str = "c.conversation_id, c.company_id, c.site_id, s.name, c.visitor_id, c.visitor_name, c.visitor_email, c.state,
    c.agent_id, c.agent_name, c.page_url, c.started_at, c.queued_at, c.closed_at, c.messages, c.preview, c.decision, c.visitor_erased,
    c.visitor_number, c.referrer, c.browser, c.system, c.visitor_language, c.visitor_time_zone,
    c.rating, c.rating_comment";

fn to_row(r: &tokio_postgres::Row) -> ConversationRow {
    ConversationRow {
        conversation_id: ConversationId(r.get(0)),
        company_id: CompanyId(r.get(1)),
        site_id: SiteId(r.get(2)),
        site: r.get(3),
        visitor_id: r.get(4),
        visitor_name: r.get(5),
        visitor_email: r.get(6),
        state: r.get(7),
        agent_id: r.get::<_, Option<uuid::Uuid>>(8).map(UserId),
        agent_name: r.get(9),
        page_url: r.get(10),
        started_at: r.get(11),
        queued_at: r.get(12),
        closed_at: r.get(13),
        messages: r.get(14),
        preview: r.get(15),
        decision: r.get(16),
        visitor_erased: r.get(17),
        visitor_number: r.get(18),
        referrer: r.get(19),
        browser: r.get(20),
        system: r.get(21),
        visitor_language: r.get(22),
        visitor_time_zone: r.get(23),
        rating: r.get(24),
        rating_comment: r.get(25),
    }
}

pub async fn get(client: &impl GenericClient, conversation_id: ConversationId) -> Result<Option<ConversationRow>, tokio_postgres::Error> {
    let row = client
        .query_opt(
            &format!("SELECT {COLUMNS} FROM conversations c JOIN sites s ON s.site_id = c.site_id WHERE c.conversation_id = $1"),
            &[&conversation_id.0],
        )
        .await?;
    Ok(row.as_ref().map(to_row))
}

/// A company's open conversations (waiting or assigned), oldest first.
pub async fn open_for_company(client: &impl GenericClient, company: CompanyId) -> Result<Vec<ConversationRow>, tokio_postgres::Error> {
    let rows = client
        .query(
            &format!("SELECT {COLUMNS} FROM conversations c JOIN sites s ON s.site_id = c.site_id WHERE c.company_id = $1 AND c.state IN ('waiting', 'assigned') ORDER BY c.started_at"),
            &[&company.0],
        )
        .await?;
    Ok(rows.iter().map(to_row).collect())
}

/// What the history page searches by.
#[derive(Debug, Clone, Default)]
pub struct HistoryFilter {
    /// Part of the visitor's name or e-mail, or of a message.
    pub visitor: String,
    /// Conversations this agent held at some point (reassigned or transferred ones too).
    pub agent: Option<UserId>,
    /// With `agent`: also the offline messages left on the sites this agent answers.
    pub offline_for: Option<UserId>,
    pub site: Option<SiteId>,
    pub from: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    pub rating: Option<RatingFilter>,
}

/// Conversations rated good, rated bad, or not rated (offline messages are never rated).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RatingFilter {
    Good,
    Bad,
    Unrated,
}

impl RatingFilter {
    pub fn parse(s: &str) -> Option<RatingFilter> {
        match s {
            "good" => Some(RatingFilter::Good),
            "bad" => Some(RatingFilter::Bad),
            "unrated" => Some(RatingFilter::Unrated),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            RatingFilter::Good => "good",
            RatingFilter::Bad => "bad",
            RatingFilter::Unrated => "unrated",
        }
    }
}

pub async fn history(
    client: &impl GenericClient,
    company: CompanyId,
    filter: &HistoryFilter,
    offset: i64,
    limit: i64,
) -> Result<(Vec<ConversationRow>, i64), tokio_postgres::Error> {
    let pattern = format!("%{}%", filter.visitor.trim().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"));
    let agent = filter.agent.map(|a| a.0);
    let offline_for = filter.offline_for.map(|a| a.0);
    let site = filter.site.map(|s| s.0);
    let number = visitor_number(&filter.visitor);
    let rating = filter.rating.map(|r| r.as_str().to_owned());
    let clause = "c.company_id = $1
        AND ($2 = '%%' OR c.visitor_name ILIKE $2 OR c.visitor_email ILIKE $2 OR c.visitor_id::text = trim(both '%' from $2) OR c.visitor_number = $7
             OR EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = c.conversation_id AND m.sender = 'visitor' AND m.text ILIKE $2))
        AND ($3::uuid IS NULL OR $3 = ANY(c.handled_by)
             OR (c.state = 'offline' AND EXISTS (SELECT 1 FROM site_agents sa WHERE sa.site_id = c.site_id AND sa.user_id = $8))) AND ($4::uuid IS NULL OR c.site_id = $4)
        AND ($5::timestamptz IS NULL OR c.started_at >= $5) AND ($6::timestamptz IS NULL OR c.started_at < $6)
        AND ($11::text IS NULL OR ($11 = 'unrated' AND c.rating IS NULL AND c.state <> 'offline') OR c.rating = $11)";
    let rows = client
        .query(
            &format!("SELECT {COLUMNS} FROM conversations c JOIN sites s ON s.site_id = c.site_id WHERE {clause} ORDER BY c.started_at DESC OFFSET $9 LIMIT $10"),
            &[&company.0, &pattern, &agent, &site, &filter.from, &filter.until, &number, &offline_for, &offset, &limit, &rating],
        )
        .await?;
    let total: i64 = client
        .query_one(
            // $9 and $10 are the page's; a count needs neither, but the numbers stay.
            &format!("SELECT count(*) FROM conversations c WHERE {clause} AND $9::bigint IS NOT NULL AND $10::bigint IS NOT NULL"),
            &[&company.0, &pattern, &agent, &site, &filter.from, &filter.until, &number, &offline_for, &offset, &limit, &rating],
        )
        .await?
        .get(0);
    Ok((rows.iter().map(to_row).collect(), total))
}

/// The visitor's other conversations in the company, newest first: what an agent sees of
/// their past beside the conversation.
pub async fn others_of_visitor(
    client: &impl GenericClient,
    row: &ConversationRow,
    limit: i64,
) -> Result<Vec<ConversationRow>, tokio_postgres::Error> {
    let rows = client
        .query(
            &format!(
                "SELECT {COLUMNS} FROM conversations c JOIN sites s ON s.site_id = c.site_id
                 WHERE c.company_id = $1 AND c.visitor_id = $2 AND c.conversation_id <> $3 ORDER BY c.started_at DESC LIMIT $4"
            ),
            &[&row.company_id.0, &row.visitor_id, &row.conversation_id.0, &limit],
        )
        .await?;
    Ok(rows.iter().map(to_row).collect())
}

/// Whether `agent` holds an open conversation with this visitor of the company.
pub async fn holds_conversation_with(
    client: &impl GenericClient,
    company: CompanyId,
    visitor: uuid::Uuid,
    agent: UserId,
) -> Result<bool, tokio_postgres::Error> {
    let row = client
        .query_opt(
            "SELECT 1 FROM conversations WHERE company_id = $1 AND visitor_id = $2 AND agent_id = $3 AND state = 'assigned' LIMIT 1",
            &[&company.0, &visitor, &agent.0],
        )
        .await?;
    Ok(row.is_some())
}

/// A visitor's number as people type it in a search: `128`, `#128`, `n°128`, `no 128`.
fn visitor_number(search: &str) -> Option<i32> {
    let s = search.trim().to_lowercase();
    let s = ["#", "n°", "nº", "no.", "no", "n"].iter().find_map(|p| s.strip_prefix(p)).unwrap_or(&s).trim();
    s.parse::<i32>().ok().filter(|n| *n > 0)
}

/// Waiting conversations of a site, longest-waiting first.
pub async fn waiting(client: &impl GenericClient, site: SiteId) -> Result<Vec<(ConversationId, DateTime<Utc>)>, tokio_postgres::Error> {
    let rows = client
        .query(
            "SELECT conversation_id, queued_at FROM conversations WHERE site_id = $1 AND state = 'waiting' ORDER BY queued_at, conversation_id",
            &[&site.0],
        )
        .await?;
    Ok(rows.iter().map(|r| (ConversationId(r.get(0)), r.get(1))).collect())
}

/// An agent of a company as the board and the transfer list show them.
#[derive(Debug, Clone, Serialize)]
pub struct AgentRow {
    pub user_id: UserId,
    pub name: String,
    pub status: String,
    pub load: i32,
    pub max_chats: i32,
    pub sites: Vec<String>,
    /// The visitors' ratings of the conversations they held at the close, all time.
    pub rated_good: i64,
    pub rated_bad: i64,
}

pub async fn agents_of_company(client: &impl GenericClient, company: CompanyId) -> Result<Vec<AgentRow>, tokio_postgres::Error> {
    let rows = client
        .query(
            "SELECT u.user_id, coalesce(nullif(u.display_name, ''), u.first_name || ' ' || u.last_name), coalesce(l.status, 'offline'),
                    coalesce(l.conversations, 0), u.max_chats,
                    coalesce(array_agg(s.name ORDER BY s.name) FILTER (WHERE s.name IS NOT NULL), '{}'),
                    (SELECT count(*) FROM conversations c WHERE c.agent_id = u.user_id AND c.rating = 'good'),
                    (SELECT count(*) FROM conversations c WHERE c.agent_id = u.user_id AND c.rating = 'bad')
             FROM users u
             LEFT JOIN agent_load l ON l.user_id = u.user_id
             LEFT JOIN site_agents a ON a.user_id = u.user_id
             LEFT JOIN sites s ON s.site_id = a.site_id AND NOT s.deleted
             WHERE u.company_id = $1 AND u.member AND u.active AND 'Agent' = ANY(u.roles)
             GROUP BY u.user_id, l.status, l.conversations ORDER BY lower(u.last_name), lower(u.first_name)",
            &[&company.0],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|r| AgentRow {
            user_id: UserId(r.get(0)),
            name: r.get(1),
            status: r.get(2),
            load: r.get(3),
            max_chats: r.get(4),
            sites: r.get(5),
            rated_good: r.get(6),
            rated_bad: r.get(7),
        })
        .collect())
}

/// An agent routing may offer a chat to: online, active, holding the Agent role, on a live
/// site, with the site's weight for their priority and their load.
#[derive(Debug, Clone)]
pub struct CandidateRow {
    pub candidate: domain::routing::Candidate,
    /// The name visitors see.
    pub name: String,
}

pub async fn candidates(client: &impl GenericClient, site: SiteId) -> Result<Vec<CandidateRow>, tokio_postgres::Error> {
    Ok(candidates_and_ringing(client, site).await?.0)
}

/// The site's candidates, and how long a new chat rings for one of them before it goes to
/// the next (None: it is theirs at once), in one query: routing reads both for every chat.
pub async fn candidates_and_ringing(client: &impl GenericClient, site: SiteId) -> Result<(Vec<CandidateRow>, Option<u16>), tokio_postgres::Error> {
    let rows = client
        .query(
            "SELECT a.user_id, a.priority,
                    CASE a.priority WHEN 'high' THEN s.weight_high WHEN 'normal' THEN s.weight_normal ELSE s.weight_low END,
                    l.conversations, u.max_chats, coalesce(nullif(u.display_name, ''), u.first_name), s.accept_seconds
             FROM site_agents a
             JOIN sites s ON s.site_id = a.site_id AND NOT s.deleted
             JOIN users u ON u.user_id = a.user_id AND u.member AND u.active AND 'Agent' = ANY(u.roles)
             JOIN agent_load l ON l.user_id = a.user_id AND l.status = 'online'
             WHERE a.site_id = $1
             ORDER BY a.user_id",
            &[&site.0],
        )
        .await?;
    let ringing = rows.first().and_then(|r| r.get::<_, Option<i32>>(6)).and_then(|s| u16::try_from(s).ok());
    let candidates = rows
        .iter()
        .map(|r| CandidateRow {
            candidate: domain::routing::Candidate {
                user_id: UserId(r.get(0)),
                priority: r.get::<_, String>(1).parse().unwrap_or(domain::site::Priority::Normal),
                weight: r.get::<_, i32>(2).clamp(0, 255) as u8,
                load: r.get::<_, i32>(3).max(0) as u32,
                max_chats: r.get::<_, i32>(4).max(0) as u32,
            },
            name: r.get(5),
        })
        .collect();
    Ok((candidates, ringing))
}

/// Conversations ringing for an agent whose time to accept was up at `now`, with the agent.
pub async fn rings_due(client: &impl GenericClient, now: DateTime<Utc>) -> Result<Vec<(ConversationId, UserId)>, tokio_postgres::Error> {
    let rows = client
        .query(
            "SELECT conversation_id, ringing_agent FROM conversations WHERE ringing_until <= $1 AND ringing_agent IS NOT NULL ORDER BY ringing_until",
            &[&now],
        )
        .await?;
    Ok(rows.iter().map(|r| (ConversationId(r.get(0)), UserId(r.get(1)))).collect())
}

/// Sites where somebody waits.
pub async fn sites_with_waiting(client: &impl GenericClient) -> Result<Vec<SiteId>, tokio_postgres::Error> {
    let rows = client.query("SELECT DISTINCT site_id FROM conversations WHERE state = 'waiting'", &[]).await?;
    Ok(rows.iter().map(|r| SiteId(r.get(0))).collect())
}

/// A waiting conversation's place in its site's queue (1 is next); None when it does not wait.
pub async fn queue_position(client: &impl GenericClient, conversation: ConversationId) -> Result<Option<i64>, tokio_postgres::Error> {
    let row = client
        .query_opt(
            "SELECT CASE WHEN c.state = 'waiting' THEN (SELECT count(*) FROM conversations w WHERE w.site_id = c.site_id AND w.state = 'waiting'
                    AND (w.queued_at, w.conversation_id) <= (c.queued_at, c.conversation_id)) END
             FROM conversations c WHERE c.conversation_id = $1",
            &[&conversation.0],
        )
        .await?;
    Ok(row.and_then(|r| r.get(0)))
}

/// The visitor's newest conversation on the site that is still open (waiting or assigned).
pub async fn open_of_visitor(
    client: &impl GenericClient,
    visitor: domain::VisitorId,
    site: SiteId,
) -> Result<Option<ConversationId>, tokio_postgres::Error> {
    let row = client
        .query_opt(
            "SELECT conversation_id FROM conversations WHERE visitor_id = $1 AND site_id = $2 AND state IN ('waiting', 'assigned')
             ORDER BY started_at DESC LIMIT 1",
            &[&visitor.0, &site.0],
        )
        .await?;
    Ok(row.map(|r| ConversationId(r.get(0))))
}

/// The visitor's latest chat on the site, open or ended (not an offline message): what
/// the widget's end-of-chat screen rates after a reload.
pub async fn latest_chat_of_visitor(
    client: &impl GenericClient,
    visitor: domain::VisitorId,
    site: SiteId,
) -> Result<Option<ConversationId>, tokio_postgres::Error> {
    let row = client
        .query_opt(
            "SELECT conversation_id FROM conversations WHERE visitor_id = $1 AND site_id = $2 AND state <> 'offline'
             ORDER BY started_at DESC LIMIT 1",
            &[&visitor.0, &site.0],
        )
        .await?;
    Ok(row.map(|r| ConversationId(r.get(0))))
}

/// How many wait on each live site an agent answers on.
#[derive(Debug, Clone, Serialize)]
pub struct Queue {
    pub site_id: SiteId,
    pub site: String,
    pub waiting: i64,
}

pub async fn queues_of_agent(client: &impl GenericClient, agent: UserId) -> Result<Vec<Queue>, tokio_postgres::Error> {
    let rows = client
        .query(
            "SELECT s.site_id, s.name, count(c.conversation_id) FROM site_agents a JOIN sites s ON s.site_id = a.site_id AND NOT s.deleted
             LEFT JOIN conversations c ON c.site_id = s.site_id AND c.state = 'waiting'
             WHERE a.user_id = $1 GROUP BY s.site_id, s.name ORDER BY s.name",
            &[&agent.0],
        )
        .await?;
    Ok(rows.iter().map(|r| Queue { site_id: SiteId(r.get(0)), site: r.get(1), waiting: r.get(2) }).collect())
}

/// The sites of these conversations.
pub async fn sites_of_conversations(
    client: &impl GenericClient,
    ids: &[ConversationId],
) -> Result<Vec<(ConversationId, SiteId)>, tokio_postgres::Error> {
    let ids: Vec<uuid::Uuid> = ids.iter().map(|c| c.0).collect();
    let rows = client.query("SELECT conversation_id, site_id FROM conversations WHERE conversation_id = ANY($1)", &[&ids]).await?;
    Ok(rows.iter().map(|r| (ConversationId(r.get(0)), SiteId(r.get(1)))).collect())
}

/// Agents not offline, with their company and when their status or load last changed.
pub async fn present_agents(client: &impl GenericClient) -> Result<Vec<(UserId, CompanyId, DateTime<Utc>)>, tokio_postgres::Error> {
    let rows = client.query("SELECT user_id, company_id, updated_at FROM agent_load WHERE status <> 'offline'", &[]).await?;
    Ok(rows.iter().map(|r| (UserId(r.get(0)), CompanyId(r.get(1)), r.get(2))).collect())
}

/// Agents holding conversations while away or offline, or more than the conversations read
/// model assigns to them or rings for them: what a process killed mid-routing leaves.
pub async fn agents_holding_more_than_they_answer(client: &impl GenericClient) -> Result<Vec<UserId>, tokio_postgres::Error> {
    let rows = client
        .query(
            "SELECT l.user_id FROM agent_load l WHERE l.conversations > 0 AND (l.status <> 'online'
               OR l.conversations > (SELECT count(*) FROM conversations c WHERE (c.agent_id = l.user_id AND c.state = 'assigned')
                                         OR c.ringing_agent = l.user_id))",
            &[],
        )
        .await?;
    Ok(rows.iter().map(|r| UserId(r.get(0))).collect())
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_visitor_number_is_found_however_it_is_typed() {
        for typed in ["128", " #128 ", "n°128", "N° 128", "no 128", "No.128"] {
            assert_eq!(super::visitor_number(typed), Some(128), "{typed}");
        }
        for typed in ["", "ada", "nice", "#0", "12a"] {
            assert_eq!(super::visitor_number(typed), None, "{typed}");
        }
    }
}
