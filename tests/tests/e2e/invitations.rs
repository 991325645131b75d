//! Invitations by e-mail: the link, its single use and expiry, resending, and delivery
//! through a real SMTP server, surviving an SMTP outage and a replay of the events.

use domain::ids::InvitationId;
use domain::user::{self, User};
use domain::{Actor, Metadata, UserId};
use reqwest::Method;
use serde_json::{json, Value};
use testkit::api::Api;
use testkit::server::hidden_field;
use testkit::smtp::{invitation_link, read_all, wait_for, SmtpServer};
use testkit::wait;
use testkit::{Browserless, TestDb, TestServer};

async fn invite(api: &Api, email: &str) -> UserId {
    let (status, body) = api.json(Method::POST, "/api/v1/users", Some(json!({ "email": email, "first_name": "Ivy", "last_name": "Invited" }))).await;
    assert_eq!(status, 201, "{body}");
    body["user"]["id"].as_str().unwrap().parse().unwrap()
}

fn mails(server: &TestServer) -> Vec<String> {
    let dir = server.mail_dir().unwrap();
    read_all(&[dir])
}

/// Opens the link and chooses a password, as the invited user does in a browser.
async fn choose_password(server: &TestServer, link: &str, password: &str, confirm: &str) -> reqwest::Response {
    let browser = Browserless::new(server);
    let page = browser.get_text(link).await;
    let csrf = hidden_field(&page, "csrf").unwrap_or_default();
    browser.post_form(link, &[("csrf", &csrf), ("password", password), ("confirm", confirm)]).await
}

#[tokio::test]
async fn an_invited_user_chooses_a_password_through_a_single_use_link() {
    let db = TestDb::new().await;
    let server = TestServer::start(&db).await;
    server.company("Acme", "admin@acme.test", "admin-password", 5).await;
    let api = Api::login(&server, "admin@acme.test", "admin-password").await;
    invite(&api, "ivy@acme.test").await;

    assert_eq!(wait_for(|| mails(&server).len(), 1).await, 1, "one invitation mail");
    let mail = &mails(&server)[0];
    assert!(mail.contains("To: ivy@acme.test") && mail.contains("Subject: You are invited to Acme on Switchboard"), "{mail}");
    let link = invitation_link(mail);
    // Only the link's hash is stored anywhere.
    let token = link.trim_start_matches("/invitation/");
    let client = db.client().await;
    let found: i64 = client.query_one("SELECT count(*) FROM events WHERE payload::text LIKE '%' || $1 || '%'", &[&token]).await.unwrap().get(0);
    assert_eq!(found, 0);

    let page = Browserless::new(&server).get_text(&link).await;
    assert!(page.contains("Welcome, Ivy"), "{page}");
    let response = choose_password(&server, &link, "ivy-password", "something-else").await;
    assert_eq!(response.status(), 422);
    assert!(response.text().await.unwrap().contains("The two passwords differ."));
    let response = choose_password(&server, &link, "short", "short").await;
    assert_eq!(response.status(), 422);
    let response = choose_password(&server, &link, "ivy-password", "ivy-password").await;
    assert_eq!(response.status(), 200);
    assert!(response.text().await.unwrap().contains("Your password is set"));

    server.login("ivy@acme.test", "ivy-password").await;
    let (_, users) = api.json(Method::GET, "/api/v1/users?q=ivy", None).await;
    assert_eq!(users["users"][0]["status"], "active");

    let reused = Browserless::new(&server).get(&link).await;
    assert_eq!(reused.status(), 410);
    assert!(reused.text().await.unwrap().contains("already been used"));
    let unknown = Browserless::new(&server).get("/invitation/0123456789abcdef").await;
    assert_eq!(unknown.status(), 404);
    assert!(unknown.text().await.unwrap().contains("not valid"));
}

#[tokio::test]
async fn resending_mails_a_new_link_and_kills_the_old_one() {
    let db = TestDb::new().await;
    let server = TestServer::start(&db).await;
    server.company("Acme", "admin@acme.test", "admin-password", 5).await;
    let api = Api::login(&server, "admin@acme.test", "admin-password").await;
    let id = invite(&api, "ivy@acme.test").await;
    wait_for(|| mails(&server).len(), 1).await;
    let first = invitation_link(&mails(&server)[0]);

    let (status, _) = api.json(Method::POST, &format!("/api/v1/users/{id}/invitation"), None).await;
    assert_eq!(status, 202);
    assert_eq!(wait_for(|| mails(&server).len(), 2).await, 2);
    let second = mails(&server).iter().map(|m| invitation_link(m)).find(|l| *l != first).expect("a new link");

    let old = Browserless::new(&server).get(&first).await;
    assert_eq!(old.status(), 410);
    assert!(old.text().await.unwrap().contains("replaced by a newer one"));
    assert_eq!(choose_password(&server, &second, "ivy-password", "ivy-password").await.status(), 200);
    // A user with a password has no invitation to resend.
    let (status, body) = api.json(Method::POST, &format!("/api/v1/users/{id}/invitation"), None).await;
    assert_eq!((status, body["error"]["code"].as_str()), (409, Some("not_invited")));
}

#[tokio::test]
async fn an_expired_link_gets_a_page_saying_so() {
    let db = TestDb::new().await;
    let server = TestServer::start(&db).await;
    let (company, _) = server.company("Acme", "admin@acme.test", "admin-password", 5).await;
    let api = Api::login(&server, "admin@acme.test", "admin-password").await;
    let id = invite(&api, "late@acme.test").await;
    // An invitation made 73 hours ago, with a link whose token we know.
    let meta = Metadata::new(Some(company), Actor::System("test".into()));
    let old = InvitationId::new();
    let at = chrono::Utc::now() - chrono::Duration::hours(73);
    commands::execute::<User, _>(server.app.events(), &user::stream(id), &user::Command::ResendInvitation { invitation_id: old, at }, &meta)
        .await
        .unwrap();
    let token = "feedc0de".repeat(8);
    let issue = user::Command::IssueInvitationLink { invitation_id: old, token_hash: commands::secrets::hash_token(&token) };
    let outcome = commands::execute::<User, _>(server.app.events(), &user::stream(id), &issue, &meta).await.unwrap();
    server.app.read_your_writes(projections::Registered::Users, outcome.position).await.unwrap();

    let page = Browserless::new(&server).get(&format!("/invitation/{token}")).await;
    assert_eq!(page.status(), 410);
    assert!(page.text().await.unwrap().contains("has expired"));
    let response = choose_password(&server, &format!("/invitation/{token}"), "late-password", "late-password").await;
    assert_eq!(response.status(), 410);
}

#[tokio::test]
async fn invitations_reach_a_real_smtp_server_after_an_outage_and_a_replay_sends_nothing_twice() {
    let db = TestDb::new().await;
    let port = testkit::process::free_port();
    let smtp_transport = || testkit::smtp::smtp_transport(port);
    let server = TestServer::start_with(&db, smtp_transport()).await;
    server.company("Acme", "admin@acme.test", "admin-password", 5).await;
    let api = Api::login(&server, "admin@acme.test", "admin-password").await;
    invite(&api, "ivy@acme.test").await;

    // The SMTP server is down: the mail waits, with the reason recorded.
    let client = db.client().await;
    let status: String = wait::until("the failed attempt recorded in the outbox", wait::DEADLINE, || async {
        let row = client.query_opt("SELECT status, attempts, last_error FROM invitation_mails", &[]).await.unwrap();
        match row {
            Some(row) if row.get::<_, i32>(1) >= 1 && row.get::<_, Option<String>>(2).is_some() => Ok(row.get(0)),
            other => Err(format!("{:?}", other.map(|r| (r.get::<_, String>(0), r.get::<_, i32>(1))))),
        }
    })
    .await;
    assert_eq!(status, "pending", "a mail that failed waits for the next attempt");

    // The SMTP server comes up; the retry is due (we skip the wait).
    let smtp = SmtpServer::start(port).await;
    client.execute("UPDATE invitation_mails SET lease_until = now()", &[]).await.unwrap();
    assert_eq!(wait_for(|| smtp.messages().len(), 1).await, 1);
    let mail = smtp.messages().remove(0);
    assert!(mail.contains("ivy@acme.test"));
    // The link mailed is the one that works (the one issued during the outage died).
    assert_eq!(choose_password(&server, &invitation_link(&mail), "ivy-password", "ivy-password").await.status(), 200);
    let status: String = client.query_one("SELECT status FROM invitation_mails", &[]).await.unwrap().get(0);
    assert_eq!(status, "sent");

    // The server restarts and replays every event into the outbox: nothing is sent again.
    drop(server);
    client.execute("UPDATE projection_checkpoints SET tx = 0, pos = 0 WHERE name = 'invitation-outbox'", &[]).await.unwrap();
    let restarted = TestServer::start_with(&db, smtp_transport()).await;
    // Once the outbox has replayed every event, a row it added or set pending again is what
    // the mailer would send: there is none.
    restarted.caught_up_with(&[projections::Registered::InvitationOutbox]).await;
    let rows: Vec<String> = client.query("SELECT status FROM invitation_mails", &[]).await.unwrap().iter().map(|r| r.get(0)).collect();
    assert_eq!(rows, ["sent"], "the replay left the outbox as it was: nothing to mail again");
    assert_eq!(smtp.messages().len(), 1, "no second mail after a replay");
    smtp.stop().await;
}

#[tokio::test]
async fn an_invitation_can_be_created_now_and_mailed_later() {
    let db = TestDb::new().await;
    let server = TestServer::start(&db).await;
    server.company("Acme", "admin@acme.test", "admin-password", 5).await;
    let api = Api::login(&server, "admin@acme.test", "admin-password").await;
    let (status, body): (u16, Value) = api
        .json(
            Method::POST,
            "/api/v1/users",
            Some(json!({ "email": "later@acme.test", "first_name": "L", "last_name": "Ater", "access": "invite_later" })),
        )
        .await;
    assert_eq!(status, 201);
    assert_eq!(body["user"]["status"], "invited");
    // Not mailed yet: with the outbox caught up, there is no mail for the mailer to send.
    server.caught_up_with(&[projections::Registered::InvitationOutbox]).await;
    let client = db.client().await;
    let outbox: i64 = client.query_one("SELECT count(*) FROM invitation_mails", &[]).await.unwrap().get(0);
    assert_eq!(outbox, 0, "an invitation to send later has nothing in the outbox");
    assert!(mails(&server).is_empty(), "not mailed yet");
    let id = body["user"]["id"].as_str().unwrap();
    api.json(Method::POST, &format!("/api/v1/users/{id}/invitation"), None).await;
    assert_eq!(wait_for(|| mails(&server).len(), 1).await, 1);
    let to = mails(&server).remove(0);
    assert!(to.contains("To: later@acme.test"), "{to}");
}
