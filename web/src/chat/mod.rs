//! Live chat over WebSockets: the widget's, the agents' console's and the supervisors'
//! board's sockets, their frames, the per-process hub that feeds them, and the chat pages.

pub mod agent;
pub mod hub;
pub mod pages;
pub mod protocol;
pub mod site_status;
pub mod supervisor;
pub mod visitor;

use std::sync::Arc;
use std::time::Instant;

use domain::{conversation, ConversationId};
use serde::Serialize;

use crate::Web;
use hub::{Interest, Notice};
use protocol::Message;

/// The largest frame a socket accepts; a larger one closes it with 1009.
pub const MAX_FRAME: usize = 16 * 1024;
/// What the WebSocket layer reads at most before dropping the connection outright: above
/// MAX_FRAME so that a too-large frame is refused with a close code the client can read.
pub const READ_LIMIT: usize = 4 * MAX_FRAME;

/// How staff screens name a visitor: the name they gave, else their e-mail address, else
/// their number in the company ("Visitor #128").
pub fn visitor_label(c: &projections::chat::ConversationRow) -> String {
    if c.visitor_erased {
        return locale::t!("chat-visitor-erased");
    }
    c.given_name().or(c.given_email()).map(str::to_owned).unwrap_or_else(|| match c.visitor_number {
        Some(n) => locale::t!("chat-visitor-number", number = n.to_string()),
        None => locale::t!("chat-visitor"),
    })
}

/// Sends one JSON frame.
pub async fn send(socket: &mut axum::extract::ws::WebSocket, frame: &impl Serialize) -> Result<(), axum::Error> {
    let text = serde_json::to_string(frame).expect("frames serialise");
    socket.send(axum::extract::ws::Message::Text(text.into())).await
}

/// Sends frames in order; stops at the first that cannot be sent.
pub async fn send_all(socket: &mut axum::extract::ws::WebSocket, frames: &[impl Serialize]) -> Result<(), axum::Error> {
    for frame in frames {
        send(socket, frame).await?;
    }
    Ok(())
}

impl Web {
    /// Hands a message just stored to this process's sockets without waiting for the event
    /// to come back through the subscription.
    pub fn publish_message(&self, conversation_id: ConversationId, posted: commands::chat::Posted) {
        let notice = Notice::Message { conversation_id, seq: posted.seq, event: Arc::new(posted.event), at: posted.at };
        self.hub().publish(Interest::Conversation(conversation_id), notice);
    }

    /// `publish_message` for what was just stored, not for a repeat of a message or note
    /// stored (and handed out) before.
    pub fn publish_new(&self, conversation_id: ConversationId, posted: commands::chat::Posted) {
        if !posted.duplicate {
            self.publish_message(conversation_id, posted);
        }
    }

    /// The frames for message `seq` on a socket that has sent messages up to `sent`: none
    /// when sent already; with the messages in between, read from the log, when it overtook
    /// them (a message stored by this process is published at once, one stored by another
    /// process arrives later through the subscription).
    pub async fn message_frames(
        &self,
        id: ConversationId,
        staff: bool,
        sent: &mut u64,
        seq: u64,
        event: &conversation::Event,
        at: chrono::DateTime<chrono::Utc>,
    ) -> Vec<Message> {
        if seq <= *sent {
            return Vec::new();
        }
        if seq == *sent + 1 {
            *sent = seq;
            return Message::of(staff.then_some(id), seq, event, at).into_iter().collect();
        }
        self.messages_after(id, staff, sent).await
    }

    /// Frames for the messages after `sent`, from the log; `sent` moves to the last one.
    /// What a socket uses to catch up after a (re)connection, or after a notice it lost.
    pub async fn messages_after(&self, id: ConversationId, staff: bool, sent: &mut u64) -> Vec<Message> {
        let mut frames = Vec::new();
        for (version, at, event) in app::chat::conversation_events(self, id).await {
            if version > *sent {
                if let Some(frame) = Message::of(staff.then_some(id), version, &event, at) {
                    frames.push(frame);
                    *sent = version;
                }
            }
        }
        frames
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

/// How often a console or a board checks that its session still allows it: a logout, a
/// deactivation, a password reset or a role taken away closes it within that time, on
/// every server process (each reads the same sessions and read models).
pub const RECHECK: std::time::Duration = std::time::Duration::from_secs(1);

/// Why a live socket's rights ended, as its close code, or None while they stand.
pub async fn revoked(web: &Web, session: &app::auth::Session, role: domain::company::Role) -> Option<(u16, &'static str)> {
    match app::auth::sessions::find_by_hash(web, session.token_hash.clone()).await {
        Ok(None) => Some((4401, "session_ended")),
        Ok(Some(now)) if !now.has_role(role) => Some((4403, "role_removed")),
        // A database that does not answer ends nothing: the next check decides.
        Ok(Some(_)) | Err(_) => None,
    }
}

/// The next text frame of a socket; `None` once it closed or dropped, or sent a frame over
/// MAX_FRAME (then it is closed with 1009) or a binary frame (1003).
pub async fn next_text(socket: &mut axum::extract::ws::WebSocket) -> Option<axum::extract::ws::Utf8Bytes> {
    use axum::extract::ws::Message;
    loop {
        match socket.recv().await? {
            Ok(Message::Text(t)) if t.len() > MAX_FRAME => {
                close_socket(socket, 1009, "frame_too_large").await;
                return None;
            }
            Ok(Message::Text(t)) => return Some(t),
            Ok(Message::Binary(_)) => {
                close_socket(socket, 1003, "binary_frames_refused").await;
                return None;
            }
            Ok(Message::Close(_)) | Err(_) => return None,
            Ok(Message::Ping(_) | Message::Pong(_)) => continue,
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
