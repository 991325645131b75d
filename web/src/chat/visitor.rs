//! The widget's socket: `GET /widget/ws?site=<key>` (see docs/chat-protocol.md).

use std::time::Duration;

use axum::extract::ws::{Message as WsMessage, WebSocket, WebSocketUpgrade};
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap};
use axum::response::Response;
use domain::conversation::{self, Sender};
use domain::site as site_domain;
use domain::{Actor, ConversationId, Event, Metadata, VisitorId};
use projections::sites::SiteRow;
use serde::Deserialize;
use serde_json::{json, Value};
use tokio::sync::mpsc;
use uuid::Uuid;

use super::hub::{Interest, Notice, Outbox, Registration, Typing};
use super::site_status::SiteStatus;
use super::{send, RateLimit, READ_LIMIT};
use crate::App;

#[derive(Deserialize)]
pub struct Params {
    #[serde(default)]
    site: String,
}

#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum In {
    Hello {
        visitor_token: Option<String>,
        #[serde(default)]
        last_seen: u64,
        #[serde(default)]
        page_url: String,
    },
    Message {
        client_id: Uuid,
        text: String,
    },
    Typing {
        typing: bool,
    },
    OfflineMessage {
        client_id: Uuid,
        #[serde(default)]
        name: String,
        #[serde(default)]
        email: String,
        #[serde(default)]
        message: String,
    },
    Close,
}

pub async fn upgrade(State(app): State<App>, Query(params): Query<Params>, headers: HeaderMap, ws: WebSocketUpgrade) -> Response {
    let origin = headers.get(header::ORIGIN).and_then(|o| o.to_str().ok()).map(str::to_owned);
    ws.max_message_size(READ_LIMIT).max_frame_size(READ_LIMIT).read_buffer_size(4096).write_buffer_size(4096).on_upgrade(move |socket| async move {
        let mut socket = socket;
        match admit(&app, &params.site, origin.as_deref()).await {
            Ok(site) => Visitor::new(app, site).run(socket).await,
            Err((code, reason)) => super::close_socket(&mut socket, code, reason).await,
        }
    })
}

/// The site behind the key, if the page's origin may use it.
async fn admit(app: &App, key: &str, origin: Option<&str>) -> Result<SiteRow, (u16, &'static str)> {
    let client = app.pool.get().await.map_err(|_| (1011, "unavailable"))?;
    let site = projections::sites::by_widget_key(&**client, key.trim()).await.map_err(|_| (1011, "unavailable"))?.ok_or((4004, "site_not_found"))?;
    if site.deleted {
        return Err((4010, "site_deleted"));
    }
    if site.restrict_to_urls {
        let own = site_domain::origin_of(&app.settings.public_url);
        let allowed =
            origin.is_some_and(|o| o.eq_ignore_ascii_case(&own) || site.urls.iter().any(|u| site_domain::origin_of(u).eq_ignore_ascii_case(o)));
        if !allowed {
            return Err((4003, "origin_not_allowed"));
        }
    }
    Ok(site)
}

struct Visitor {
    app: App,
    site: SiteRow,
    visitor_id: VisitorId,
    page_url: String,
    conversation: Option<ConversationId>,
    /// Highest message seq sent to the widget.
    sent: u64,
    last_queue: Option<i64>,
    last_online: Option<bool>,
    outbox: Outbox,
    inbox: mpsc::Receiver<Notice>,
    registrations: Vec<Registration>,
    conversation_registration: Option<Registration>,
    /// The name of the conversation's agent, for typing frames (which come often).
    agent_name: Option<String>,
}

impl Visitor {
    fn new(app: App, site: SiteRow) -> Self {
        let (outbox, inbox) = Outbox::new();
        Visitor {
            app,
            site,
            visitor_id: VisitorId::default(),
            page_url: String::new(),
            conversation: None,
            sent: 0,
            last_queue: None,
            last_online: None,
            outbox,
            inbox,
            registrations: Vec::new(),
            conversation_registration: None,
            agent_name: None,
        }
    }

    fn metadata(&self) -> Metadata {
        Metadata::new(Some(self.site.company_id), Actor::Visitor(self.visitor_id.0))
    }

    async fn run(mut self, mut socket: WebSocket) {
        // The first frame must be `hello`, soon.
        let hello = tokio::time::timeout(Duration::from_secs(15), socket.recv()).await;
        let Ok(Some(Ok(WsMessage::Text(text)))) = hello else { return };
        let Ok(In::Hello { visitor_token, last_seen, page_url }) = serde_json::from_str::<In>(&text) else {
            let _ = send(&mut socket, &error("invalid_frame", "the first frame must be hello")).await;
            return;
        };
        self.page_url = page_url;
        self.sent = last_seen;
        let Ok(token) = self.identify(visitor_token).await else { return };
        self.registrations.push(self.app.hub.register(Interest::Site(self.site.site_id), self.outbox.clone()));
        let welcome = self.welcome(&token).await;
        if send(&mut socket, &welcome).await.is_err() {
            return;
        }
        if self.catch_up(&mut socket).await.is_err() {
            return;
        }
        let mut limit = RateLimit::new();
        let mut ping = tokio::time::interval(Duration::from_secs(25));
        loop {
            tokio::select! {
                text = super::next_text(&mut socket) => {
                    let Some(text) = text else { return };
                    if !limit.allow() {
                        if limit.flooding() {
                            super::close_socket(&mut socket, 4029, "flooding").await;
                            return;
                        }
                        let _ = send(&mut socket, &json!({ "type": "error", "code": "rate_limited", "message": "Too many messages: slow down.", "retry_after": limit.retry_after() })).await;
                        continue;
                    }
                    let reply = match serde_json::from_str::<In>(&text) {
                        Ok(frame) => self.handle(frame).await,
                        Err(e) => vec![error("invalid_frame", &format!("this frame cannot be read: {e}"))],
                    };
                    for r in reply {
                        if send(&mut socket, &r).await.is_err() {
                            return;
                        }
                    }
                }
                notice = self.inbox.recv() => {
                    let Some(notice) = notice else { return };
                    for frame in self.on_notice(notice).await {
                        if send(&mut socket, &frame).await.is_err() {
                            return;
                        }
                    }
                }
                _ = ping.tick() => {
                    if socket.send(WsMessage::Ping(Vec::new().into())).await.is_err() {
                        return;
                    }
                    if self.outbox.lost_any() && self.catch_up(&mut socket).await.is_err() {
                        return;
                    }
                }
            }
        }
    }

    /// The visitor behind the token, or a new one with a new token.
    async fn identify(&mut self, token: Option<String>) -> Result<String, ()> {
        let client = self.app.pool.get().await.map_err(|_| ())?;
        if let Some(token) = token.filter(|t| t.len() == 64 && t.chars().all(|c| c.is_ascii_hexdigit())) {
            let row = client
                .query_opt(
                    "SELECT visitor_id FROM visitors WHERE token_hash = $1 AND site_id = $2",
                    &[&crate::auth::hash_token(&token), &self.site.site_id.0],
                )
                .await
                .map_err(|_| ())?;
            if let Some(row) = row {
                self.visitor_id = VisitorId(row.get(0));
                let open = client
                    .query_opt(
                        "SELECT conversation_id FROM conversations WHERE visitor_id = $1 AND site_id = $2 AND state IN ('waiting', 'assigned') ORDER BY started_at DESC LIMIT 1",
                        &[&self.visitor_id.0, &self.site.site_id.0],
                    )
                    .await
                    .map_err(|_| ())?;
                if let Some(open) = open {
                    self.follow(ConversationId(open.get(0)));
                }
                return Ok(token);
            }
        }
        let token = crate::auth::random_token();
        self.visitor_id = VisitorId::new();
        client
            .execute(
                "INSERT INTO visitors (token_hash, visitor_id, site_id) VALUES ($1, $2, $3)",
                &[&crate::auth::hash_token(&token), &self.visitor_id.0, &self.site.site_id.0],
            )
            .await
            .map_err(|_| ())?;
        self.sent = 0;
        Ok(token)
    }

    fn follow(&mut self, id: ConversationId) {
        self.conversation = Some(id);
        self.conversation_registration = Some(self.app.hub.register(Interest::Conversation(id), self.outbox.clone()));
        self.last_queue = None;
        self.agent_name = None;
    }

    async fn welcome(&mut self, token: &str) -> Value {
        let online = self.online().await;
        self.last_online = Some(online);
        let conversation = match self.conversation {
            Some(id) => self.describe(id).await,
            None => Value::Null,
        };
        json!({ "type": "welcome", "visitor_token": token, "online": online, "conversation": conversation, "settings": self.site.settings })
    }

    async fn describe(&mut self, id: ConversationId) -> Value {
        let Ok(state) = self.app.chat.conversation(id).await else { return Value::Null };
        let position = self.queue_position().await;
        self.last_queue = position;
        self.agent_name = match state.agent {
            Some(_) => self.app.conversation_events(id).await.into_iter().rev().find_map(|(_, _, e)| match e {
                conversation::Event::ConversationAssigned { agent_name, .. } => Some(agent_name),
                _ => None,
            }),
            None => None,
        };
        let state_name = if state.closed {
            "closed"
        } else if state.agent.is_some() {
            "assigned"
        } else {
            "waiting"
        };
        json!({ "id": id, "state": state_name, "agent_name": self.agent_name, "queue_position": position })
    }

    /// Messages after what the widget has, from the log itself (not a read model that may
    /// lag): after `hello`, and now and then in case a notice was lost on a busy server.
    async fn catch_up(&mut self, socket: &mut WebSocket) -> Result<(), ()> {
        let Some(id) = self.conversation else { return Ok(()) };
        for frame in self.app.messages_after(id, false, &mut self.sent).await {
            send(socket, &frame).await.map_err(|_| ())?;
        }
        Ok(())
    }

    async fn online(&self) -> bool {
        let Ok(client) = self.app.pool.get().await else { return false };
        SiteStatus::online(&client, self.site.site_id).await.unwrap_or(false)
    }

    async fn queue_position(&self) -> Option<i64> {
        let id = self.conversation?;
        let client = self.app.pool.get().await.ok()?;
        let row = client
            .query_one(
                "SELECT CASE WHEN c.state = 'waiting' THEN (SELECT count(*) FROM conversations w WHERE w.site_id = c.site_id AND w.state = 'waiting'
                        AND (w.queued_at, w.conversation_id) <= (c.queued_at, c.conversation_id)) END
                 FROM conversations c WHERE c.conversation_id = $1",
                &[&id.0],
            )
            .await
            .ok()?;
        row.get(0)
    }

    async fn handle(&mut self, frame: In) -> Vec<Value> {
        match frame {
            In::Hello { .. } => vec![error("invalid_frame", "hello is sent once, at the start")],
            In::Message { client_id, text } => self.message(client_id, &text).await,
            In::Typing { typing } => {
                if let Some(conversation_id) = self.conversation {
                    super::hub::send_typing(&self.app.pool, &Typing { conversation_id, from: "visitor".into(), typing }).await;
                }
                vec![]
            }
            In::OfflineMessage { client_id, name, email, message } => {
                let site = &self.site;
                match self
                    .app
                    .chat
                    .leave_offline_message(site.site_id, site.company_id, self.visitor_id, &name, &email, &message, &self.page_url)
                    .await
                {
                    Ok(_) => vec![json!({ "type": "offline_received", "client_id": client_id })],
                    Err(e) => vec![command_error(e)],
                }
            }
            In::Close => match self.conversation {
                Some(id) => match self.app.chat.close(id, "visitor", &self.metadata()).await {
                    Ok(()) => vec![],
                    Err(e) => vec![command_error(e)],
                },
                None => vec![],
            },
        }
    }

    async fn message(&mut self, client_id: Uuid, text: &str) -> Vec<Value> {
        if text.chars().count() > conversation::MESSAGE_MAX_LEN {
            return vec![error("message_too_long", "The message is longer than 4000 characters.")];
        }
        if text.trim().is_empty() {
            return vec![error("empty_message", "The message is empty.")];
        }
        let mut started = false;
        if self.conversation.is_none() {
            if let Err(e) = self.start().await {
                return vec![command_error(e)];
            }
            started = true;
        }
        let mut posted = self.post(client_id, text).await;
        if !started && matches!(posted, Err(commands::Error::Conversation(conversation::Error::Closed))) {
            // The conversation has ended: this message starts a new one.
            if let Err(e) = self.start().await {
                return vec![command_error(e)];
            }
            started = true;
            posted = self.post(client_id, text).await;
        }
        let id = self.conversation.expect("a conversation now");
        let mut frames = Vec::new();
        match posted {
            Ok(posted) => {
                frames.push(json!({ "type": "ack", "client_id": client_id, "seq": posted.seq }));
                if !posted.duplicate {
                    let event = conversation::Event::MessagePosted { client_id, from: Sender::Visitor, text: text.trim().to_owned() };
                    self.app.publish_message(id, posted.seq, event);
                }
            }
            Err(e) => return vec![command_error(e)],
        }
        if started {
            // Offer it now; when nobody is free it waits and the widget shows its place.
            if let Err(e) = self.app.chat.route(id).await {
                tracing::warn!(error = %e, "routing failed");
            }
            if let Some(position) = self.queue_position().await {
                self.last_queue = Some(position);
                frames.push(json!({ "type": "queue", "position": position }));
            }
        }
        frames
    }

    /// A new conversation for this visitor, followed from now on.
    async fn start(&mut self) -> Result<(), commands::Error> {
        let id = self.app.chat.start(self.site.site_id, self.site.company_id, self.visitor_id, &self.page_url).await?;
        self.follow(id);
        self.sent = 0;
        Ok(())
    }

    async fn post(&self, client_id: Uuid, text: &str) -> Result<commands::chat::Posted, commands::Error> {
        let id = self.conversation.expect("a conversation to post in");
        self.app.chat.post(id, Sender::Visitor, client_id, text, &self.metadata()).await
    }

    async fn on_notice(&mut self, notice: Notice) -> Vec<Value> {
        match notice {
            Notice::Message { conversation_id, seq, event, at } if Some(conversation_id) == self.conversation => {
                self.message_out(seq, &event, at).await
            }
            Notice::Event(recorded, decoded) => {
                let Event::Conversation(e) = &*decoded else { return vec![] };
                if self.conversation.map(conversation::stream).as_deref() != Some(recorded.stream.as_str()) {
                    return vec![];
                }
                match e {
                    conversation::Event::MessagePosted { .. } => self.message_out(recorded.version, e, recorded.occurred_at).await,
                    conversation::Event::ConversationAssigned { agent_name, .. } => {
                        self.last_queue = None;
                        self.agent_name = Some(agent_name.clone());
                        vec![json!({ "type": "assigned", "agent_name": agent_name })]
                    }
                    conversation::Event::ConversationClosed { by } => vec![json!({ "type": "closed", "by": by })],
                    _ => vec![],
                }
            }
            Notice::Typing(t) if t.from == "agent" && Some(t.conversation_id) == self.conversation => {
                vec![json!({ "type": "typing", "typing": t.typing, "agent_name": self.agent_name })]
            }
            Notice::SiteChanged(_, status) => self.site_changed(&status),
            _ => vec![],
        }
    }

    /// Whether agents are online, and the place in the queue, when they changed.
    fn site_changed(&mut self, status: &SiteStatus) -> Vec<Value> {
        let mut frames = Vec::new();
        if self.last_online != Some(status.online) {
            self.last_online = Some(status.online);
            frames.push(json!({ "type": "status", "online": status.online }));
        }
        if let Some(position) = self.conversation.and_then(|id| status.position(id)) {
            if self.last_queue != Some(position) {
                self.last_queue = Some(position);
                frames.push(json!({ "type": "queue", "position": position }));
            }
        }
        frames
    }

    async fn message_out(&mut self, seq: u64, event: &conversation::Event, at: chrono::DateTime<chrono::Utc>) -> Vec<Value> {
        let Some(id) = self.conversation else { return vec![] };
        self.app.message_frames(id, false, &mut self.sent, seq, event, at).await
    }
}

pub fn error(code: &str, message: &str) -> Value {
    json!({ "type": "error", "code": code, "message": message })
}

/// A refused command, as an error frame with the API's code.
pub fn command_error(e: commands::Error) -> Value {
    let (_, code, message, _) = crate::error::AppError::Command(e).parts();
    error(code, &message)
}
