//! Live chat over WebSockets: the widget's, the agents' console's and the supervisors'
//! board's sockets, the per-process hub that feeds them, presence, and the chat pages.

pub mod agent;
pub mod hub;
pub mod pages;
pub mod presence;
pub mod site_status;
pub mod supervisor;
pub mod view;
pub mod visitor;

use std::sync::Arc;
use std::time::Instant;

use domain::conversation::{self, Sender};
use domain::ConversationId;
use serde_json::{json, Value};

use crate::App;
use hub::{Interest, Notice};

/// The largest frame a socket accepts; a larger one closes it with 1009.
pub const MAX_FRAME: usize = 16 * 1024;
/// What the WebSocket layer reads at most before dropping the connection outright: above
/// MAX_FRAME so that a too-large frame is refused with a close code the client can read.
pub const READ_LIMIT: usize = 4 * MAX_FRAME;

/// Sends one JSON frame.
pub async fn send(socket: &mut axum::extract::ws::WebSocket, frame: &Value) -> Result<(), axum::Error> {
    socket.send(axum::extract::ws::Message::Text(frame.to_string().into())).await
}

/// A message as every socket sends it.
pub fn message_frame(conversation_id: Option<ConversationId>, seq: u64, event: &conversation::Event, at: chrono::DateTime<chrono::Utc>) -> Value {
    let conversation::Event::MessagePosted { client_id, from, text } = event else { return Value::Null };
    let (from, agent_name, agent_id) = match from {
        Sender::Visitor => ("visitor", None, None),
        Sender::Agent { name, user_id } => ("agent", Some(name.clone()), Some(*user_id)),
        Sender::System => ("system", None, None),
    };
    let mut frame = json!({ "type": "message", "seq": seq, "client_id": client_id, "from": from, "agent_name": agent_name, "text": text, "at": at });
    // Staff sockets (tagged with the conversation) also learn which agent wrote.
    if let Some(id) = conversation_id {
        frame["conversation_id"] = json!(id);
        frame["agent_id"] = json!(agent_id);
    }
    frame
}

impl App {
    /// Hands a message just stored to this process's sockets without waiting for the event
    /// to come back through the subscription.
    pub fn publish_message(&self, conversation_id: ConversationId, seq: u64, event: conversation::Event) {
        let notice = Notice::Message { conversation_id, seq, event: Arc::new(event), at: chrono::Utc::now() };
        self.hub.publish(Interest::Conversation(conversation_id), notice);
    }

    /// The frames for message `seq` on a socket that has sent messages up to `sent`: none
    /// when sent already; with the messages in between, read from the log, when it overtook
    /// them (a message stored by this process is published at once, one stored by another
    /// process arrives later through the subscription).
    pub async fn message_frames(
        &self,
        id: ConversationId,
        tagged: bool,
        sent: &mut u64,
        seq: u64,
        event: &conversation::Event,
        at: chrono::DateTime<chrono::Utc>,
    ) -> Vec<Value> {
        if seq <= *sent {
            return Vec::new();
        }
        if seq == *sent + 1 {
            *sent = seq;
            return vec![message_frame(tagged.then_some(id), seq, event, at)];
        }
        self.messages_after(id, tagged, sent).await
    }

    /// Frames for the messages after `sent`, from the log; `sent` moves to the last one.
    /// What a socket uses to catch up after a (re)connection, or after a notice it lost.
    pub async fn messages_after(&self, id: ConversationId, tagged: bool, sent: &mut u64) -> Vec<Value> {
        let mut frames = Vec::new();
        for (version, at, event) in self.conversation_events(id).await {
            if version > *sent && matches!(event, conversation::Event::MessagePosted { .. }) {
                frames.push(message_frame(tagged.then_some(id), version, &event, at));
                *sent = version;
            }
        }
        frames
    }

    /// A conversation's events with their versions and times, from the log (unreadable
    /// ones skipped).
    pub async fn conversation_events(&self, id: ConversationId) -> Vec<(u64, chrono::DateTime<chrono::Utc>, conversation::Event)> {
        use store::EventStore;
        match self.store.read_stream(&conversation::stream(id), 0).await {
            Ok(events) => events.iter().filter_map(|e| Some((e.version, e.occurred_at, e.decode_as::<conversation::Event>().ok()?))).collect(),
            Err(_) => Vec::new(),
        }
    }
}

/// Closes a socket with a code the client can read: sends the close frame, then reads
/// (and drops) what the client still sends until it answers, so that the TCP connection
/// is not reset under the close frame.
pub async fn close_socket(socket: &mut axum::extract::ws::WebSocket, code: u16, reason: &'static str) {
    use axum::extract::ws::{CloseFrame, Message};
    if socket.send(Message::Close(Some(CloseFrame { code, reason: reason.into() }))).await.is_err() {
        return;
    }
    let _ = tokio::time::timeout(std::time::Duration::from_secs(2), async {
        while let Some(Ok(frame)) = socket.recv().await {
            if matches!(frame, Message::Close(_)) {
                break;
            }
        }
    })
    .await;
}

/// How long a socket waits after its site changed before it looks (changes come in bursts).
pub const SITE_SETTLE: std::time::Duration = std::time::Duration::from_millis(250);

/// `tokio::time::sleep_until` for an optional deadline (never, without one).
pub async fn sleep_until(due: Option<tokio::time::Instant>) {
    match due {
        Some(due) => tokio::time::sleep_until(due).await,
        None => std::future::pending().await,
    }
}

/// The next text frame of a socket; `None` once it closed or dropped, or sent a frame over
/// MAX_FRAME (then it is closed with 1009).
pub async fn next_text(socket: &mut axum::extract::ws::WebSocket) -> Option<axum::extract::ws::Utf8Bytes> {
    use axum::extract::ws::Message;
    loop {
        match socket.recv().await? {
            Ok(Message::Text(t)) if t.len() > MAX_FRAME => {
                close_socket(socket, 1009, "frame_too_large").await;
                return None;
            }
            Ok(Message::Text(t)) => return Some(t),
            Ok(Message::Close(_)) | Err(_) => return None,
            Ok(_) => continue,
        }
    }
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
        let Ok(client) = app.pool.get().await else { continue };
        // Agents holding conversations while away or offline, or more than they answer.
        let suspects = client
            .query(
                "SELECT l.user_id FROM agent_load l WHERE l.conversations > 0 AND (l.status <> 'online'
                   OR l.conversations > (SELECT count(*) FROM conversations c WHERE c.agent_id = l.user_id AND c.state = 'assigned'))",
                &[],
            )
            .await
            .unwrap_or_default();
        let sites = client.query("SELECT DISTINCT site_id FROM conversations WHERE state = 'waiting'", &[]).await.unwrap_or_default();
        drop(client);
        for row in suspects {
            if let Err(e) = app.chat.recover_agent(domain::UserId(row.get(0)), ABANDONED).await {
                tracing::warn!(error = %e, "could not finish what a killed process left undone");
            }
        }
        for row in sites {
            if let Err(e) = app.chat.drain(domain::SiteId(row.get(0))).await {
                tracing::warn!(error = %e, "could not offer a queue");
            }
        }
    }
}

/// Frames allowed per socket: bursts of 10, 2 per second after that (20 per 10 s).
pub struct RateLimit {
    tokens: f64,
    last: Instant,
    dropped: u32,
}

impl RateLimit {
    const BURST: f64 = 10.0;
    const PER_SECOND: f64 = 2.0;

    pub fn new() -> Self {
        RateLimit { tokens: Self::BURST, last: Instant::now(), dropped: 0 }
    }

    pub fn allow(&mut self) -> bool {
        let now = Instant::now();
        self.tokens = (self.tokens + now.duration_since(self.last).as_secs_f64() * Self::PER_SECOND).min(Self::BURST);
        self.last = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            self.dropped = 0;
            true
        } else {
            self.dropped += 1;
            false
        }
    }

    /// Still sending after 40 refusals in a row.
    pub fn flooding(&self) -> bool {
        self.dropped > 40
    }

    pub fn retry_after(&self) -> u64 {
        ((1.0 - self.tokens) / Self::PER_SECOND).ceil().max(1.0) as u64
    }
}

impl Default for RateLimit {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::RateLimit;

    #[test]
    fn a_burst_passes_then_frames_are_refused_and_a_flood_is_noticed() {
        let mut limit = RateLimit::new();
        assert!((0..10).all(|_| limit.allow()));
        assert!(!limit.allow());
        assert!(limit.retry_after() >= 1);
        for _ in 0..40 {
            limit.allow();
        }
        assert!(limit.flooding());
    }
}
