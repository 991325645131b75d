//! Live chat over the real sockets on a real PostgreSQL: a visitor and an agent talking,
//! resuming after a dropped link, the queue, the offline form, plain text, limits, the
//! grace period, transfers, the supervisor board, tenants, and two server processes.

use std::time::Duration;

use domain::agent::Status;
use domain::company::Role;
use domain::site::Priority;
use reqwest::Method;
use serde_json::{json, Value};
use testkit::api::Api;
use testkit::chat::{assignment, console, console_with_cookie, says, slots_held, visitor, ChatSite, PASSWORD};
use testkit::db::stream_events;
use testkit::ws::{session_cookie, Refused, Ws};
use testkit::{wait, TestDb, TestServer};

async fn setup() -> (TestDb, TestServer, ChatSite) {
    let db = TestDb::new().await;
    let server = TestServer::start(&db).await;
    let chat = server.chat_site("Acme", 20).await;
    (db, server, chat)
}

/// An agent's console, online.
async fn online(server: &TestServer, email: &str) -> (Ws, Value) {
    let (mut ws, state) = console(&server.url(""), email).await;
    assert_eq!(state["status"], "offline", "agents start offline: {state}");
    ws.send(json!({ "type": "status", "status": "online" })).await;
    let state = ws.until("state online", |f| f["type"] == "state" && f["status"] == "online").await;
    server.settle().await;
    (ws, state)
}

fn texts(frames: &[Value]) -> Vec<String> {
    frames.iter().filter(|f| f["type"] == "message").map(|f| f["text"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn a_visitor_and_an_agent_talk_both_ways_with_typing_delivery_and_closing() {
    let (db, server, chat) = setup().await;
    let ann = server.agent(&chat, "ann@acme.test", 3, Priority::Normal).await;
    let (mut agent, state) = online(&server, "ann@acme.test").await;
    assert_eq!(state["max_chats"], 3);
    assert_eq!(state["queues"][0]["site"], "Shop");

    let (mut visitor, welcome) = visitor(&server.url(""), &chat.key, None, 0).await;
    let token = welcome["visitor_token"].as_str().unwrap();
    assert!(token.len() == 64 && token.chars().all(|c| c.is_ascii_hexdigit()), "{welcome}");
    assert_eq!((welcome["online"].as_bool(), &welcome["conversation"]), (Some(true), &Value::Null));

    let (id, hello) = says("Hello, my shoes are too small");
    visitor.send(hello).await;
    let ack = visitor.until_type("ack").await;
    assert_eq!(ack["client_id"], json!(id));
    let own = visitor.until_type("message").await;
    assert_eq!(
        (own["from"].as_str(), own["text"].as_str(), own["seq"].clone()),
        (Some("visitor"), Some("Hello, my shoes are too small"), ack["seq"].clone())
    );
    let assigned = visitor.until_type("assigned").await;
    assert_eq!(assigned["agent_name"], "ann");

    let offered = agent.until_type("conversation").await;
    let conversation_id = offered["id"].as_str().unwrap().to_owned();
    assert_eq!(offered["page_url"], "https://shop.example.test/shoes?size=42");
    // The first message and the conversation it started were stored together, or would
    // have been refused together.
    let first_two: i64 = db
        .client()
        .await
        .query_one("SELECT count(DISTINCT tx_id::text) FROM events WHERE stream = $1 AND version <= 1", &[&format!("conversation-{conversation_id}")])
        .await
        .unwrap()
        .get(0);
    assert_eq!(first_two, 1, "one append for the start and the first message");
    assert_eq!(offered["site"], "Shop");
    assert_eq!(texts(offered["messages"].as_array().unwrap()), ["Hello, my shoes are too small"]);

    visitor.send(json!({ "type": "typing", "typing": true })).await;
    let typing = agent.until_type("typing").await;
    assert_eq!((typing["conversation_id"].as_str(), typing["typing"].as_bool()), (Some(conversation_id.as_str()), Some(true)));
    agent.send(json!({ "type": "typing", "conversation_id": conversation_id, "typing": true })).await;
    let typing = visitor.until_type("typing").await;
    assert_eq!((typing["typing"].as_bool(), typing["agent_name"].as_str()), (Some(true), Some("ann")));

    let reply_id = uuid::Uuid::new_v4();
    agent.send(json!({ "type": "message", "conversation_id": conversation_id, "client_id": reply_id, "text": "Let me find a 43 for you." })).await;
    let ack = agent.until_type("ack").await;
    assert_eq!(ack["client_id"], json!(reply_id));
    let answer = visitor.until_type("message").await;
    assert_eq!(
        (answer["from"].as_str(), answer["agent_name"].as_str(), answer["text"].as_str()),
        (Some("agent"), Some("ann"), Some("Let me find a 43 for you."))
    );
    assert_eq!(answer["seq"], ack["seq"]);

    agent.send(json!({ "type": "close", "conversation_id": conversation_id })).await;
    assert_eq!(visitor.until_type("closed").await["by"], "agent");
    assert_eq!(agent.until_type("closed").await["conversation_id"], conversation_id.as_str());

    // The history is a projection: the transcript is there, closed, for the company.
    server.settle().await;
    let admin = server.login("admin@acme.test", "admin-password").await;
    let list = admin.get_text("/history").await;
    assert!(list.contains(&conversation_id) && list.contains("closed"), "{list}");
    let transcript = admin.get_text(&format!("/history/{conversation_id}")).await;
    for text in ["Hello, my shoes are too small", "Let me find a 43 for you.", "Why this agent", "<th scope=\"row\">ann Tester</th>"] {
        assert!(transcript.contains(text), "{text} missing from {transcript}");
    }
    let why = &transcript[transcript.find("routing-decision").unwrap()..];
    assert!(!why.contains(&ann.to_string()), "the routing explanation names agents, not ids: {why}");
    // A new message after closing starts a new conversation.
    let (_, again) = says("One more thing");
    visitor.send(again).await;
    visitor.until_type("ack").await;
    let next = agent.until_type("conversation").await;
    assert_ne!(next["id"].as_str(), Some(conversation_id.as_str()));
}

#[tokio::test]
async fn a_dropped_visitor_resumes_from_the_last_message_seen_and_a_resent_message_is_stored_once() {
    let (_db, server, chat) = setup().await;
    server.agent(&chat, "ann@acme.test", 3, Priority::Normal).await;
    let (mut agent, _) = online(&server, "ann@acme.test").await;
    let (mut visitor1, welcome) = visitor(&server.url(""), &chat.key, None, 0).await;
    let token = welcome["visitor_token"].as_str().unwrap().to_owned();
    let (first_id, first) = says("Is the red one in stock?");
    visitor1.send(first.clone()).await;
    let seen = visitor1.until_type("ack").await["seq"].as_u64().unwrap();
    let conversation_id = agent.until_type("conversation").await["id"].as_str().unwrap().to_owned();
    visitor1.drop_connection();

    // While the visitor is away, the agent answers.
    agent.send(json!({ "type": "message", "conversation_id": conversation_id, "client_id": uuid::Uuid::new_v4(), "text": "Yes, two left." })).await;
    agent.until_type("ack").await;

    // Same token: the same conversation, and only what was not seen yet.
    let (mut visitor2, welcome) = visitor(&server.url(""), &chat.key, Some(&token), seen).await;
    assert_eq!(welcome["visitor_token"], token.as_str());
    assert_eq!(
        (welcome["conversation"]["id"].as_str(), welcome["conversation"]["state"].as_str()),
        (Some(conversation_id.as_str()), Some("assigned"))
    );
    assert_eq!(welcome["conversation"]["agent_name"], "ann");
    assert_eq!(visitor2.until_type("message").await["text"], "Yes, two left.");

    // The widget did not get the ack before the drop, say: it sends the same message again.
    visitor2.send(first).await;
    let ack = visitor2.until_type("ack").await;
    assert_eq!((ack["client_id"].clone(), ack["seq"].as_u64()), (json!(first_id), Some(seen)));
    let (_, next) = says("Great, I take it.");
    visitor2.send(next).await;
    let arrived = agent.until("the next visitor message", |f| f["type"] == "message" && f["from"] == "visitor").await;
    assert_eq!(arrived["text"], "Great, I take it.", "the repeated message reached the agent again");

    // From the start, everything once, in order: the replay is what the socket sends before
    // it answers the next frame.
    let (mut visitor3, _) = visitor(&server.url(""), &chat.key, Some(&token), 0).await;
    let (marker, after) = says("And the blue one?");
    visitor3.send(after).await;
    visitor3.until("the ack of the message sent after the hello", |f| f["type"] == "ack" && f["client_id"] == json!(marker)).await;
    let replay: Vec<Value> = visitor3.seen.iter().filter(|f| f["client_id"] != json!(marker)).cloned().collect();
    assert_eq!(texts(&replay), ["Is the red one in stock?", "Yes, two left.", "Great, I take it."]);
    let seqs: Vec<u64> = replay.iter().filter(|f| f["type"] == "message").map(|f| f["seq"].as_u64().unwrap()).collect();
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "{seqs:?}");

    // A token of another site, or made up, is a new visitor.
    let (_, other_key) = server.site(&chat, "Blog", vec!["https://blog.acme.test".into()], false).await;
    let (_, fresh) = visitor(&server.url(""), &other_key, Some(&token), 0).await;
    assert_ne!(fresh["visitor_token"], token.as_str());
    assert_eq!(fresh["conversation"], Value::Null);
}

#[tokio::test]
async fn visitors_wait_in_a_queue_and_a_freed_slot_goes_to_the_longest_waiting() {
    let (db, server, chat) = setup().await;
    let ann = server.agent(&chat, "ann@acme.test", 1, Priority::Normal).await;
    let (mut agent, _) = online(&server, "ann@acme.test").await;
    let mut visitors = Vec::new();
    for i in 0..3 {
        let (mut v, _) = visitor(&server.url(""), &chat.key, None, 0).await;
        v.send(says(&format!("visitor {i}")).1).await;
        v.until_type("ack").await;
        visitors.push(v);
    }
    let first = agent.until_type("conversation").await;
    assert_eq!(texts(first["messages"].as_array().unwrap()), ["visitor 0"]);
    assert_eq!(visitors[1].until_type("queue").await["position"], 1);
    assert_eq!(visitors[2].until_type("queue").await["position"], 2);
    agent.until("two waiting", |f| f["type"] == "queues" && f["queues"][0]["waiting"] == 2).await;

    agent.send(json!({ "type": "close", "conversation_id": first["id"] })).await;
    let second = agent.until_type("conversation").await;
    assert_eq!(texts(second["messages"].as_array().unwrap()), ["visitor 1"], "the longest-waiting visitor comes next");
    visitors[1].until_type("assigned").await;
    visitors[2].until("first in the queue", |f| f["type"] == "queue" && f["position"] == 1).await;
    // Never more than the maximum. The close, with the offer of the queue that follows it, is
    // over once the console answers its next frame: then the log has ann holding the second
    // visitor's conversation only, and the third still waiting.
    agent.send(json!({ "type": "agents", "conversation_id": second["id"] })).await;
    agent.until_type("agents").await;
    server.settle().await;
    let client = db.client().await;
    let second: uuid::Uuid = serde_json::from_value(second["id"].clone()).unwrap();
    assert_eq!(slots_held(&client, ann).await, [second]);
    let waiting: Vec<uuid::Uuid> =
        client.query("SELECT conversation_id FROM conversations WHERE state = 'waiting'", &[]).await.unwrap().iter().map(|r| r.get(0)).collect();
    assert_eq!(waiting.len(), 1);
    assert_eq!(assignment(&client, waiting[0]).await, (None, false), "the third visitor's conversation, waiting in the log too");
}

#[tokio::test]
async fn an_agent_going_away_returns_their_chats_to_the_queue_for_another_agent() {
    let (_db, server, chat) = setup().await;
    server.agent(&chat, "ann@acme.test", 2, Priority::High).await;
    server.agent(&chat, "bob@acme.test", 2, Priority::Low).await;
    let (mut ann, _) = online(&server, "ann@acme.test").await;
    let (mut v, _) = visitor(&server.url(""), &chat.key, None, 0).await;
    v.send(says("Hello?").1).await;
    let id = ann.until_type("conversation").await["id"].clone();

    ann.send(json!({ "type": "status", "status": "away" })).await;
    assert_eq!(ann.until_type("removed").await["reason"], "requeued");
    let away = |f: &Value| f["type"] == "state" && f["status"] == "away";
    // The new state and the removal may come in either order.
    let state = match ann.seen.iter().find(|f| away(f)).cloned() {
        Some(state) => state,
        None => ann.until("state away", away).await,
    };
    assert_eq!(state["conversations"], json!([]));
    assert_eq!(v.until_type("queue").await["position"], 1);

    let (mut bob, state) = console(&server.url(""), "bob@acme.test").await;
    assert_eq!(state["queues"][0]["waiting"], 1);
    bob.send(json!({ "type": "status", "status": "online" })).await;
    // Taken while going online: in the new state, or just after it.
    let state = bob.until("state online", |f| f["type"] == "state" && f["status"] == "online").await;
    let taken = match state["conversations"].as_array().and_then(|c| c.first()).cloned() {
        Some(c) => c,
        None => bob.until_type("conversation").await,
    };
    assert_eq!((taken["id"].clone(), texts(taken["messages"].as_array().unwrap())), (id, vec!["Hello?".to_owned()]));
    v.until("assigned to bob", |f| f["type"] == "assigned" && f["agent_name"] == "bob").await;
}

/// A router that takes an agent's slot and then loses the conversation to another router
/// gives the slot back; until it does, the agent's stream lists a conversation that is not
/// theirs. Their console must not show it (it did: both agents answered the visitor).
#[tokio::test]
async fn a_slot_taken_by_a_router_that_lost_the_race_never_shows_in_that_agents_console() {
    let (_db, server, chat) = setup().await;
    // Ann has one slot: once she holds the first visitor, the next one can only go to bob.
    server.agent(&chat, "ann@acme.test", 1, Priority::Normal).await;
    let bob_id = server.agent(&chat, "bob@acme.test", 2, Priority::Normal).await;
    let (mut ann, _) = online(&server, "ann@acme.test").await;
    let (mut v, _) = visitor(&server.url(""), &chat.key, None, 0).await;
    v.send(says("Hello?").1).await;
    let id: domain::ConversationId = serde_json::from_value(ann.until_type("conversation").await["id"].clone()).unwrap();

    let (mut bob, _) = online(&server, "bob@acme.test").await;
    let take = domain::agent::Command::TakeConversation { conversation_id: id, max_chats: 2 };
    let meta = domain::Metadata::new(Some(chat.company), domain::Actor::System("router".into()));
    commands::execute::<domain::agent::Agent, _>(server.app.events(), &domain::agent::stream(bob_id), &take, &meta).await.unwrap();
    server.settle().await;

    let (_, state) = console(&server.url(""), "bob@acme.test").await;
    assert_eq!(state["conversations"], json!([]), "a new console of bob");
    // Nor does the open console: the next conversation bob really gets is the first it shows.
    let (mut v2, _) = visitor(&server.url(""), &chat.key, None, 0).await;
    v2.send(says("Second visitor here").1).await;
    let offered = bob.until_type("conversation").await;
    assert_eq!(texts(offered["messages"].as_array().unwrap()), ["Second visitor here"]);
    let shown: Vec<&Value> = bob.seen.iter().filter(|f| f["type"] == "conversation").map(|f| &f["id"]).collect();
    assert_eq!(shown, [&offered["id"]], "bob's console showed a conversation that is not his");
    assert_ne!(offered["id"], json!(id));
}

#[tokio::test]
async fn with_nobody_online_the_widget_offers_the_offline_form_and_the_company_sees_the_message() {
    let (_db, server, chat) = setup().await;
    let ann = server.agent(&chat, "ann@acme.test", 3, Priority::Normal).await;
    let (mut v, welcome) = visitor(&server.url(""), &chat.key, None, 0).await;
    assert_eq!(welcome["online"], false);

    let bad = json!({ "type": "offline_message", "client_id": uuid::Uuid::new_v4(), "name": "Zoé", "email": "not-an-address", "message": "Call me" });
    v.send(bad).await;
    assert_eq!(v.until_type("error").await["code"], "invalid_email");
    let id = uuid::Uuid::new_v4();
    v.send(json!({ "type": "offline_message", "client_id": id, "name": "Zoé Durand", "email": "zoe@example.org", "message": "Please call me back about order 1234." })).await;
    assert_eq!(v.until_type("offline_received").await["client_id"], json!(id));

    server.settle().await;
    let admin = server.login("admin@acme.test", "admin-password").await;
    let list = admin.get_text("/history?visitor=zoe").await;
    assert!(list.contains("zoe@example.org") && list.contains("Please call me back"), "{list}");
    // Its transcript holds the message, on the page and in the API.
    let api = Api::login(&server, "admin@acme.test", "admin-password").await;
    let (status, found) = api.json(Method::GET, "/api/v1/conversations?visitor=zoe", None).await;
    assert_eq!(status, 200, "{found}");
    let conversation = found["conversations"][0]["id"].as_str().unwrap_or_else(|| panic!("{found}")).to_owned();
    let (status, transcript) = api.json(Method::GET, &format!("/api/v1/conversations/{conversation}"), None).await;
    assert_eq!(status, 200, "{transcript}");
    let written: Vec<&Value> = transcript["messages"].as_array().unwrap().iter().map(|m| &m["text"]).collect();
    assert_eq!(written, [&json!("Please call me back about order 1234.")], "{transcript}");
    let page = admin.get_text(&format!("/history/{conversation}")).await;
    assert!(page.contains("Please call me back about order 1234.") && page.contains("Zoé Durand") && page.contains("zoe@example.org"), "{page}");

    // An agent coming online is news for the widget.
    server.set_status(chat.company, ann, Status::Online).await;
    assert_eq!(v.until_type("status").await["online"], true);
}

#[tokio::test]
async fn visitor_text_stays_plain_text_in_the_transcript() {
    let (_db, server, chat) = setup().await;
    server.agent(&chat, "ann@acme.test", 3, Priority::Normal).await;
    let (mut agent, _) = online(&server, "ann@acme.test").await;
    let (mut v, _) = visitor(&server.url(""), &chat.key, None, 0).await;
    let attack = "<script>alert('x')</script><img src=x onerror=alert(1)>";
    v.send(says(attack).1).await;
    v.until_type("ack").await;
    let offered = agent.until_type("conversation").await;
    assert_eq!(offered["messages"][0]["text"], attack, "sockets carry the text as typed, for textContent");
    server.settle().await;
    let admin = server.login("admin@acme.test", "admin-password").await;
    let page = admin.get_text(&format!("/history/{}", offered["id"].as_str().unwrap())).await;
    assert!(!page.contains("<script>alert") && !page.contains("<img src=x"), "{page}");
    assert!(page.contains("&lt;script&gt;alert('x')&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;"), "{page}");
    let list = admin.get_text("/history").await;
    assert!(!list.contains("<img src=x") && list.contains("&lt;img src=x"), "{list}");
}

#[tokio::test]
async fn bad_frames_long_messages_and_floods_get_clear_errors_not_a_crash() {
    let (_db, server, chat) = setup().await;
    let base = server.url("");
    let (mut v, _) = visitor(&base, &chat.key, None, 0).await;
    v.send_raw("{ not json".into()).await;
    assert_eq!(v.until_type("error").await["code"], "invalid_frame");
    v.send(json!({ "type": "shout" })).await;
    assert_eq!(v.until_type("error").await["code"], "invalid_frame");
    // One shape per frame: an array is not read as the fields in order.
    v.send(json!(["message", uuid::Uuid::new_v4(), "hello as an array"])).await;
    let refused = v.until_type("error").await;
    assert_eq!(refused["code"], "invalid_frame", "{refused}");
    assert!(!v.seen.iter().any(|f| f["type"] == "ack"), "an array started a conversation: {:#?}", v.seen);
    v.send(says(&"é".repeat(4001)).1).await;
    assert_eq!(v.until_type("error").await["code"], "message_too_long");
    v.send(says("   ").1).await;
    assert_eq!(v.until_type("error").await["code"], "empty_message");

    // A flood: throttled with a clear error, then cut off.
    let mut throttled = None;
    for _ in 0..80 {
        v.send(json!({ "type": "typing", "typing": true })).await;
    }
    loop {
        match v.next(Duration::from_secs(5)).await {
            Ok(Some(f)) if f["code"] == "rate_limited" => throttled = throttled.or(Some(f)),
            Ok(Some(_)) => {}
            Ok(None) => panic!("neither throttled nor closed: {:#?}", v.seen),
            Err(Refused::Closed(code, reason)) => {
                assert_eq!((code, reason.as_str()), (4029, "flooding"));
                break;
            }
            Err(e) => panic!("{e:?}"),
        }
    }
    let throttled = throttled.expect("a rate_limited error before the cut");
    assert!(throttled["retry_after"].as_f64().unwrap() > 0.0, "{throttled}");

    // A frame over 16 KiB closes the socket with "message too big".
    let (mut v, _) = visitor(&base, &chat.key, None, 0).await;
    v.send_raw(json!({ "type": "message", "client_id": uuid::Uuid::new_v4(), "text": "x".repeat(17_000) }).to_string()).await;
    assert_eq!(v.closed().await.0, 1009);

    // So does an oversized first frame, and a binary frame closes it with 1003.
    let mut v = Ws::connect(&format!("{base}/widget/ws?site={}", chat.key), Some("https://shop.example.test"), None).await.unwrap();
    v.send_raw(json!({ "type": "hello", "visitor_token": null, "page_url": "x".repeat(17_000) }).to_string()).await;
    assert_eq!(v.closed().await.0, 1009);
    let (mut v, _) = visitor(&base, &chat.key, None, 0).await;
    v.send_binary(b"{\"type\":\"typing\",\"typing\":true}".to_vec()).await;
    assert_eq!(v.closed().await.0, 1003);

    // Bad keys and foreign origins are refused with their codes.
    let mut bad = Ws::connect(&format!("{base}/widget/ws?site=sbk_nope"), None, None).await.unwrap();
    assert_eq!(bad.closed().await, (4004, "site_not_found".into()));
    let (_, restricted) = server.site(&chat, "Private", vec!["https://private.acme.test".into()], true).await;
    let mut foreign = Ws::connect(&format!("{base}/widget/ws?site={restricted}"), Some("https://evil.example"), None).await.unwrap();
    assert_eq!(foreign.closed().await, (4003, "origin_not_allowed".into()));
    let mut own = Ws::connect(&format!("{base}/widget/ws?site={restricted}"), Some("https://private.acme.test"), None).await.unwrap();
    own.send(json!({ "type": "hello", "visitor_token": null, "last_seen": 0, "page_url": "https://private.acme.test/" })).await;
    own.until_type("welcome").await;

    // The server is still fine.
    assert_eq!(reqwest::get(server.url("/healthz")).await.unwrap().status(), 200);
}

#[tokio::test]
async fn a_disconnected_agent_keeps_chats_for_the_grace_period_then_they_return_to_the_queue() {
    let (db, server, chat) = setup().await;
    let ann = server.agent(&chat, "ann@acme.test", 3, Priority::Normal).await;
    let (agent, _) = online(&server, "ann@acme.test").await;
    let (mut v, _) = visitor(&server.url(""), &chat.key, None, 0).await;
    v.send(says("Anyone there?").1).await;
    v.until_type("assigned").await;

    // A reload within the grace period (2 s in tests): same state, nothing lost. The page
    // keeps its session; the socket comes back once the server has seen it go.
    let cookie = session_cookie(&server.url(""), "ann@acme.test", PASSWORD).await;
    agent.drop_connection();
    let client = db.client().await;
    wait::until("the server records that ann's console went", wait::DEADLINE, || async {
        let open: i64 = client.query_one("SELECT count(*) FROM agent_connections WHERE user_id = $1 AND open", &[&ann.0]).await.unwrap().get(0);
        wait::check(open == 0, open)
    })
    .await;
    let (agent, state) = console_with_cookie(&server.url(""), &cookie).await;
    assert_eq!(state["status"], "online");
    assert_eq!(texts(state["conversations"][0]["messages"].as_array().unwrap()), ["Anyone there?"]);

    // Gone for longer: offline, and the visitor waits for somebody else.
    agent.drop_connection();
    let queued = v.until_type("queue").await;
    assert_eq!(queued["position"], 1);
    let (_, state) = console(&server.url(""), "ann@acme.test").await;
    assert_eq!((state["status"].as_str(), state["conversations"].as_array().map(Vec::len)), (Some("offline"), Some(0)));
}

#[tokio::test]
async fn an_agent_transfers_a_chat_to_another_online_agent_with_a_free_slot() {
    let (_db, server, chat) = setup().await;
    let ann = server.agent(&chat, "ann@acme.test", 3, Priority::High).await;
    let bob = server.agent(&chat, "bob@acme.test", 1, Priority::Low).await;
    let carl = server.agent(&chat, "carl@acme.test", 1, Priority::Low).await;
    let (mut a, _) = online(&server, "ann@acme.test").await;
    let (mut v, _) = visitor(&server.url(""), &chat.key, None, 0).await;
    v.send(says("I need the returns team").1).await;
    let id = a.until_type("conversation").await["id"].clone();

    // Nobody else online: nobody to give it to.
    a.send(json!({ "type": "agents", "conversation_id": id })).await;
    assert_eq!(a.until_type("agents").await["agents"], json!([]));
    a.send(json!({ "type": "transfer", "conversation_id": id, "to": bob })).await;
    assert_eq!(a.until_type("error").await["code"], "no_agent_available");

    let (mut b, _) = online(&server, "bob@acme.test").await;
    server.set_status(chat.company, carl, Status::Away).await;
    a.send(json!({ "type": "agents", "conversation_id": id })).await;
    let agents = a.until_type("agents").await;
    assert_eq!(agents["agents"].as_array().unwrap().iter().map(|x| x["user_id"].clone()).collect::<Vec<_>>(), [json!(bob)], "{agents}");

    a.send(json!({ "type": "transfer", "conversation_id": id, "to": bob })).await;
    let removed = a.until_type("removed").await;
    assert_eq!((removed["conversation_id"].clone(), removed["reason"].as_str()), (id.clone(), Some("transferred")));
    let taken = b.until_type("conversation").await;
    assert_eq!((taken["id"].clone(), texts(taken["messages"].as_array().unwrap())), (id.clone(), vec!["I need the returns team".to_owned()]));
    v.until("assigned to bob", |f| f["type"] == "assigned" && f["agent_name"] == "bob").await;
    // Ann no longer holds it: she cannot write in it.
    a.send(json!({ "type": "message", "conversation_id": id, "client_id": uuid::Uuid::new_v4(), "text": "still me" })).await;
    assert_eq!(a.until_type("error").await["code"], "not_assigned");
    let _ = ann;
}

#[tokio::test]
async fn a_supervisor_watches_the_board_reads_a_transcript_live_and_reassigns() {
    let (db, server, chat) = setup().await;
    server.agent(&chat, "ann@acme.test", 2, Priority::High).await;
    let bob = server.agent(&chat, "bob@acme.test", 2, Priority::Normal).await;
    server.user(chat.company, "sue@acme.test", PASSWORD, &[Role::Supervisor]).await;
    let (mut a, _) = online(&server, "ann@acme.test").await;
    let (mut v, _) = visitor(&server.url(""), &chat.key, None, 0).await;
    v.send(says("My parcel never came").1).await;
    let id = a.until_type("conversation").await["id"].clone();
    let (mut b, _) = online(&server, "bob@acme.test").await;

    let base = server.url("");
    let cookie = session_cookie(&base, "sue@acme.test", PASSWORD).await;
    let mut sup = Ws::connect(&format!("{base}/supervisor/ws"), Some(&base), Some(&cookie)).await.unwrap();
    sup.send(json!({ "type": "hello" })).await;
    let board = sup.until("a board with ann busy", |f| f["type"] == "board" && f["conversations"].as_array().is_some_and(|c| !c.is_empty())).await;
    let ann_row = board["agents"].as_array().unwrap().iter().find(|x| x["name"].as_str().unwrap().starts_with("ann")).unwrap().clone();
    assert_eq!((ann_row["status"].as_str(), ann_row["load"].as_i64(), ann_row["max_chats"].as_i64()), (Some("online"), Some(1), Some(2)), "{board}");
    assert_eq!(board["conversations"][0]["id"], id);

    sup.send(json!({ "type": "watch", "conversation_id": id })).await;
    let transcript = sup.until_type("transcript").await;
    assert_eq!(texts(transcript["messages"].as_array().unwrap()), ["My parcel never came"]);
    v.send(says("It was due on Monday").1).await;
    assert_eq!(sup.until_type("message").await["text"], "It was due on Monday");

    sup.send(json!({ "type": "reassign", "conversation_id": id, "to": bob })).await;
    assert_eq!(a.until_type("removed").await["reason"], "reassigned");
    assert_eq!(b.until_type("conversation").await["id"], id);
    sup.until("bob holds it on the board", |f| f["type"] == "board" && f["conversations"][0]["agent_name"] == "bob").await;
    // The transcript says who moved it, by name; ann, who answered first, still finds it.
    server.settle().await;
    let transcript = server.login("sue@acme.test", PASSWORD).await.get_text(&format!("/history/{}", id.as_str().unwrap())).await;
    assert!(transcript.contains("Reassigned by sue Tester (supervisor), from ann Tester."), "{transcript}");
    let anns_history = server.login("ann@acme.test", PASSWORD).await.get_text("/history").await;
    assert!(anns_history.contains(id.as_str().unwrap()), "ann's history lost the conversation she answered: {anns_history}");

    // A queue shows with its waiting time when everyone is full.
    for i in 0..5 {
        let (mut extra, _) = visitor(&base, &chat.key, None, 0).await;
        extra.send(says(&format!("extra {i}")).1).await;
        extra.until_type("ack").await;
    }
    let two_waiting = |f: &Value| f["type"] == "board" && f["queues"][0]["waiting"].as_array().is_some_and(|w| w.len() == 2);
    let board = sup.until("a board with two visitors waiting (4 slots, ann 2 and bob 2, for 6 visitors)", two_waiting).await;
    let waiting = board["queues"][0]["waiting"].as_array().unwrap();
    assert!(waiting.iter().all(|w| w["since"].as_str().is_some()), "{board}");
    // …which is where it ends: four answered (every slot), two waiting.
    let client = db.client().await;
    wait::until("four conversations answered and two waiting", wait::DEADLINE, || async {
        let states: Vec<(String, i64)> = client
            .query("SELECT state, count(*) FROM conversations GROUP BY state ORDER BY state", &[])
            .await
            .unwrap()
            .iter()
            .map(|r| (r.get(0), r.get(1)))
            .collect();
        wait::check(states == [("assigned".to_owned(), 4), ("waiting".to_owned(), 2)], states)
    })
    .await;
}

#[tokio::test]
async fn sockets_are_gated_by_role_origin_and_company() {
    let (db, server, chat) = setup().await;
    server.agent(&chat, "ann@acme.test", 3, Priority::Normal).await;
    let base = server.url("");
    let (mut a, _) = online(&server, "ann@acme.test").await;
    let (mut v, _) = visitor(&base, &chat.key, None, 0).await;
    let (known, private) = says("Private matter");
    v.send(private).await;
    let id = a.until_type("conversation").await["id"].clone();

    let refused = |r: Result<Ws, Refused>| match r {
        Err(Refused::Status(s)) => s,
        Ok(_) => 101,
        Err(e) => panic!("{e:?}"),
    };
    assert_eq!(refused(Ws::connect(&format!("{base}/console/ws"), Some(&base), None).await), 401);
    let ann = session_cookie(&base, "ann@acme.test", PASSWORD).await;
    assert_eq!(refused(Ws::connect(&format!("{base}/console/ws"), Some("https://evil.example"), Some(&ann)).await), 403);
    assert_eq!(refused(Ws::connect(&format!("{base}/supervisor/ws"), Some(&base), Some(&ann)).await), 403);
    let admin = session_cookie(&base, "admin@acme.test", "admin-password").await;
    assert_eq!(refused(Ws::connect(&format!("{base}/console/ws"), Some(&base), Some(&admin)).await), 403, "an administrator without the Agent role");

    // Another company's agent and supervisor reach nothing of Acme's.
    let client = db.client().await;
    let stream = format!("conversation-{}", id.as_str().unwrap());
    let acme_admin = Api::login(&server, "admin@acme.test", "admin-password").await;
    server.settle().await;
    let transcript_before = acme_admin.json(Method::GET, &format!("/api/v1/conversations/{}", id.as_str().unwrap()), None).await;
    let events_before = stream_events(&client, &stream).await;
    let other = server.chat_site("Globex", 5).await;
    server.agent(&other, "eve@globex.test", 3, Priority::Normal).await;
    server.user(other.company, "sam@globex.test", PASSWORD, &[Role::Supervisor, Role::Agent]).await;
    let (mut eve, _) = online(&server, "eve@globex.test").await;
    for frame in [
        json!({ "type": "message", "conversation_id": id, "client_id": uuid::Uuid::new_v4(), "text": "hi from Globex" }),
        // Refused before recognised: a message id the conversation knows gets no `ack`.
        json!({ "type": "message", "conversation_id": id, "client_id": known, "text": "Private matter" }),
        json!({ "type": "close", "conversation_id": id }),
        json!({ "type": "agents", "conversation_id": id }),
    ] {
        eve.send(frame.clone()).await;
        assert_eq!(eve.until_type("error").await["code"], "not_assigned", "{frame}");
    }
    let sam = session_cookie(&base, "sam@globex.test", PASSWORD).await;
    let mut board = Ws::connect(&format!("{base}/supervisor/ws"), Some(&base), Some(&sam)).await.unwrap();
    board.send(json!({ "type": "hello" })).await;
    let seen = board.until_type("board").await;
    assert!(!seen.to_string().contains("ann"), "Globex's board shows Acme: {seen}");
    board.send(json!({ "type": "watch", "conversation_id": id })).await;
    assert_eq!(board.until_type("error").await["code"], "not_found");
    board.send(json!({ "type": "reassign", "conversation_id": id, "to": uuid::Uuid::new_v4() })).await;
    assert_eq!(board.until_type("error").await["code"], "not_found");
    let globex_admin = server.login("admin@globex.test", "admin-password").await;
    assert_eq!(globex_admin.get(&format!("/history/{}", id.as_str().unwrap())).await.status(), 404);
    assert!(!globex_admin.get_text("/history").await.contains("Private matter"));
    // And Acme's conversation is untouched: not one event more in its stream, the same
    // transcript for Acme, and it goes on between its visitor and its agent.
    assert_eq!(stream_events(&client, &stream).await, events_before, "Globex wrote to Acme's conversation");
    server.settle().await;
    assert_eq!(acme_admin.json(Method::GET, &format!("/api/v1/conversations/{}", id.as_str().unwrap()), None).await, transcript_before);
    a.send(json!({ "type": "message", "conversation_id": id, "client_id": uuid::Uuid::new_v4(), "text": "Still here for you" })).await;
    assert_eq!(v.until("the agent's next message", |f| f["type"] == "message" && f["from"] == "agent").await["text"], "Still here for you");
}

#[tokio::test]
async fn a_visitor_on_one_server_process_and_an_agent_on_another_talk_normally() {
    use testkit::process::Served;
    let (db, server, chat) = setup().await;
    server.agent(&chat, "ann@acme.test", 3, Priority::Normal).await;
    let dir = std::env::temp_dir().join(format!("sb-two-{}", uuid::Uuid::now_v7().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let one = Served::start(&dir.join("one"), Some(&db.url())).await;
    let two = Served::start(&dir.join("two"), Some(&db.url())).await;

    let (mut agent, _) = console(&two.url(""), "ann@acme.test").await;
    agent.send(json!({ "type": "status", "status": "online" })).await;
    agent.until("online", |f| f["type"] == "state" && f["status"] == "online").await;
    server.settle().await;

    let (mut v, welcome) = visitor(&one.url(""), &chat.key, None, 0).await;
    assert_eq!(welcome["online"], true);
    v.send(says("Hello from process one").1).await;
    let offered = agent.until_type("conversation").await;
    assert_eq!(texts(offered["messages"].as_array().unwrap()), ["Hello from process one"]);
    assert_eq!(v.until_type("assigned").await["agent_name"], "ann");
    v.send(json!({ "type": "typing", "typing": true })).await;
    agent.until_type("typing").await;
    for i in 0..5 {
        agent
            .send(json!({ "type": "message", "conversation_id": offered["id"], "client_id": uuid::Uuid::new_v4(), "text": format!("answer {i}") }))
            .await;
        v.send(says(&format!("question {i}")).1).await;
    }
    let mut got = Vec::new();
    while got.len() < 5 {
        got.push(v.until("an answer", |f| f["type"] == "message" && f["from"] == "agent").await["text"].as_str().unwrap().to_owned());
    }
    assert_eq!(got, (0..5).map(|i| format!("answer {i}")).collect::<Vec<_>>());
    let mut asked = Vec::new();
    while asked.len() < 5 {
        asked.push(agent.until("a question", |f| f["type"] == "message" && f["from"] == "visitor").await["text"].as_str().unwrap().to_owned());
    }
    assert_eq!(asked, (0..5).map(|i| format!("question {i}")).collect::<Vec<_>>());
    one.terminate().await;
    two.terminate().await;
    let _ = std::fs::remove_dir_all(dir);
}

/// The history through the JSON API: the same search as the pages, each message as typed,
/// and the same walls: an agent sees their own conversations, another company nothing.
#[tokio::test]
async fn the_history_is_searchable_through_the_api_within_the_company_and_the_agents_own() {
    use testkit::api::refusal;
    let (_db, server, chat) = setup().await;
    server.agent(&chat, "ann@acme.test", 3, Priority::Normal).await;
    server.agent(&chat, "bob@acme.test", 3, Priority::Normal).await;
    let (mut ann, _) = online(&server, "ann@acme.test").await;
    let (mut v, _) = visitor(&server.url(""), &chat.key, None, 0).await;
    v.send(says("Do you ship <b>size 44</b> to Norway?").1).await;
    let id = ann.until_type("conversation").await["id"].as_str().unwrap().to_owned();
    ann.send(json!({ "type": "message", "conversation_id": id, "client_id": uuid::Uuid::new_v4(), "text": "Yes, in three days." })).await;
    ann.until_type("ack").await;
    ann.send(json!({ "type": "close", "conversation_id": id })).await;
    ann.until_type("closed").await;
    server.settle().await;

    let admin = Api::login(&server, "admin@acme.test", "admin-password").await;
    let (status, list) = admin.json(Method::GET, "/api/v1/conversations", None).await;
    assert_eq!((status, list["total"].as_i64()), (200, Some(1)), "{list}");
    let found = &list["conversations"][0];
    assert_eq!(
        (found["id"].as_str(), found["state"].as_str(), found["agent_name"].as_str(), found["site"].as_str()),
        (Some(id.as_str()), Some("closed"), Some("ann"), Some("Shop"))
    );
    assert_eq!(found["page_url"], "https://shop.example.test/shoes?size=42");
    for (query, expected) in [
        ("visitor=norway", 1),
        ("visitor=sweden", 0),
        (&format!("site={}", chat.site.0) as &str, 1),
        ("from=2020-01-01&until=2020-12-31", 0),
        (&format!("from={}", chrono::Utc::now().format("%Y-%m-%d")), 1),
    ] {
        let (_, list) = admin.json(Method::GET, &format!("/api/v1/conversations?{query}"), None).await;
        assert_eq!(list["total"].as_i64(), Some(expected), "{query}: {list}");
    }
    let (status, transcript) = admin.json(Method::GET, &format!("/api/v1/conversations/{id}"), None).await;
    assert_eq!(status, 200, "{transcript}");
    let messages: Vec<(&str, &str)> =
        transcript["messages"].as_array().unwrap().iter().map(|m| (m["from"].as_str().unwrap(), m["text"].as_str().unwrap())).collect();
    assert_eq!(messages, [("visitor", "Do you ship <b>size 44</b> to Norway?"), ("agent", "Yes, in three days.")]);
    assert_eq!(transcript["conversation"]["id"], id.as_str());

    // What cannot be read is named.
    assert_eq!(refusal(&admin.json(Method::GET, "/api/v1/conversations?from=yesterday", None).await), (422, "invalid_input", Some("from")));
    assert_eq!(refusal(&admin.json(Method::GET, "/api/v1/conversations?agent=ann", None).await), (422, "invalid_input", Some("agent")));
    assert_eq!(refusal(&admin.json(Method::GET, "/api/v1/conversations?page=second", None).await).1, "invalid_input");
    assert_eq!(refusal(&admin.json(Method::GET, "/api/v1/conversations/not-an-id", None).await).0, 404);
    assert_eq!(refusal(&Api::anonymous(&server).json(Method::GET, "/api/v1/conversations", None).await).0, 401);

    // Agents: their own only, whatever they ask for.
    let ann_api = Api::login(&server, "ann@acme.test", PASSWORD).await;
    assert_eq!(ann_api.json(Method::GET, "/api/v1/conversations", None).await.1["total"], 1);
    assert_eq!(ann_api.json(Method::GET, &format!("/api/v1/conversations/{id}"), None).await.0, 200);
    let bob_api = Api::login(&server, "bob@acme.test", PASSWORD).await;
    let ann_id = ann_api.json(Method::GET, "/api/v1/conversations", None).await.1["conversations"][0]["agent_id"].as_str().unwrap().to_owned();
    let (_, bobs) = bob_api.json(Method::GET, &format!("/api/v1/conversations?agent={ann_id}"), None).await;
    assert_eq!(bobs["total"], 0, "{bobs}");
    assert_eq!(refusal(&bob_api.json(Method::GET, &format!("/api/v1/conversations/{id}"), None).await).0, 404);

    // Another company: nothing.
    server.chat_site("Globex", 5).await;
    let globex = Api::login(&server, "admin@globex.test", "admin-password").await;
    assert_eq!(globex.json(Method::GET, "/api/v1/conversations", None).await.1["total"], 0);
    assert_eq!(refusal(&globex.json(Method::GET, &format!("/api/v1/conversations/{id}"), None).await), (404, "not_found", None));
    assert_eq!(globex.json(Method::GET, &format!("/api/v1/conversations?site={}", chat.site.0), None).await.1["total"], 0);
}
