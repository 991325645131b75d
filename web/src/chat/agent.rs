//! The agent console's socket: `GET /console/ws` (see docs/chat-protocol.md).

use std::collections::HashMap;
use std::time::Duration;

use app::auth::Session;
use app::chat::typing::Typing;
use axum::extract::ws::{Message as WsMessage, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use domain::agent::Status;
use domain::company::Role;
use domain::conversation::{self, Decision, Sender};
use domain::{ConversationId, Event, Metadata, UserId};
use tokio::sync::mpsc;

use super::hub::{Interest, Notice, Outbox, Registration};
use super::protocol::{parse_frame, ConsoleConversation, ErrorFrame, FromAgent, Message, ToAgent, TransferTarget, VisitorRef};
use super::{send_all, READ_LIMIT};
use crate::auth::User;
use crate::error::AppError;
use crate::Web;

/// Same origin only: a console socket carries the session cookie.
pub fn same_origin(headers: &HeaderMap) -> bool {
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    let origin = headers.get(header::ORIGIN).and_then(|o| o.to_str().ok());
    match (host, origin) {
        (Some(host), Some(origin)) => origin.split_once("://").map(|(_, rest)| rest) == Some(host),
        _ => false,
    }
}

pub async fn upgrade(State(web): State<Web>, session: Result<User, AppError>, headers: HeaderMap, ws: WebSocketUpgrade) -> Response {
    let Ok(User(session)) = session else { return StatusCode::UNAUTHORIZED.into_response() };
    if !session.has_role(Role::Agent) {
        return StatusCode::FORBIDDEN.into_response();
    }
    if !same_origin(&headers) {
        return (StatusCode::FORBIDDEN, "cross-origin console sockets are refused").into_response();
    }
    // The socket outlives the request: its messages keep the request's reader.
    let reader = locale::reader();
    ws.max_message_size(READ_LIMIT)
        .max_frame_size(READ_LIMIT)
        .on_upgrade(move |socket| locale::scope(reader, AgentSocket::new(web, session).run(socket)))
}

fn error(code: &str, message: &str) -> ToAgent {
    ToAgent::Error(ErrorFrame::new(code, message))
}

fn refused(e: impl Into<AppError>) -> ToAgent {
    ToAgent::Error(ErrorFrame::refused(e))
}

struct Held {
    _registration: Registration,
    /// Highest message seq sent for this conversation.
    sent: u64,
}

struct AgentSocket {
    web: Web,
    me: UserId,
    name: String,
    session: Session,
    held: HashMap<ConversationId, Held>,
    /// Conversations ringing for me, followed until they stop ringing.
    ringing: HashMap<ConversationId, Registration>,
    outbox: Outbox,
    inbox: mpsc::Receiver<Notice>,
    _registrations: Vec<Registration>,
    /// The status the last `state` frame told, so that a change this socket made is not told twice.
    status_sent: Option<Status>,
    /// When to tell the queues again after a site changed.
    site_due: Option<tokio::time::Instant>,
}

/// How often a console that lost notices (it was too slow) reads the log for them.
const RESYNC: Duration = Duration::from_secs(5);

impl AgentSocket {
    fn new(web: Web, session: Session) -> Self {
        let (outbox, inbox) = Outbox::new();
        AgentSocket {
            web,
            me: session.user.user_id,
            name: session.signature(),
            session,
            held: HashMap::new(),
            ringing: HashMap::new(),
            outbox,
            inbox,
            _registrations: Vec::new(),
            status_sent: None,
            site_due: None,
        }
    }

    fn metadata(&self) -> Metadata {
        self.session.metadata()
    }

    async fn run(mut self, mut socket: WebSocket) {
        let connection = self.web.presence.connected(&self.web, self.me).await;
        self.serve(&mut socket).await;
        self.web.presence.disconnected(&self.web, connection).await;
    }

    async fn serve(&mut self, socket: &mut WebSocket) {
        self._registrations.push(self.web.hub().register(Interest::Agent(self.me), self.outbox.clone()));
        for site in app::chat::sites_of_agent(&self.web, self.me).await.unwrap_or_default() {
            self._registrations.push(self.web.hub().register(Interest::Site(site), self.outbox.clone()));
        }
        let mut ping = tokio::time::interval(Duration::from_secs(25));
        let mut resync = tokio::time::interval(RESYNC);
        resync.reset();
        let mut recheck = tokio::time::interval(super::RECHECK);
        loop {
            let frames = tokio::select! {
                text = super::next_text(socket) => {
                    let Some(text) = text else { return };
                    match parse_frame::<FromAgent>(&text) {
                        Ok(frame) => self.handle(frame).await,
                        Err(refused) => vec![ToAgent::Error(refused)],
                    }
                }
                notice = self.inbox.recv() => {
                    let Some(notice) = notice else { return };
                    self.on_notice(notice).await
                }
                _ = ping.tick() => {
                    if socket.send(WsMessage::Ping(Vec::new().into())).await.is_err() {
                        return;
                    }
                    vec![]
                }
                _ = resync.tick() => {
                    // Only after losing notices (checked here: a select! condition is
                    // evaluated on every turn, and asking clears the flag).
                    if self.outbox.lost_any() { self.resync().await } else { vec![] }
                }
                _ = recheck.tick() => {
                    if let Some((code, reason)) = super::revoked(&self.web, &self.session, Role::Agent).await {
                        super::close_socket(socket, code, reason).await;
                        return;
                    }
                    vec![]
                }
                _ = super::sleep_until(self.site_due), if self.site_due.is_some() => {
                    self.site_due = None;
                    vec![ToAgent::Queues { queues: self.queues().await }]
                }
            };
            if send_all(socket, &frames).await.is_err() {
                return;
            }
        }
    }

    async fn handle(&mut self, frame: FromAgent) -> Vec<ToAgent> {
        match frame {
            FromAgent::Hello { last_seen } => {
                let mut frames = vec![self.state(&last_seen).await];
                frames.extend(self.rings().await);
                frames
            }
            FromAgent::Status { status } => {
                let status: Status = match status.parse() {
                    Ok(s) => s,
                    Err(_) => return vec![error("invalid_status", &locale::t!("chat-error-unknown-status", status = status.as_str()))],
                };
                match self.web.chat.set_status(self.me, status, None, &self.metadata()).await {
                    Ok(()) => vec![self.state(&HashMap::new()).await],
                    Err(e) => vec![refused(e)],
                }
            }
            FromAgent::Message { conversation_id, client_id, text } => {
                let from = Sender::Agent { user_id: self.me, name: self.name.clone() };
                let posted = self.web.chat.streams().post(conversation_id, from, client_id, &text, &self.metadata()).await;
                self.acknowledged(conversation_id, client_id, posted)
            }
            FromAgent::Note { conversation_id, client_id, text } => {
                let streams = self.web.chat.streams();
                let posted = streams.add_note(conversation_id, (self.me, &self.name), client_id, &text, false, &self.metadata()).await;
                self.acknowledged(conversation_id, client_id, posted)
            }
            FromAgent::Typing { conversation_id, typing } => {
                if self.held.contains_key(&conversation_id) {
                    app::chat::typing::send(&self.web, &Typing { conversation_id, from: "agent".into(), typing }).await;
                }
                vec![]
            }
            FromAgent::Close { conversation_id } => {
                if !self.holds(conversation_id).await {
                    return vec![error("not_assigned", &locale::t!("chat-error-not-assigned"))];
                }
                match self.web.chat.close(conversation_id, "agent", &self.metadata()).await {
                    Ok(()) => vec![],
                    Err(e) => vec![refused(e)],
                }
            }
            FromAgent::Transfer { conversation_id, to } => {
                match self.web.chat.hand_over(conversation_id, to, Decision::Transferred { from: self.me }, &self.metadata()).await {
                    Ok(()) => vec![],
                    Err(e) => vec![refused(e)],
                }
            }
            FromAgent::Agents { conversation_id } => vec![self.transfer_targets(conversation_id).await],
            FromAgent::Accept { conversation_id } => match self.web.chat.accept(conversation_id, self.me, &self.metadata()).await {
                // The conversation itself follows with its assignment's notice.
                Ok(()) => self.ring_ended(conversation_id, "accepted"),
                Err(e) => vec![refused(e)],
            },
            FromAgent::Decline { conversation_id } => {
                match self.web.chat.end_ring(conversation_id, self.me, conversation::Unanswered::Declined, &self.metadata()).await {
                    Ok(()) => self.ring_ended(conversation_id, "declined"),
                    Err(e) => vec![refused(e)],
                }
            }
        }
    }

    /// The conversations ringing for me, from the log (their deadlines by the server's clock).
    async fn rings(&mut self) -> Vec<ToAgent> {
        let Ok(agent) = self.web.chat.streams().agent(self.me).await else { return vec![] };
        let mut frames = Vec::new();
        for id in agent.held.iter().copied() {
            if let Ok(conv) = self.web.chat.streams().conversation(id).await {
                if let Some(offer) = conv.offer.as_ref().filter(|o| o.agent_id == self.me && !conv.closed) {
                    frames.extend(self.ring(id, offer).await);
                }
            }
        }
        frames
    }

    /// What the console shows of a conversation ringing for me; followed from now on, so
    /// that its end (accepted, closed, taken) is told.
    async fn ring(&mut self, id: ConversationId, offer: &conversation::Offer) -> Option<ToAgent> {
        let now = app::chat::routing::ChatView::now(self.web.chat.view());
        let remaining_ms = (offer.until - now).num_milliseconds();
        if remaining_ms <= 0 {
            return None; // rang out: the ring sweep moves it on
        }
        self.ringing.entry(id).or_insert_with(|| self.web.hub().register(Interest::Conversation(id), self.outbox.clone()));
        let row = app::chat::conversation_row(&self.web, id).await.ok().flatten();
        Some(ToAgent::Ringing {
            conversation_id: id,
            site: row.as_ref().map(|r| r.site.clone()).unwrap_or_default(),
            visitor: row.as_ref().map(|r| VisitorRef::of(r, &[]).label).unwrap_or_else(|| locale::t!("chat-visitor")),
            preview: row.map(|r| r.preview).unwrap_or_default(),
            remaining_ms,
        })
    }

    /// Told once, however many notices say it.
    fn ring_ended(&mut self, id: ConversationId, reason: &'static str) -> Vec<ToAgent> {
        match self.ringing.remove(&id) {
            Some(_) => vec![ToAgent::RingEnded { conversation_id: id, reason }],
            None => vec![],
        }
    }

    /// The `ack` of a message or note once stored, handed at once to this process's sockets
    /// (a repeat of one stored before was handed then); else the refusal.
    fn acknowledged(
        &self,
        conversation_id: ConversationId,
        client_id: uuid::Uuid,
        posted: Result<commands::chat::Posted, commands::Error>,
    ) -> Vec<ToAgent> {
        match posted {
            Ok(posted) => {
                let ack = ToAgent::Ack { conversation_id, client_id, seq: posted.seq };
                self.web.publish_new(conversation_id, posted);
                vec![ack]
            }
            Err(e) => vec![refused(e)],
        }
    }

    /// What a lost notice would have told (a busy server drops notices for a socket that
    /// cannot keep up): conversations assigned meanwhile, and messages of held ones.
    async fn resync(&mut self) -> Vec<ToAgent> {
        let Ok(agent) = self.web.chat.streams().agent(self.me).await else { return vec![] };
        let mut frames = Vec::new();
        for id in agent.held.iter().copied() {
            if !self.held.contains_key(&id) && self.holds(id).await {
                frames.extend(self.follow(id, 0).await.map(|c| ToAgent::Conversation(Box::new(c))));
            }
        }
        for (id, held) in self.held.iter_mut() {
            frames.extend(self.web.messages_after(*id, true, &mut held.sent).await.into_iter().map(ToAgent::Message));
        }
        frames
    }

    /// The conversation's own stream says who answers it: the agent's stream also lists a
    /// conversation a router took a slot for but then lost to another router, until it gives
    /// the slot back.
    async fn holds(&self, conversation_id: ConversationId) -> bool {
        self.web.chat.streams().conversation(conversation_id).await.is_ok_and(|c| c.agent == Some(self.me) && !c.closed)
    }

    /// The online agents of the conversation's site with a free slot, other than me.
    async fn transfer_targets(&self, conversation_id: ConversationId) -> ToAgent {
        let site = match self.web.chat.streams().conversation(conversation_id).await {
            Ok(c) if c.agent == Some(self.me) => c.site_id,
            _ => return error("not_assigned", &locale::t!("chat-error-not-assigned")),
        };
        let candidates = match site {
            Some(site) => app::chat::routing::ChatView::candidates(self.web.chat.view(), site).await.unwrap_or_default(),
            None => Vec::new(),
        };
        let agents = candidates
            .into_iter()
            .filter(|n| n.candidate.user_id != self.me && n.candidate.has_free_slot())
            .map(|n| TransferTarget { user_id: n.candidate.user_id, name: n.name, load: n.candidate.load, max_chats: n.candidate.max_chats })
            .collect();
        ToAgent::Agents { conversation_id, agents }
    }

    /// Everything the console shows, from the log (held conversations, status) and the read
    /// models (their details, the queues).
    async fn state(&mut self, last_seen: &HashMap<ConversationId, u64>) -> ToAgent {
        let agent = self.web.chat.streams().agent(self.me).await.unwrap_or_default();
        let mut mine = Vec::new();
        for id in agent.held.iter().copied() {
            if self.holds(id).await {
                mine.push(id);
            }
        }
        let mut conversations = Vec::new();
        for id in mine.iter().copied() {
            conversations.extend(self.follow(id, last_seen.get(&id).copied().unwrap_or(0)).await);
        }
        self.held.retain(|id, _| mine.contains(id));
        self.status_sent = Some(agent.status);
        let max_chats = app::chat::max_chats(&self.web, &self.session).await.unwrap_or(0);
        ToAgent::State { status: agent.status.as_str(), max_chats, conversations, queues: self.queues().await }
    }

    async fn queues(&self) -> Vec<projections::chat::Queue> {
        app::chat::queues_of_agent(&self.web, self.me).await.unwrap_or_default()
    }

    /// Starts following a conversation; what the console shows of it, with the messages
    /// after `after`.
    async fn follow(&mut self, id: ConversationId, after: u64) -> Option<ConsoleConversation> {
        let row = app::chat::conversation_row(&self.web, id).await.ok().flatten();
        let mut sent = after;
        let mut messages = Vec::new();
        let (mut site_id, mut page_url, mut started_at) = (None, String::new(), None);
        for (version, at, event) in app::chat::conversation_events(&self.web, id).await {
            match &event {
                conversation::Event::ConversationStarted { site_id: s, page_url: p, .. } => {
                    site_id = Some(*s);
                    page_url = p.text_or_empty().to_owned();
                    started_at = Some(at);
                }
                conversation::Event::VisitorNavigated { page_url: p } => page_url = p.text_or_empty().to_owned(),
                conversation::Event::MessagePosted { .. } if version > after => {
                    messages.extend(Message::of(Some(id), version, &event, at));
                    sent = sent.max(version);
                }
                _ => {}
            }
        }
        let site_id = site_id.or(row.as_ref().map(|r| r.site_id))?;
        let visitor = match &row {
            Some(r) => VisitorRef::of(r, &app::chat::history::others_of_visitor(&self.web, r).await.unwrap_or_default()),
            None => VisitorRef { label: locale::t!("chat-visitor"), ..VisitorRef::default() },
        };
        match self.held.get_mut(&id) {
            Some(held) => held.sent = held.sent.max(sent),
            None => {
                let registration = self.web.hub().register(Interest::Conversation(id), self.outbox.clone());
                self.held.insert(id, Held { _registration: registration, sent });
            }
        }
        Some(ConsoleConversation {
            id,
            site_id,
            site: row.as_ref().map(|r| r.site.clone()).unwrap_or_default(),
            visitor,
            page_url,
            state: "assigned",
            started_at: started_at.or(row.as_ref().map(|r| r.started_at)),
            messages,
        })
    }

    async fn on_notice(&mut self, notice: Notice) -> Vec<ToAgent> {
        match notice {
            Notice::Message { conversation_id, seq, event, at } => self.message_out(conversation_id, seq, &event, at).await,
            Notice::Event(recorded, decoded) => match &*decoded {
                Event::Conversation(e) => {
                    let Ok(id) = conversation::id_from_stream(&recorded.stream) else { return vec![] };
                    if matches!(e, conversation::Event::ConversationAssigned { agent_id, .. } | conversation::Event::ConversationOffered { offer: conversation::Offer { agent_id, .. } } if *agent_id == self.me)
                    {
                        // Who the visitor is (their number, their earlier conversations) comes
                        // from the read model: let it reach this event first.
                        let caught_up = self.web.read_your_writes(projections::Registered::Conversations, Some(recorded.position)).await;
                        if let Err(e) = caught_up {
                            tracing::warn!(error = %e, "the conversations read model lags; the visitor is shown without their details");
                        }
                    }
                    self.conversation_changed(id, e, recorded.version, recorded.occurred_at).await
                }
                Event::Agent(domain::agent::Event::StatusChanged { status, .. }) if self.status_sent != Some(*status) => {
                    vec![self.state(&HashMap::new()).await]
                }
                _ => vec![],
            },
            Notice::Typing(t) if t.from == "visitor" && self.held.contains_key(&t.conversation_id) => {
                vec![ToAgent::Typing { conversation_id: t.conversation_id, typing: t.typing }]
            }
            Notice::SiteChanged(..) => {
                self.site_due.get_or_insert(tokio::time::Instant::now() + super::SITE_SETTLE);
                vec![]
            }
            _ => vec![],
        }
    }

    async fn conversation_changed(
        &mut self,
        id: ConversationId,
        e: &conversation::Event,
        version: u64,
        at: chrono::DateTime<chrono::Utc>,
    ) -> Vec<ToAgent> {
        match e {
            conversation::Event::MessagePosted { .. } | conversation::Event::NoteAdded { .. } => self.message_out(id, version, e, at).await,
            conversation::Event::ConversationOffered { offer } if offer.agent_id == self.me => {
                if self.ringing.contains_key(&id) {
                    return vec![];
                }
                self.ring(id, offer).await.into_iter().collect()
            }
            conversation::Event::OfferEnded { agent_id, outcome } if *agent_id == self.me => self.ring_ended(id, outcome.as_str()),
            conversation::Event::ConversationAssigned { agent_id, .. } if *agent_id == self.me => {
                let mut frames = self.ring_ended(id, "accepted");
                // The hub starts where the log was safe to read from, which may be before
                // events already stored: a notice can be of a chat since closed.
                if self.held.contains_key(&id) || !self.holds(id).await {
                    return frames;
                }
                frames.extend(self.follow(id, 0).await.map(|c| ToAgent::Conversation(Box::new(c))));
                frames
            }
            conversation::Event::ConversationAssigned { .. } if self.ringing.contains_key(&id) => self.ring_ended(id, "taken"),
            conversation::Event::ConversationClosed { .. } if self.ringing.contains_key(&id) => self.ring_ended(id, "closed"),
            conversation::Event::ConversationAssigned { decision, .. } if self.held.contains_key(&id) => {
                self.held.remove(&id);
                let reason = if matches!(decision, Decision::Transferred { .. }) { "transferred" } else { "reassigned" };
                vec![ToAgent::Removed { conversation_id: id, reason }]
            }
            conversation::Event::ConversationRequeued { from, .. } if *from == self.me => {
                self.held.remove(&id);
                vec![ToAgent::Removed { conversation_id: id, reason: "requeued" }]
            }
            conversation::Event::VisitorNavigated { page_url } if self.held.contains_key(&id) => {
                vec![ToAgent::Page { conversation_id: id, page_url: page_url.text_or_empty().to_owned() }]
            }
            conversation::Event::ConversationClosed { by } if self.held.remove(&id).is_some() => {
                vec![ToAgent::Closed { conversation_id: id, by: by.clone() }]
            }
            _ => vec![],
        }
    }

    async fn message_out(&mut self, id: ConversationId, seq: u64, event: &conversation::Event, at: chrono::DateTime<chrono::Utc>) -> Vec<ToAgent> {
        let Some(held) = self.held.get_mut(&id) else { return vec![] };
        self.web.message_frames(id, true, &mut held.sent, seq, event, at).await.into_iter().map(ToAgent::Message).collect()
    }
}
