//! Live chat's use cases: routing and the queue, presence, visitors, typing notices, and
//! what the consoles, the board and the history read.

pub mod figures;
pub mod history;
pub mod presence;
pub mod routing;
pub mod typing;
pub mod view;
pub mod visitors;

use chrono::{DateTime, Utc};
use domain::{conversation, ConversationId, EventPayload, SiteId, UserId};
use projections::chat::{AgentRow, ConversationRow, Queue};
use store::{EventStore, PgEventStore};

use crate::auth::Session;
use crate::{App, Result};

/// Conversations, routing and the queue over the PostgreSQL store and read models.
pub type Chat = routing::Routing<PgEventStore, view::ReadModels>;

/// A conversation's event as the log holds it: its version (a message's `seq`) and time.
pub type Logged = (u64, DateTime<Utc>, conversation::Event);

/// A conversation's events, from the log itself (not a read model that may lag), with the
/// visitor's data opened (or erased); unreadable ones are skipped.
pub async fn conversation_events(app: &App, id: ConversationId) -> Vec<Logged> {
    let Ok(events) = app.events().read_stream(&conversation::stream(id), 0).await else { return Vec::new() };
    let mut logged: Vec<Logged> =
        events.iter().filter_map(|e| Some((e.version, e.occurred_at, e.decode_as::<conversation::Event>().ok()?))).collect();
    if let Err(e) = app.keyring().open(logged.iter_mut().flat_map(|(_, _, e)| e.personal_mut())).await {
        tracing::warn!(error = %e, "cannot read the visitor's keys: the conversation is not shown");
        return Vec::new();
    }
    logged
}

/// A slot that no conversation uses is abandoned once this old: routers take a slot and
/// assign the conversation within milliseconds.
const ABANDONED: std::time::Duration = std::time::Duration::from_secs(10);

/// Every few seconds, offers the waiting conversations of every site again: a safety net
/// for slots freed while a read model lagged, or by a process killed mid-routing (what it
/// left undone is finished first).
pub async fn sweep_queues(app: App) {
    loop {
        tokio::time::sleep(std::time::Duration::from_secs(5)).await;
        let (suspects, sites) = match app.pool().get().await {
            Ok(client) => (
                projections::chat::agents_holding_more_than_they_answer(&**client).await.unwrap_or_default(),
                projections::chat::sites_with_waiting(&**client).await.unwrap_or_default(),
            ),
            Err(_) => continue,
        };
        for agent in suspects {
            if let Err(e) = app.chat.recover_agent(agent, ABANDONED).await {
                tracing::warn!(error = %e, "could not finish what a killed process left undone");
            }
        }
        for site in sites {
            if let Err(e) = app.chat.drain(site).await {
                tracing::warn!(error = %e, "could not offer a queue");
            }
        }
    }
}

/// Ends the rings whose time to accept is up by the server's clock, and offers each of
/// those conversations to the next candidate. Deadlines come from the log (through the
/// conversations read model), so a ring made before a restart, or by another process, times
/// out all the same; two processes ending one ring are settled by the conversation's
/// expected version, and only the winner moves it on. The number of rings ended.
pub async fn expire_rings(app: &App) -> Result<usize> {
    let due = {
        let client = app.pool().get().await?;
        projections::chat::rings_due(&**client, app.settings.clock.now()).await?
    };
    let mut ended = 0;
    for (conversation_id, agent_id) in due {
        let company = app.chat.streams().conversation(conversation_id).await?.company_id;
        let metadata = domain::Metadata::new(company, domain::Actor::System("ring".into()));
        match app.chat.end_ring(conversation_id, agent_id, conversation::Unanswered::TimedOut, &metadata).await {
            Ok(()) => ended += 1,
            // The read model lagged behind an accept or an earlier timeout, or the clock
            // was set back: nothing to end.
            Err(commands::Error::Conversation(_)) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(ended)
}

/// Every second, ends the rings whose time is up (see `expire_rings`).
pub async fn sweep_rings(app: App) {
    loop {
        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
        if let Err(e) = expire_rings(&app).await {
            tracing::warn!(error = %e, "could not end the rings whose time is up");
        }
    }
}

/// What every widget of a site shows besides its own chat.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct SiteStatus {
    /// Chats may start: within business hours, and some agent of the site who holds the
    /// Agent role is online.
    pub online: bool,
    pub hours: crate::hours::Hours,
    /// The waiting conversations, longest-waiting first.
    pub waiting: Vec<ConversationId>,
}

impl SiteStatus {
    /// A conversation's place in the queue (1 is next), when it waits.
    pub fn position(&self, id: ConversationId) -> Option<i64> {
        self.waiting.iter().position(|w| *w == id).map(|i| i as i64 + 1)
    }
}

pub async fn site_status(app: &App, site: SiteId) -> Result<SiteStatus> {
    let client = app.pool().get().await?;
    let (agent, waiting) = tokio::try_join!(projections::sites::has_online_agent(&**client, site), projections::chat::waiting(&**client, site))?;
    let hours = crate::hours::of_site(app, site).await?;
    Ok(SiteStatus { online: agent && hours.open, hours, waiting: waiting.into_iter().map(|(id, _)| id).collect() })
}

/// Whether chats may start on the site now (an agent online, within business hours), and its hours.
pub async fn site_open_now(app: &App, site: SiteId) -> Result<(bool, crate::hours::Hours)> {
    let agent = {
        let client = app.pool().get().await?;
        projections::sites::has_online_agent(&**client, site).await?
    };
    let hours = crate::hours::of_site(app, site).await?;
    Ok((agent && hours.open, hours))
}

/// A conversation's place in its site's queue (1 is next), when it waits.
pub async fn queue_position(app: &App, id: ConversationId) -> Result<Option<i64>> {
    let client = app.pool().get().await?;
    Ok(projections::chat::queue_position(&**client, id).await?)
}

/// A conversation as the read model shows it (any company's: callers check).
pub async fn conversation_row(app: &App, id: ConversationId) -> Result<Option<ConversationRow>> {
    let client = app.pool().get().await?;
    Ok(projections::chat::get(&**client, id).await?)
}

/// The waiting counts of the sites an agent answers on.
pub async fn queues_of_agent(app: &App, agent: UserId) -> Result<Vec<Queue>> {
    let client = app.pool().get().await?;
    Ok(projections::chat::queues_of_agent(&**client, agent).await?)
}

/// The sites an agent answers on.
pub async fn sites_of_agent(app: &App, agent: UserId) -> Result<Vec<SiteId>> {
    sites_of_agents(app, &[agent]).await
}

pub async fn sites_of_agents(app: &App, agents: &[UserId]) -> Result<Vec<SiteId>> {
    let client = app.pool().get().await?;
    Ok(projections::sites::sites_of_agents(&**client, agents).await?)
}

pub async fn sites_of_conversations(app: &App, ids: &[ConversationId]) -> Result<Vec<(ConversationId, SiteId)>> {
    let client = app.pool().get().await?;
    Ok(projections::chat::sites_of_conversations(&**client, ids).await?)
}

/// The agent's maximum of simultaneous chats, as the users read model shows it.
pub async fn max_chats(app: &App, session: &Session) -> Result<i32> {
    Ok(crate::users::get(app, session, session.user.user_id).await?.max_chats)
}

/// What the supervisor board shows: the company's agents, its open conversations and its
/// figures.
pub struct Board {
    pub agents: Vec<AgentRow>,
    pub open: Vec<ConversationRow>,
    pub figures: figures::Figures,
}

pub async fn board(app: &App, session: &Session) -> Result<Board> {
    let client = app.pool().get().await?;
    let company = session.company_id();
    let (agents, open, figures) = tokio::try_join!(
        async { Ok::<_, crate::Error>(projections::chat::agents_of_company(&**client, company).await?) },
        async { Ok::<_, crate::Error>(projections::chat::open_for_company(&**client, company).await?) },
        figures::of_company(app, session)
    )?;
    Ok(Board { agents, open, figures })
}
