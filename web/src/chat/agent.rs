//! The agent console's socket: `GET /console/ws` (see docs/chat-protocol.md).

use std::collections::HashMap;
use std::time::Duration;

use axum::extract::ws::{Message as WsMessage, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use domain::agent::Status;
use domain::company::Role;
use domain::conversation::{self, Decision, Sender};
use domain::{Actor, ConversationId, Event, Metadata, UserId};
use serde::Deserialize;
use serde_json::{json, Value};
use tokio::sync::mpsc;
use uuid::Uuid;

use super::hub::{Interest, Notice, Outbox, Registration, Typing};
use super::visitor::{command_error, error};
use super::{message_frame, send, READ_LIMIT};
use crate::auth::Session;
use crate::error::AppError;
use crate::App;

#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum In {
    Hello {
        #[serde(default)]
        last_seen: HashMap<ConversationId, u64>,
    },
    Status {
        status: String,
    },
    Message {
        conversation_id: ConversationId,
        client_id: Uuid,
        text: String,
    },
    Typing {
        conversation_id: ConversationId,
        typing: bool,
    },
    Close {
        conversation_id: ConversationId,
    },
    Transfer {
        conversation_id: ConversationId,
        to: UserId,
    },
    Agents {
        conversation_id: ConversationId,
    },
}

/// Same origin only: a console socket carries the session cookie.
pub fn same_origin(headers: &HeaderMap) -> bool {
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    let origin = headers.get(header::ORIGIN).and_then(|o| o.to_str().ok());
    match (host, origin) {
        (Some(host), Some(origin)) => origin.split_once("://").map(|(_, rest)| rest) == Some(host),
        _ => false,
    }
}

pub async fn upgrade(State(app): State<App>, session: Result<Session, AppError>, headers: HeaderMap, ws: WebSocketUpgrade) -> Response {
    let Ok(session) = session else { return StatusCode::UNAUTHORIZED.into_response() };
    if !session.has_role(Role::Agent) {
        return StatusCode::FORBIDDEN.into_response();
    }
    if !same_origin(&headers) {
        return (StatusCode::FORBIDDEN, "cross-origin console sockets are refused").into_response();
    }
    ws.max_message_size(READ_LIMIT).max_frame_size(READ_LIMIT).on_upgrade(move |socket| AgentSocket::new(app, session).run(socket))
}

struct Held {
    _registration: Registration,
    /// Highest message seq sent for this conversation.
    sent: u64,
}

struct AgentSocket {
    app: App,
    me: UserId,
    name: String,
    session: Session,
    held: HashMap<ConversationId, Held>,
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

/// The name an agent's messages are signed with: their display name, else their first name
/// (visitors do not need a surname).
pub fn signature(session: &Session) -> String {
    if session.user.display_name.is_empty() {
        session.user.first_name.clone()
    } else {
        session.user.display_name.clone()
    }
}

impl AgentSocket {
    fn new(app: App, session: Session) -> Self {
        let (outbox, inbox) = Outbox::new();
        AgentSocket {
            app,
            me: session.user.user_id,
            name: signature(&session),
            session,
            held: HashMap::new(),
            outbox,
            inbox,
            _registrations: Vec::new(),
            status_sent: None,
            site_due: None,
        }
    }

    fn metadata(&self) -> Metadata {
        Metadata::new(Some(self.session.company_id()), Actor::User(self.me))
    }

    async fn run(mut self, mut socket: WebSocket) {
        let connection = self.app.presence.connected(&self.app, self.me).await;
        self.serve(&mut socket).await;
        self.app.presence.disconnected(&self.app, connection).await;
    }

    async fn serve(&mut self, socket: &mut WebSocket) {
        self._registrations.push(self.app.hub.register(Interest::Agent(self.me), self.outbox.clone()));
        if let Ok(sites) = commands::chat::ChatView::sites_of(self.app.chat.view(), self.me).await {
            for site in sites {
                self._registrations.push(self.app.hub.register(Interest::Site(site), self.outbox.clone()));
            }
        }
        let mut ping = tokio::time::interval(Duration::from_secs(25));
        let mut resync = tokio::time::interval(RESYNC);
        resync.reset();
        loop {
            tokio::select! {
                text = super::next_text(socket) => {
                    let Some(text) = text else { return };
                    let replies = match serde_json::from_str::<In>(&text) {
                        Ok(frame) => self.handle(frame).await,
                        Err(e) => vec![error("invalid_frame", &format!("this frame cannot be read: {e}"))],
                    };
                    for r in replies {
                        if send(socket, &r).await.is_err() {
                            return;
                        }
                    }
                }
                notice = self.inbox.recv() => {
                    let Some(notice) = notice else { return };
                    for frame in self.on_notice(notice).await {
                        if send(socket, &frame).await.is_err() {
                            return;
                        }
                    }
                }
                _ = ping.tick() => {
                    if socket.send(WsMessage::Ping(Vec::new().into())).await.is_err() {
                        return;
                    }
                }
                _ = resync.tick() => {
                    // Only after losing notices (checked here: a select! condition is
                    // evaluated on every turn, and asking clears the flag).
                    if !self.outbox.lost_any() {
                        continue;
                    }
                    for frame in self.resync().await {
                        if send(socket, &frame).await.is_err() {
                            return;
                        }
                    }
                }
                _ = super::sleep_until(self.site_due), if self.site_due.is_some() => {
                    self.site_due = None;
                    let queues = json!({ "type": "queues", "queues": self.queues().await });
                    if send(socket, &queues).await.is_err() {
                        return;
                    }
                }
            }
        }
    }

    async fn handle(&mut self, frame: In) -> Vec<Value> {
        match frame {
            In::Hello { last_seen } => vec![self.state(&last_seen).await],
            In::Status { status } => {
                let status: Status = match status.parse() {
                    Ok(s) => s,
                    Err(e) => return vec![error("invalid_status", &e)],
                };
                match self.app.chat.set_status(self.me, status, None, &self.metadata()).await {
                    Ok(()) => vec![self.state(&HashMap::new()).await],
                    Err(e) => vec![command_error(e)],
                }
            }
            In::Message { conversation_id, client_id, text } => {
                let from = Sender::Agent { user_id: self.me, name: self.name.clone() };
                match self.app.chat.post(conversation_id, from.clone(), client_id, &text, &self.metadata()).await {
                    Ok(posted) => {
                        if !posted.duplicate {
                            let event = conversation::Event::MessagePosted { client_id, from, text: text.trim().to_owned() };
                            self.app.publish_message(conversation_id, posted.seq, event);
                        }
                        vec![json!({ "type": "ack", "conversation_id": conversation_id, "client_id": client_id, "seq": posted.seq })]
                    }
                    Err(e) => vec![command_error(e)],
                }
            }
            In::Typing { conversation_id, typing } => {
                if self.held.contains_key(&conversation_id) {
                    super::hub::send_typing(&self.app.pool, &Typing { conversation_id, from: "agent".into(), typing }).await;
                }
                vec![]
            }
            In::Close { conversation_id } => {
                if !self.holds(conversation_id).await {
                    return vec![error("not_assigned", "This conversation is not assigned to you.")];
                }
                match self.app.chat.close(conversation_id, "agent", &self.metadata()).await {
                    Ok(()) => vec![],
                    Err(e) => vec![command_error(e)],
                }
            }
            In::Transfer { conversation_id, to } => {
                match self.app.chat.hand_over(conversation_id, to, Decision::Transferred { from: self.me }, &self.metadata()).await {
                    Ok(()) => vec![],
                    Err(e) => vec![command_error(e)],
                }
            }
            In::Agents { conversation_id } => vec![self.transfer_targets(conversation_id).await],
        }
    }

    /// What a lost notice would have told (a busy server drops notices for a socket that
    /// cannot keep up): conversations assigned meanwhile, and messages of held ones.
    async fn resync(&mut self) -> Vec<Value> {
        let Ok(agent) = self.app.chat.agent(self.me).await else { return vec![] };
        let mut frames = Vec::new();
        for id in agent.held {
            if !self.held.contains_key(&id) && self.holds(id).await {
                if let Some(mut object) = self.follow(id, 0).await {
                    object["type"] = json!("conversation");
                    frames.push(object);
                }
            }
        }
        for (id, held) in self.held.iter_mut() {
            frames.extend(self.app.messages_after(*id, true, &mut held.sent).await);
        }
        frames
    }

    /// The conversation's own stream says who answers it: the agent's stream also lists a
    /// conversation a router took a slot for but then lost to another router, until it gives
    /// the slot back.
    async fn holds(&self, conversation_id: ConversationId) -> bool {
        self.app.chat.conversation(conversation_id).await.is_ok_and(|c| c.agent == Some(self.me) && !c.closed)
    }

    /// The online agents of the conversation's site with a free slot, other than me.
    async fn transfer_targets(&self, conversation_id: ConversationId) -> Value {
        let site = match self.app.chat.conversation(conversation_id).await {
            Ok(c) if c.agent == Some(self.me) => c.site_id,
            _ => return error("not_assigned", "This conversation is not assigned to you."),
        };
        let candidates = match site {
            Some(site) => commands::chat::ChatView::candidates(self.app.chat.view(), site).await.unwrap_or_default(),
            None => Vec::new(),
        };
        let agents: Vec<Value> = candidates
            .into_iter()
            .filter(|n| n.candidate.user_id != self.me && n.candidate.has_free_slot())
            .map(|n| json!({ "user_id": n.candidate.user_id, "name": n.name, "load": n.candidate.load, "max_chats": n.candidate.max_chats }))
            .collect();
        json!({ "type": "agents", "conversation_id": conversation_id, "agents": agents })
    }

    /// Everything the console shows, from the log (held conversations, status) and the read
    /// models (their details, the queues).
    async fn state(&mut self, last_seen: &HashMap<ConversationId, u64>) -> Value {
        let agent = self.app.chat.agent(self.me).await.unwrap_or_default();
        let mut conversations = Vec::new();
        let mut mine = Vec::new();
        for id in agent.held.iter().copied() {
            if self.holds(id).await {
                mine.push(id);
            }
        }
        for id in mine.iter().copied() {
            let after = last_seen.get(&id).copied().unwrap_or(0);
            if let Some(object) = self.follow(id, after).await {
                conversations.push(object);
            }
        }
        self.held.retain(|id, _| mine.contains(id));
        self.status_sent = Some(agent.status);
        json!({
            "type": "state",
            "status": agent.status.as_str(),
            "max_chats": self.max_chats().await,
            "conversations": conversations,
            "queues": self.queues().await,
        })
    }

    async fn max_chats(&self) -> i32 {
        let Ok(client) = self.app.pool.get().await else { return 0 };
        projections::users::get(&**client, self.session.company_id(), self.me).await.ok().flatten().map_or(0, |u| u.max_chats)
    }

    async fn queues(&self) -> Vec<Value> {
        let Ok(client) = self.app.pool.get().await else { return vec![] };
        let rows = client
            .query(
                "SELECT s.site_id, s.name, count(c.conversation_id) FROM site_agents a JOIN sites s ON s.site_id = a.site_id AND NOT s.deleted
                 LEFT JOIN conversations c ON c.site_id = s.site_id AND c.state = 'waiting'
                 WHERE a.user_id = $1 GROUP BY s.site_id, s.name ORDER BY s.name",
                &[&self.me.0],
            )
            .await
            .unwrap_or_default();
        rows.iter().map(|r| json!({ "site_id": r.get::<_, uuid::Uuid>(0), "site": r.get::<_, String>(1), "waiting": r.get::<_, i64>(2) })).collect()
    }

    /// Starts following a conversation; its object with the messages after `after`.
    async fn follow(&mut self, id: ConversationId, after: u64) -> Option<Value> {
        let client = self.app.pool.get().await.ok()?;
        let row = projections::chat::get(&**client, id).await.ok().flatten();
        drop(client);
        let events = self.app.conversation_events(id).await;
        let mut sent = after;
        let mut messages = Vec::new();
        let (mut site_id, mut page_url, mut started_at) = (None, String::new(), None);
        for (version, at, event) in events {
            match &event {
                conversation::Event::ConversationStarted { site_id: s, page_url: p, .. } => {
                    site_id = Some(*s);
                    page_url = p.clone();
                    started_at = Some(at);
                }
                conversation::Event::MessagePosted { .. } if version > after => {
                    messages.push(message_frame(Some(id), version, &event, at));
                    sent = sent.max(version);
                }
                _ => {}
            }
        }
        let site_id = site_id.or(row.as_ref().map(|r| r.site_id))?;
        if !self.held.contains_key(&id) {
            let registration = self.app.hub.register(Interest::Conversation(id), self.outbox.clone());
            self.held.insert(id, Held { _registration: registration, sent });
        } else if let Some(h) = self.held.get_mut(&id) {
            h.sent = h.sent.max(sent);
        }
        Some(json!({
            "id": id,
            "site_id": site_id,
            "site": row.as_ref().map(|r| r.site.clone()).unwrap_or_default(),
            "visitor": { "id": row.as_ref().map(|r| r.visitor_id), "name": row.as_ref().and_then(|r| r.visitor_name.clone()) },
            "page_url": page_url,
            "state": "assigned",
            "started_at": started_at.or(row.as_ref().map(|r| r.started_at)),
            "messages": messages,
        }))
    }

    async fn on_notice(&mut self, notice: Notice) -> Vec<Value> {
        match notice {
            Notice::Message { conversation_id, seq, event, at } => self.message_out(conversation_id, seq, &event, at).await,
            Notice::Event(recorded, decoded) => match &*decoded {
                Event::Conversation(e) => {
                    let id: ConversationId = recorded.stream.strip_prefix("conversation-").and_then(|s| s.parse().ok()).unwrap_or_default();
                    match e {
                        conversation::Event::MessagePosted { .. } => self.message_out(id, recorded.version, e, recorded.occurred_at).await,
                        conversation::Event::ConversationAssigned { agent_id, .. } if *agent_id == self.me => {
                            if self.held.contains_key(&id) {
                                return vec![];
                            }
                            match self.follow(id, 0).await {
                                Some(object) => {
                                    let mut frame = object;
                                    frame["type"] = json!("conversation");
                                    vec![frame]
                                }
                                None => vec![],
                            }
                        }
                        conversation::Event::ConversationAssigned { decision, .. } if self.held.contains_key(&id) => {
                            self.held.remove(&id);
                            let reason = if matches!(decision, Decision::Transferred { .. }) { "transferred" } else { "reassigned" };
                            vec![json!({ "type": "removed", "conversation_id": id, "reason": reason })]
                        }
                        conversation::Event::ConversationRequeued { from, .. } if *from == self.me => {
                            self.held.remove(&id);
                            vec![json!({ "type": "removed", "conversation_id": id, "reason": "requeued" })]
                        }
                        conversation::Event::ConversationClosed { by } if self.held.remove(&id).is_some() => {
                            vec![json!({ "type": "closed", "conversation_id": id, "by": by })]
                        }
                        _ => vec![],
                    }
                }
                Event::Agent(domain::agent::Event::StatusChanged { status, .. }) if self.status_sent != Some(*status) => {
                    vec![self.state(&HashMap::new()).await]
                }
                _ => vec![],
            },
            Notice::Typing(t) if t.from == "visitor" && self.held.contains_key(&t.conversation_id) => {
                vec![json!({ "type": "typing", "conversation_id": t.conversation_id, "typing": t.typing })]
            }
            Notice::SiteChanged(..) => {
                self.site_due.get_or_insert(tokio::time::Instant::now() + super::SITE_SETTLE);
                vec![]
            }
            _ => vec![],
        }
    }

    async fn message_out(&mut self, id: ConversationId, seq: u64, event: &conversation::Event, at: chrono::DateTime<chrono::Utc>) -> Vec<Value> {
        let Some(held) = self.held.get_mut(&id) else { return vec![] };
        self.app.message_frames(id, true, &mut held.sent, seq, event, at).await
    }
}
