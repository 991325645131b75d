//! Live-chat fixtures: a company with a site and agents on it, and visitors and agents
//! connected over their real sockets.

use app::users::{AccessInput, UserInput};
use domain::agent::Status;
use domain::company::Role;
use domain::site::Priority;
use domain::{Actor, CompanyId, Metadata, SiteId, UserId};
use serde_json::{json, Value};

use crate::ws::{session_cookie, Refused, Ws};
use crate::TestServer;

pub const PASSWORD: &str = "agent-password";

pub struct ChatSite {
    pub company: CompanyId,
    pub site: SiteId,
    pub key: String,
    pub admin: UserId,
}

impl TestServer {
    /// A company (`seats` licences) with one site, open to any origin.
    pub async fn chat_site(&self, company_name: &str, seats: u32) -> ChatSite {
        let domain = company_name.to_lowercase().replace(' ', "-");
        let (company, admin) = self.company(company_name, &format!("admin@{domain}.test"), "admin-password", seats).await;
        let mut chat = ChatSite { company, site: SiteId::default(), key: String::new(), admin };
        (chat.site, chat.key) = self.site(&chat, "Shop", vec![format!("https://shop.{domain}.test")], false).await;
        chat
    }

    /// A site of the chat site's company; its id and widget key.
    pub async fn site(&self, chat: &ChatSite, name: &str, urls: Vec<String>, restrict: bool) -> (SiteId, String) {
        let admin = self.session_of(chat.company, chat.admin).await;
        let site = app::sites::create(&self.app, &admin, name, urls, "", restrict).await.unwrap();
        (site, app::sites::load(&self.app, &admin, site).await.unwrap().widget_key)
    }

    /// An agent of the company (password `PASSWORD`) holding at most `max_chats`, put on
    /// the chat site at `priority`, as its administrator would.
    pub async fn agent(&self, chat: &ChatSite, email: &str, max_chats: u8, priority: Priority) -> UserId {
        let admin = self.session_of(chat.company, chat.admin).await;
        let local = email.split('@').next().unwrap_or("agent");
        let input = UserInput {
            email: email.into(),
            profile: domain::user::Profile { first_name: local.into(), last_name: "Tester".into(), ..Default::default() },
            roles: [Role::Agent].into(),
            max_chats: Some(max_chats as i64),
            access: AccessInput::Password(PASSWORD.into()),
        };
        let created = app::users::create_user(&self.app, &admin, input).await.unwrap();
        app::sites::place(&self.app, &admin, chat.site, created.user_id, Some(priority)).await.unwrap();
        created.user_id
    }

    /// Sets an agent's status without a console, and waits for the read models.
    pub async fn set_status(&self, company: CompanyId, agent: UserId, status: Status) {
        let meta = Metadata::new(Some(company), Actor::User(agent));
        self.app.chat.set_status(agent, status, None, &meta).await.unwrap();
        self.settle().await;
    }
}

/// A widget's socket on `base` (an `http://host:port`), after its `hello`; the `welcome`.
pub async fn visitor(base: &str, key: &str, token: Option<&str>, last_seen: u64) -> (Ws, Value) {
    let origin = "https://shop.example.test";
    let mut ws = Ws::connect(&format!("{base}/widget/ws?site={key}"), Some(origin), None).await.expect("the widget socket opens");
    ws.send(json!({ "type": "hello", "visitor_token": token, "last_seen": last_seen, "page_url": "https://shop.example.test/shoes?size=42" })).await;
    let welcome = ws.until_type("welcome").await;
    (ws, welcome)
}

/// An agent's console socket on `base`, logged in as `email`, after `hello`; the `state`.
pub async fn console(base: &str, email: &str) -> (Ws, Value) {
    console_with_cookie(base, &session_cookie(base, email, PASSWORD).await).await
}

/// The console of a session logged in already (a reload of the page: no new login).
pub async fn console_with_cookie(base: &str, cookie: &str) -> (Ws, Value) {
    let mut ws = match Ws::connect(&format!("{base}/console/ws"), Some(base), Some(cookie)).await {
        Ok(ws) => ws,
        Err(Refused::Status(s)) => panic!("the console socket was refused with {s}"),
        Err(e) => panic!("{e:?}"),
    };
    ws.send(json!({ "type": "hello", "last_seen": {} })).await;
    let state = ws.until_type("state").await;
    (ws, state)
}

/// A text message frame from a widget or a console.
pub fn says(text: &str) -> (uuid::Uuid, Value) {
    let id = uuid::Uuid::new_v4();
    (id, json!({ "type": "message", "client_id": id, "text": text }))
}

/// The conversations an agent's own stream holds a slot for, read from the events table (the
/// log's word, no read model).
pub async fn slots_held(client: &tokio_postgres::Client, agent: UserId) -> Vec<uuid::Uuid> {
    let rows = client
        .query(
            "SELECT event_type, (payload->>'conversation_id')::uuid FROM events
             WHERE stream = $1 AND event_type IN ('ConversationTaken', 'ConversationReleased') ORDER BY version",
            &[&format!("agent-{agent}")],
        )
        .await
        .unwrap();
    let mut held = Vec::new();
    for row in rows {
        let id: uuid::Uuid = row.get(1);
        match row.get::<_, &str>(0) {
            "ConversationTaken" => held.push(id),
            _ => held.retain(|h| *h != id),
        }
    }
    held
}

/// Who a conversation's own stream says answers it (`None` while it waits), and whether it
/// is closed, read from the events table.
pub async fn assignment(client: &tokio_postgres::Client, conversation: uuid::Uuid) -> (Option<uuid::Uuid>, bool) {
    let rows = client
        .query("SELECT event_type, payload->>'agent_id' FROM events WHERE stream = $1 ORDER BY version", &[&format!("conversation-{conversation}")])
        .await
        .unwrap();
    let (mut agent, mut closed) = (None, false);
    for row in rows {
        match row.get::<_, &str>(0) {
            "ConversationAssigned" => agent = row.get::<_, Option<&str>>(1).map(|a| a.parse().unwrap()),
            "ConversationRequeued" => agent = None,
            "ConversationClosed" => closed = true,
            _ => {}
        }
    }
    (agent, closed)
}

/// Where a server process was killed while it handled a visitor's first message.
#[derive(Debug, Clone, Copy)]
pub enum KilledAt {
    /// The conversation and the message were stored; routing had not begun.
    BeforeRouting,
    /// The router had taken this agent's slot (its first step), not assigned the
    /// conversation (its second).
    AfterTakingTheSlot { agent: UserId, max_chats: u32 },
    /// Later: the agent had the conversation, it was closed, and the slot not yet given back.
    AfterClosing { agent: UserId, max_chats: u32 },
    /// Later: the agent had the conversation and went offline, and it was not yet handed
    /// back to the queue.
    AfterGoingOffline { agent: UserId, max_chats: u32 },
}

/// What a server process killed at `at` leaves behind, written through the same command
/// handlers it uses. The conversation's id.
pub async fn killed_mid_chat(store: &store::PgEventStore, chat: &ChatSite, text: &str, at: KilledAt) -> uuid::Uuid {
    use domain::agent::{self, Agent};
    use domain::conversation::{self, Conversation, Decision, Sender};
    let (conversation_id, visitor_id) = (domain::ConversationId::new(), domain::VisitorId::new());
    let stream = conversation::stream(conversation_id);
    let visitor = Metadata::new(Some(chat.company), Actor::Visitor(visitor_id.0));
    let router = Metadata::new(Some(chat.company), Actor::System("router".into()));
    let start = conversation::Command::Start {
        conversation_id,
        site_id: chat.site,
        company_id: chat.company,
        visitor_id,
        page_url: "https://shop.example.test/".into(),
        visitor: Default::default(),
    };
    commands::execute::<Conversation, _>(store, &stream, &start, &visitor).await.unwrap();
    let post = conversation::Command::PostMessage { client_id: uuid::Uuid::new_v4(), from: Sender::Visitor, text: text.into() };
    commands::execute::<Conversation, _>(store, &stream, &post, &visitor).await.unwrap();
    let (agent_id, max_chats) = match at {
        KilledAt::BeforeRouting => return conversation_id.0,
        KilledAt::AfterTakingTheSlot { agent, max_chats }
        | KilledAt::AfterClosing { agent, max_chats }
        | KilledAt::AfterGoingOffline { agent, max_chats } => (agent, max_chats),
    };
    let take = agent::Command::TakeConversation { conversation_id, max_chats };
    commands::execute::<Agent, _>(store, &agent::stream(agent_id), &take, &router).await.unwrap();
    if let KilledAt::AfterTakingTheSlot { .. } = at {
        return conversation_id.0;
    }
    let assign = conversation::Command::Assign { agent_id, agent_name: "agent".into(), decision: Decision::Routed { candidates: vec![], roll: 0.0 } };
    commands::execute::<Conversation, _>(store, &stream, &assign, &router).await.unwrap();
    match at {
        KilledAt::AfterClosing { .. } => {
            commands::execute::<Conversation, _>(store, &stream, &conversation::Command::Close { by: "visitor".into() }, &visitor).await.unwrap();
        }
        _ => status_in_log(store, chat.company, agent_id, Status::Offline).await,
    }
    conversation_id.0
}

/// Sets an agent's status in the log only, as a console does, without any server offering
/// the queue afterwards.
pub async fn status_in_log(store: &store::PgEventStore, company: CompanyId, agent: UserId, status: Status) {
    let command = domain::agent::Command::SetStatus { status, reason: None };
    let meta = Metadata::new(Some(company), Actor::User(agent));
    commands::execute::<domain::agent::Agent, _>(store, &domain::agent::stream(agent), &command, &meta).await.unwrap();
}
