//! Visitors' personal data is sealed in the log with a key of theirs kept beside it, and
//! erasing a visitor (API, admin page, CLI) destroys the key: the data is then nowhere in a
//! dump of the database, the history shows who wrote what when but not what, a replay gives
//! the same, and everyone else's conversations read as before.

use domain::company::Role;
use domain::site::Priority;
use reqwest::Method;
use serde_json::{json, Value};
use testkit::api::Api;
use testkit::chat::{console, says, visitor, ChatSite};
use testkit::process;
use testkit::ws::Ws;
use testkit::{TestDb, TestServer};

const ZOE: &str = "Zoé Quillard-7Q4";
const ZOE_SAYS: &str = "Je suis Zoé Quillard-7Q4, mon colis 88-XK2 est perdu";
const ANN_ANSWERS: &str = "Bonjour Zoé Quillard-7Q4, je regarde le colis 88-XK2";
const OTHER_SAYS: &str = "Another visitor, kept: 5RT-unrelated";

/// An agent online and a visitor who chatted with her; the conversation's id and the visitor.
async fn chatted(server: &TestServer, chat: &ChatSite, agent: &mut Ws, text: &str, answer: &str) -> (String, String, Ws) {
    let (mut widget, _) = visitor(&server.url(""), &chat.key, None, 0).await;
    widget.send(says(text).1).await;
    widget.until_type("ack").await;
    let offered = agent.until_type("conversation").await;
    let id = offered["id"].as_str().unwrap().to_owned();
    agent.send(json!({ "type": "message", "conversation_id": id, "client_id": uuid::Uuid::new_v4(), "text": answer })).await;
    widget.until("the answer", |f| f["type"] == "message" && f["from"] == "agent").await;
    server.settle().await;
    let admin = Api::login(server, "admin@acme.test", "admin-password").await;
    let visitor_id =
        admin.json(Method::GET, &format!("/api/v1/conversations/{id}"), None).await.1["conversation"]["visitor_id"].as_str().unwrap().to_owned();
    (id, visitor_id, widget)
}

async fn online_agent(server: &TestServer, chat: &ChatSite) -> Ws {
    server.agent(chat, "ann@acme.test", 3, Priority::Normal).await;
    let (mut agent, _) = console(&server.url(""), "ann@acme.test").await;
    agent.send(json!({ "type": "status", "status": "online" })).await;
    agent.until("online", |f| f["type"] == "state" && f["status"] == "online").await;
    server.settle().await;
    agent
}

/// Everything PostgreSQL holds for this database, as `pg_dump` writes it.
fn dump(db: &TestDb) -> String {
    let out = std::process::Command::new("pg_dump").arg("--no-owner").arg(db.url()).output().expect("pg_dump runs");
    assert!(out.status.success(), "pg_dump: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

fn texts(transcript: &Value) -> Vec<(String, String, bool)> {
    transcript["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["from"].as_str().unwrap().to_owned(), m["text"].as_str().unwrap().to_owned(), m["erased"].as_bool().unwrap()))
        .collect()
}

#[tokio::test]
async fn an_erased_visitor_is_found_nowhere_in_a_dump_and_stays_erased_through_a_replay() {
    let db = TestDb::new().await;
    let server = TestServer::start(&db).await;
    let chat = server.chat_site("Acme", 20).await;
    let mut agent = online_agent(&server, &chat).await;
    let (zoe_chat, zoe, mut widget) = chatted(&server, &chat, &mut agent, ZOE_SAYS, ANN_ANSWERS).await;
    agent.send(json!({ "type": "close", "conversation_id": zoe_chat })).await;
    widget.until_type("closed").await;
    let (other_chat, _, _other) = chatted(&server, &chat, &mut agent, OTHER_SAYS, "Noted.").await;

    // What the log holds of the visitor is sealed: not a word of it in the events table.
    let client = db.client().await;
    let logged: String = client
        .query_one("SELECT string_agg(payload::text, ' ') FROM events WHERE stream = $1", &[&format!("conversation-{zoe_chat}")])
        .await
        .unwrap()
        .get(0);
    for secret in ["Quillard", "88-XK2", "shop.example.test/shoes"] {
        assert!(!logged.contains(secret), "{secret} in the log: {logged}");
    }
    assert!(logged.contains("\"sealed\""), "{logged}");
    // ... and readable to the company.
    let admin = Api::login(&server, "admin@acme.test", "admin-password").await;
    let (status, before) = admin.json(Method::GET, &format!("/api/v1/conversations/{zoe_chat}"), None).await;
    assert_eq!(status, 200, "{before}");
    assert_eq!(texts(&before), [("visitor".to_owned(), ZOE_SAYS.to_owned(), false), ("agent".to_owned(), ANN_ANSWERS.to_owned(), false)]);
    assert_eq!(before["conversation"]["page_url"], "https://shop.example.test/shoes?size=42");

    // Only the company's administrators may erase: another company's sees nothing, an agent may not.
    let (globex, _) = server.company("Globex", "boss@globex.test", "a-long-password", 5).await;
    let stranger = Api::login(&server, "boss@globex.test", "a-long-password").await;
    let (status, body) = stranger.json(Method::POST, &format!("/api/v1/visitors/{zoe}/erasure"), None).await;
    assert_eq!((status, body["error"]["code"].as_str()), (404, Some("not_found")), "{body}");
    server.user(chat.company, "sup@acme.test", "a-long-password", &[Role::Agent, Role::Supervisor]).await;
    let supervisor = Api::login(&server, "sup@acme.test", "a-long-password").await;
    assert_eq!(supervisor.json(Method::POST, &format!("/api/v1/visitors/{zoe}/erasure"), None).await.0, 403);
    let (status, body) = admin.json(Method::POST, "/api/v1/visitors/not-an-id/erasure", None).await;
    assert_eq!(status, 404, "{body}");
    let _ = globex;

    let (status, erased) = admin.json(Method::POST, &format!("/api/v1/visitors/{zoe}/erasure"), None).await;
    assert_eq!(status, 200, "{erased}");
    assert_eq!((erased["keys"].as_u64(), erased["conversations"].as_i64()), (Some(1), Some(1)), "{erased}");

    // The history keeps who wrote and when, not what.
    let (_, after) = admin.json(Method::GET, &format!("/api/v1/conversations/{zoe_chat}"), None).await;
    assert_eq!(texts(&after), [("visitor".to_owned(), String::new(), true), ("agent".to_owned(), String::new(), true)]);
    assert_eq!(after["messages"][1]["agent_name"], "ann", "the agent's answer stays attributable");
    assert_eq!((after["conversation"]["visitor_erased"].as_bool(), after["conversation"]["page_url"].as_str()), (Some(true), Some("")));
    let page = server.login("admin@acme.test", "admin-password").await.get_text(&format!("/history/{zoe_chat}")).await;
    assert!(page.contains("Message erased") && page.contains("Erased visitor") && !page.contains("Quillard"), "{page}");
    // Another visitor's conversation reads as before.
    let (_, other) = admin.json(Method::GET, &format!("/api/v1/conversations/{other_chat}"), None).await;
    assert_eq!(texts(&other)[0], ("visitor".to_owned(), OTHER_SAYS.to_owned(), false));

    // The whole database, log included: not a trace of Zoé; the other visitor's words are
    // in the read models (so the dump is one that would show them).
    let dumped = dump(&db);
    for secret in ["Quillard", "88-XK2"] {
        assert!(!dumped.contains(secret), "{secret} is still in the database dump");
    }
    assert!(dumped.contains("5RT-unrelated"));

    // Who erased is on the audit log.
    let audit = server.login("admin@acme.test", "admin-password").await.get_text("/admin/audit?kind=visitors").await;
    assert!(audit.contains("erased a visitor") && audit.contains("admin"), "{audit}");

    // A replay finds the keys destroyed and writes the same erased transcripts.
    drop((agent, widget, _other));
    drop(server);
    let (ok, out, err) = process::run(&["replay", "conversations"], Some(&db.url()), "").await;
    assert!(ok, "{out}{err}");
    let (ok, out, err) = process::run(&["replay", "--verify"], Some(&db.url()), "").await;
    assert!(ok && out.contains("Every read model checked matches the log."), "{out}{err}");
    let rows: Vec<(String, bool)> = client
        .query("SELECT text, erased FROM messages WHERE conversation_id = $1::text::uuid ORDER BY seq", &[&zoe_chat])
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    assert_eq!(rows, [(String::new(), true), (String::new(), true)]);
    let other_text: String = client
        .query_one("SELECT text FROM messages WHERE conversation_id = $1::text::uuid ORDER BY seq LIMIT 1", &[&other_chat])
        .await
        .unwrap()
        .get(0);
    assert_eq!(other_text, OTHER_SAYS);
}

#[tokio::test]
async fn an_administrator_erases_from_the_conversation_page_after_confirming_and_the_visitor_comes_back_a_stranger() {
    let db = TestDb::new().await;
    let server = TestServer::start(&db).await;
    let chat = server.chat_site("Acme", 20).await;
    let mut agent = online_agent(&server, &chat).await;
    let (id, _, _widget) = chatted(&server, &chat, &mut agent, ZOE_SAYS, ANN_ANSWERS).await;
    let token = {
        let client = db.client().await;
        client.query_one("SELECT count(*) FROM visitors", &[]).await.unwrap().get::<_, i64>(0)
    };
    assert_eq!(token, 1);

    let admin = server.login("admin@acme.test", "admin-password").await;
    let page = admin.get_text(&format!("/history/{id}")).await;
    assert!(page.contains(ZOE) && page.contains("Erase this visitor"), "{page}");
    let confirm = admin.get_text(&format!("/history/{id}/erase")).await;
    assert!(confirm.contains("This cannot be undone") && confirm.contains("confirm-erase"), "{confirm}");
    let csrf = admin.csrf().await;
    // Not without ticking the box.
    let refused = admin.post_form(&format!("/history/{id}/erase"), &[("csrf", &csrf)]).await;
    assert_eq!(refused.status(), 422);
    assert!(admin.get_text(&format!("/history/{id}")).await.contains(ZOE));
    // Agents may not erase.
    let ann = server.login("ann@acme.test", testkit::chat::PASSWORD).await;
    assert_eq!(ann.get(&format!("/history/{id}/erase")).await.status(), 403);

    let done = admin.post_form(&format!("/history/{id}/erase"), &[("csrf", &csrf), ("confirm", "on")]).await;
    assert_eq!(done.status(), 303);
    assert_eq!(done.headers()["location"], format!("/history/{id}").as_str());
    let page = admin.get_text(&format!("/history/{id}")).await;
    assert!(page.contains("Message erased") && page.contains("was erased") && !page.contains("Quillard"), "{page}");
    assert!(!page.contains("Erase this visitor"), "nothing left to erase: {page}");

    // The visitor's browser is a stranger now: its token names no one.
    let client = db.client().await;
    assert_eq!(client.query_one("SELECT count(*) FROM visitors", &[]).await.unwrap().get::<_, i64>(0), 0);
}

#[tokio::test]
async fn an_operator_erases_a_visitor_from_the_command_line_and_an_export_carries_the_keys() {
    let source = TestDb::new().await;
    let server = TestServer::start(&source).await;
    let chat = server.chat_site("Acme", 20).await;
    let mut agent = online_agent(&server, &chat).await;
    let (zoe_chat, zoe, _w1) = chatted(&server, &chat, &mut agent, ZOE_SAYS, ANN_ANSWERS).await;
    let (other_chat, _, _w2) = chatted(&server, &chat, &mut agent, OTHER_SAYS, "Noted.").await;
    drop((agent, _w1, _w2));
    drop(server);
    let url = source.url();

    let (ok, _, err) = process::run(&["erase", "visitor", &uuid::Uuid::now_v7().to_string()], Some(&url), "").await;
    assert!(!ok && err.contains("switchboard: no visitor"), "{err}");
    let (ok, out, err) = process::run(&["erase", "visitor", &zoe], Some(&url), "").await;
    assert!(ok, "{out}{err}");
    assert!(out.contains(&format!("Erased visitor {zoe}")) && out.contains("1 key(s) destroyed, 1 conversation(s) blanked"), "{out}");
    let client = source.client().await;
    let erased: (String, bool) = client
        .query_one("SELECT text, erased FROM messages WHERE conversation_id = $1::text::uuid ORDER BY seq LIMIT 1", &[&zoe_chat])
        .await
        .map(|r| (r.get(0), r.get(1)))
        .unwrap();
    assert_eq!(erased, (String::new(), true));
    let actor: String = client.query_one("SELECT actor FROM events WHERE event_type = 'VisitorErased'", &[]).await.unwrap().get(0);
    assert_eq!(actor, "system:cli");

    // Export and import: the other visitor's conversation reads the same on the far side,
    // Zoé's stays erased.
    let folder = std::env::temp_dir().join(format!("sb-erase-{}", uuid::Uuid::now_v7().simple()));
    std::fs::create_dir_all(&folder).unwrap();
    let file = folder.join("log.ndjson.gz");
    let path = file.to_str().unwrap();
    let (ok, _, err) = process::run(&["export", path], Some(&url), "").await;
    assert!(ok, "{err}");
    let target = TestDb::empty().await;
    let (ok, out, err) = process::run(&["import", path], Some(&target.url()), "").await;
    assert!(ok, "{out}{err}");
    let _ = std::fs::remove_dir_all(&folder);
    let to = target.client().await;
    let rows = |table: &'static str| format!("SELECT coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '') FROM {table} t");
    for table in ["conversations", "messages", "visitor_keys"] {
        let (a, b): (String, String) =
            (client.query_one(&rows(table), &[]).await.unwrap().get(0), to.query_one(&rows(table), &[]).await.unwrap().get(0));
        assert_eq!(a, b, "{table} differs after import");
    }
    let text: String =
        to.query_one("SELECT text FROM messages WHERE conversation_id = $1::text::uuid ORDER BY seq LIMIT 1", &[&other_chat]).await.unwrap().get(0);
    assert_eq!(text, OTHER_SAYS);
    let (ok, out, err) = process::run(&["replay", "--verify"], Some(&target.url()), "").await;
    assert!(ok, "{out}{err}");
}
