//! Live chat: starting conversations, messages, routing and the queue, transfers, presence.
//!
//! Routing reads candidates from the read models (a `ChatView`) but never trusts them: the
//! agent's stream decides capacity and the conversation's stream decides "one agent at a
//! time", each by its expected version. A router that wins the agent's slot but loses the
//! conversation gives the slot back.

use std::future::Future;

use domain::agent::{self, Agent, Status};
use domain::conversation::{self, Conversation, Decision, Sender};
use domain::routing::{self, Candidate};
use domain::{Actor, CompanyId, ConversationId, Metadata, SiteId, UserId, VisitorId};
use rand::Rng;
use store::{EventStore, Position};
use uuid::Uuid;

use std::sync::Arc;

use crate::{execute_cached, load_cached, Error, StateCache};

/// A candidate agent and the name visitors see.
#[derive(Debug, Clone)]
pub struct Named {
    pub candidate: Candidate,
    pub name: String,
}

/// What chat needs to read from the read models.
pub trait ChatView: Send + Sync + 'static {
    /// The site's agents who are online, active and hold the Agent role, with their
    /// priority, the site's weight for it, their load and maximum.
    fn candidates(&self, site: SiteId) -> impl Future<Output = Result<Vec<Named>, Error>> + Send;
    /// The site's waiting conversations, longest-waiting first.
    fn waiting(&self, site: SiteId) -> impl Future<Output = Result<Vec<ConversationId>, Error>> + Send;
    /// The sites an agent answers on.
    fn sites_of(&self, agent: UserId) -> impl Future<Output = Result<Vec<SiteId>, Error>> + Send;
    /// Waits (briefly) until the read models show everything up to `position`, so that a
    /// slot just freed or an agent just online is seen by the next routing.
    fn caught_up(&self, position: Position) -> impl Future<Output = ()> + Send;
}

pub struct Chat<S, V> {
    store: S,
    view: V,
    // A busy agent's stream grows by two events per chat and a conversation's by one per
    // message: folding them from the start for every command would grow with them.
    agents: Arc<StateCache<agent::State>>,
    conversations: Arc<StateCache<conversation::State>>,
}

/// A stored message: its place in the conversation, and whether it was a repeat.
#[derive(Debug, Clone, Copy)]
pub struct Posted {
    pub seq: u64,
    pub duplicate: bool,
    pub position: Option<Position>,
}

fn system(company: Option<CompanyId>, name: &str) -> Metadata {
    Metadata::new(company, Actor::System(name.to_owned()))
}

impl<S: EventStore, V: ChatView> Chat<S, V> {
    pub fn new(store: S, view: V) -> Self {
        Chat { store, view, agents: StateCache::new(), conversations: StateCache::new() }
    }

    pub fn view(&self) -> &V {
        &self.view
    }

    /// A new conversation for a visitor, waiting for an agent.
    pub async fn start(&self, site_id: SiteId, company_id: CompanyId, visitor_id: VisitorId, page_url: &str) -> Result<ConversationId, Error> {
        let conversation_id = ConversationId::new();
        let command = conversation::Command::Start { conversation_id, site_id, company_id, visitor_id, page_url: page_url.to_owned() };
        let metadata = Metadata::new(Some(company_id), Actor::Visitor(visitor_id.0));
        execute_cached::<Conversation, S>(&self.store, &conversation::stream(conversation_id), &command, &metadata, Some(&self.conversations))
            .await?;
        Ok(conversation_id)
    }

    /// Stores a message once, however often it is sent with the same `client_id`.
    pub async fn post(
        &self,
        conversation_id: ConversationId,
        from: Sender,
        client_id: Uuid,
        text: &str,
        metadata: &Metadata,
    ) -> Result<Posted, Error> {
        let stream = conversation::stream(conversation_id);
        let command = conversation::Command::PostMessage { client_id, from, text: text.to_owned() };
        let outcome = execute_cached::<Conversation, S>(&self.store, &stream, &command, metadata, Some(&self.conversations)).await?;
        if let (Some(position), Some(seq)) = (outcome.position, outcome.version) {
            return Ok(Posted { seq, duplicate: false, position: Some(position) });
        }
        let seq = self.seq_of(&stream, client_id).await?.ok_or(Error::NotFound)?;
        Ok(Posted { seq, duplicate: true, position: None })
    }

    async fn seq_of(&self, stream: &str, client_id: Uuid) -> Result<Option<u64>, Error> {
        for event in self.store.read_stream(stream, 0).await?.iter().rev() {
            if let conversation::Event::MessagePosted { client_id: c, .. } = event.decode_as::<conversation::Event>()? {
                if c == client_id {
                    return Ok(Some(event.version));
                }
            }
        }
        Ok(None)
    }

    /// Offers a waiting conversation to an agent; its agent, or `None` when nobody is free
    /// (it stays queued).
    pub async fn route(&self, conversation_id: ConversationId) -> Result<Option<UserId>, Error> {
        let (conv, _) = load_cached::<Conversation, S>(&self.store, &conversation::stream(conversation_id), Some(&self.conversations)).await?;
        let Some(site) = conv.site_id.filter(|_| conv.started && !conv.closed && conv.agent.is_none()) else {
            return Ok(conv.agent);
        };
        let metadata = system(conv.company_id, "router");
        let mut named = self.view.candidates(site).await?;
        for _ in 0..named.len() + 1 {
            let candidates: Vec<Candidate> = named.iter().map(|n| n.candidate.clone()).collect();
            let roll: f64 = rand::thread_rng().gen();
            let Some(i) = routing::choose(&candidates, roll) else { return Ok(None) };
            let chosen = named[i].clone();
            let agent_id = chosen.candidate.user_id;
            let take = agent::Command::TakeConversation { conversation_id, max_chats: chosen.candidate.max_chats };
            match execute_cached::<Agent, S>(&self.store, &agent::stream(agent_id), &take, &metadata, Some(&self.agents)).await {
                Ok(_) => {}
                Err(Error::Agent(_) | Error::Contention { .. }) => {
                    // Full or gone meanwhile (the read model was behind), or too busy to
                    // answer now: try the others.
                    named[i].candidate.load = named[i].candidate.max_chats;
                    continue;
                }
                Err(e) => return Err(e),
            }
            let assign = conversation::Command::Assign { agent_id, agent_name: chosen.name.clone(), decision: Decision::Routed { candidates, roll } };
            return match execute_cached::<Conversation, S>(
                &self.store,
                &conversation::stream(conversation_id),
                &assign,
                &metadata,
                Some(&self.conversations),
            )
            .await
            {
                Ok(_) => Ok(Some(agent_id)),
                Err(e) => {
                    // Another router got there first, or the visitor left: give the slot back.
                    self.release(agent_id, conversation_id, "lost", &metadata).await?;
                    match e {
                        Error::Conversation(_) => Ok(self.conversation(conversation_id).await?.agent),
                        other => Err(other),
                    }
                }
            };
        }
        Ok(None)
    }

    /// Offers the site's waiting conversations, longest-waiting first, while agents are free.
    pub async fn drain(&self, site: SiteId) -> Result<usize, Error> {
        let mut assigned = 0;
        for conversation_id in self.view.waiting(site).await? {
            match self.route(conversation_id).await? {
                Some(_) => assigned += 1,
                None => {
                    let (conv, _) =
                        load_cached::<Conversation, S>(&self.store, &conversation::stream(conversation_id), Some(&self.conversations)).await?;
                    // Still waiting means nobody is free: the rest must wait too.
                    if conv.agent.is_none() && !conv.closed {
                        break;
                    }
                }
            }
        }
        Ok(assigned)
    }

    /// Finishes what a process killed half-way left undone for an agent (the queue sweep's
    /// safety net). An agent away or offline who still holds conversations hands them back
    /// to the queue: the process died between the status change and the requeue. An agent's
    /// slots that no conversation uses, taken longer than `abandoned` ago, are given back:
    /// the process died between taking the slot and assigning the conversation, or between
    /// a close, transfer or requeue and the release that follows it (a router still at work
    /// is younger than that, and keeps its slot). The queues concerned are offered again.
    pub async fn recover_agent(&self, agent_id: UserId, abandoned: std::time::Duration) -> Result<(), Error> {
        let (state, _) = load_cached::<Agent, S>(&self.store, &agent::stream(agent_id), Some(&self.agents)).await?;
        if state.status != Status::Online {
            let Some(first) = state.held.first() else { return Ok(()) };
            let company = self.conversation(*first).await?.company_id;
            return self.requeue_all(agent_id, state.status.as_str(), &system(company, "sweep")).await;
        }
        let mut taken = std::collections::HashMap::new();
        for event in self.store.read_stream(&agent::stream(agent_id), 0).await? {
            match event.decode_as::<agent::Event>()? {
                agent::Event::ConversationTaken { conversation_id } => {
                    taken.insert(conversation_id, event.recorded_at);
                }
                agent::Event::ConversationReleased { conversation_id, .. } => {
                    taken.remove(&conversation_id);
                }
                agent::Event::StatusChanged { .. } => {}
            }
        }
        let before = chrono::Utc::now() - chrono::Duration::from_std(abandoned).unwrap_or_default();
        for (conversation_id, at) in taken {
            let conv = self.conversation(conversation_id).await?;
            if at > before || (conv.agent == Some(agent_id) && !conv.closed) {
                continue;
            }
            let released = self.release(agent_id, conversation_id, "abandoned", &system(conv.company_id, "sweep")).await?;
            if let Some(site) = conv.site_id {
                self.drain_after(site, released).await?;
            }
        }
        Ok(())
    }

    /// Frees the agent's slot; the position of the release, when there was one.
    async fn release(&self, agent_id: UserId, conversation_id: ConversationId, reason: &str, metadata: &Metadata) -> Result<Option<Position>, Error> {
        let command = agent::Command::ReleaseConversation { conversation_id, reason: reason.to_owned() };
        execute_cached::<Agent, S>(&self.store, &agent::stream(agent_id), &command, metadata, Some(&self.agents)).await.map(|o| o.position)
    }

    /// Offers the site's queue once the read models show what was just written.
    async fn drain_after(&self, site: SiteId, written: Option<Position>) -> Result<usize, Error> {
        if let Some(position) = written {
            self.view.caught_up(position).await;
        }
        self.drain(site).await
    }

    /// Ends a conversation; its agent's slot goes to the longest-waiting visitor.
    pub async fn close(&self, conversation_id: ConversationId, by: &str, metadata: &Metadata) -> Result<(), Error> {
        let stream = conversation::stream(conversation_id);
        let (conv, _) = load_cached::<Conversation, S>(&self.store, &stream, Some(&self.conversations)).await?;
        if !conv.started {
            return Err(Error::NotFound);
        }
        let closed = execute_cached::<Conversation, S>(
            &self.store,
            &stream,
            &conversation::Command::Close { by: by.to_owned() },
            metadata,
            Some(&self.conversations),
        )
        .await?;
        let mut written = closed.position;
        if let Some(agent_id) = conv.agent {
            written = self.release(agent_id, conversation_id, "closed", metadata).await?.or(written);
        }
        if let Some(site) = conv.site_id {
            self.drain_after(site, written).await?;
        }
        Ok(())
    }

    /// Gives a conversation to another agent of its site who is online with a free slot.
    /// `decision` is Transferred (by its agent) or Reassigned (by a supervisor).
    pub async fn hand_over(&self, conversation_id: ConversationId, to: UserId, decision: Decision, metadata: &Metadata) -> Result<(), Error> {
        let stream = conversation::stream(conversation_id);
        let (conv, _) = load_cached::<Conversation, S>(&self.store, &stream, Some(&self.conversations)).await?;
        let site = conv.site_id.filter(|_| conv.started).ok_or(Error::NotFound)?;
        if conv.closed {
            return Err(conversation::Error::Closed.into());
        }
        if let Decision::Transferred { from } = &decision {
            if conv.agent != Some(*from) {
                return Err(conversation::Error::NotYours.into());
            }
        }
        if conv.agent == Some(to) {
            return Ok(());
        }
        let target = self
            .view
            .candidates(site)
            .await?
            .into_iter()
            .find(|n| n.candidate.user_id == to && n.candidate.has_free_slot())
            .ok_or(Error::NoAgentAvailable)?;
        let take = agent::Command::TakeConversation { conversation_id, max_chats: target.candidate.max_chats };
        execute_cached::<Agent, S>(&self.store, &agent::stream(to), &take, metadata, Some(&self.agents)).await?;
        let assign = conversation::Command::Assign { agent_id: to, agent_name: target.name, decision: decision.clone() };
        if let Err(e) = execute_cached::<Conversation, S>(&self.store, &stream, &assign, metadata, Some(&self.conversations)).await {
            self.release(to, conversation_id, "lost", metadata).await?;
            return Err(e);
        }
        if let Some(previous) = conv.agent {
            let reason = if matches!(decision, Decision::Transferred { .. }) { "transferred" } else { "reassigned" };
            let released = self.release(previous, conversation_id, reason, metadata).await?;
            self.drain_after(site, released).await?;
        }
        Ok(())
    }

    /// Online, away or offline. Going away or offline (or being marked so after a
    /// disconnection) returns the agent's conversations to the queue; coming online takes
    /// from it.
    pub async fn set_status(&self, agent_id: UserId, status: Status, reason: Option<String>, metadata: &Metadata) -> Result<(), Error> {
        let command = agent::Command::SetStatus { status, reason: reason.clone() };
        let changed = execute_cached::<Agent, S>(&self.store, &agent::stream(agent_id), &command, metadata, Some(&self.agents)).await?;
        match status {
            // An agent who steps away or leaves frees their slots: their visitors wait for
            // somebody else rather than for their return.
            Status::Offline | Status::Away => self.requeue_all(agent_id, reason.as_deref().unwrap_or(status.as_str()), metadata).await,
            Status::Online => {
                for site in self.view.sites_of(agent_id).await? {
                    self.drain_after(site, changed.position).await?;
                }
                Ok(())
            }
        }
    }

    async fn requeue_all(&self, agent_id: UserId, reason: &str, metadata: &Metadata) -> Result<(), Error> {
        let (state, _) = load_cached::<Agent, S>(&self.store, &agent::stream(agent_id), Some(&self.agents)).await?;
        let mut sites = Vec::new();
        let mut written = None;
        for conversation_id in state.held {
            let stream = conversation::stream(conversation_id);
            let requeue = conversation::Command::Requeue { from: agent_id, reason: reason.to_owned() };
            match execute_cached::<Conversation, S>(&self.store, &stream, &requeue, metadata, Some(&self.conversations)).await {
                Ok(_) | Err(Error::Conversation(_)) => {}
                Err(e) => return Err(e),
            }
            written = self.release(agent_id, conversation_id, "requeued", metadata).await?.or(written);
            let (conv, _) = load_cached::<Conversation, S>(&self.store, &stream, Some(&self.conversations)).await?;
            sites.extend(conv.site_id);
        }
        sites.sort();
        sites.dedup();
        for site in sites {
            self.drain_after(site, written).await?;
        }
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    pub async fn leave_offline_message(
        &self,
        site_id: SiteId,
        company_id: CompanyId,
        visitor_id: VisitorId,
        name: &str,
        email: &str,
        message: &str,
        page_url: &str,
    ) -> Result<ConversationId, Error> {
        let conversation_id = ConversationId::new();
        let command = conversation::Command::LeaveOfflineMessage {
            site_id,
            company_id,
            visitor_id,
            name: name.to_owned(),
            email: email.to_owned(),
            message: message.to_owned(),
            page_url: page_url.to_owned(),
        };
        let metadata = Metadata::new(Some(company_id), Actor::Visitor(visitor_id.0));
        execute_cached::<Conversation, S>(&self.store, &conversation::stream(conversation_id), &command, &metadata, Some(&self.conversations))
            .await?;
        Ok(conversation_id)
    }

    /// The state of a conversation (the log's word, not a read model's).
    pub async fn conversation(&self, conversation_id: ConversationId) -> Result<conversation::State, Error> {
        Ok(load_cached::<Conversation, S>(&self.store, &conversation::stream(conversation_id), Some(&self.conversations)).await?.0)
    }

    pub async fn agent(&self, agent_id: UserId) -> Result<agent::State, Error> {
        Ok(load_cached::<Agent, S>(&self.store, &agent::stream(agent_id), Some(&self.agents)).await?.0)
    }
}
