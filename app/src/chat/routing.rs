//! Routing and the queue: what starting, closing, transferring a chat or changing an agent's
//! status does across the conversation's and the agents' streams.
//!
//! Routing reads candidates from the read models (a `ChatView`) but never trusts them: the
//! agent's stream decides capacity and the conversation's stream decides "one agent at a
//! time", each by its expected version. A router that wins the agent's slot but loses the
//! conversation gives the slot back.

use std::future::Future;

use commands::chat::ChatStreams;
use commands::Error;
use domain::agent::Status;
use domain::conversation::{self, Decision};
use domain::routing::{self, Candidate};
use domain::{Actor, CompanyId, ConversationId, Metadata, SiteId, UserId};
use rand::Rng;
use store::{EventStore, Position};

/// A candidate agent and the name visitors see, as the read model lists them.
pub type Named = projections::chat::CandidateRow;

/// What routing reads from the read models.
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

pub struct Routing<S, V> {
    streams: ChatStreams<S>,
    view: V,
}

fn system(company: Option<CompanyId>, name: &str) -> Metadata {
    Metadata::new(company, Actor::System(name.to_owned()))
}

impl<S: EventStore, V: ChatView> Routing<S, V> {
    pub fn new(store: S, view: V) -> Self {
        Routing { streams: ChatStreams::new(store), view }
    }

    pub fn view(&self) -> &V {
        &self.view
    }

    /// The conversation and agent streams, for what is one command on one stream (starting
    /// a conversation, posting a message, reading a state).
    pub fn streams(&self) -> &ChatStreams<S> {
        &self.streams
    }

    /// Offers a waiting conversation to an agent; its agent, or `None` when nobody is free
    /// (it stays queued).
    pub async fn route(&self, conversation_id: ConversationId) -> Result<Option<UserId>, Error> {
        let conv = self.streams.conversation(conversation_id).await?;
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
            match self.streams.take_slot(agent_id, conversation_id, chosen.candidate.max_chats, &metadata).await {
                Ok(_) => {}
                Err(Error::Agent(_) | Error::Contention { .. }) => {
                    // Full or gone meanwhile (the read model was behind), or too busy to
                    // answer now: try the others.
                    named[i].candidate.load = named[i].candidate.max_chats;
                    continue;
                }
                Err(e) => return Err(e),
            }
            let decision = Decision::Routed { candidates, roll };
            return match self.streams.assign(conversation_id, agent_id, chosen.name.clone(), decision, &metadata).await {
                Ok(_) => Ok(Some(agent_id)),
                Err(e) => {
                    // Another router got there first, or the visitor left: give the slot back.
                    self.streams.release_slot(agent_id, conversation_id, "lost", &metadata).await?;
                    match e {
                        Error::Conversation(_) => Ok(self.streams.conversation(conversation_id).await?.agent),
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
                    let conv = self.streams.conversation(conversation_id).await?;
                    // Still waiting means nobody is free: the rest must wait too.
                    if conv.agent.is_none() && !conv.closed {
                        break;
                    }
                }
            }
        }
        Ok(assigned)
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
        let conv = self.streams.conversation(conversation_id).await?;
        if !conv.started {
            return Err(Error::NotFound);
        }
        let mut written = self.streams.close(conversation_id, by, metadata).await?.position;
        if let Some(agent_id) = conv.agent {
            written = self.streams.release_slot(agent_id, conversation_id, "closed", metadata).await?.or(written);
        }
        if let Some(site) = conv.site_id {
            self.drain_after(site, written).await?;
        }
        Ok(())
    }

    /// Gives a conversation to another agent of its site who is online with a free slot.
    /// `decision` is Transferred (by its agent) or Reassigned (by a supervisor).
    pub async fn hand_over(&self, conversation_id: ConversationId, to: UserId, decision: Decision, metadata: &Metadata) -> Result<(), Error> {
        let conv = self.streams.conversation(conversation_id).await?;
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
        self.streams.take_slot(to, conversation_id, target.candidate.max_chats, metadata).await?;
        if let Err(e) = self.streams.assign(conversation_id, to, target.name, decision.clone(), metadata).await {
            self.streams.release_slot(to, conversation_id, "lost", metadata).await?;
            return Err(e);
        }
        if let Some(previous) = conv.agent {
            let reason = if matches!(decision, Decision::Transferred { .. }) { "transferred" } else { "reassigned" };
            let released = self.streams.release_slot(previous, conversation_id, reason, metadata).await?;
            self.drain_after(site, released).await?;
        }
        Ok(())
    }

    /// Online, away or offline. Going away or offline (or being marked so after a
    /// disconnection) returns the agent's conversations to the queue; coming online takes
    /// from it.
    pub async fn set_status(&self, agent_id: UserId, status: Status, reason: Option<String>, metadata: &Metadata) -> Result<(), Error> {
        let changed = self.streams.set_status(agent_id, status, reason.clone(), metadata).await?;
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
        let state = self.streams.agent(agent_id).await?;
        let mut sites = Vec::new();
        let mut written = None;
        for conversation_id in state.held {
            match self.streams.requeue(conversation_id, agent_id, reason, metadata).await {
                Ok(_) | Err(Error::Conversation(_)) => {}
                Err(e) => return Err(e),
            }
            written = self.streams.release_slot(agent_id, conversation_id, "requeued", metadata).await?.or(written);
            sites.extend(self.streams.conversation(conversation_id).await?.site_id);
        }
        sites.sort();
        sites.dedup();
        for site in sites {
            self.drain_after(site, written).await?;
        }
        Ok(())
    }
}
