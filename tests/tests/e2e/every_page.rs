//! One company with something on every page (an agent, a supervisor, an invited user, a
//! live conversation, a closed one, an offline message, a pending password reset, a shared
//! canned response and one of the agent's own) and the list of its pages, for the tests that
//! look at all of them: both languages, phone widths, accessibility.

use domain::company::Role;
use domain::site::Priority;
use domain::{CannedResponseId, SiteId, UserId};
use reqwest::Method;
use serde_json::json;
use testkit::api::Api;
use testkit::chat::{console, says, visitor, ChatSite, PASSWORD};
use testkit::server::hidden_field;
use testkit::smtp::{invitation_link, password_reset_link, read_all, wait_for};
use testkit::ws::Ws;
use testkit::{Browserless, TestDb, TestServer};

pub const ADMIN: (&str, &str) = ("admin@acme.test", "admin-password");
pub const AGENT: (&str, &str) = ("ann@acme.test", PASSWORD);
pub const SUPERVISOR: (&str, &str) = ("sue@acme.test", PASSWORD);

pub struct Everything {
    pub chat: ChatSite,
    pub ann: UserId,
    /// Ann's console socket, kept open so that she stays online with the live conversation.
    _ann_online: Ws,
    pub live: String,
    pub closed: String,
    pub offline: String,
    /// A site nobody answers.
    pub blog: SiteId,
    pub invitation: String,
    pub password_reset: String,
    /// The company's shared canned response `/thx`: "Thanks for waiting, {visitor_name}!
    /// {agent_name} here." (its edit and removal pages are on the list).
    pub canned: CannedResponseId,
}

pub const CANNED_TEXT: &str = "Thanks for waiting, {visitor_name}! {agent_name} here.";

pub async fn a_company_with_everything(db: &TestDb, server: &TestServer) -> Everything {
    let chat = server.chat_site("Acme", 5).await;
    let ann = server.agent(&chat, AGENT.0, 3, Priority::High).await;
    server.user(chat.company, SUPERVISOR.0, PASSWORD, &[Role::Supervisor]).await;
    let (mut console, _) = console(&server.url(""), AGENT.0).await;
    console.send(json!({ "type": "status", "status": "online" })).await;
    console.until("online", |f| f["type"] == "state" && f["status"] == "online").await;
    server.settle().await;
    let mut conversation = async |text: &str| {
        let (mut v, _) = visitor(&server.url(""), &chat.key, None, 0).await;
        v.send(says(text).1).await;
        console.until_type("conversation").await["id"].as_str().unwrap().to_owned()
    };
    let closed = conversation("Bonjour").await;
    let live = conversation("Do you have this in blue?").await;
    console.send(json!({ "type": "close", "conversation_id": closed })).await;
    console.until_type("closed").await;
    // An offline message on a site nobody answers.
    let (blog, blog_key) = server.site(&chat, "Blog", vec!["https://blog.acme.test".into()], false).await;
    let (mut offline, _) = visitor(&server.url(""), &blog_key, None, 0).await;
    let left =
        json!({ "type": "offline_message", "client_id": uuid::Uuid::new_v4(), "email": "zoe@example.org", "message": "Call me back, please." });
    offline.send(left).await;
    offline.until_type("offline_received").await;

    // The two pages a link in a mail opens.
    let api = Api::login(server, ADMIN.0, ADMIN.1).await;
    let (status, body) =
        api.json(Method::POST, "/api/v1/users", Some(json!({ "email": "ivy@acme.test", "first_name": "Ivy", "last_name": "Invited" }))).await;
    assert_eq!(status, 201, "{body}");
    let anonymous = Browserless::new(server);
    let csrf = hidden_field(&anonymous.get_text("/password-reset").await, "csrf").expect("the reset form has a CSRF field");
    assert_eq!(anonymous.post_form("/password-reset", &[("csrf", &csrf), ("email", AGENT.0)]).await.status(), 303);
    let dir = server.mail_dir().expect("the test server writes mail to files");
    // Other mail goes out too (the offline message's notices): wait for these two.
    let links = || {
        let mails = read_all(std::slice::from_ref(&dir));
        let invitation = mails.iter().find(|m| m.contains("/invitation/")).map(|m| invitation_link(m));
        let reset = mails.iter().find(|m| m.contains("/password-reset/")).map(|m| password_reset_link(m));
        (invitation, reset)
    };
    wait_for(|| usize::from(links().0.is_some()) + usize::from(links().1.is_some()), 2).await;
    let (Some(invitation), Some(password_reset)) = links() else { panic!("no invitation or no password reset mail in {dir:?}") };
    // Canned responses: the company's, and one of Ann's own.
    let admin = server.session_of(chat.company, chat.admin).await;
    let canned = app::canned::add(&server.app, &admin, true, "thx", CANNED_TEXT).await.unwrap();
    let own = server.session_of(chat.company, ann).await;
    app::canned::add(&server.app, &own, false, "hi", "Hello {visitor_name}, how can I help?").await.unwrap();
    server.settle().await;
    let offline = db.client().await.query_one("SELECT conversation_id::text FROM conversations WHERE state = 'offline'", &[]).await.unwrap().get(0);
    Everything { chat, ann, _ann_online: console, live, closed, offline, blog, invitation, password_reset, canned }
}

impl Everything {
    /// Every page an administrator opens.
    pub fn admin_pages(&self) -> Vec<String> {
        let (site, ann) = (self.chat.site.0, self.ann.0);
        vec![
            "/account".to_owned(),
            "/admin/company".into(),
            "/admin/users".into(),
            "/admin/users/new".into(),
            format!("/admin/users/{ann}"),
            format!("/admin/users/{ann}/settings"),
            format!("/admin/users/{ann}/history"),
            format!("/admin/users/{ann}/deactivate"),
            "/admin/users/import".into(),
            "/admin/subscription".into(),
            "/admin/subscription/edit".into(),
            "/admin/subscription/order?seats=6&period=annual".into(),
            "/admin/audit".into(),
            "/admin/sites".into(),
            "/admin/sites/new".into(),
            format!("/admin/sites/{site}"),
            format!("/admin/sites/{site}/key"),
            format!("/admin/sites/{site}/delete"),
            format!("/admin/sites/{site}/install"),
            format!("/admin/sites/{site}/test"),
            format!("/admin/sites/{site}/agents"),
            "/admin/canned-responses".into(),
            format!("/admin/canned-responses/{}", self.canned),
            format!("/admin/canned-responses/{}/remove", self.canned),
            "/history".into(),
            format!("/history/{}", self.live),
            format!("/history/{}", self.closed),
            format!("/history/{}/erase", self.closed),
            format!("/history/{}", self.offline),
        ]
    }

    /// The pages anyone opens without logging in.
    pub fn public_pages(&self) -> Vec<String> {
        let pages = ["/login", "/password-reset", "/password-reset/sent", &self.invitation, &self.password_reset];
        pages.iter().map(|p| p.to_string()).collect()
    }
}

/// The agent's and the supervisor's own pages.
pub const AGENT_PAGES: [&str; 4] = ["/console", "/account", "/account/canned-responses", "/history"];
pub const SUPERVISOR_PAGES: [&str; 2] = ["/supervisor", "/history"];
