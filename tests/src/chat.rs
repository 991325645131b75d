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
    let cookie = session_cookie(base, email, PASSWORD).await;
    let mut ws = match Ws::connect(&format!("{base}/console/ws"), Some(base), Some(&cookie)).await {
        Ok(ws) => ws,
        Err(Refused::Status(s)) => panic!("the console socket of {email} was refused with {s}"),
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
