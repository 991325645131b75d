//! Internal notes on a conversation: written in the console, on the board, on the
//! transcript page or through the API, seen by the agent and the supervisors, and never by
//! the visitor, live or after a reconnection; the rebuilt history holds them as well.

use domain::company::Role;
use domain::site::Priority;
use reqwest::Method;
use serde_json::{json, Value};
use std::time::Duration;
use testkit::api::Api;
use testkit::chat::{console, says, visitor, PASSWORD};
use testkit::server::hidden_field;
use testkit::ws::{session_cookie, Ws};
use testkit::{TestDb, TestServer};

const SECRET: &str = "VIP: offer them 10%";

/// Frames that carry a note, or any word of one.
fn mentions_a_note(frames: &[Value]) -> Vec<&Value> {
    let words = ["VIP", "Checked with the warehouse", "Refund approved", "Call back Monday", r#""from":"note""#];
    frames.iter().filter(|f| words.iter().any(|w| f.to_string().contains(w))).collect()
}

#[tokio::test]
async fn notes_reach_the_agent_and_the_supervisors_and_never_the_visitor() {
    let db = TestDb::new().await;
    let server = TestServer::start(&db).await;
    let base = server.url("");
    let chat = server.chat_site("Acme", 5).await;
    server.agent(&chat, "ann@acme.test", 3, Priority::Normal).await;
    server.agent(&chat, "bob@acme.test", 3, Priority::Low).await;
    server.user(chat.company, "sue@acme.test", PASSWORD, &[Role::Supervisor]).await;
    let (mut ann, _) = console(&base, "ann@acme.test").await;
    ann.send(json!({ "type": "status", "status": "online" })).await;
    ann.until("online", |f| f["type"] == "state" && f["status"] == "online").await;
    server.settle().await;
    let (mut zoe, welcome) = visitor(&base, &chat.key, None, 0).await;
    zoe.send(says("Is this in stock?").1).await;
    let id = ann.until_type("conversation").await["id"].as_str().unwrap().to_owned();

    // The agent's note is acknowledged like a message, and shown to her as a note.
    let note_id = uuid::Uuid::now_v7();
    ann.send(json!({ "type": "note", "conversation_id": id, "client_id": note_id, "text": SECRET })).await;
    let ack = ann.until("the note's ack", |f| f["type"] == "ack" && f["client_id"] == json!(note_id)).await;
    ann.send(json!({ "type": "message", "conversation_id": id, "client_id": uuid::Uuid::now_v7(), "text": "Yes, it is." })).await;
    zoe.until("the answer", |f| f["type"] == "message" && f["text"] == "Yes, it is.").await;

    // A supervisor reading it gets the note in the transcript, and adds one the agent sees.
    let sue = session_cookie(&base, "sue@acme.test", PASSWORD).await;
    let mut board = Ws::connect(&format!("{base}/supervisor/ws"), Some(&base), Some(&sue)).await.unwrap();
    board.send(json!({ "type": "hello" })).await;
    board.until_type("board").await;
    board.send(json!({ "type": "watch", "conversation_id": id })).await;
    let transcript = board.until_type("transcript").await;
    let notes: Vec<&Value> = transcript["messages"].as_array().unwrap().iter().filter(|m| m["from"] == "note").collect();
    assert_eq!(notes.len(), 1, "{transcript}");
    assert_eq!((notes[0]["text"].as_str(), notes[0]["agent_name"].as_str(), &notes[0]["seq"]), (Some(SECRET), Some("ann"), &ack["seq"]));
    board.send(json!({ "type": "note", "conversation_id": id, "client_id": uuid::Uuid::now_v7(), "text": "Checked with the warehouse" })).await;
    let from_sue = ann.until("the supervisor's note", |f| f["from"] == "note" && f["text"] == "Checked with the warehouse").await;
    assert_eq!(from_sue["agent_name"], "sue");
    board.until("the note on the board", |f| f["type"] == "message" && f["text"] == "Checked with the warehouse").await;

    // Another agent cannot write on a conversation he does not hold; an empty note is refused.
    let (mut bob, _) = console(&base, "bob@acme.test").await;
    bob.send(json!({ "type": "note", "conversation_id": id, "client_id": uuid::Uuid::now_v7(), "text": "Mine" })).await;
    assert_eq!(bob.until_type("error").await["code"], "not_assigned");
    ann.send(json!({ "type": "note", "conversation_id": id, "client_id": uuid::Uuid::now_v7(), "text": "   " })).await;
    assert_eq!(ann.until_type("error").await["code"], "empty_message");

    // The visitor got no word of any note: not live, not after coming back.
    zoe.send(says("Great, thanks").1).await;
    ann.until("the visitor's thanks", |f| f["type"] == "message" && f["text"] == "Great, thanks").await;
    zoe.drain(Duration::from_millis(300)).await;
    assert!(mentions_a_note(&zoe.seen).is_empty(), "the visitor's socket got a note: {:#?}", mentions_a_note(&zoe.seen));
    let token = welcome["visitor_token"].as_str().unwrap();
    let (mut back, again) = visitor(&base, &chat.key, Some(token), 0).await;
    back.drain(Duration::from_millis(500)).await;
    let mut frames = back.seen.clone();
    frames.push(again);
    assert!(frames.iter().any(|f| f.to_string().contains("Great, thanks")), "the visitor's messages come back: {frames:#?}");
    assert!(mentions_a_note(&frames).is_empty(), "a returning visitor got a note: {:#?}", mentions_a_note(&frames));

    // The API: notes in the transcript, a new one by an administrator, tenancy kept.
    let admin = Api::login(&server, "admin@acme.test", "admin-password").await;
    let path = format!("/api/v1/conversations/{id}/notes");
    let (status, added) = admin.json(Method::POST, &path, Some(json!({ "text": "Refund approved" }))).await;
    assert_eq!((status, added["from"].as_str(), added["agent_name"].as_str()), (201, Some("note"), Some("admin")), "{added}");
    let (status, body) = admin.json(Method::POST, &path, Some(json!({ "text": "" }))).await;
    assert_eq!((status, body["error"]["code"].as_str()), (422, Some("empty_message")), "{body}");
    let (_, transcript) = admin.json(Method::GET, &format!("/api/v1/conversations/{id}"), None).await;
    let notes: Vec<&str> =
        transcript["messages"].as_array().unwrap().iter().filter(|m| m["from"] == "note").map(|m| m["text"].as_str().unwrap()).collect();
    assert_eq!(notes, [SECRET, "Checked with the warehouse", "Refund approved"]);
    assert_eq!(transcript["conversation"]["messages"], 3, "notes are not counted as the chat's messages: {transcript}");
    let other = server.chat_site("Globex", 2).await;
    let outsider = Api::login(&server, "admin@globex.test", "admin-password").await;
    let (status, _) = outsider.json(Method::POST, &path, Some(json!({ "text": "Hello from Globex" }))).await;
    assert_eq!(status, 404);
    let (_, theirs) = outsider.json(Method::GET, &format!("/api/v1/conversations/{id}"), None).await;
    assert!(!theirs.to_string().contains("VIP"), "{theirs}");
    drop(other);

    // The transcript page shows them, and takes a new one from its form.
    let page = server.login("admin@acme.test", "admin-password").await;
    let text = page.get_text(&format!("/history/{id}")).await;
    assert!(text.contains("Note by ann") && text.contains(SECRET) && text.contains(r#"action="/history/"#), "{text}");
    let csrf = hidden_field(&text, "csrf").unwrap();
    let form_id = hidden_field(&text, "note_id").expect("the note form carries its id");
    let refused = page.post_form(&format!("/history/{id}/notes"), &[("csrf", &csrf), ("note_id", &form_id), ("text", " ")]).await;
    assert_eq!(refused.status(), 422);
    let body = refused.text().await.unwrap();
    assert!(body.contains(r#"aria-describedby="note-text-error""#) && body.contains(r#"id="note-text-error""#), "{body}");
    let added = page.post_form(&format!("/history/{id}/notes"), &[("csrf", &csrf), ("note_id", &form_id), ("text", "Call back Monday")]).await;
    assert_eq!(added.status(), 303);
    let again = page.post_form(&format!("/history/{id}/notes"), &[("csrf", &csrf), ("note_id", &form_id), ("text", "Call back Monday")]).await;
    assert_eq!(again.status(), 303, "the same form sent twice");
    let text = page.get_text(&format!("/history/{id}")).await;
    assert_eq!(text.matches("Call back Monday").count(), 1, "stored once");
    ann.until("the page's note in the console", |f| f["type"] == "message" && f["text"] == "Call back Monday").await;

    // Rebuilt from the log, the history holds the same notes.
    server.settle().await;
    let (ok, stdout, stderr) = testkit::process::run(&["replay", "--verify", "conversations"], Some(&db.url()), "").await;
    assert!(ok && stdout.contains("table messages: same"), "{stdout}\n{stderr}");
    zoe.drain(Duration::from_millis(200)).await;
    assert!(mentions_a_note(&zoe.seen).is_empty(), "{:#?}", mentions_a_note(&zoe.seen));
}

#[tokio::test]
async fn an_agent_writes_a_note_in_the_console_of_a_real_browser() {
    let db = TestDb::new().await;
    let server = TestServer::start(&db).await;
    let everything = crate::every_page::a_company_with_everything(&db, &server).await;
    let browser = testkit::browser::Browser::start().await;
    browser.log_in(&server.url("/login"), "ann@acme.test", PASSWORD).await;
    browser.find(&format!("#conversations li[data-conversation-id='{}']", everything.live)).await.click().await.unwrap();
    browser.click("#note-mode").await;
    assert_eq!(browser.text("#send").await, "Add note");
    browser.find("form#reply textarea[name=text]").await.send_keys("Wants it gift-wrapped\u{E007}").await.unwrap();
    let shown = testkit::wait::until("the note in the transcript", testkit::wait::DEADLINE, || async {
        let found = browser
            .client
            .execute(
                "const m = [...document.querySelectorAll('ol#transcript li.msg.from-note')].pop(); \
                 return m ? [m.querySelector('.who').textContent, m.querySelector('.text').textContent, !!m.querySelector('.state') && m.querySelector('.state').textContent] : null;",
                vec![],
            )
            .await
            .map_err(|e| e.to_string())?;
        if found == json!(["Note by ann", "Wants it gift-wrapped", "Delivered"]) { Ok(found) } else { Err(found.to_string()) }
    })
    .await;
    assert_eq!(shown[0], "Note by ann");
    server.settle().await; // acknowledged once stored; the history's read model follows
    let (_, transcript) = Api::login(&server, "admin@acme.test", "admin-password")
        .await
        .json(Method::GET, &format!("/api/v1/conversations/{}", everything.live), None)
        .await;
    assert!(transcript["messages"].as_array().unwrap().iter().any(|m| m["from"] == "note" && m["text"] == "Wants it gift-wrapped"), "{transcript}");
    browser.close().await;
}
