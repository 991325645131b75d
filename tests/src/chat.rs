//! Live-chat fixtures: a company with a site and agents on it, and visitors and agents
//! connected over their real sockets.

use commands::accounts::NewAccess;
use domain::agent::Status;
use domain::company::Role;
use domain::site::Priority;
use domain::{Actor, CompanyId, Metadata, SiteId, UserId};
use serde_json::{json, Value};

use crate::server::new_user;
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
        let (site, key) = self.site(company, "Shop", vec![format!("https://shop.{domain}.test")], false).await;
        ChatSite { company, site, key, admin }
    }

    /// A site of `company`; its id and widget key.
    pub async fn site(&self, company: CompanyId, name: &str, urls: Vec<String>, restrict: bool) -> (SiteId, String) {
        let meta = Metadata::new(Some(company), Actor::System("test".into()));
        let (site, position) = self.app.sites.create(company, name, urls, "", restrict, &meta).await.unwrap();
        self.app.read_your_writes("sites", Some(position)).await.unwrap();
        let client = self.app.pool.get().await.unwrap();
        let key: String = client.query_one("SELECT widget_key FROM sites WHERE site_id = $1", &[&site.0]).await.unwrap().get(0);
        (site, key)
    }

    /// An agent of the company (password `PASSWORD`) holding at most `max_chats`, put on
    /// `site` at `priority`.
    pub async fn agent(&self, chat: &ChatSite, email: &str, max_chats: u8, priority: Priority) -> UserId {
        let hash = web::auth::password::hash(PASSWORD.into()).await.unwrap();
        let mut user = new_user(email, &[Role::Agent], NewAccess::Password { hash });
        user.max_chats = max_chats;
        let meta = Metadata::new(Some(chat.company), Actor::System("test".into()));
        let created = self.app.accounts.create_user(chat.company, user, &meta).await.unwrap();
        self.app.read_your_writes("users", Some(created.position)).await.unwrap();
        let assigned = self.app.sites.assign(chat.company, chat.site, created.user_id, priority, &meta).await.unwrap();
        self.app.read_your_writes("sites", assigned.position).await.unwrap();
        created.user_id
    }

    /// Sets an agent's status without a console, and waits for the read models.
    pub async fn set_status(&self, company: CompanyId, agent: UserId, status: Status) {
        let meta = Metadata::new(Some(company), Actor::User(agent));
        self.app.chat.set_status(agent, status, None, &meta).await.unwrap();
        self.settle().await;
    }

    /// Waits until the chat read models have caught up with everything stored so far.
    pub async fn settle(&self) {
        // The newest committed event (the store's `head` is conservative while other
        // transactions are open, which is not what a test that just wrote wants).
        let client = self.app.pool.get().await.unwrap();
        let row = client.query_opt("SELECT tx_id::text, position FROM events ORDER BY tx_id DESC, position DESC LIMIT 1", &[]).await.unwrap();
        drop(client);
        let Some(row) = row else { return };
        let head = store::Position { tx: row.get::<_, String>(0).parse().unwrap(), seq: row.get::<_, i64>(1) as u64 };
        for name in ["users", "sites", "agent-load", "conversations"] {
            self.app.read_your_writes(name, Some(head)).await.unwrap();
        }
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
