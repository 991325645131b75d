//! Live chat's streams: conversations and agents' loads, one command on one stream each.
//! Routing, which takes an agent's slot and then the conversation (and gives the slot back
//! when it loses the conversation), is a use case of the `app` crate built from these.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use domain::agent::{self, Agent, Status};
use domain::conversation::{self, Conversation, Decision, Sender};
use domain::visitor::{self, Visitor};
use domain::visitor_details::VisitorDetails;
use domain::EventPayload;
use domain::{Actor, CompanyId, ConversationId, Metadata, SiteId, UserId, VisitorId};
use store::{EventStore, Keyring, Position, Sealer};
use uuid::Uuid;

use crate::{execute, execute_cached, execute_sealed, load_cached, Error, Outcome, StateCache};

/// The conversation and agent streams, with the last state this process saw of each.
pub struct ChatStreams<S> {
    store: S,
    // Seals what visitors (and agents, to them) write with the visitor's key.
    keyring: Keyring,
    // A busy agent's stream grows by two events per chat and a conversation's by one per
    // message: folding them from the start for every command would grow with them.
    agents: Arc<StateCache<agent::State>>,
    conversations: Arc<StateCache<conversation::State>>,
}

/// A stored message: its place in the conversation, the event as stored (text trimmed),
/// and whether it was a repeat of one stored before.
#[derive(Debug, Clone)]
pub struct Posted {
    pub seq: u64,
    pub event: conversation::Event,
    pub at: DateTime<Utc>,
    pub duplicate: bool,
    pub position: Option<Position>,
}

impl<S: EventStore> ChatStreams<S> {
    pub fn new(store: S, keyring: Keyring) -> Self {
        ChatStreams { store, keyring, agents: StateCache::new(), conversations: StateCache::new() }
    }

    pub fn store(&self) -> &S {
        &self.store
    }

    /// A command that writes no personal data.
    async fn on_conversation(
        &self,
        id: ConversationId,
        command: &conversation::Command,
        metadata: &Metadata,
    ) -> Result<Outcome<conversation::Event>, Error> {
        self.on_conversation_sealed(id, command, metadata, None).await
    }

    async fn on_conversation_sealed(
        &self,
        id: ConversationId,
        command: &conversation::Command,
        metadata: &Metadata,
        sealer: Option<&Sealer>,
    ) -> Result<Outcome<conversation::Event>, Error> {
        let stream = conversation::stream(id);
        execute_sealed::<Conversation, S>(&self.store, &stream, command, metadata, Some(&self.conversations), sealer).await
    }

    async fn on_agent(&self, id: UserId, command: &agent::Command, metadata: &Metadata) -> Result<Outcome<agent::Event>, Error> {
        execute_cached::<Agent, S>(&self.store, &agent::stream(id), command, metadata, Some(&self.agents)).await
    }

    /// A new conversation for a visitor, waiting for an agent.
    pub async fn start(&self, site_id: SiteId, company_id: CompanyId, visitor_id: VisitorId, page_url: &str) -> Result<ConversationId, Error> {
        let conversation_id = ConversationId::new();
        let command = conversation::Command::Start {
            conversation_id,
            site_id,
            company_id,
            visitor_id,
            page_url: page_url.to_owned(),
            visitor: VisitorDetails::default(),
        };
        let metadata = Metadata::new(Some(company_id), Actor::Visitor(visitor_id.0));
        let sealer = self.keyring.sealer(company_id, visitor_id).await?;
        self.on_conversation_sealed(conversation_id, &command, &metadata, Some(&sealer)).await?;
        Ok(conversation_id)
    }

    /// A visitor's first message and the conversation it starts, in one append: a failure
    /// leaves neither.
    #[allow(clippy::too_many_arguments)]
    pub async fn start_with_message(
        &self,
        site_id: SiteId,
        company_id: CompanyId,
        visitor_id: VisitorId,
        page_url: &str,
        visitor: &VisitorDetails,
        client_id: Uuid,
        text: &str,
    ) -> Result<(ConversationId, Posted), Error> {
        let conversation_id = ConversationId::new();
        let command = conversation::Command::StartWithMessage {
            conversation_id,
            site_id,
            company_id,
            visitor_id,
            page_url: page_url.to_owned(),
            visitor: visitor.clone(),
            client_id,
            text: text.to_owned(),
        };
        let metadata = Metadata::new(Some(company_id), Actor::Visitor(visitor_id.0));
        let sealer = self.keyring.sealer(company_id, visitor_id).await?;
        let outcome = self.on_conversation_sealed(conversation_id, &command, &metadata, Some(&sealer)).await?;
        let (Some(seq), Some(event)) = (outcome.version, outcome.events.into_iter().last()) else { return Err(Error::NotFound) };
        Ok((conversation_id, Posted { seq, event, at: Utc::now(), duplicate: false, position: outcome.position }))
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
        let command = conversation::Command::PostMessage { client_id, from, text: text.to_owned() };
        self.record(conversation_id, command, client_id, metadata).await
    }

    /// Stores an internal note once, however often it is sent with the same `note_id`.
    pub async fn add_note(
        &self,
        conversation_id: ConversationId,
        (author_id, author_name): (UserId, &str),
        note_id: Uuid,
        text: &str,
        supervising: bool,
        metadata: &Metadata,
    ) -> Result<Posted, Error> {
        let command = conversation::Command::AddNote { note_id, author_id, author_name: author_name.to_owned(), text: text.to_owned(), supervising };
        self.record(conversation_id, command, note_id, metadata).await
    }

    /// Stores what `command` says (a message or a note, identified by `id`) once.
    async fn record(&self, conversation_id: ConversationId, command: conversation::Command, id: Uuid, metadata: &Metadata) -> Result<Posted, Error> {
        // Sealed with the key of the conversation's visitor (who never changes: a state this
        // process saw will do); a conversation that does not exist is refused by its decider.
        let state = match self.conversations.get(&conversation::stream(conversation_id)) {
            Some((_, state)) if state.visitor_id.is_some() => state,
            _ => self.conversation(conversation_id).await?,
        };
        let sealer = match (state.company_id, state.visitor_id) {
            (Some(company), Some(visitor)) => Some(self.keyring.sealer(company, visitor).await?),
            _ => None,
        };
        let outcome = self.on_conversation_sealed(conversation_id, &command, metadata, sealer.as_ref()).await?;
        if let (Some(position), Some(seq), Some(event)) = (outcome.position, outcome.version, outcome.events.into_iter().next()) {
            return Ok(Posted { seq, event, at: Utc::now(), duplicate: false, position: Some(position) });
        }
        // A repeat: the stored one.
        for stored in self.store.read_stream(&conversation::stream(conversation_id), 0).await?.iter().rev() {
            let mut event = stored.decode_as::<conversation::Event>()?;
            let same = match &event {
                conversation::Event::MessagePosted { client_id, .. } | conversation::Event::NoteAdded { note_id: client_id, .. } => *client_id == id,
                _ => false,
            };
            if same {
                self.keyring.open(event.personal_mut()).await?;
                return Ok(Posted { seq: stored.version, event, at: stored.occurred_at, duplicate: true, position: None });
            }
        }
        Err(Error::NotFound)
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
        visitor: &VisitorDetails,
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
            visitor: visitor.clone(),
        };
        let metadata = Metadata::new(Some(company_id), Actor::Visitor(visitor_id.0));
        let sealer = self.keyring.sealer(company_id, visitor_id).await?;
        self.on_conversation_sealed(conversation_id, &command, &metadata, Some(&sealer)).await?;
        Ok(conversation_id)
    }

    /// An agent's answer to an offline message, to be mailed to the visitor (sealed with
    /// their key); the same `answer_id` again is stored once.
    pub async fn answer_by_email(
        &self,
        id: ConversationId,
        answer_id: Uuid,
        (agent_id, agent_name): (UserId, &str),
        text: &str,
        metadata: &Metadata,
    ) -> Result<Outcome<conversation::Event>, Error> {
        let state = self.conversation(id).await?;
        let (Some(company), Some(visitor)) = (state.company_id, state.visitor_id) else { return Err(conversation::Error::NotFound.into()) };
        let command = conversation::Command::AnswerByEmail { answer_id, agent_id, agent_name: agent_name.to_owned(), text: text.to_owned() };
        let sealer = self.keyring.sealer(company, visitor).await?;
        self.on_conversation_sealed(id, &command, metadata, Some(&sealer)).await
    }

    /// The visitor of an open conversation is on another page (sealed with their key).
    pub async fn note_page(
        &self,
        id: ConversationId,
        company_id: CompanyId,
        visitor_id: VisitorId,
        page_url: &str,
    ) -> Result<Outcome<conversation::Event>, Error> {
        let command = conversation::Command::NotePage { page_url: page_url.to_owned() };
        let metadata = Metadata::new(Some(company_id), Actor::Visitor(visitor_id.0));
        let sealer = self.keyring.sealer(company_id, visitor_id).await?;
        self.on_conversation_sealed(id, &command, &metadata, Some(&sealer)).await
    }

    /// Erases the visitor's personal data: destroys their keys, then records who did it.
    /// In that order, so that nothing sealed with a key still alive can follow the record;
    /// if the process dies in between, the keys are gone and erasing again records it.
    pub async fn erase_visitor(&self, company_id: CompanyId, visitor_id: VisitorId, metadata: &Metadata) -> Result<Outcome<visitor::Event>, Error> {
        let keys = self.keyring.erase_visitor(company_id, visitor_id).await?;
        let command = visitor::Command::RecordErasure { company_id, visitor_id, keys };
        execute::<Visitor, S>(&self.store, &visitor::stream(visitor_id), &command, metadata).await
    }

    /// Gives the conversation to `agent_id` (one agent at a time: the conversation's stream decides).
    pub async fn assign(
        &self,
        id: ConversationId,
        agent_id: UserId,
        agent_name: String,
        decision: Decision,
        metadata: &Metadata,
    ) -> Result<Outcome<conversation::Event>, Error> {
        self.on_conversation(id, &conversation::Command::Assign { agent_id, agent_name, decision }, metadata).await
    }

    /// Rings an agent for the conversation, whose slot the caller took for it.
    pub async fn offer(&self, id: ConversationId, offer: conversation::Offer, metadata: &Metadata) -> Result<Outcome<conversation::Event>, Error> {
        self.on_conversation(id, &conversation::Command::Offer { offer }, metadata).await
    }

    /// The rung agent takes the conversation, if it still rings for them at `now`.
    pub async fn accept(
        &self,
        id: ConversationId,
        agent_id: UserId,
        now: DateTime<Utc>,
        metadata: &Metadata,
    ) -> Result<Outcome<conversation::Event>, Error> {
        self.on_conversation(id, &conversation::Command::Accept { agent_id, now }, metadata).await
    }

    /// Ends the ringing for `agent_id` (declined, or timed out by `now`); no event when it
    /// no longer rang for them (another process ended it first).
    pub async fn end_offer(
        &self,
        id: ConversationId,
        agent_id: UserId,
        outcome: conversation::Unanswered,
        now: DateTime<Utc>,
        metadata: &Metadata,
    ) -> Result<Outcome<conversation::Event>, Error> {
        self.on_conversation(id, &conversation::Command::EndOffer { agent_id, outcome, now }, metadata).await
    }

    /// Every candidate let it ring: the next round may ring them all again.
    pub async fn end_ringing_round(&self, id: ConversationId, metadata: &Metadata) -> Result<Outcome<conversation::Event>, Error> {
        self.on_conversation(id, &conversation::Command::EndRingingRound, metadata).await
    }

    /// Puts the conversation back in its site's queue.
    pub async fn requeue(&self, id: ConversationId, from: UserId, reason: &str, metadata: &Metadata) -> Result<Outcome<conversation::Event>, Error> {
        self.on_conversation(id, &conversation::Command::Requeue { from, reason: reason.to_owned() }, metadata).await
    }

    pub async fn close(&self, id: ConversationId, by: &str, metadata: &Metadata) -> Result<Outcome<conversation::Event>, Error> {
        self.on_conversation(id, &conversation::Command::Close { by: by.to_owned() }, metadata).await
    }

    /// Takes one of the agent's slots for the conversation; refused when the agent is full
    /// or not online (the agent's stream decides, by its expected version).
    pub async fn take_slot(
        &self,
        agent_id: UserId,
        conversation_id: ConversationId,
        max_chats: u32,
        metadata: &Metadata,
    ) -> Result<Outcome<agent::Event>, Error> {
        self.on_agent(agent_id, &agent::Command::TakeConversation { conversation_id, max_chats }, metadata).await
    }

    /// Frees the agent's slot; the position of the release, when there was one.
    pub async fn release_slot(
        &self,
        agent_id: UserId,
        conversation_id: ConversationId,
        reason: &str,
        metadata: &Metadata,
    ) -> Result<Option<Position>, Error> {
        let command = agent::Command::ReleaseConversation { conversation_id, reason: reason.to_owned() };
        Ok(self.on_agent(agent_id, &command, metadata).await?.position)
    }

    pub async fn set_status(
        &self,
        agent_id: UserId,
        status: Status,
        reason: Option<String>,
        metadata: &Metadata,
    ) -> Result<Outcome<agent::Event>, Error> {
        self.on_agent(agent_id, &agent::Command::SetStatus { status, reason }, metadata).await
    }

    /// The visitor's rating of their ended chat (the comment sealed with their key).
    pub async fn rate(
        &self,
        id: ConversationId,
        rating: conversation::Rating,
        comment: &str,
        metadata: &Metadata,
    ) -> Result<Outcome<conversation::Event>, Error> {
        let command = conversation::Command::Rate { rating, comment: comment.to_owned() };
        self.on_visitor_sealed(id, &command, metadata).await
    }

    /// An address the visitor typed in the conversation, recorded once.
    pub async fn give_email(&self, id: ConversationId, email: &str, metadata: &Metadata) -> Result<Outcome<conversation::Event>, Error> {
        let command = conversation::Command::GiveEmail { email: email.to_owned(), given: self.given_emails(id).await? };
        self.on_visitor_sealed(id, &command, metadata).await
    }

    /// A copy of the conversation, mailed by the transcript mailer to `email`, which must be
    /// an address the visitor gave in it.
    pub async fn request_transcript(
        &self,
        id: ConversationId,
        request_id: Uuid,
        email: &str,
        metadata: &Metadata,
    ) -> Result<Outcome<conversation::Event>, Error> {
        let command = conversation::Command::RequestTranscript { request_id, email: email.to_owned(), given: self.given_emails(id).await? };
        self.on_visitor_sealed(id, &command, metadata).await
    }

    /// The addresses the visitor gave in the conversation, opened with their key: the
    /// decider compares plain text, and the log holds them sealed.
    async fn given_emails(&self, id: ConversationId) -> Result<Vec<String>, Error> {
        let mut given = Vec::new();
        for stored in self.store.read_stream(&conversation::stream(id), 0).await?.iter() {
            match stored.decode_as::<conversation::Event>()? {
                conversation::Event::VisitorGaveEmail { email } | conversation::Event::OfflineMessageLeft { email, .. } => given.push(email),
                // Typed in the site's pre-chat form, before the chat.
                conversation::Event::ConversationStarted { visitor, .. } => given.extend(visitor.given.map(|g| g.email)),
                _ => {}
            }
        }
        self.keyring.open(given.iter_mut()).await?;
        Ok(given.iter().filter_map(|e| e.text().map(str::to_owned)).collect())
    }

    /// A command of the conversation's visitor, sealed with their key.
    async fn on_visitor_sealed(
        &self,
        id: ConversationId,
        command: &conversation::Command,
        metadata: &Metadata,
    ) -> Result<Outcome<conversation::Event>, Error> {
        let state = self.conversation(id).await?;
        let (Some(company), Some(visitor)) = (state.company_id, state.visitor_id) else { return Err(conversation::Error::NotFound.into()) };
        let sealer = self.keyring.sealer(company, visitor).await?;
        self.on_conversation_sealed(id, command, metadata, Some(&sealer)).await
    }

    /// The state of a conversation (the log's word, not a read model's).
    pub async fn conversation(&self, conversation_id: ConversationId) -> Result<Arc<conversation::State>, Error> {
        Ok(load_cached::<Conversation, S>(&self.store, &conversation::stream(conversation_id), Some(&self.conversations)).await?.0)
    }

    pub async fn agent(&self, agent_id: UserId) -> Result<Arc<agent::State>, Error> {
        Ok(load_cached::<Agent, S>(&self.store, &agent::stream(agent_id), Some(&self.agents)).await?.0)
    }
}
