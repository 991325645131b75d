//! The supervisor board's socket: `GET /supervisor/ws` (see docs/chat-protocol.md).

use std::collections::HashMap;
use std::time::Duration;

use axum::extract::ws::{Message as WsMessage, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use domain::company::Role;
use domain::conversation::{self, Decision};
use domain::{Actor, ConversationId, Event, Metadata, UserId};
use serde::Deserialize;
use serde_json::{json, Value};

use super::agent::same_origin;
use super::hub::{Interest, Notice, Outbox, Registration};
use super::visitor::{command_error, error};
use super::{message_frame, READ_LIMIT};
use crate::auth::Session;
use crate::error::AppError;
use crate::App;

#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum In {
    Hello {},
    Watch { conversation_id: ConversationId },
    Unwatch { conversation_id: ConversationId },
    Reassign { conversation_id: ConversationId, to: UserId },
}

pub async fn upgrade(State(app): State<App>, session: Result<Session, AppError>, headers: HeaderMap, ws: WebSocketUpgrade) -> Response {
    let Ok(session) = session else { return StatusCode::UNAUTHORIZED.into_response() };
    if !session.has_role(Role::Supervisor) {
        return StatusCode::FORBIDDEN.into_response();
    }
    if !same_origin(&headers) {
        return (StatusCode::FORBIDDEN, "cross-origin board sockets are refused").into_response();
    }
    ws.max_message_size(READ_LIMIT).max_frame_size(READ_LIMIT).on_upgrade(move |socket| run(app, session, socket))
}

/// The board: agents with status and load, queues per site, open conversations.
pub async fn board(app: &App, session: &Session) -> Value {
    let Ok(client) = app.pool.get().await else { return error("unavailable", "The database is not answering.") };
    let company = session.company_id();
    let agents = projections::chat::agents_of_company(&**client, company).await.unwrap_or_default();
    let open = projections::chat::open_for_company(&**client, company).await.unwrap_or_default();
    let mut queues: Vec<(uuid::Uuid, String, Vec<Value>)> = Vec::new();
    for c in open.iter().filter(|c| c.state == "waiting") {
        let since = c.queued_at.unwrap_or(c.started_at);
        match queues.iter_mut().find(|(id, _, _)| *id == c.site_id.0) {
            Some((_, _, waiting)) => waiting.push(json!({ "conversation_id": c.conversation_id, "since": since })),
            None => queues.push((c.site_id.0, c.site.clone(), vec![json!({ "conversation_id": c.conversation_id, "since": since })])),
        }
    }
    json!({
        "type": "board",
        "agents": agents.iter().map(|a| json!({ "user_id": a.user_id, "name": a.name, "status": a.status, "load": a.load, "max_chats": a.max_chats, "sites": a.sites })).collect::<Vec<_>>(),
        "queues": queues.into_iter().map(|(id, site, waiting)| json!({ "site_id": id, "site": site, "waiting": waiting })).collect::<Vec<_>>(),
        "conversations": open.iter().map(|c| json!({
            "id": c.conversation_id, "site": c.site, "agent_name": c.agent_name,
            "visitor": c.visitor_name.clone().unwrap_or_else(|| format!("Visitor {}", &c.visitor_id.to_string()[..8])),
            "started_at": c.started_at, "state": c.state,
        })).collect::<Vec<_>>(),
    })
}

async fn run(app: App, session: Session, mut socket: WebSocket) {
    let (outbox, mut inbox) = Outbox::new();
    let _board = app.hub.register(Interest::Company(session.company_id()), outbox.clone());
    let mut watched: HashMap<ConversationId, (Registration, u64)> = HashMap::new();
    let metadata = Metadata::new(Some(session.company_id()), Actor::User(session.user.user_id));
    let mut ping = tokio::time::interval(Duration::from_secs(25));
    // Board refreshes are coalesced: at most two a second.
    let mut refresh = tokio::time::interval(Duration::from_millis(500));
    let mut stale = false;
    loop {
        let replies: Vec<Value> = tokio::select! {
            text = super::next_text(&mut socket) => {
                let Some(text) = text else { return };
                match serde_json::from_str::<In>(&text) {
                    Ok(In::Hello {}) => vec![board(&app, &session).await],
                    Ok(In::Watch { conversation_id }) => match transcript(&app, &session, conversation_id).await {
                        Some((frame, last)) => {
                            watched.insert(conversation_id, (app.hub.register(Interest::Conversation(conversation_id), outbox.clone()), last));
                            vec![frame]
                        }
                        None => vec![error("not_found", "There is no such conversation.")],
                    },
                    Ok(In::Unwatch { conversation_id }) => {
                        watched.remove(&conversation_id);
                        vec![]
                    }
                    Ok(In::Reassign { conversation_id, to }) => match app.chat.conversation(conversation_id).await {
                        Ok(c) if c.company_id == Some(session.company_id()) => {
                            let decision = Decision::Reassigned { supervisor: session.user.user_id, from: c.agent };
                            match app.chat.hand_over(conversation_id, to, decision, &metadata).await {
                                Ok(()) => vec![],
                                Err(e) => vec![command_error(e)],
                            }
                        }
                        _ => vec![error("not_found", "There is no such conversation.")],
                    },
                    Err(e) => vec![error("invalid_frame", &format!("this frame cannot be read: {e}"))],
                }
            }
            notice = inbox.recv() => {
                let Some(notice) = notice else { return };
                match notice {
                    Notice::BoardChanged => { stale = true; vec![] }
                    Notice::Message { conversation_id, seq, event, at } => watched_message(&app, &mut watched, conversation_id, seq, &event, at).await,
                    Notice::Event(recorded, decoded) => match &*decoded {
                        Event::Conversation(e @ conversation::Event::MessagePosted { .. }) => {
                            let id: ConversationId = recorded.stream.strip_prefix("conversation-").and_then(|s| s.parse().ok()).unwrap_or_default();
                            watched_message(&app, &mut watched, id, recorded.version, e, recorded.occurred_at).await
                        }
                        _ => vec![],
                    },
                    _ => vec![],
                }
            }
            _ = refresh.tick() => {
                if stale || outbox.lost_any() { stale = false; vec![board(&app, &session).await] } else { vec![] }
            }
            _ = ping.tick() => {
                if socket.send(WsMessage::Ping(Vec::new().into())).await.is_err() { return }
                vec![]
            }
        };
        if send_all(&mut socket, &replies).await.is_err() {
            return;
        }
    }
}

async fn watched_message(
    app: &App,
    watched: &mut HashMap<ConversationId, (Registration, u64)>,
    id: ConversationId,
    seq: u64,
    event: &conversation::Event,
    at: chrono::DateTime<chrono::Utc>,
) -> Vec<Value> {
    match watched.get_mut(&id) {
        Some((_, sent)) => app.message_frames(id, true, sent, seq, event, at).await,
        None => vec![],
    }
}

/// A conversation of the supervisor's company, with its messages so far.
async fn transcript(app: &App, session: &Session, id: ConversationId) -> Option<(Value, u64)> {
    let state = app.chat.conversation(id).await.ok()?;
    if state.company_id != Some(session.company_id()) {
        return None;
    }
    let mut last = 0;
    let messages: Vec<Value> = app
        .conversation_events(id)
        .await
        .into_iter()
        .filter(|(_, _, e)| matches!(e, conversation::Event::MessagePosted { .. }))
        .map(|(version, at, e)| {
            last = version;
            message_frame(Some(id), version, &e, at)
        })
        .collect();
    Some((json!({ "type": "transcript", "conversation_id": id, "messages": messages }), last))
}

async fn send_all(socket: &mut WebSocket, frames: &[Value]) -> Result<(), axum::Error> {
    for frame in frames {
        super::send(socket, frame).await?;
    }
    Ok(())
}
