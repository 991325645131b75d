//! The sockets' frames, as docs/chat-protocol.md describes them: what the widget, the
//! console and the board send, and what each is sent. One JSON object per frame, tagged by
//! `type`.

use chrono::{DateTime, Utc};
use domain::conversation::{self, Sender};
use domain::site::WidgetSettings;
use domain::{ConversationId, SiteId, UserId};
use projections::chat::{AgentRow, Queue};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use uuid::Uuid;

// ---- Shared ---------------------------------------------------------------------------

/// A message of a conversation, as every socket sends it, alone or inside another frame
/// (a conversation's, a transcript's): either way it says it is a `message`.
#[derive(Debug, Clone, Serialize)]
pub struct Message {
    #[serde(rename = "type")]
    kind: &'static str,
    pub seq: u64,
    pub client_id: Uuid,
    /// `visitor`, `agent`, `system`, or `note` (an internal note: staff sockets only).
    pub from: &'static str,
    pub agent_name: Option<String>,
    /// Empty when `erased`.
    pub text: String,
    /// The visitor was erased: who wrote it and when is all there is.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub erased: bool,
    pub at: DateTime<Utc>,
    /// Staff sockets also learn the conversation and which agent wrote; the widget does not.
    #[serde(flatten)]
    pub staff: Option<StaffTags>,
}

#[derive(Debug, Clone, Serialize)]
pub struct StaffTags {
    pub conversation_id: ConversationId,
    pub agent_id: Option<UserId>,
}

impl Message {
    /// The frame for a stored `MessagePosted`, or for a `NoteAdded` on a staff socket (None
    /// for any other event: a visitor's socket never gets a note); tagged with the
    /// conversation for staff sockets.
    pub fn of(staff_of: Option<ConversationId>, seq: u64, event: &conversation::Event, at: DateTime<Utc>) -> Option<Message> {
        let (client_id, (from, agent_name, agent_id), text) = match event {
            conversation::Event::MessagePosted { client_id, from, text } => (
                client_id,
                match from {
                    Sender::Visitor => ("visitor", None, None),
                    Sender::Agent { name, user_id } => ("agent", Some(name.clone()), Some(*user_id)),
                    Sender::System => ("system", None, None),
                },
                text,
            ),
            conversation::Event::NoteAdded { note_id, author_id, author_name, text } if staff_of.is_some() => {
                (note_id, ("note", Some(author_name.clone()), Some(*author_id)), text)
            }
            _ => return None,
        };
        let staff = staff_of.map(|conversation_id| StaffTags { conversation_id, agent_id });
        let (erased, text) = (text.text().is_none(), text.text_or_empty().to_owned());
        Some(Message { kind: "message", seq, client_id: *client_id, from, agent_name, text, erased, at, staff })
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct ErrorFrame {
    /// The API's machine-readable code (`rate_limited`, `message_too_long`, `invalid_frame` …).
    pub code: String,
    pub message: String,
    /// With `rate_limited`: seconds to wait.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u64>,
}

impl ErrorFrame {
    pub fn new(code: &str, message: impl Into<String>) -> Self {
        ErrorFrame { code: code.to_owned(), message: message.into(), retry_after: None }
    }

    /// A refusal, with the code and message the API gives it. When the database could not
    /// be reached nothing was stored, and the frame says when to send it again.
    pub fn refused(e: impl Into<crate::error::AppError>) -> Self {
        let (_, code, message, _) = e.into().parts();
        let mut frame = ErrorFrame::new(code, message);
        if code == "unavailable" {
            frame.retry_after = Some(2);
        }
        frame
    }

    pub fn unreadable(e: serde_json::Error) -> Self {
        ErrorFrame::new("invalid_frame", locale::t!("chat-error-unreadable-frame", reason = e.to_string()))
    }
}

/// A frame from a client: a JSON object with a `type`, nothing else (serde alone would
/// also read an array as the fields in order).
pub fn parse_frame<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, ErrorFrame> {
    match serde_json::from_str::<serde_json::Value>(text).map_err(ErrorFrame::unreadable)? {
        value @ serde_json::Value::Object(_) => serde_json::from_value(value).map_err(ErrorFrame::unreadable),
        _ => Err(ErrorFrame::new("invalid_frame", locale::t!("chat-error-not-a-frame"))),
    }
}

// ---- The widget -------------------------------------------------------------------------

#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum FromVisitor {
    Hello {
        visitor_token: Option<String>,
        #[serde(default)]
        last_seen: u64,
        #[serde(default)]
        page_url: String,
        /// The page before the site's, when the visitor came from elsewhere.
        #[serde(default)]
        referrer: String,
        /// `navigator.language`.
        #[serde(default)]
        language: String,
        /// The browser's IANA time zone.
        #[serde(default)]
        time_zone: String,
    },
    Message {
        client_id: Uuid,
        text: String,
        /// What the visitor typed in the site's pre-chat form: kept with the conversation
        /// this message starts (ignored once one is open).
        #[serde(default)]
        name: String,
        #[serde(default)]
        email: String,
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
    /// The visitor's rating of their conversation once it has ended (the latest one counts).
    Rate {
        rating: conversation::Rating,
        #[serde(default)]
        comment: String,
    },
    /// An address the visitor typed at the end of the chat: the only kind a copy goes to.
    Email {
        email: String,
    },
    /// A copy of the conversation by e-mail, to an address given in it; the same
    /// `request_id` again sends one mail.
    SendTranscript {
        email: String,
        request_id: Uuid,
    },
}

#[derive(Debug, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ToVisitor {
    Welcome {
        visitor_token: String,
        /// Chats may start: an agent online, within business hours.
        online: bool,
        hours: app::hours::Hours,
        conversation: Option<VisitorConversation>,
        settings: WidgetSettings,
        /// The widget's words in the site's language (as `/widget/config` has them).
        texts: serde_json::Map<String, serde_json::Value>,
    },
    Ack {
        client_id: Uuid,
        seq: u64,
    },
    Queue {
        position: i64,
    },
    Assigned {
        agent_name: String,
    },
    Typing {
        typing: bool,
        agent_name: Option<String>,
    },
    Closed {
        by: String,
    },
    Status {
        online: bool,
        hours: app::hours::Hours,
    },
    OfflineReceived {
        client_id: Uuid,
    },
    Rated {
        rating: conversation::Rating,
    },
    EmailNoted {
        email: String,
    },
    /// The copy is recorded; the mailer sends it.
    TranscriptRequested {
        request_id: Uuid,
    },
    Error(ErrorFrame),
    /// Carries its own `type`.
    #[serde(untagged)]
    Message(Message),
}

#[derive(Debug, Serialize)]
pub struct VisitorConversation {
    pub id: ConversationId,
    /// `waiting`, `assigned` or `closed`.
    pub state: &'static str,
    pub agent_name: Option<String>,
    pub queue_position: Option<i64>,
}

// ---- The console ------------------------------------------------------------------------

#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum FromAgent {
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
    /// An internal note, acknowledged like a message.
    Note {
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
    /// Takes a conversation ringing for this agent (a site that asks agents to accept).
    Accept {
        conversation_id: ConversationId,
    },
    /// Lets a ringing conversation go to the next agent at once.
    Decline {
        conversation_id: ConversationId,
    },
}

#[derive(Debug, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ToAgent {
    State {
        status: &'static str,
        max_chats: i32,
        conversations: Vec<ConsoleConversation>,
        queues: Vec<Queue>,
    },
    Conversation(Box<ConsoleConversation>),
    Ack {
        conversation_id: ConversationId,
        client_id: Uuid,
        seq: u64,
    },
    Typing {
        conversation_id: ConversationId,
        typing: bool,
    },
    Closed {
        conversation_id: ConversationId,
        by: String,
    },
    /// `transferred`, `reassigned` or `requeued`.
    Removed {
        conversation_id: ConversationId,
        reason: &'static str,
    },
    Queues {
        queues: Vec<Queue>,
    },
    Agents {
        conversation_id: ConversationId,
        agents: Vec<TransferTarget>,
    },
    /// The visitor of a held conversation opened another page.
    Page {
        conversation_id: ConversationId,
        page_url: String,
    },
    /// A new conversation rings for this agent: it is theirs if they accept within
    /// `remaining_ms` (by the server's clock, counted from this frame).
    Ringing {
        conversation_id: ConversationId,
        site: String,
        visitor: String,
        preview: String,
        remaining_ms: i64,
    },
    /// It stopped ringing for this agent: `accepted`, `timed_out`, `declined`, `closed` (the
    /// visitor left) or `taken` (a supervisor gave it to somebody).
    RingEnded {
        conversation_id: ConversationId,
        reason: &'static str,
    },
    Error(ErrorFrame),
    /// Carries its own `type`.
    #[serde(untagged)]
    Message(Message),
}

/// A conversation as the console shows it.
#[derive(Debug, Serialize)]
pub struct ConsoleConversation {
    pub id: ConversationId,
    pub site_id: SiteId,
    pub site: String,
    pub visitor: VisitorRef,
    pub page_url: String,
    pub state: &'static str,
    pub started_at: Option<DateTime<Utc>>,
    pub messages: Vec<Message>,
}

/// Who the visitor is, as the console shows them beside the conversation.
#[derive(Debug, Default, Serialize)]
pub struct VisitorRef {
    pub id: Option<Uuid>,
    /// What staff screens call them: the name or e-mail they gave, else "Visitor #128".
    pub label: String,
    pub number: Option<i32>,
    pub name: Option<String>,
    pub email: Option<String>,
    /// What their browser said when the conversation started (empty: it said nothing).
    pub referrer: String,
    pub browser: String,
    pub system: String,
    pub language: String,
    /// IANA name: the console shows their local time from it.
    pub time_zone: String,
    /// Their other conversations in the company, newest first.
    pub earlier: Vec<EarlierConversation>,
}

#[derive(Debug, Serialize)]
pub struct EarlierConversation {
    pub id: ConversationId,
    pub started_at: DateTime<Utc>,
    pub state: String,
    /// Their first message.
    pub preview: String,
}

impl VisitorRef {
    pub fn of(c: &projections::chat::ConversationRow, earlier: &[projections::chat::ConversationRow]) -> VisitorRef {
        VisitorRef {
            id: Some(c.visitor_id),
            label: super::visitor_label(c),
            number: c.visitor_number,
            name: c.visitor_name.clone(),
            email: c.visitor_email.clone(),
            referrer: c.referrer.clone(),
            browser: c.browser.clone(),
            system: c.system.clone(),
            language: c.visitor_language.clone(),
            time_zone: c.visitor_time_zone.clone(),
            earlier: earlier
                .iter()
                .map(|e| EarlierConversation { id: e.conversation_id, started_at: e.started_at, state: e.state.clone(), preview: e.preview.clone() })
                .collect(),
        }
    }
}

/// Another online agent of the site with a free slot.
#[derive(Debug, Serialize)]
pub struct TransferTarget {
    pub user_id: UserId,
    pub name: String,
    pub load: u32,
    pub max_chats: u32,
}

// ---- The board --------------------------------------------------------------------------

#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum FromSupervisor {
    Hello {},
    Watch {
        conversation_id: ConversationId,
    },
    Unwatch {
        conversation_id: ConversationId,
    },
    Reassign {
        conversation_id: ConversationId,
        to: UserId,
    },
    /// An internal note on a conversation of the company; it comes back as a `message` with
    /// `from: "note"` to whoever watches it.
    Note {
        conversation_id: ConversationId,
        client_id: Uuid,
        text: String,
    },
}

#[derive(Debug, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ToSupervisor {
    Board {
        agents: Vec<AgentRow>,
        queues: Vec<BoardQueue>,
        conversations: Vec<BoardConversation>,
        figures: BoardFigures,
    },
    Transcript {
        conversation_id: ConversationId,
        messages: Vec<Message>,
    },
    Error(ErrorFrame),
    #[serde(untagged)]
    Message(Message),
}

/// A site where somebody waits, longest first.
#[derive(Debug, Serialize)]
pub struct BoardQueue {
    pub site_id: SiteId,
    pub site: String,
    pub waiting: Vec<Waiting>,
}

#[derive(Debug, Serialize)]
pub struct Waiting {
    pub conversation_id: ConversationId,
    pub since: DateTime<Utc>,
}

#[derive(Debug, Serialize)]
pub struct BoardConversation {
    pub id: ConversationId,
    pub site: String,
    /// Null while waiting.
    pub agent_name: Option<String>,
    /// A display string: the name or e-mail the visitor gave, else their number ("Visitor #128").
    pub visitor: String,
    pub started_at: DateTime<Utc>,
    pub state: String,
}

/// The board's figures at `as_of` (the server's clock): each measure counts in the period
/// it ended in; "today" starts at `today_from`, midnight in `time_zone` (the company's).
#[derive(Debug, Serialize)]
pub struct BoardFigures {
    pub time_zone: String,
    pub as_of: DateTime<Utc>,
    pub last_hour_from: DateTime<Utc>,
    pub today_from: DateTime<Utc>,
    pub last_30_days_from: DateTime<Utc>,
    /// Every live site of the company, by name.
    pub sites: Vec<SiteFigures>,
    /// The agents rated in the last 30 days.
    pub agents: Vec<AgentSatisfaction>,
}

#[derive(Debug, Serialize)]
pub struct SiteFigures {
    pub site_id: SiteId,
    pub site: String,
    pub waiting: HourAndDay,
    pub first_response: HourAndDay,
    pub satisfaction: DayAndMonth,
}

#[derive(Debug, Serialize)]
pub struct AgentSatisfaction {
    pub user_id: UserId,
    pub satisfaction: DayAndMonth,
}

#[derive(Debug, Serialize)]
pub struct HourAndDay {
    pub last_hour: Average,
    pub today: Average,
}

#[derive(Debug, Serialize)]
pub struct DayAndMonth {
    pub today: Satisfaction,
    pub last_30_days: Satisfaction,
}

/// `count` durations measured; their average in whole seconds and as the reader says it
/// ("2 min 5 s"), null when none was.
#[derive(Debug, Serialize)]
pub struct Average {
    pub count: i64,
    pub seconds: Option<i64>,
    pub text: Option<String>,
}

/// `good` of `rated` ratings; the share in whole percent and as the reader says it
/// ("67% (2 of 3)"), null without a rating.
#[derive(Debug, Serialize)]
pub struct Satisfaction {
    pub good: i64,
    pub rated: i64,
    pub percent: Option<i64>,
    pub text: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn message(staff: bool) -> Message {
        let event = conversation::Event::MessagePosted { client_id: Uuid::nil(), from: Sender::Visitor, text: "Hi".into() };
        Message::of(staff.then_some(ConversationId(Uuid::nil())), 3, &event, "2026-12-01T10:00:00Z".parse().unwrap()).unwrap()
    }

    #[test]
    fn a_message_frame_is_tagged_for_staff_only() {
        let widget = serde_json::to_value(ToVisitor::Message(message(false))).unwrap();
        assert_eq!(
            widget,
            json!({ "type": "message", "seq": 3, "client_id": Uuid::nil(), "from": "visitor", "agent_name": null, "text": "Hi", "at": "2026-12-01T10:00:00Z" })
        );
        let console = serde_json::to_value(ToAgent::Message(message(true))).unwrap();
        // Inside a transcript, a message still says what it is.
        let transcript =
            serde_json::to_value(ToSupervisor::Transcript { conversation_id: ConversationId(Uuid::nil()), messages: vec![message(true)] }).unwrap();
        assert_eq!(transcript["messages"][0]["type"], "message");
        assert_eq!(console["conversation_id"], json!(Uuid::nil()));
        assert_eq!(console["agent_id"], json!(null));
        assert_eq!(console["type"], "message");
    }

    #[test]
    fn frames_carry_their_type_and_documented_fields() {
        let id = ConversationId(Uuid::nil());
        assert_eq!(serde_json::to_value(ToVisitor::Queue { position: 2 }).unwrap(), json!({ "type": "queue", "position": 2 }));
        assert_eq!(
            serde_json::to_value(ToAgent::Removed { conversation_id: id, reason: "requeued" }).unwrap(),
            json!({ "type": "removed", "conversation_id": id, "reason": "requeued" })
        );
        let mut limited = ErrorFrame::new("rate_limited", "Too many messages: slow down.");
        limited.retry_after = Some(1);
        assert_eq!(
            serde_json::to_value(ToVisitor::Error(limited)).unwrap(),
            json!({ "type": "error", "code": "rate_limited", "message": "Too many messages: slow down.", "retry_after": 1 })
        );
        assert!(serde_json::to_value(ToSupervisor::Error(ErrorFrame::new("not_found", "x"))).unwrap().get("retry_after").is_none());
    }

    #[test]
    fn the_end_of_chat_frames_read_a_rating_by_name_and_answer_with_their_type() {
        let rate = parse_frame::<FromVisitor>(r#"{"type":"rate","rating":"bad"}"#).unwrap();
        assert!(matches!(rate, FromVisitor::Rate { rating: conversation::Rating::Bad, ref comment } if comment.is_empty()));
        assert_eq!(parse_frame::<FromVisitor>(r#"{"type":"rate","rating":"meh","comment":""}"#).unwrap_err().code, "invalid_frame");
        let copy = parse_frame::<FromVisitor>(r#"{"type":"send_transcript","email":"a@b.co","request_id":"00000000-0000-0000-0000-000000000000"}"#);
        assert!(matches!(copy, Ok(FromVisitor::SendTranscript { .. })));
        assert_eq!(
            serde_json::to_value(ToVisitor::Rated { rating: conversation::Rating::Good }).unwrap(),
            json!({ "type": "rated", "rating": "good" })
        );
        assert_eq!(
            serde_json::to_value(ToVisitor::TranscriptRequested { request_id: Uuid::nil() }).unwrap(),
            json!({ "type": "transcript_requested", "request_id": Uuid::nil() })
        );
        assert_eq!(serde_json::to_value(ToVisitor::EmailNoted { email: "a@b.co".into() }).unwrap()["type"], "email_noted");
    }

    #[test]
    fn incoming_frames_are_read_by_type_and_unknown_ones_refused() {
        let hello: FromVisitor = serde_json::from_str(r#"{"type":"hello","visitor_token":null}"#).unwrap();
        assert!(matches!(hello, FromVisitor::Hello { last_seen: 0, .. }));
        assert!(serde_json::from_str::<FromAgent>(r#"{"type":"dance"}"#).is_err());
        assert!(serde_json::from_str::<FromSupervisor>(r#"{"type":"hello"}"#).is_ok());
        // Only objects: an array would otherwise be read as the fields in order.
        assert!(matches!(
            parse_frame::<FromVisitor>(r#"{"type":"message","client_id":"00000000-0000-0000-0000-000000000000","text":"hi"}"#),
            Ok(FromVisitor::Message { .. })
        ));
        for shape in [r#"["message","00000000-0000-0000-0000-000000000000","hi"]"#, "42", r#""hello""#, "null"] {
            assert_eq!(parse_frame::<FromVisitor>(shape).unwrap_err().code, "invalid_frame", "{shape}");
        }
        assert_eq!(parse_frame::<FromVisitor>("{nope").unwrap_err().code, "invalid_frame");
    }
}
