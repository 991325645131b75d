//! The conversation history: who may read which conversations, and the search.

use chrono::{DateTime, NaiveDate, Utc};
use domain::company::Role;
use domain::{ConversationId, SiteId, UserId};
use projections::chat::{ConversationRow, HistoryFilter, Message, RatingFilter};

use crate::auth::Session;
use crate::{App, Error, Result};

/// What the history is searched by, as typed (every field may be empty).
#[derive(Debug, Clone, Default)]
pub struct Search {
    /// Part of the visitor's name or e-mail, or of a message they wrote; or their visitor id.
    pub visitor: String,
    /// An agent's user id.
    pub agent: String,
    /// A site's id.
    pub site: String,
    /// Started on or after this day (UTC), as YYYY-MM-DD.
    pub from: String,
    /// Started on or before this day (UTC), as YYYY-MM-DD.
    pub until: String,
    /// The visitor's rating: `good`, `bad` or `unrated`.
    pub rating: String,
}

/// Supervisors and administrators see the company's conversations (None); agents their own.
pub fn scope(session: &Session) -> Result<Option<UserId>> {
    if session.has_role(Role::Supervisor) || session.has_role(Role::Administrator) {
        Ok(None)
    } else if session.has_role(Role::Agent) {
        Ok(Some(session.user.user_id))
    } else {
        Err(Error::Forbidden)
    }
}

impl Search {
    /// The filter, refusing what cannot be read and keeping agents to their own history.
    pub fn filter(&self, session: &Session) -> Result<HistoryFilter> {
        let own = scope(session)?;
        let id = |field: &'static str, text: &str| -> Result<Option<uuid::Uuid>> {
            match text.trim() {
                "" => Ok(None),
                t => t.parse().map(Some).map_err(|_| Error::invalid(field, locale::t!("history-not-an-id", field = field))),
            }
        };
        let day = |field: &'static str, text: &str, next: bool| -> Result<Option<DateTime<Utc>>> {
            match text.trim() {
                "" => Ok(None),
                t => {
                    let date = NaiveDate::parse_from_str(t, "%Y-%m-%d")
                        .map_err(|_| Error::invalid(field, locale::t!("history-not-a-date", field = field)))?;
                    let date = if next { date.succ_opt().unwrap_or(date) } else { date };
                    Ok(Some(date.and_hms_opt(0, 0, 0).expect("midnight exists").and_utc()))
                }
            }
        };
        Ok(HistoryFilter {
            visitor: self.visitor.clone(),
            agent: own.or(id("agent", &self.agent)?.map(UserId)),
            offline_for: own,
            site: id("site", &self.site)?.map(SiteId),
            from: day("from", &self.from, false)?,
            until: day("until", &self.until, true)?,
            rating: match self.rating.trim() {
                "" => None,
                r => Some(RatingFilter::parse(r).ok_or_else(|| Error::invalid("rating", locale::t!("history-not-a-rating")))?),
            },
        })
    }
}

/// One page of the conversations the session may read, newest first, and how many match.
pub async fn search(app: &App, session: &Session, search: &Search, offset: i64, limit: i64) -> Result<(Vec<ConversationRow>, i64)> {
    let filter = search.filter(session)?;
    let client = app.pool().get().await?;
    Ok(projections::chat::history(&**client, session.company_id(), &filter, offset, limit).await?)
}

/// A conversation of the session's company that it may read: supervisors and
/// administrators any, an agent those they hold or once held, the offline messages left on
/// their sites, and the other conversations of a visitor they are talking to now (what that
/// visitor asked before). Anything else is not found.
pub async fn readable(app: &App, session: &Session, id: ConversationId) -> Result<ConversationRow> {
    let own = scope(session)?;
    let c = super::conversation_row(app, id).await?.filter(|c| c.company_id == session.company_id()).ok_or(Error::NotFound)?;
    if let Some(agent) = own.filter(|a| c.agent_id != Some(*a)) {
        let client = app.pool().get().await?;
        let talking = projections::chat::holds_conversation_with(&**client, c.company_id, c.visitor_id, agent).await?;
        let their_site = c.state == "offline" && projections::sites::answers_on(&**client, c.site_id, agent).await?;
        if !talking && !their_site && !agent_handled(app, id, agent).await {
            return Err(Error::NotFound);
        }
    }
    Ok(c)
}

/// How many earlier conversations of a visitor are shown beside one of theirs.
const EARLIER_SHOWN: i64 = 5;

/// The visitor's other conversations in the company, newest first, beside `c` (a
/// conversation the reader may read, so they may read these too).
pub async fn others_of_visitor(app: &App, c: &ConversationRow) -> Result<Vec<ConversationRow>> {
    let client = app.pool().get().await?;
    Ok(projections::chat::others_of_visitor(&**client, c, EARLIER_SHOWN).await?)
}

/// A readable conversation and every message, in order.
pub async fn transcript(app: &App, session: &Session, id: ConversationId) -> Result<(ConversationRow, Vec<Message>)> {
    let conversation = readable(app, session, id).await?;
    let client = app.pool().get().await?;
    Ok((conversation, projections::chat::messages(&**client, id).await?))
}

/// Answers an offline message by e-mail, as the session's user: recorded on the
/// conversation, then mailed to the visitor by the offline message mailer. The form's
/// `answer_id` makes a second submission of the same answer store nothing.
pub async fn answer_by_email(app: &App, session: &Session, id: ConversationId, answer_id: uuid::Uuid, text: &str) -> Result<()> {
    let c = readable(app, session, id).await?;
    if c.visitor_erased || c.given_email().is_none() {
        return Err(Error::NotFound);
    }
    let signature = session.signature();
    let me = (session.user.user_id, signature.as_str());
    let outcome = app.chat.streams().answer_by_email(id, answer_id, me, text, &session.metadata()).await?;
    app.read_your_writes(projections::Registered::Conversations, outcome.position).await?;
    Ok(())
}

/// Whether the session may write internal notes on any conversation it can read (else only
/// on those it holds, as the decider checks).
pub fn supervising(session: &Session) -> bool {
    session.has_role(Role::Supervisor) || session.has_role(Role::Administrator)
}

/// Adds an internal note, as the session's user, to a conversation it may read. A second
/// submission of the same `note_id` stores nothing. Returns what was stored (to hand it to
/// the live sockets).
pub async fn add_note(app: &App, session: &Session, id: ConversationId, note_id: uuid::Uuid, text: &str) -> Result<commands::chat::Posted> {
    let c = readable(app, session, id).await?;
    if c.visitor_erased {
        return Err(Error::NotFound);
    }
    let signature = session.signature();
    let me = (session.user.user_id, signature.as_str());
    let posted = app.chat.streams().add_note(id, me, note_id, text, supervising(session), &session.metadata()).await?;
    app.read_your_writes(projections::Registered::Conversations, posted.position).await?;
    Ok(posted)
}

/// The names of the people a routing decision mentions (the candidates, the supervisor
/// who reassigned, the agent before), by user id, for "why this agent".
pub async fn decision_names(app: &App, session: &Session, decision: &serde_json::Value) -> Result<std::collections::HashMap<uuid::Uuid, String>> {
    let id = |v: &serde_json::Value| v.as_str().and_then(|s| s.parse::<uuid::Uuid>().ok());
    let mut ids: Vec<uuid::Uuid> =
        decision.get("candidates").and_then(|c| c.as_array()).into_iter().flatten().filter_map(|c| id(&c["user_id"])).collect();
    ids.extend(["supervisor", "from"].iter().filter_map(|k| decision.get(*k).and_then(id)));
    // Who let it ring before the agent who accepted it.
    ids.extend(decision.get("passed").and_then(|p| p.as_array()).into_iter().flatten().filter_map(|p| id(&p["agent_id"])));
    let client = app.pool().get().await?;
    Ok(projections::users::names(&**client, session.company_id(), &ids).await?)
}

/// Whether an agent ever held this conversation (transferred ones stay in their history).
async fn agent_handled(app: &App, id: ConversationId, agent: UserId) -> bool {
    super::conversation_events(app, id)
        .await
        .iter()
        .any(|(_, _, e)| matches!(e, domain::conversation::Event::ConversationAssigned { agent_id, .. } if *agent_id == agent))
}

/// The company's sites and agents, to search by.
pub async fn choices(app: &App, session: &Session) -> Result<(Vec<projections::sites::SiteSummary>, Vec<projections::chat::AgentRow>)> {
    let client = app.pool().get().await?;
    let company = session.company_id();
    Ok(tokio::try_join!(projections::sites::list(&**client, company), projections::chat::agents_of_company(&**client, company))?)
}
