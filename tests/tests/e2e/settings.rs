//! Settings the real binary reads from the environment: Secure cookies behind HTTPS, the
//! public address in snippets and e-mails, the mail server and sender, and the agents'
//! grace period.

use std::time::Duration;

use domain::site::Priority;
use reqwest::Method;
use serde_json::{json, Value};
use testkit::api::Api;
use testkit::chat::console;
use testkit::db::until_login_possible;
use testkit::process::{self, Serve, Served};
use testkit::server::hidden_field;
use testkit::smtp::{invitation_link, read_all, wait_for, SmtpServer};
use testkit::{wait, TestDb, TestServer};

/// A scratch data folder for a server that uses a test database.
fn data_dir() -> std::path::PathBuf {
    std::env::temp_dir().join(format!("sb-settings-{}", uuid::Uuid::now_v7().simple()))
}

/// A company and its administrator, created by the CLI (for a server to project).
async fn company(db: &TestDb) {
    let args = ["admin", "create", "--company", "Acme", "--email", "admin@acme.test", "--password-stdin"];
    let (ok, _, stderr) = process::run(&args, Some(&db.url()), "admin-password\n").await;
    assert!(ok, "{stderr}");
}

/// The `Set-Cookie` header that sets `name`.
fn set_cookie(response: &reqwest::Response, name: &str) -> String {
    let prefix = format!("{name}=");
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with(&prefix))
        .unwrap_or_else(|| panic!("no {name} cookie set: {:?}", response.headers()))
}

fn is_secure(cookie: &str) -> bool {
    cookie.split(';').any(|part| part.trim().eq_ignore_ascii_case("secure"))
}

/// Logs in through the login page the way a browser behind HTTPS does; the login CSRF
/// cookie and the session cookie as set. (The cookies go back by hand: a client keeping a
/// jar would, rightly, not send a Secure cookie over plain HTTP.)
async fn log_in_through_the_page(served: &Served) -> (String, String) {
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let form = http.get(served.url("/login")).send().await.unwrap();
    let login_csrf = set_cookie(&form, "sb_login_csrf");
    let csrf = hidden_field(&form.text().await.unwrap(), "csrf").expect("the login form has a CSRF field");
    let fields = [("csrf", csrf.as_str()), ("email", "admin@acme.test"), ("password", "admin-password")];
    let cookie = login_csrf.split(';').next().unwrap().to_owned();
    let response = http.post(served.url("/login")).header("cookie", cookie).form(&fields).send().await.unwrap();
    assert_eq!(response.status(), 303, "login failed: {}", response.text().await.unwrap_or_default());
    let session = set_cookie(&response, "sb_session");
    (login_csrf, session)
}

#[tokio::test]
async fn cookies_are_secure_exactly_when_switchboard_secure_cookies_is_set() {
    let db = TestDb::new().await;
    company(&db).await;
    let dir = data_dir();
    for (setting, secure) in [(Some("1"), true), (None, false)] {
        let mut serve = Serve::new(&dir).database(Some(&db.url()));
        if let Some(value) = setting {
            serve = serve.env("SWITCHBOARD_SECURE_COOKIES", value);
        }
        let served = serve.start().await;
        until_login_possible(&db.client().await, "admin@acme.test").await;
        let (login_csrf, session) = log_in_through_the_page(&served).await;
        assert_eq!(is_secure(&login_csrf), secure, "SWITCHBOARD_SECURE_COOKIES={setting:?}: {login_csrf}");
        assert_eq!(is_secure(&session), secure, "SWITCHBOARD_SECURE_COOKIES={setting:?}: {session}");
        assert!(session.contains("HttpOnly") && session.contains("SameSite=Lax"), "{session}");
        // The API's login sets the same session cookie.
        let response = reqwest::Client::new()
            .post(served.url("/api/v1/session"))
            .json(&json!({ "email": "admin@acme.test", "password": "admin-password" }))
            .send()
            .await
            .unwrap();
        assert_eq!(is_secure(&set_cookie(&response, "sb_session")), secure, "API login, SWITCHBOARD_SECURE_COOKIES={setting:?}");
        served.terminate().await;
    }
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn the_public_address_and_the_mail_settings_reach_snippets_and_invitations() {
    let db = TestDb::new().await;
    company(&db).await;
    let dir = data_dir();
    let smtp = SmtpServer::start(process::free_port()).await;
    let served = Serve::new(&dir)
        .database(Some(&db.url()))
        .env("SWITCHBOARD_PUBLIC_URL", "https://chat.acme.example")
        .env("SWITCHBOARD_SMTP_URL", &format!("smtp://127.0.0.1:{}", smtp.port))
        .env("SWITCHBOARD_MAIL_FROM", "Acme Chat <chat@acme.example>")
        .start()
        .await;
    until_login_possible(&db.client().await, "admin@acme.test").await;
    let api = Api::login_at(&served.url(""), "admin@acme.test", "admin-password").await;
    let (status, site) = api.json(Method::POST, "/api/v1/sites", Some(json!({ "name": "Shop", "urls": ["https://shop.acme.example"] }))).await;
    assert_eq!(status, 201, "{site}");
    let key = site["widget_key"].as_str().unwrap();
    assert_eq!(site["snippet"], format!("<script async src=\"https://chat.acme.example/widget.js\" data-switchboard-site=\"{key}\"></script>"));
    invite(&api, "ivy@acme.test").await;
    assert_eq!(wait_for(|| smtp.messages().len(), 1).await, 1, "the invitation went to SWITCHBOARD_SMTP_URL");
    let mail = smtp.messages().remove(0);
    let from = header(&mail, "From");
    assert!(from.contains("Acme Chat") && from.contains("<chat@acme.example>"), "{mail}");
    let text = mail.replace("=\r\n", "").replace("=\n", "").replace("=3D", "=");
    assert!(text.contains(&format!("https://chat.acme.example{}", invitation_link(&mail))), "the link is on the public address: {mail}");
    served.terminate().await;

    // Without them: the listening address, and mail as files under the data folder.
    let served = Serve::new(&dir).database(Some(&db.url())).start().await;
    let api = Api::login_at(&served.url(""), "admin@acme.test", "admin-password").await;
    let (_, site) = api.json(Method::GET, &format!("/api/v1/sites/{}", site["id"].as_str().unwrap()), None).await;
    assert_eq!(site["snippet"], format!("<script async src=\"{}/widget.js\" data-switchboard-site=\"{key}\"></script>", served.url("")));
    invite(&api, "ian@acme.test").await;
    let files = || read_all(&[dir.join("mail")]);
    assert_eq!(wait_for(|| files().len(), 1).await, 1, "the invitation was written under <data-dir>/mail");
    let mail = files().remove(0);
    assert!(header(&mail, "To").contains("ian@acme.test") && header(&mail, "From").contains("<no-reply@switchboard.invalid>"), "{mail}");
    assert_eq!(smtp.messages().len(), 1, "mail went to the SMTP server without SWITCHBOARD_SMTP_URL");
    served.terminate().await;
    smtp.stop().await;
    let _ = std::fs::remove_dir_all(dir);
}

/// A header line of a raw mail.
fn header<'a>(mail: &'a str, name: &str) -> &'a str {
    let prefix = format!("{name}: ");
    mail.lines().find(|l| l.starts_with(&prefix)).unwrap_or_else(|| panic!("no {name} header: {mail}"))
}

async fn invite(api: &Api, email: &str) {
    let (status, body) = api.json(Method::POST, "/api/v1/users", Some(json!({ "email": email, "first_name": "Ivy", "last_name": "Invited" }))).await;
    assert_eq!(status, 201, "{body}");
}

#[tokio::test]
async fn an_agent_whose_console_dropped_goes_offline_after_switchboard_agent_grace_seconds() {
    let db = TestDb::new().await;
    let ann = {
        let setup = TestServer::start(&db).await;
        let chat = setup.chat_site("Acme", 5).await;
        setup.agent(&chat, "ann@acme.test", 3, Priority::Normal).await
    };
    let dir = data_dir();
    let served = Serve::new(&dir).database(Some(&db.url())).env("SWITCHBOARD_AGENT_GRACE_SECONDS", "1").start().await;
    let (mut agent, _) = console(&served.url(""), "ann@acme.test").await;
    agent.send(json!({ "type": "status", "status": "online" })).await;
    agent.until("online", |f| f["type"] == "state" && f["status"] == "online").await;
    agent.drop_connection();
    // Offline, for having been disconnected, well before the default grace (60 s) is over.
    let client = db.client().await;
    let reason: Value = wait::until("ann marked offline after her console dropped", Duration::from_secs(30), || async {
        let row = client
            .query_opt(
                "SELECT payload FROM events WHERE stream = $1 AND event_type = 'StatusChanged' ORDER BY version DESC LIMIT 1",
                &[&format!("agent-{ann}")],
            )
            .await
            .unwrap();
        let payload: Value = row.map(|r| r.get(0)).unwrap_or_default();
        if payload["status"] == "offline" {
            Ok(payload["reason"].clone())
        } else {
            Err(payload.to_string())
        }
    })
    .await;
    assert_eq!(reason, "disconnected");
    served.terminate().await;
    let _ = std::fs::remove_dir_all(dir);
}
