//! "Forgot your password?": a single-use link valid one hour, mailed once through a real
//! SMTP server, the same answer for known and unknown addresses, a rate limit, the other
//! sessions logged out; and an administrator sending a link from the user's page or the API.

use domain::company::Role;
use reqwest::Method;
use testkit::api::Api;
use testkit::server::hidden_field;
use testkit::smtp::{password_reset_link, smtp_transport, wait_for, SmtpServer};
use testkit::{Browserless, TestDb, TestServer};

/// Asks for a link on the "Forgot your password?" page, as a browser does.
async fn ask(server: &TestServer, email: &str) -> reqwest::Response {
    let browser = Browserless::new(server);
    let login = browser.get_text("/login").await;
    assert!(login.contains(r#"href="/password-reset""#) && login.contains("Forgot your password?"), "{login}");
    let form = browser.get_text("/password-reset").await;
    let csrf = hidden_field(&form, "csrf").expect("the form has a CSRF field");
    browser.post_form("/password-reset", &[("csrf", &csrf), ("email", email)]).await
}

async fn choose(server: &TestServer, link: &str, password: &str, confirm: &str) -> reqwest::Response {
    let browser = Browserless::new(server);
    let page = browser.get_text(link).await;
    let csrf = hidden_field(&page, "csrf").unwrap_or_default();
    browser.post_form(link, &[("csrf", &csrf), ("password", password), ("confirm", confirm)]).await
}

#[tokio::test]
async fn a_forgotten_password_is_reset_through_a_single_use_link_mailed_once() {
    let db = TestDb::new().await;
    let port = testkit::process::free_port();
    let smtp = SmtpServer::start(port).await;
    let server = TestServer::start_with(&db, smtp_transport(port)).await;
    let (company, _) = server.company("Acme", "admin@acme.test", "admin-password", 5).await;
    server.user(company, "ada@acme.test", "old-password", &[Role::Agent]).await;
    let elsewhere = server.login("ada@acme.test", "old-password").await;
    assert_eq!(elsewhere.get("/console").await.status(), 200);

    // A known and an unknown address get the same answer, and only the known one a mail.
    let known = ask(&server, " Ada@Acme.test ").await;
    let unknown = ask(&server, "nobody@acme.test").await;
    assert_eq!((known.status(), unknown.status()), (reqwest::StatusCode::SEE_OTHER, reqwest::StatusCode::SEE_OTHER));
    assert_eq!(known.headers()["location"], unknown.headers()["location"]);
    let sent = Browserless::new(&server).get_text(known.headers()["location"].to_str().unwrap()).await;
    assert!(sent.contains("If an account uses this address"), "{sent}");
    assert_eq!(wait_for(|| smtp.messages().len(), 1).await, 1);
    let mail = smtp.messages().remove(0);
    assert!(mail.contains("To: ada@acme.test") && mail.contains("Subject: Reset your Switchboard password"), "{mail}");
    let link = password_reset_link(&mail);
    // Only the token's hash is stored anywhere.
    let client = db.client().await;
    let token = link.trim_start_matches("/password-reset/");
    let found: i64 = client.query_one("SELECT count(*) FROM events WHERE payload::text LIKE '%' || $1 || '%'", &[&token]).await.unwrap().get(0);
    assert_eq!(found, 0);
    let hashed: i64 =
        client.query_one("SELECT count(*) FROM password_reset_links WHERE token_hash = $1", &[&app::auth::hash_token(token)]).await.unwrap().get(0);
    assert_eq!(hashed, 1);

    // The same rules as everywhere for the new password.
    let page = Browserless::new(&server).get_text(&link).await;
    assert!(page.contains("Choose a new password") && page.contains("Hello ada,"), "{page}");
    let short = choose(&server, &link, "short", "short").await;
    assert_eq!(short.status(), 422);
    assert!(short.text().await.unwrap().contains("at least 8 characters"));
    assert_eq!(choose(&server, &link, "new-password", "other-password").await.status(), 422);
    let done = choose(&server, &link, "new-password", "new-password").await;
    assert_eq!((done.status().as_u16(), done.headers()["location"].to_str().unwrap()), (303, "/login?reset=done"));
    assert!(Browserless::new(&server).get_text("/login?reset=done").await.contains("Your new password is set"));

    // The old password is gone, the session opened with it too; the new one works.
    assert_eq!(Browserless::new(&server).login("ada@acme.test", "old-password").await.status(), 401);
    assert_eq!(elsewhere.get("/console").await.headers()["location"], "/login", "the other session was logged out");
    server.login("ada@acme.test", "new-password").await;
    // Single use.
    let reused = Browserless::new(&server).get(&link).await;
    assert_eq!(reused.status(), 410);
    assert!(reused.text().await.unwrap().contains("already been used"));
    assert_eq!(choose(&server, &link, "third-password", "third-password").await.status(), 410);
    assert_eq!(Browserless::new(&server).get("/password-reset/0123abcd").await.status(), 404);

    // A restart replays every event into the outbox: nothing is mailed again.
    drop(server);
    client.execute("UPDATE projection_checkpoints SET tx = 0, pos = 0 WHERE name = 'password-reset-outbox'", &[]).await.unwrap();
    let restarted = TestServer::start_with(&db, smtp_transport(port)).await;
    restarted.caught_up_with(&[projections::Registered::PasswordResetOutbox]).await;
    let rows: Vec<String> = client.query("SELECT status FROM password_reset_mails", &[]).await.unwrap().iter().map(|r| r.get(0)).collect();
    assert_eq!(rows, ["sent"]);
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(smtp.messages().len(), 1, "no second mail after a replay");
    smtp.stop().await;
}

#[tokio::test]
async fn requests_are_rate_limited_alike_for_known_and_unknown_addresses() {
    let db = TestDb::new().await;
    let server = TestServer::start(&db).await;
    server.company("Acme", "admin@acme.test", "admin-password", 5).await;
    for email in ["admin@acme.test", "nobody@acme.test"] {
        for _ in 0..3 {
            assert_eq!(ask(&server, email).await.status(), 303, "{email}");
        }
        let refused = ask(&server, email).await;
        assert_eq!(refused.status(), 429, "{email}");
        let page = refused.text().await.unwrap();
        assert!(page.contains("Too many password reset requests"), "{page}");
    }
    // An empty address is a plain mistake, not a crash.
    assert_eq!(ask(&server, "").await.status(), 422);
}

#[tokio::test]
async fn an_administrator_sends_a_reset_link_from_the_users_page_or_the_api() {
    let db = TestDb::new().await;
    let server = TestServer::start(&db).await;
    let (company, _) = server.company("Acme", "admin@acme.test", "admin-password", 5).await;
    let ada = server.user(company, "ada@acme.test", "old-password", &[Role::Agent]).await;
    let admin = server.login("admin@acme.test", "admin-password").await;
    let page = admin.get_text(&format!("/admin/users/{ada}")).await;
    assert!(page.contains("Send a password reset link"), "{page}");
    let csrf = admin.csrf().await;
    let response = admin.post_form(&format!("/admin/users/{ada}/password-reset"), &[("csrf", &csrf)]).await;
    assert!(response.status().is_success() || response.status().is_redirection(), "{}", response.status());
    let mails = || testkit::smtp::read_all(&[server.mail_dir().unwrap()]);
    assert_eq!(wait_for(|| mails().len(), 1).await, 1);
    let first = password_reset_link(&mails()[0]);

    // Through the API: a new link, and the first one dies.
    let api = Api::login(&server, "admin@acme.test", "admin-password").await;
    let (status, body) = api.json(Method::POST, &format!("/api/v1/users/{ada}/password-reset"), None).await;
    assert_eq!(status, 202, "{body}");
    assert_eq!(wait_for(|| mails().len(), 2).await, 2);
    let second = mails().into_iter().map(|m| password_reset_link(&m)).find(|l| *l != first).expect("a second link");
    assert_eq!(Browserless::new(&server).get(&first).await.status(), 410);
    assert_eq!(choose(&server, &second, "new-password", "new-password").await.status(), 303);
    server.login("ada@acme.test", "new-password").await;

    // An invited user has no password to reset: the invitation is what to send.
    let (_, invited) =
        api.json(Method::POST, "/api/v1/users", Some(serde_json::json!({ "email": "ivy@acme.test", "first_name": "Ivy", "last_name": "I" }))).await;
    let ivy = invited["user"]["id"].as_str().unwrap();
    let (status, body) = api.json(Method::POST, &format!("/api/v1/users/{ivy}/password-reset"), None).await;
    assert_eq!((status, body["error"]["code"].as_str()), (409, Some("no_password_yet")), "{body}");
    // Another company's user is not found.
    let (other, _) = server.company("Other", "boss@other.test", "boss-password", 2).await;
    let stranger = server.user(other, "x@other.test", "x-password", &[Role::Agent]).await;
    let (status, _) = api.json(Method::POST, &format!("/api/v1/users/{stranger}/password-reset"), None).await;
    assert_eq!(status, 404);
}
