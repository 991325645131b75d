//! Visitors told apart: a number per company in every staff screen and the history search,
//! and beside each conversation what their browser said (where they came from, language,
//! time zone), the page they are on now and their earlier conversations.

use domain::site::Priority;
use serde_json::{json, Value};
use testkit::chat::{console, says, PASSWORD};
use testkit::ws::Ws;
use testkit::{TestDb, TestServer};

/// A widget socket from `page`, with what a French browser's widget says of its visitor.
async fn widget(server: &TestServer, key: &str, token: Option<&str>, page: &str) -> (Ws, Value) {
    let mut ws = Ws::connect(&server.url(&format!("/widget/ws?site={key}")), Some("https://shop.example.test"), None).await.unwrap();
    ws.send(json!({
        "type": "hello", "visitor_token": token, "last_seen": 0, "page_url": page,
        "referrer": "https://www.google.fr/search?q=chaussures", "language": "fr-FR", "time_zone": "Europe/Paris"
    }))
    .await;
    let welcome = ws.until_type("welcome").await;
    (ws, welcome)
}

#[tokio::test]
async fn each_visitor_has_a_number_and_the_agent_sees_who_they_are_and_where() {
    let db = TestDb::new().await;
    let server = TestServer::start(&db).await;
    let chat = server.chat_site("Acme", 5).await;
    let other = server.chat_site("Globex", 5).await;
    server.agent(&chat, "ann@acme.test", 3, Priority::Normal).await;
    let (mut ann, _) = console(&server.url(""), "ann@acme.test").await;
    ann.send(json!({ "type": "status", "status": "online" })).await;
    ann.until("online", |f| f["type"] == "state" && f["status"] == "online").await;

    // The first visitor of Acme is #1, with what their browser said.
    let (mut ada, welcome) = widget(&server, &chat.key, None, "https://shop.example.test/shoes").await;
    let token = welcome["visitor_token"].as_str().unwrap().to_owned();
    ada.send(says("Avez-vous la taille 42 ?").1).await;
    let first = ann.until_type("conversation").await;
    let visitor = &first["visitor"];
    assert_eq!((visitor["label"].as_str(), visitor["number"].as_i64()), (Some("Visitor #1"), Some(1)), "{first}");
    assert_eq!(visitor["referrer"], "https://www.google.fr/search?q=chaussures");
    assert_eq!((visitor["language"].as_str(), visitor["time_zone"].as_str()), (Some("fr-FR"), Some("Europe/Paris")));
    assert_eq!(visitor["earlier"], json!([]));
    assert_eq!(first["page_url"], "https://shop.example.test/shoes");
    let first_id = first["id"].as_str().unwrap().to_owned();

    // On another page of the site (a new connection from it), the agent sees where.
    let (mut again, _) = widget(&server, &chat.key, Some(&token), "https://shop.example.test/checkout").await;
    let moved = ann.until_type("page").await;
    assert_eq!(
        (moved["conversation_id"].as_str(), moved["page_url"].as_str()),
        (Some(first_id.as_str()), Some("https://shop.example.test/checkout"))
    );
    drop(ada);
    again.send(json!({ "type": "close" })).await;
    ann.until("closed", |f| f["type"] == "closed").await;

    // Another visitor is #2; Globex's first visitor is its own #1.
    let (mut bob, _) = widget(&server, &chat.key, None, "https://shop.example.test/").await;
    bob.send(says("Hello").1).await;
    let second = ann.until_type("conversation").await;
    assert_eq!(second["visitor"]["label"], "Visitor #2");
    let (mut eve, _) = widget(&server, &other.key, None, "https://shop.globex.test/").await;
    eve.send(json!({ "type": "offline_message", "client_id": uuid::Uuid::now_v7(), "name": "", "email": "eve@globex.test", "message": "Call me" }))
        .await;
    eve.until_type("offline_received").await;

    // Ada comes back: still #1, and her earlier conversation is beside the new one.
    again.send(says("Encore moi").1).await;
    let third = ann.until("Ada's new conversation", |f| f["type"] == "conversation" && f["id"] != first_id.as_str()).await;
    assert_eq!(third["visitor"]["label"], "Visitor #1");
    let earlier = third["visitor"]["earlier"].as_array().unwrap();
    assert_eq!((earlier.len(), earlier[0]["id"].as_str(), earlier[0]["state"].as_str()), (1, Some(first_id.as_str()), Some("closed")), "{third}");
    server.settle().await;

    // The history finds a visitor by number, and says it in the reader's language.
    let admin = server.login_speaking(Some("fr"), "admin@acme.test", "admin-password").await;
    let found = admin.get_text("/history?visitor=n%C2%B0+1").await;
    assert_eq!(found.matches("data-conversation-id=").count(), 2, "{found}");
    assert!(found.contains("Visiteur n°\u{a0}1") && !found.contains("Visiteur n°\u{a0}2"), "{found}");
    let transcript = admin.get_text(&format!("/history/{}", third["id"].as_str().unwrap())).await;
    for fact in
        ["À propos du visiteur", "https://www.google.fr/search?q=chaussures", "fr-FR", "Europe/Paris", &format!("href=\"/history/{first_id}\"")]
    {
        assert!(transcript.contains(fact), "{fact} missing from the transcript page");
    }
    // Numbers are per company: Globex's offline visitor is its #1, named by the address given.
    let globex = server.login_speaking(None, "admin@globex.test", "admin-password").await;
    let theirs = globex.get_text("/history?visitor=%231").await;
    assert!(theirs.contains("eve@globex.test") && !theirs.contains("Acme"), "{theirs}");

    // The agent talking to Ada may read what she asked before; nothing of another company.
    let agent = server.login_speaking(None, "ann@acme.test", PASSWORD).await;
    assert_eq!(agent.get(&format!("/history/{first_id}")).await.status(), 200);

    // Rebuilt from the log, the numbers, details and pages are exactly the live ones.
    let (ok, stdout, stderr) = testkit::process::run(&["replay", "--verify", "conversations"], Some(&db.url()), "").await;
    assert!(ok && stdout.contains("conversations: matches the log") && stdout.contains("table visitor_numbers: same"), "{stdout}\n{stderr}");
}
