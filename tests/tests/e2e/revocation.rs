//! A console or board socket lives only as long as the rights it was opened with: logging
//! out, deactivation and a role taken away close it within moments, with a close code the
//! page understands (4401: log in again; 4403: the role is gone).

use std::time::{Duration, Instant};

use domain::company::Role;
use domain::site::Priority;
use reqwest::Method;
use serde_json::json;
use testkit::api::Api;
use testkit::chat::{console, console_with_cookie, PASSWORD};
use testkit::ws::Ws;
use testkit::{TestDb, TestServer};

/// Closed within a few seconds of `since`, with this code.
async fn closes_with(ws: &mut Ws, code: u16, since: Instant) {
    let (got, reason) = ws.closed().await;
    assert_eq!(got, code, "{reason}");
    assert!(since.elapsed() < Duration::from_secs(5), "closed only after {:?}", since.elapsed());
}

#[tokio::test]
async fn logging_out_deactivation_and_a_removed_role_close_the_live_sockets() {
    let db = TestDb::new().await;
    let server = TestServer::start(&db).await;
    let chat = server.chat_site("Acme", 20).await;
    let base = server.url("");
    let ann = server.agent(&chat, "ann@acme.test", 3, Priority::Normal).await;
    let bob = server.agent(&chat, "bob@acme.test", 3, Priority::Normal).await;
    server.agent(&chat, "cid@acme.test", 3, Priority::Normal).await;
    let sam = server.user(chat.company, "sam@acme.test", PASSWORD, &[Role::Supervisor]).await;
    server.settle().await;
    let admin = Api::login(&server, "admin@acme.test", "admin-password").await;

    // A role taken away: 4403.
    let (mut ann_console, _) = console(&base, "ann@acme.test").await;
    let since = Instant::now();
    let (status, body) = admin.json(Method::DELETE, &format!("/api/v1/users/{}/roles/Agent", ann.0), None).await;
    assert_eq!(status, 200, "{body}");
    closes_with(&mut ann_console, 4403, since).await;

    // Deactivated: 4401.
    let (mut bob_console, _) = console(&base, "bob@acme.test").await;
    let since = Instant::now();
    assert_eq!(admin.json(Method::POST, &format!("/api/v1/users/{}/deactivate", bob.0), None).await.0, 200);
    closes_with(&mut bob_console, 4401, since).await;

    // Logged out (the session the console was opened with): 4401.
    let http = reqwest::Client::new();
    let login = http.post(format!("{base}/api/v1/session")).json(&json!({ "email": "cid@acme.test", "password": PASSWORD })).send().await.unwrap();
    let cookie = login.headers().get_all("set-cookie").iter().filter_map(|v| v.to_str().ok()).find(|v| v.starts_with("sb_session=")).unwrap();
    let cookie = cookie.split(';').next().unwrap().to_owned();
    let csrf = login.json::<serde_json::Value>().await.unwrap()["csrf_token"].as_str().unwrap().to_owned();
    let (mut cid_console, _) = console_with_cookie(&base, &cookie).await;
    let since = Instant::now();
    let out = http.delete(format!("{base}/api/v1/session")).header("cookie", &cookie).header("x-csrf-token", csrf).send().await.unwrap();
    assert_eq!(out.status(), 204);
    closes_with(&mut cid_console, 4401, since).await;

    // A supervisor's board, when the Supervisor role goes: 4403.
    let sam_cookie = testkit::ws::session_cookie(&base, "sam@acme.test", PASSWORD).await;
    let mut board = Ws::connect(&format!("{base}/supervisor/ws"), Some(&base), Some(&sam_cookie)).await.unwrap();
    board.send(json!({ "type": "hello" })).await;
    board.until_type("board").await;
    let since = Instant::now();
    assert_eq!(admin.json(Method::DELETE, &format!("/api/v1/users/{}/roles/Supervisor", sam.0), None).await.0, 200);
    closes_with(&mut board, 4403, since).await;

    // A console whose rights stand stays open through the checks.
    server.agent(&chat, "dee@acme.test", 3, Priority::Normal).await;
    let (mut dee_console, _) = console(&base, "dee@acme.test").await;
    dee_console.drain(Duration::from_secs(3)).await;
    dee_console.send(json!({ "type": "hello", "last_seen": {} })).await;
    dee_console.until_type("state").await;
}
