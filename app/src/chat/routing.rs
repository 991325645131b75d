//! Routing and the queue: what starting, closing, transferring a chat or changing an agent's
//! status does across the conversation's and the agents' streams.
//!
//! Routing reads candidates from the read models (a `ChatView`) but never trusts them: the
//! agent's stream decides capacity and the conversation's stream decides "one agent at a
//! time", each by its expected version. A router that wins the agent's slot but loses the
//! conversation gives the slot back.
//!
//! On a site that asks agents to accept before a chat counts, the router rings the chosen
//! agent instead of assigning: the agent's slot is taken as for an assignment (so ringing
//! never overbooks anybody), the conversation still waits, and it becomes theirs when they
//! accept in time. A ring that times out or is declined gives the slot back and the chat
//! goes to the next candidate by the same rules, without those who let it ring in this
//! round; when nobody else is left, the round ends and the chat waits to ring again at the
//! next offer of the queue (a freed slot, or the queue sweep).

use std::future::Future;

use chrono::{DateTime, Utc};
use commands::chat::ChatStreams;
use commands::Error;
use domain::agent::Status;
use domain::conversation::{self, Decision, Offer, Unanswered};
use domain::routing::{self, Candidate};
use domain::{Actor, CompanyId, ConversationId, Metadata, SiteId, UserId};
use rand::Rng;
use store::{EventStore, Keyring, Position};

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
    /// The candidates, and how long a new chat of the site rings for one of them before it
    /// goes to the next; None (the default): it is theirs at once.
    fn candidates_and_ringing(&self, site: SiteId) -> impl Future<Output = Result<(Vec<Named>, Option<u16>), Error>> + Send {
        async move { Ok((self.candidates(site).await?, None)) }
    }
    /// The time rings are judged at.
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// What offering a conversation did.
enum Offered {
    /// Its agent now (None: nobody is free, it waits).
    Agent(Option<UserId>),
    /// It rings for an agent.
    Rings,
    /// Everybody free let it ring in this round: it waits for the next.
    RoundOver,
}

pub struct Routing<S, V> {
    streams: ChatStreams<S>,
    view: V,
}

fn system(company: Option<CompanyId>, name: &str) -> Metadata {
    Metadata::new(company, Actor::System(name.to_owned()))
}

impl<S: EventStore, V: ChatView> Routing<S, V> {
    pub fn new(store: S, keyring: Keyring, view: V) -> Self {
        Routing { streams: ChatStreams::new(store, keyring), view }
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
    /// or it rings for somebody (it stays queued).
    pub async fn route(&self, conversation_id: ConversationId) -> Result<Option<UserId>, Error> {
        Ok(match self.offer(conversation_id).await? {
            Offered::Agent(agent) => agent,
            Offered::Rings | Offered::RoundOver => None,
        })
    }

    async fn offer(&self, conversation_id: ConversationId) -> Result<Offered, Error> {
        let conv = self.streams.conversation(conversation_id).await?;
        let Some(site) = conv.site_id.filter(|_| conv.started && !conv.closed && conv.agent.is_none()) else {
            return Ok(Offered::Agent(conv.agent));
        };
        if conv.offer.is_some() {
            // It rings: its agent accepts, or the ring sweep moves it on.
            return Ok(Offered::Rings);
        }
        let metadata = system(conv.company_id, "router");
        let (mut named, ringing) = self.view.candidates_and_ringing(site).await?;
        // Who let it ring in this round is not rung again in it.
        named.retain(|n| !conv.passed.iter().any(|p| p.agent_id == n.candidate.user_id));
        for _ in 0..named.len() + 1 {
            let candidates: Vec<Candidate> = named.iter().map(|n| n.candidate.clone()).collect();
            let roll: f64 = rand::thread_rng().gen();
            let Some(i) = routing::choose(&candidates, roll) else {
                if !conv.passed.is_empty() {
                    // Nobody else is left: it waits, and the next offer of the queue rings
                    // every candidate again.
                    self.streams.end_ringing_round(conversation_id, &metadata).await?;
                    return Ok(Offered::RoundOver);
                }
                return Ok(Offered::Agent(None));
            };
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
            if let Some(seconds) = ringing {
                let until = self.view.now() + chrono::Duration::seconds(seconds.into());
                let offer = Offer { agent_id, agent_name: chosen.name.clone(), candidates, roll, until };
                return match self.streams.offer(conversation_id, offer, &metadata).await {
                    Ok(_) => Ok(Offered::Rings),
                    Err(e) => {
                        // Another router rang somebody or assigned it first, or the visitor left.
                        self.streams.release_slot(agent_id, conversation_id, "lost", &metadata).await?;
                        match e {
                            Error::Conversation(_) => Ok(Offered::Agent(self.streams.conversation(conversation_id).await?.agent)),
                            other => Err(other),
                        }
                    }
                };
            }
            let decision = Decision::Routed { candidates, roll };
            return match self.streams.assign(conversation_id, agent_id, chosen.name.clone(), decision, &metadata).await {
                Ok(_) => Ok(Offered::Agent(Some(agent_id))),
                Err(e) => {
                    // Another router got there first, or the visitor left: give the slot back.
                    self.streams.release_slot(agent_id, conversation_id, "lost", &metadata).await?;
                    match e {
                        Error::Conversation(_) => Ok(Offered::Agent(self.streams.conversation(conversation_id).await?.agent)),
                        other => Err(other),
                    }
                }
            };
        }
        Ok(Offered::Agent(None))
    }

    /// Offers the site's waiting conversations, longest-waiting first, while agents are free.
    pub async fn drain(&self, site: SiteId) -> Result<usize, Error> {
        let mut assigned = 0;
        for conversation_id in self.view.waiting(site).await? {
            match self.offer(conversation_id).await? {
                Offered::Agent(Some(_)) => assigned += 1,
                // One that rings waits for its agent's answer; one whose round ended may not
                // use a slot that the next may.
                Offered::Rings | Offered::RoundOver => {}
                Offered::Agent(None) => {
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

    /// Finishes what a process killed half-way left undone for an agent (the queue sweep's
    /// safety net). An agent away or offline who still holds conversations hands them back
    /// to the queue: the process died between the status change and the requeue. An agent's
    /// slots that no conversation uses, taken longer than `abandoned` ago, are given back:
    /// the process died between taking the slot and assigning the conversation, or between
    /// a close, transfer or requeue and the release that follows it (a router still at work
    /// is younger than that, and keeps its slot). The queues concerned are offered again.
    pub async fn recover_agent(&self, agent_id: UserId, abandoned: std::time::Duration) -> Result<(), Error> {
        let state = self.streams.agent(agent_id).await?;
        if state.status != Status::Online {
            let Some(first) = state.held.first() else { return Ok(()) };
            let company = self.streams.conversation(*first).await?.company_id;
            return self.requeue_all(agent_id, state.status.as_str(), &system(company, "sweep")).await;
        }
        let mut taken = std::collections::HashMap::new();
        for event in self.streams.store().read_stream(&domain::agent::stream(agent_id), 0).await? {
            match event.decode_as::<domain::agent::Event>()? {
                domain::agent::Event::ConversationTaken { conversation_id } => {
                    taken.insert(conversation_id, event.recorded_at);
                }
                domain::agent::Event::ConversationReleased { conversation_id, .. } => {
                    taken.remove(&conversation_id);
                }
                domain::agent::Event::StatusChanged { .. } => {}
            }
        }
        let before = chrono::Utc::now() - chrono::Duration::from_std(abandoned).unwrap_or_default();
        for (conversation_id, at) in taken {
            let conv = self.streams.conversation(conversation_id).await?;
            let rings_for_them = conv.offer.as_ref().is_some_and(|o| o.agent_id == agent_id);
            if at > before || (conv.agent == Some(agent_id) && !conv.closed) || rings_for_them {
                continue;
            }
            let released = self.streams.release_slot(agent_id, conversation_id, "abandoned", &system(conv.company_id, "sweep")).await?;
            if let Some(site) = conv.site_id {
                self.drain_after(site, released).await?;
            }
        }
        Ok(())
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
        if let Some(offer) = &conv.offer {
            written = self.streams.release_slot(offer.agent_id, conversation_id, "closed", metadata).await?.or(written);
        }
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
        // A supervisor took it from the agent it rang for: their slot is free again.
        if let Some(offer) = conv.offer.as_ref().filter(|o| o.agent_id != to) {
            let released = self.streams.release_slot(offer.agent_id, conversation_id, "reassigned", metadata).await?;
            self.drain_after(site, released).await?;
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

    /// The rung agent accepts: the conversation is theirs (their slot was held while it rang).
    /// Refused once it rang out; the ring is then ended at once rather than at the sweep.
    pub async fn accept(&self, conversation_id: ConversationId, agent_id: UserId, metadata: &Metadata) -> Result<(), Error> {
        let now = self.view.now();
        match self.streams.accept(conversation_id, agent_id, now, metadata).await {
            Ok(_) => Ok(()),
            Err(e @ Error::Conversation(conversation::Error::RangOut)) => {
                self.end_ring(conversation_id, agent_id, Unanswered::TimedOut, metadata).await?;
                Err(e)
            }
            Err(e) => Err(e),
        }
    }

    /// Ends the ringing for `agent_id` (declined by them, or timed out), gives their slot
    /// back and offers the queue again, so the conversation rings for the next candidate.
    /// Nothing when it no longer rings for them: another process (or the agent's accept)
    /// settled it first, by the conversation's expected version.
    pub async fn end_ring(&self, conversation_id: ConversationId, agent_id: UserId, outcome: Unanswered, metadata: &Metadata) -> Result<(), Error> {
        let ended = self.streams.end_offer(conversation_id, agent_id, outcome, self.view.now(), metadata).await?;
        if ended.events.is_empty() {
            return Ok(());
        }
        let released = self.streams.release_slot(agent_id, conversation_id, outcome.as_str(), metadata).await?;
        if let Some(site) = self.streams.conversation(conversation_id).await?.site_id {
            self.drain_after(site, released.or(ended.position)).await?;
        }
        Ok(())
    }

    async fn requeue_all(&self, agent_id: UserId, reason: &str, metadata: &Metadata) -> Result<(), Error> {
        let state = self.streams.agent(agent_id).await?;
        let mut sites = Vec::new();
        let mut written = None;
        for conversation_id in state.held.iter().copied() {
            let conv = self.streams.conversation(conversation_id).await?;
            if conv.offer.as_ref().is_some_and(|o| o.agent_id == agent_id) {
                // Stepping away declines what rings for them: it goes to the next candidate.
                self.end_ring(conversation_id, agent_id, Unanswered::Declined, metadata).await?;
                continue;
            }
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

#[cfg(test)]
mod tests {
    //! Routing over the in-memory event store and a view that answers like the read models:
    //! its candidates' loads come from the agents' streams, as the agent-load projection's do.

    use std::sync::{Arc, Mutex};

    use domain::agent;
    use domain::site::Priority;
    use domain::VisitorId;
    use store::memory::MemoryEventStore;
    use store::Keyring;

    use super::*;

    type Hook = Box<dyn Fn() -> std::pin::Pin<Box<dyn Future<Output = ()> + Send>> + Send + Sync>;

    /// The site's agents (all online) and its conversations, read like the read models do.
    #[derive(Clone, Default)]
    struct View {
        store: MemoryEventStore,
        agents: Vec<(UserId, u32)>,
        conversations: Arc<Mutex<Vec<ConversationId>>>,
        /// Runs when the router asks for candidates: what another process does meanwhile.
        meanwhile: Arc<Mutex<Option<Hook>>>,
        /// The site's time to accept a chat (None: off).
        ringing: Option<u16>,
    }

    impl ChatView for View {
        async fn candidates(&self, _: SiteId) -> Result<Vec<Named>, Error> {
            let hook = self.meanwhile.lock().unwrap().take();
            if let Some(hook) = hook {
                hook().await;
            }
            let streams = ChatStreams::new(self.store.clone(), Keyring::in_memory());
            let mut named = Vec::new();
            for (i, (user_id, max_chats)) in self.agents.iter().enumerate() {
                let load = streams.agent(*user_id).await?.held.len() as u32;
                let candidate = Candidate { user_id: *user_id, priority: Priority::Normal, weight: 1, load, max_chats: *max_chats };
                named.push(Named { candidate, name: format!("agent {i}") });
            }
            Ok(named)
        }

        async fn waiting(&self, _: SiteId) -> Result<Vec<ConversationId>, Error> {
            let streams = ChatStreams::new(self.store.clone(), Keyring::in_memory());
            let mut waiting = Vec::new();
            let started = self.conversations.lock().unwrap().clone();
            for id in started {
                let c = streams.conversation(id).await?;
                if c.agent.is_none() && !c.closed {
                    waiting.push(id);
                }
            }
            Ok(waiting)
        }

        async fn sites_of(&self, _: UserId) -> Result<Vec<SiteId>, Error> {
            Ok(vec![SITE])
        }

        async fn candidates_and_ringing(&self, site: SiteId) -> Result<(Vec<Named>, Option<u16>), Error> {
            Ok((self.candidates(site).await?, self.ringing))
        }

        async fn caught_up(&self, _: Position) {}
    }

    const SITE: SiteId = SiteId(uuid::Uuid::from_u128(7));
    const COMPANY: CompanyId = CompanyId(uuid::Uuid::from_u128(8));

    fn meta() -> Metadata {
        Metadata::new(Some(COMPANY), Actor::System("test".into()))
    }

    /// A router over agents who are online, each with `max_chats`.
    async fn routing(max_chats: &[u32]) -> (Routing<MemoryEventStore, View>, Vec<UserId>) {
        let store = MemoryEventStore::new();
        let agents: Vec<(UserId, u32)> = max_chats.iter().map(|m| (UserId::new(), *m)).collect();
        let view = View { store: store.clone(), agents: agents.clone(), ..Default::default() };
        let routing = Routing::new(store, Keyring::in_memory(), view);
        for (agent, _) in &agents {
            routing.streams().set_status(*agent, Status::Online, None, &meta()).await.unwrap();
        }
        (routing, agents.into_iter().map(|(a, _)| a).collect())
    }

    async fn visitor_arrives(routing: &Routing<MemoryEventStore, View>) -> ConversationId {
        let id = routing.streams().start(SITE, COMPANY, VisitorId::new(), "https://shop.test/").await.unwrap();
        routing.view().conversations.lock().unwrap().push(id);
        id
    }

    async fn held(routing: &Routing<MemoryEventStore, View>, agent: UserId) -> Vec<ConversationId> {
        routing.streams().agent(agent).await.unwrap().held.iter().copied().collect()
    }

    #[tokio::test]
    async fn a_router_that_wins_the_slot_but_loses_the_conversation_gives_the_slot_back() {
        let (routing, agents) = routing(&[3]).await;
        let (ann, bob) = (agents[0], UserId::new());
        let id = visitor_arrives(&routing).await;
        // While this router reads the candidates, another process gives the conversation to Bob.
        let other = ChatStreams::new(routing.view().store.clone(), Keyring::in_memory());
        *routing.view().meanwhile.lock().unwrap() = Some(Box::new(move || {
            let other = ChatStreams::new(other.store().clone(), Keyring::in_memory());
            Box::pin(async move {
                other.set_status(bob, Status::Online, None, &meta()).await.unwrap();
                other.take_slot(bob, id, 3, &meta()).await.unwrap();
                other.assign(id, bob, "bob".into(), Decision::Routed { candidates: vec![], roll: 0.0 }, &meta()).await.unwrap();
            })
        }));

        assert_eq!(routing.route(id).await.unwrap(), Some(bob), "the conversation's stream has the last word");
        assert!(held(&routing, ann).await.is_empty(), "Ann's slot, taken for a conversation she did not get, is free again");
        let released = routing.view().store.read_stream(&agent::stream(ann), 0).await.unwrap();
        assert!(released.iter().any(|e| matches!(
            e.decode_as::<agent::Event>().unwrap(),
            agent::Event::ConversationReleased { conversation_id, reason } if conversation_id == id && reason == "lost"
        )));
        assert_eq!(held(&routing, bob).await, vec![id]);
    }

    #[tokio::test]
    async fn an_agent_full_on_their_stream_gets_no_more_whatever_the_read_model_says() {
        let (routing, agents) = routing(&[1]).await;
        let ann = agents[0];
        let first = visitor_arrives(&routing).await;
        assert_eq!(routing.route(first).await.unwrap(), Some(ann));
        // A read model that lags behind still shows Ann with a free slot.
        let lagging = View { agents: vec![(ann, 1)], store: MemoryEventStore::new(), ..Default::default() };
        let stale = Routing { streams: ChatStreams::new(routing.view().store.clone(), Keyring::in_memory()), view: lagging };
        let second = visitor_arrives(&routing).await;
        assert_eq!(stale.route(second).await.unwrap(), None, "Ann's stream refuses a second chat: the visitor waits");
        assert_eq!(held(&routing, ann).await, vec![first]);
        assert_eq!(routing.streams().conversation(second).await.unwrap().agent, None);
    }

    #[tokio::test]
    async fn with_nobody_free_a_visitor_waits_and_a_closed_chat_frees_the_slot_for_the_longest_waiting() {
        let (routing, agents) = routing(&[1]).await;
        let ann = agents[0];
        let first = visitor_arrives(&routing).await;
        assert_eq!(routing.route(first).await.unwrap(), Some(ann));
        let second = visitor_arrives(&routing).await;
        let third = visitor_arrives(&routing).await;
        assert_eq!(routing.route(second).await.unwrap(), None, "Ann is full: the visitor waits");
        assert_eq!(routing.route(third).await.unwrap(), None);

        routing.close(first, "agent", &meta()).await.unwrap();
        assert_eq!(held(&routing, ann).await, vec![second], "the longest-waiting visitor takes the freed slot");
        assert_eq!(routing.streams().conversation(third).await.unwrap().agent, None);
    }

    #[tokio::test]
    async fn an_agent_going_away_hands_their_chats_back_and_they_go_to_whoever_is_free() {
        let (routing, agents) = routing(&[2, 2]).await;
        let (ann, bob) = (agents[0], agents[1]);
        routing.set_status(bob, Status::Away, None, &meta()).await.unwrap();
        let one = visitor_arrives(&routing).await;
        let two = visitor_arrives(&routing).await;
        routing.route(one).await.unwrap();
        routing.route(two).await.unwrap();
        assert_eq!(held(&routing, ann).await.len(), 2);

        routing.set_status(bob, Status::Online, None, &meta()).await.unwrap();
        routing.set_status(ann, Status::Away, None, &meta()).await.unwrap();
        assert!(held(&routing, ann).await.is_empty(), "going away frees every slot");
        let mut bobs = held(&routing, bob).await;
        bobs.sort();
        let mut both = vec![one, two];
        both.sort();
        assert_eq!(bobs, both, "both chats were requeued and offered to Bob");
        for id in [one, two] {
            assert_eq!(routing.streams().conversation(id).await.unwrap().agent, Some(bob));
        }
    }

    #[tokio::test]
    async fn a_transfer_needs_the_conversations_own_agent_and_a_free_target() {
        let (routing, agents) = routing(&[1, 1]).await;
        let one = visitor_arrives(&routing).await;
        let holder = routing.route(one).await.unwrap().unwrap();
        let other = *agents.iter().find(|a| **a != holder).unwrap();
        let not_yours = routing.hand_over(one, holder, Decision::Transferred { from: other }, &meta()).await.unwrap_err();
        assert!(matches!(not_yours, Error::Conversation(conversation::Error::NotYours)), "{not_yours:?}");

        routing.hand_over(one, other, Decision::Transferred { from: holder }, &meta()).await.unwrap();
        assert!(held(&routing, holder).await.is_empty());
        assert_eq!(held(&routing, other).await, vec![one]);
        // Now the other is full: handing another chat to them is refused, nothing moves.
        let two = visitor_arrives(&routing).await;
        assert_eq!(routing.route(two).await.unwrap(), Some(holder));
        let full = routing.hand_over(two, other, Decision::Transferred { from: holder }, &meta()).await.unwrap_err();
        assert!(matches!(full, Error::NoAgentAvailable), "{full:?}");
        assert_eq!(held(&routing, holder).await, vec![two]);
    }

    #[tokio::test]
    async fn the_sweep_gives_back_a_slot_a_killed_router_took_and_requeues_what_an_absent_agent_held() {
        let (routing, agents) = routing(&[1]).await;
        let ann = agents[0];
        // A router took Ann's only slot and died before assigning the conversation.
        let first = visitor_arrives(&routing).await;
        routing.streams().take_slot(ann, first, 1, &meta()).await.unwrap();
        let second = visitor_arrives(&routing).await;
        assert_eq!(routing.route(second).await.unwrap(), None, "the leaked slot keeps Ann full");
        // A router still at work keeps its slot; one older than the delay has died.
        routing.recover_agent(ann, std::time::Duration::from_secs(3600)).await.unwrap();
        assert_eq!(held(&routing, ann).await, vec![first]);
        routing.recover_agent(ann, std::time::Duration::ZERO).await.unwrap();
        assert_eq!(held(&routing, ann).await, vec![first], "the freed slot went to the longest-waiting visitor");
        assert_eq!(routing.streams().conversation(first).await.unwrap().agent, Some(ann));

        // Ann went away and the process died before handing her chat back.
        routing.streams().set_status(ann, Status::Away, None, &meta()).await.unwrap();
        routing.recover_agent(ann, std::time::Duration::ZERO).await.unwrap();
        assert!(held(&routing, ann).await.is_empty());
        assert_eq!(routing.streams().conversation(first).await.unwrap().agent, None, "back in the queue");
    }

    /// A router over agents who are online, on a site where chats ring for 30 seconds.
    async fn ringing(max_chats: &[u32]) -> (Routing<MemoryEventStore, View>, Vec<UserId>) {
        let (mut routing, agents) = routing(max_chats).await;
        routing.view.ringing = Some(30);
        (routing, agents)
    }

    async fn rings_for(routing: &Routing<MemoryEventStore, View>, id: ConversationId) -> Option<UserId> {
        routing.streams().conversation(id).await.unwrap().offer.as_ref().map(|o| o.agent_id)
    }

    #[tokio::test]
    async fn a_ring_holds_the_slot_a_decline_rings_the_next_and_with_nobody_left_the_round_ends() {
        let (routing, agents) = ringing(&[1, 1]).await;
        let id = visitor_arrives(&routing).await;
        assert_eq!(routing.route(id).await.unwrap(), None, "it rings: nobody's yet");
        let first = rings_for(&routing, id).await.unwrap();
        let second = *agents.iter().find(|a| **a != first).unwrap();
        assert_eq!(held(&routing, first).await, vec![id], "the ring holds the slot");
        assert_eq!(routing.streams().conversation(id).await.unwrap().agent, None);
        // Offered again (a drain, another process) it keeps ringing for the same agent.
        routing.drain(SITE).await.unwrap();
        assert_eq!(rings_for(&routing, id).await, Some(first));

        routing.end_ring(id, first, Unanswered::Declined, &meta()).await.unwrap();
        assert!(held(&routing, first).await.is_empty());
        assert_eq!(rings_for(&routing, id).await, Some(second), "the next candidate");
        routing.end_ring(id, second, Unanswered::Declined, &meta()).await.unwrap();
        let conv = routing.streams().conversation(id).await.unwrap();
        assert_eq!((conv.offer.is_none(), conv.passed.is_empty()), (true, true), "nobody left: the round ended, it waits");
        assert!(held(&routing, first).await.is_empty() && held(&routing, second).await.is_empty());
        // The next offer of the queue rings again, and an accept makes it theirs.
        routing.drain(SITE).await.unwrap();
        let again = rings_for(&routing, id).await.unwrap();
        routing.accept(id, again, &meta()).await.unwrap();
        assert_eq!(routing.streams().conversation(id).await.unwrap().agent, Some(again));
        assert_eq!(held(&routing, again).await, vec![id]);
    }

    #[tokio::test]
    async fn a_ring_ended_by_the_visitor_or_a_supervisor_gives_the_slot_back() {
        let (routing, agents) = ringing(&[1]).await;
        let ann = agents[0];
        let one = visitor_arrives(&routing).await;
        routing.route(one).await.unwrap();
        let two = visitor_arrives(&routing).await;
        assert_eq!(routing.route(two).await.unwrap(), None);
        assert_eq!(rings_for(&routing, two).await, None, "Ann's one slot is held by the first ring");
        // The visitor leaves while it rings: Ann's slot goes to the next visitor.
        routing.close(one, "visitor", &meta()).await.unwrap();
        assert_eq!(held(&routing, ann).await, vec![two]);
        assert_eq!(rings_for(&routing, two).await, Some(ann));
        // A supervisor gives the ringing chat to Bob: Ann's slot is free again.
        let bob = UserId::new();
        let other = ChatStreams::new(routing.view().store.clone(), Keyring::in_memory());
        other.set_status(bob, Status::Online, None, &meta()).await.unwrap();
        let decision = Decision::Reassigned { supervisor: UserId::new(), from: None };
        let mut view = routing.view().clone();
        view.agents.push((bob, 3));
        let board = Routing { streams: ChatStreams::new(routing.view().store.clone(), Keyring::in_memory()), view };
        board.hand_over(two, bob, decision, &meta()).await.unwrap();
        assert!(held(&routing, ann).await.is_empty());
        assert_eq!(routing.streams().conversation(two).await.unwrap().agent, Some(bob));
    }
}
