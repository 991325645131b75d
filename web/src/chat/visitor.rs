//! The widget's socket: `GET /widget/ws?site=<key>` (see docs/chat-protocol.md).

use std::time::Duration;

use app::chat::typing::Typing;
use app::chat::SiteStatus;
use axum::extract::ws::{Message as WsMessage, WebSocket, WebSocketUpgrade};
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap};
use axum::response::Response;
use domain::conversation::{self, Sender};
use domain::visitor_details::{Given, VisitorDetails};
use domain::{Actor, ConversationId, Event, Metadata, VisitorId};
use projections::sites::SiteRow;
use serde::Deserialize;
use tokio::sync::mpsc;
use uuid::Uuid;

use super::hub::{Interest, Notice, Outbox, Registration};
use super::protocol::{parse_frame, ErrorFrame, FromVisitor, ToVisitor, VisitorConversation};
use super::{send, send_all, RateLimit, READ_LIMIT};
use crate::Web;

#[derive(Deserialize)]
pub struct Params {
    #[serde(default)]
    site: String,
}

pub async fn upgrade(State(web): State<Web>, Query(params): Query<Params>, headers: HeaderMap, ws: WebSocketUpgrade) -> Response {
    let origin = headers.get(header::ORIGIN).and_then(|o| o.to_str().ok()).map(str::to_owned);
    let user_agent = headers.get(header::USER_AGENT).and_then(|o| o.to_str().ok()).unwrap_or_default().to_owned();
    ws.max_message_size(READ_LIMIT).max_frame_size(READ_LIMIT).read_buffer_size(4096).write_buffer_size(4096).on_upgrade(move |socket| async move {
        let mut socket = socket;
        match app::widget::admit(&web, &params.site, origin.as_deref()).await {
            // A visitor reads the site's language, whatever their browser says.
            Ok(site) => {
                let reader = locale::Reader::new(crate::widget::lang(&site.settings), locale::Tz::UTC);
                locale::scope(reader, Visitor::new(web, site, &user_agent).run(socket)).await
            }
            Err(e) => {
                let (code, reason) = close_code(&e);
                super::close_socket(&mut socket, code, reason).await
            }
        }
    })
}

/// Why a widget's socket is refused, as a close code the widget can read.
fn close_code(e: &app::Error) -> (u16, &'static str) {
    match e {
        app::Error::NotFound => (4004, "site_not_found"),
        app::Error::Command(commands::Error::Site(domain::site::Error::Deleted)) => (4010, "site_deleted"),
        app::Error::Denied { .. } => (4003, "origin_not_allowed"),
        _ => (1011, "unavailable"),
    }
}

fn error(code: &str, message: &str) -> ToVisitor {
    ToVisitor::Error(ErrorFrame::new(code, message))
}

fn refused(e: impl Into<crate::error::AppError>) -> ToVisitor {
    ToVisitor::Error(ErrorFrame::refused(e))
}

struct Visitor {
    web: Web,
    site: SiteRow,
    visitor_id: VisitorId,
    page_url: String,
    /// What the browser said of itself, kept with a conversation it starts.
    details: VisitorDetails,
    conversation: Option<ConversationId>,
    /// Highest message seq sent to the widget.
    sent: u64,
    last_queue: Option<i64>,
    /// What the widget was last told: chats may start, and the hours.
    last_status: Option<(bool, app::hours::Hours)>,
    outbox: Outbox,
    inbox: mpsc::Receiver<Notice>,
    registrations: Vec<Registration>,
    conversation_registration: Option<Registration>,
    /// The name of the conversation's agent, for typing frames (which come often).
    agent_name: Option<String>,
}

impl Visitor {
    fn new(web: Web, site: SiteRow, user_agent: &str) -> Self {
        let (outbox, inbox) = Outbox::new();
        let (browser, system) = app::chat::visitors::browser_and_system(user_agent);
        Visitor {
            web,
            site,
            visitor_id: VisitorId::default(),
            page_url: String::new(),
            details: VisitorDetails { browser, system, ..VisitorDetails::default() },
            conversation: None,
            sent: 0,
            last_queue: None,
            last_status: None,
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
        let hello = tokio::time::timeout(Duration::from_secs(15), super::next_text(&mut socket)).await;
        let Ok(Some(text)) = hello else { return };
        let Ok(FromVisitor::Hello { visitor_token, last_seen, page_url, referrer, language, time_zone }) = parse_frame::<FromVisitor>(&text) else {
            let _ = send(&mut socket, &error("invalid_frame", &locale::t!("chat-error-hello-first"))).await;
            return;
        };
        self.page_url = page_url;
        (self.details.referrer, self.details.language, self.details.time_zone) = (referrer.into(), language, time_zone);
        self.sent = last_seen;
        let Ok(token) = self.identify(visitor_token).await else { return };
        self.note_page().await;
        self.registrations.push(self.web.hub().register(Interest::Site(self.site.site_id), self.outbox.clone()));
        let welcome = self.welcome(token).await;
        if send(&mut socket, &welcome).await.is_err() || self.catch_up(&mut socket).await.is_err() {
            return;
        }
        let mut limit = RateLimit::new();
        let mut ping = tokio::time::interval(Duration::from_secs(25));
        loop {
            let frames = tokio::select! {
                text = super::next_text(&mut socket) => {
                    let Some(text) = text else { return };
                    if !limit.allow() {
                        if limit.flooding() {
                            super::close_socket(&mut socket, 4029, "flooding").await;
                            return;
                        }
                        let mut frame = ErrorFrame::new("rate_limited", locale::t!("chat-error-rate-limited"));
                        frame.retry_after = Some(limit.retry_after());
                        vec![ToVisitor::Error(frame)]
                    } else {
                        match parse_frame::<FromVisitor>(&text) {
                            Ok(frame) => self.handle(frame).await,
                            Err(refused) => vec![ToVisitor::Error(refused)],
                        }
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
                    if self.outbox.lost_any() && self.catch_up(&mut socket).await.is_err() {
                        return;
                    }
                    vec![]
                }
            };
            if send_all(&mut socket, &frames).await.is_err() {
                return;
            }
        }
    }

    /// The visitor behind the token, or a new one with a new token.
    async fn identify(&mut self, token: Option<String>) -> Result<String, app::Error> {
        let visitor = app::chat::visitors::identify(&self.web, self.site.site_id, token).await?;
        self.visitor_id = visitor.visitor_id;
        if visitor.new {
            self.sent = 0;
        }
        if let Some(open) = visitor.open {
            self.follow(open);
        }
        Ok(visitor.token)
    }

    /// A visitor back with an open conversation, on another page: the agent sees where.
    async fn note_page(&self) {
        let Some(id) = self.conversation else { return };
        let known = app::chat::conversation_row(&self.web, id).await.ok().flatten().map(|c| c.page_url);
        if self.page_url.trim().is_empty() || known.as_deref() == Some(self.page_url.as_str()) {
            return;
        }
        if let Err(e) = self.web.chat.streams().note_page(id, self.site.company_id, self.visitor_id, &self.page_url).await {
            tracing::warn!(error = %e, "the visitor's page was not recorded");
        }
    }

    fn follow(&mut self, id: ConversationId) {
        self.conversation = Some(id);
        self.conversation_registration = Some(self.web.hub().register(Interest::Conversation(id), self.outbox.clone()));
        self.last_queue = None;
        self.agent_name = None;
    }

    async fn welcome(&mut self, visitor_token: String) -> ToVisitor {
        let (online, hours) = app::chat::site_open_now(&self.web, self.site.site_id).await.unwrap_or_default();
        // The status task tells this socket when the hours open or close.
        self.web.site_watch().at(self.site.site_id, hours.next_change);
        self.last_status = Some((online, hours.clone()));
        let conversation = match self.conversation {
            Some(id) => self.describe(id).await,
            None => None,
        };
        let settings = &self.site.settings;
        ToVisitor::Welcome {
            visitor_token,
            online,
            hours,
            conversation,
            settings: crate::widget::for_visitors(settings),
            texts: crate::widget::texts(crate::widget::lang(settings)),
        }
    }

    async fn describe(&mut self, id: ConversationId) -> Option<VisitorConversation> {
        let state = self.web.chat.streams().conversation(id).await.ok()?;
        let queue_position = self.queue_position().await;
        self.last_queue = queue_position;
        self.agent_name = match state.agent {
            Some(_) => app::chat::conversation_events(&self.web, id).await.into_iter().rev().find_map(|(_, _, e)| match e {
                conversation::Event::ConversationAssigned { agent_name, .. } => Some(agent_name),
                _ => None,
            }),
            None => None,
        };
        let state = if state.closed {
            "closed"
        } else if state.agent.is_some() {
            "assigned"
        } else {
            "waiting"
        };
        Some(VisitorConversation { id, state, agent_name: self.agent_name.clone(), queue_position })
    }

    /// Messages after what the widget has, from the log itself (not a read model that may
    /// lag): after `hello`, and now and then in case a notice was lost on a busy server.
    async fn catch_up(&mut self, socket: &mut WebSocket) -> Result<(), axum::Error> {
        let Some(id) = self.conversation else { return Ok(()) };
        let frames: Vec<ToVisitor> = self.web.messages_after(id, false, &mut self.sent).await.into_iter().map(ToVisitor::Message).collect();
        send_all(socket, &frames).await
    }

    async fn queue_position(&self) -> Option<i64> {
        app::chat::queue_position(&self.web, self.conversation?).await.ok().flatten()
    }

    async fn handle(&mut self, frame: FromVisitor) -> Vec<ToVisitor> {
        match frame {
            FromVisitor::Hello { .. } => vec![error("invalid_frame", &locale::t!("chat-error-hello-once"))],
            FromVisitor::Message { client_id, text, name, email } => self.message(client_id, &text, (name, email)).await,
            FromVisitor::Typing { typing } => {
                if let Some(conversation_id) = self.conversation {
                    app::chat::typing::send(&self.web, &Typing { conversation_id, from: "visitor".into(), typing }).await;
                }
                vec![]
            }
            FromVisitor::OfflineMessage { client_id, name, email, message } => {
                let site = &self.site;
                let left = self
                    .web
                    .chat
                    .streams()
                    .leave_offline_message(site.site_id, site.company_id, self.visitor_id, &name, &email, &message, &self.page_url, &self.details)
                    .await;
                match left {
                    Ok(_) => vec![ToVisitor::OfflineReceived { client_id }],
                    Err(e) => vec![refused(e)],
                }
            }
            frame @ (FromVisitor::Rate { .. } | FromVisitor::Email { .. } | FromVisitor::SendTranscript { .. }) => {
                match self.end_of_chat(frame).await {
                    Ok(done) => vec![done],
                    Err(e) => vec![refused(e)],
                }
            }
            FromVisitor::Close => match self.conversation {
                Some(id) => match self.web.chat.close(id, "visitor", &self.metadata()).await {
                    Ok(()) => vec![],
                    Err(e) => vec![refused(e)],
                },
                None => vec![],
            },
        }
    }

    /// A rating, an address or a copy asked for, on the conversation this socket follows or,
    /// after a reload once it ended, the visitor's latest chat on the site (theirs either way:
    /// a visitor names no conversation). The domain refuses a rating before the end and a
    /// copy to an address they did not give in it.
    async fn end_of_chat(&self, frame: FromVisitor) -> Result<ToVisitor, crate::error::AppError> {
        let id = match self.conversation {
            Some(id) => id,
            None => app::chat::visitors::latest_chat(&self.web, self.visitor_id, self.site.site_id).await?.ok_or(app::Error::NotFound)?,
        };
        let (streams, metadata) = (self.web.chat.streams(), self.metadata());
        Ok(match frame {
            FromVisitor::Rate { rating, comment } => {
                streams.rate(id, rating, &comment, &metadata).await?;
                ToVisitor::Rated { rating }
            }
            FromVisitor::Email { email } => {
                streams.give_email(id, &email, &metadata).await?;
                ToVisitor::EmailNoted { email: email.trim().to_owned() }
            }
            FromVisitor::SendTranscript { email, request_id } => {
                streams.request_transcript(id, request_id, &email, &metadata).await?;
                ToVisitor::TranscriptRequested { request_id }
            }
            _ => return Err(app::Error::NotFound.into()),
        })
    }

    /// `given`: the name and address of the pre-chat form, for a conversation this starts.
    async fn message(&mut self, client_id: Uuid, text: &str, given: (String, String)) -> Vec<ToVisitor> {
        // A message the domain would refuse must not start a conversation first.
        if let Err(e) = conversation::checked_text(text) {
            return vec![refused(commands::Error::from(e))];
        }
        let mut posted = match self.conversation {
            Some(_) => Some(self.post(client_id, text).await),
            None => None,
        };
        // No conversation yet, or it has ended: this message starts a new one.
        let started = posted.is_none() || matches!(posted, Some(Err(commands::Error::Conversation(conversation::Error::Closed))));
        if started {
            if let Some(closed) = self.outside_hours().await {
                return closed;
            }
            // A site with a pre-chat form starts no chat without an address (the widget asks first).
            if self.site.settings.prechat_form && given.1.trim().is_empty() {
                return vec![refused(commands::Error::from(conversation::Error::BadEmail(String::new())))];
            }
            posted = Some(self.start_with(client_id, text, given).await);
        }
        let posted = match posted.expect("posted or started") {
            Ok(posted) => posted,
            Err(e) => return vec![refused(e)],
        };
        let id = self.conversation.expect("a conversation now");
        let mut frames = vec![ToVisitor::Ack { client_id, seq: posted.seq }];
        if !posted.duplicate {
            self.web.publish_message(id, posted);
        }
        if started {
            // Offer it now; when nobody is free it waits and the widget shows its place.
            if let Err(e) = self.web.chat.route(id).await {
                tracing::warn!(error = %e, "routing failed");
            }
            if let Some(position) = self.queue_position().await {
                self.last_queue = Some(position);
                frames.push(ToVisitor::Queue { position });
            }
        }
        frames
    }

    /// Outside business hours no chat starts (one under way goes on): the widget is told
    /// so, and shows the offline form as when nobody is online.
    async fn outside_hours(&mut self) -> Option<Vec<ToVisitor>> {
        let hours = match app::hours::of_site(&self.web, self.site.site_id).await {
            Ok(hours) if !hours.open => hours,
            Ok(_) => return None,
            Err(e) => return Some(vec![refused(e)]),
        };
        self.last_status = Some((false, hours.clone()));
        Some(vec![error("closed", &locale::t!("widget-closed-error")), ToVisitor::Status { online: false, hours }])
    }

    /// A new conversation for this visitor, started by this message (both stored, or
    /// neither), followed from now on.
    async fn start_with(&mut self, client_id: Uuid, text: &str, (name, email): (String, String)) -> Result<commands::chat::Posted, commands::Error> {
        let (site, visitor) = (&self.site, self.visitor_id);
        let given = (!name.trim().is_empty() || !email.trim().is_empty()).then(|| Box::new(Given { name: name.into(), email: email.into() }));
        let details = VisitorDetails { given, ..self.details.clone() };
        let (id, posted) =
            self.web.chat.streams().start_with_message(site.site_id, site.company_id, visitor, &self.page_url, &details, client_id, text).await?;
        self.follow(id);
        self.sent = 0;
        Ok(posted)
    }

    async fn post(&self, client_id: Uuid, text: &str) -> Result<commands::chat::Posted, commands::Error> {
        let id = self.conversation.expect("a conversation to post in");
        self.web.chat.streams().post(id, Sender::Visitor, client_id, text, &self.metadata()).await
    }

    async fn on_notice(&mut self, notice: Notice) -> Vec<ToVisitor> {
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
                        vec![ToVisitor::Assigned { agent_name: agent_name.clone() }]
                    }
                    conversation::Event::ConversationClosed { by } => vec![ToVisitor::Closed { by: by.clone() }],
                    _ => vec![],
                }
            }
            Notice::Typing(t) if t.from == "agent" && Some(t.conversation_id) == self.conversation => {
                vec![ToVisitor::Typing { typing: t.typing, agent_name: self.agent_name.clone() }]
            }
            Notice::SiteChanged(_, status) => self.site_changed(&status),
            _ => vec![],
        }
    }

    /// Whether chats may start (and the hours), and the place in the queue, when they changed.
    fn site_changed(&mut self, status: &SiteStatus) -> Vec<ToVisitor> {
        let mut frames = Vec::new();
        let now = (status.online, status.hours.clone());
        if self.last_status.as_ref() != Some(&now) {
            self.last_status = Some(now);
            frames.push(ToVisitor::Status { online: status.online, hours: status.hours.clone() });
        }
        if let Some(position) = self.conversation.and_then(|id| status.position(id)) {
            if self.last_queue != Some(position) {
                self.last_queue = Some(position);
                frames.push(ToVisitor::Queue { position });
            }
        }
        frames
    }

    async fn message_out(&mut self, seq: u64, event: &conversation::Event, at: chrono::DateTime<chrono::Utc>) -> Vec<ToVisitor> {
        let Some(id) = self.conversation else { return vec![] };
        self.web.message_frames(id, false, &mut self.sent, seq, event, at).await.into_iter().map(ToVisitor::Message).collect()
    }
}
