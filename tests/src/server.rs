//! The server running inside the test process on a random port, over a test database, and
//! an HTTP client that keeps cookies like a browser does.

use std::net::SocketAddr;

use app::auth::Session;
use app::users::{NewAccess, NewUser};
use app::Settings;
use commands::mailer::Transport;
use domain::company::Role;
use domain::user::Profile;
use domain::{Actor, CompanyId, UserId};
use projections::Registered;
use tokio::task::JoinSet;
use web::Web;

use crate::TestDb;

pub struct TestServer {
    /// The server's state: the use cases (it dereferences to `app::App`) and its hub.
    pub app: Web,
    pub address: SocketAddr,
    _tasks: JoinSet<()>,
}

impl TestServer {
    /// With mail written as files into a fresh temporary folder (see `mail_dir`).
    pub async fn start(db: &TestDb) -> TestServer {
        let dir = std::env::temp_dir().join(format!("sb-mail-{}", uuid::Uuid::now_v7().simple()));
        let from: lettre::message::Mailbox = "Switchboard <no-reply@switchboard.test>".parse().unwrap();
        Self::start_with(db, Transport::Files { dir, from }).await
    }

    pub async fn start_with(db: &TestDb, mail: Transport) -> TestServer {
        Self::start_full(db, mail, std::time::Duration::from_secs(2)).await
    }

    /// With agents kept online this long without a console (for tests that route through
    /// `app.chat` directly).
    pub async fn start_with_grace(db: &TestDb, grace: std::time::Duration) -> TestServer {
        let dir = std::env::temp_dir().join(format!("sb-mail-{}", uuid::Uuid::now_v7().simple()));
        let from: lettre::message::Mailbox = "Switchboard <no-reply@switchboard.test>".parse().unwrap();
        Self::start_full(db, Transport::Files { dir, from }, grace).await
    }

    /// With these prices and billing's clock (a fixed day, say).
    pub async fn start_with_billing(db: &TestDb, billing: app::Billing) -> TestServer {
        let dir = std::env::temp_dir().join(format!("sb-mail-{}", uuid::Uuid::now_v7().simple()));
        let from: lettre::message::Mailbox = "Switchboard <no-reply@switchboard.test>".parse().unwrap();
        Self::start_settings(db, Transport::Files { dir, from }, std::time::Duration::from_secs(2), billing, None).await
    }

    /// Taking payments through this Stripe (a localstripe process).
    pub async fn start_with_stripe(db: &TestDb, stripe: payments::StripeConfig) -> TestServer {
        let dir = std::env::temp_dir().join(format!("sb-mail-{}", uuid::Uuid::now_v7().simple()));
        let from: lettre::message::Mailbox = "Switchboard <no-reply@switchboard.test>".parse().unwrap();
        Self::start_settings(db, Transport::Files { dir, from }, std::time::Duration::from_secs(2), Default::default(), Some(stripe)).await
    }

    async fn start_full(db: &TestDb, mail: Transport, agent_grace: std::time::Duration) -> TestServer {
        Self::start_settings(db, mail, agent_grace, Default::default(), None).await
    }

    async fn start_settings(
        db: &TestDb,
        mail: Transport,
        agent_grace: std::time::Duration,
        billing: app::Billing,
        stripe: Option<payments::StripeConfig>,
    ) -> TestServer {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let settings = Settings {
            secure_cookies: false,
            public_url: format!("http://{address}"),
            mail: std::sync::Arc::new(mail),
            agent_grace,
            billing,
            stripe,
            db_pool: 32,
            db_wait: std::time::Duration::from_secs(10),
            clock: app::WallClock::default(),
        };
        let app = Web::new(app::App::new(&db.config, settings));
        let mut tasks = app.start_background();
        let served = app.clone();
        tasks.spawn(async move {
            served.serve(listener, std::future::pending()).await.unwrap();
        });
        TestServer { app, address, _tasks: tasks }
    }

    /// Where this server's mail goes, when it writes files.
    pub fn mail_dir(&self) -> Option<std::path::PathBuf> {
        match &*self.app.settings.mail {
            Transport::Files { dir, .. } => Some(dir.clone()),
            Transport::Smtp { .. } => None,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.address, path)
    }

    /// Waits until these projections have applied every event committed so far: what a
    /// check that something did *not* happen waits for before it looks.
    pub async fn caught_up_with(&self, projections: &[Registered]) {
        let newest = self.app.events().newest().await.unwrap();
        for projection in projections {
            let name = projection.name();
            self.app.read_your_writes(*projection, Some(newest)).await.unwrap_or_else(|e| panic!("{name} did not catch up: {e}"));
        }
    }

    /// A company with an administrator whose password is `password`.
    pub async fn company(&self, name: &str, admin_email: &str, password: &str, seats: u32) -> (CompanyId, UserId) {
        let hash = app::auth::password::hash(password.into()).await.unwrap();
        let admin = new_user(admin_email, &[Role::Administrator], NewAccess::Password { hash });
        let (company, created) = app::users::register_company(&self.app, name, seats, admin, Actor::System("test".into())).await.unwrap();
        for projection in [Registered::Users, Registered::Licences] {
            self.app.read_your_writes(projection, Some(created.position)).await.unwrap();
        }
        (company, created.user_id)
    }

    /// A user of `company` with `roles` and a password.
    pub async fn user(&self, company: CompanyId, email: &str, password: &str, roles: &[Role]) -> UserId {
        let hash = app::auth::password::hash(password.into()).await.unwrap();
        let meta = domain::Metadata::new(Some(company), Actor::System("test".into()));
        let created = app::users::add_user(&self.app, company, new_user(email, roles, NewAccess::Password { hash }), &meta).await.unwrap();
        self.app.read_your_writes(Registered::Users, Some(created.position)).await.unwrap();
        created.user_id
    }

    /// A session of a user of `company`, as logging in makes, to call use cases as them.
    pub async fn session_of(&self, company: CompanyId, user: UserId) -> Session {
        let (token, _) = app::auth::sessions::start_for(&self.app, company, user).await.unwrap();
        app::auth::sessions::find(&self.app, &token).await.unwrap().expect("a session just started")
    }

    /// Waits until every read model has caught up with everything committed so far.
    pub async fn settle(&self) {
        self.caught_up_with(Registered::ALL).await;
    }

    /// A client logged in as `email`.
    pub async fn login(&self, email: &str, password: &str) -> Browserless {
        self.login_speaking(None, email, password).await
    }

    /// A client logged in as `email` whose `Accept-Language` asks for `lang`.
    pub async fn login_speaking(&self, lang: Option<&str>, email: &str, password: &str) -> Browserless {
        let client = Browserless::speaking(self, lang);
        let response = client.login(email, password).await;
        assert_eq!(response.status(), 303, "login as {email} failed: {}", response.text().await.unwrap_or_default());
        client
    }
}

pub fn new_user(email: &str, roles: &[Role], access: NewAccess) -> NewUser {
    let local = email.split('@').next().unwrap_or("user");
    NewUser {
        email: email.into(),
        profile: Profile { first_name: local.into(), last_name: "Tester".into(), ..Default::default() },
        roles: roles.iter().copied().collect(),
        max_chats: 3,
        access,
    }
}

/// An HTTP client with a cookie jar that does not follow redirects, so tests see them.
pub struct Browserless {
    pub http: reqwest::Client,
    base: String,
}

impl Browserless {
    pub fn new(server: &TestServer) -> Self {
        Self::speaking(server, None)
    }

    /// A browser whose `Accept-Language` asks for `lang` (`None`: sends no such header).
    pub fn speaking(server: &TestServer, lang: Option<&str>) -> Self {
        let mut headers = reqwest::header::HeaderMap::new();
        if let Some(lang) = lang {
            headers.insert(reqwest::header::ACCEPT_LANGUAGE, lang.parse().expect("a header value"));
        }
        let http =
            reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).default_headers(headers).build().unwrap();
        Browserless { http, base: server.url("") }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.http.get(self.url(path)).send().await.unwrap()
    }

    pub async fn get_text(&self, path: &str) -> String {
        self.get(path).await.text().await.unwrap()
    }

    /// Posts a form the way a browser submits it.
    pub async fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        self.http.post(self.url(path)).form(fields).send().await.unwrap()
    }

    pub async fn login(&self, email: &str, password: &str) -> reqwest::Response {
        let page = self.get_text("/login").await;
        let csrf = hidden_field(&page, "csrf").expect("login form has a CSRF field");
        self.post_form("/login", &[("csrf", &csrf), ("email", email), ("password", password)]).await
    }

    /// The CSRF token of the logged-in session, as pages embed it.
    pub async fn csrf(&self) -> String {
        let page = self.get_text("/account").await;
        hidden_field(&page, "csrf").expect("a logged-in page carries the session's CSRF token")
    }
}

/// Fails when `text` shows a message a catalogue lacks (`⟦key⟧`).
pub fn assert_no_missing_words(what: &str, text: &str) {
    if let Some(at) = text.find('⟦') {
        let end = text[at..].char_indices().nth(80).map_or(text.len(), |(i, _)| at + i);
        panic!("{what} shows a message missing from the catalogue: {}", &text[at..end]);
    }
}

/// The value of `<input type="hidden" name=NAME value=…>` in a page.
pub fn hidden_field(page: &str, name: &str) -> Option<String> {
    let re = regex_lite::Regex::new(&format!(r#"name="{name}" value="([^"]*)""#)).unwrap();
    re.captures(page).map(|c| c[1].to_owned())
}
