//! Accept before it counts: on a site that asks for it, a new chat rings the chosen agent,
//! who must accept within the site's time; unanswered, it rings the next candidate, and the
//! decision records who let it ring. The server's clock is set (no real waiting for a
//! timeout) and the ring sweep is run by the test as the background task would.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use chrono::Utc;
use domain::agent::{self, Status};
use domain::conversation::{self, Conversation};
use domain::site::Priority;
use domain::{ConversationId, Decider, UserId};
use serde_json::{json, Value};
use store::EventStore;
use testkit::chat::{assignment, console, says, slots_held, visitor, ChatSite};
use testkit::ws::Ws;
use testkit::{TestDb, TestServer};

use crate::routing::replay_agent;

/// The site's chats ring for `seconds` before they count (None: off), as its administrator sets it.
async fn accept_within(server: &TestServer, chat: &ChatSite, seconds: Option<u16>) {
    let admin = server.session_of(chat.company, chat.admin).await;
    app::sites::accept_timeout(&server.app, &admin, chat.site, seconds).await.unwrap();
}

async fn online(base: &str, email: &str) -> Ws {
    let (mut ws, _) = console(base, email).await;
    ws.send(json!({ "type": "status", "status": "online" })).await;
    ws.until("online", |f| f["type"] == "state" && f["status"] == "online").await;
    ws
}

/// Moves the server's clock `seconds` on from now.
fn later(server: &TestServer, seconds: i64) {
    server.app.settings.clock.set(Utc::now() + chrono::Duration::seconds(seconds));
}

fn id_of(frame: &Value) -> ConversationId {
    serde_json::from_value(frame["conversation_id"].clone()).unwrap()
}

/// A conversation's events as its stream holds them.
async fn events(server: &TestServer, id: ConversationId) -> Vec<conversation::Event> {
    let stored = server.app.events().read_stream(&conversation::stream(id), 0).await.unwrap();
    stored.iter().map(|e| e.decode_as::<conversation::Event>().unwrap()).collect()
}

#[tokio::test]
async fn an_unanswered_chat_rings_the_next_agent_and_the_decision_records_the_timeout() {
    let db = TestDb::new().await;
    let server = TestServer::start(&db).await;
    let base = server.url("");
    let chat = server.chat_site("Acme", 5).await;
    accept_within(&server, &chat, Some(30)).await;
    let ann = server.agent(&chat, "ann@acme.test", 3, Priority::High).await;
    let bob = server.agent(&chat, "bob@acme.test", 3, Priority::Low).await;
    let mut ann_console = online(&base, "ann@acme.test").await;
    server.settle().await;

    let (mut zoe, _) = visitor(&base, &chat.key, None, 0).await;
    zoe.send(says("Do you ship to Lyon?").1).await;
    let ring = ann_console.until_type("ringing").await;
    let id = id_of(&ring);
    assert_eq!(ring["visitor"], "Visitor #1", "{ring}");
    assert_eq!(ring["preview"], "Do you ship to Lyon?");
    let remaining = ring["remaining_ms"].as_i64().unwrap();
    assert!(remaining > 25_000 && remaining <= 30_000, "{ring}");

    // Ringing is not holding: the conversation is nobody's, but Ann's slot is kept for it.
    let client = db.client().await;
    assert_eq!(assignment(&client, id.0).await, (None, false));
    assert_eq!(slots_held(&client, ann).await, vec![id.0]);
    server.settle().await;
    let row = app::chat::conversation_row(&server.app, id).await.unwrap().unwrap();
    assert_eq!((row.state.as_str(), row.agent_id), ("waiting", None));
    assert_eq!(app::chat::queue_position(&server.app, id).await.unwrap(), Some(1), "ringing, the visitor still waits in the queue");
    let message = json!({ "type": "message", "conversation_id": id, "client_id": uuid::Uuid::now_v7(), "text": "Hi!" });
    ann_console.send(message).await;
    assert_eq!(ann_console.until_type("error").await["code"], "not_assigned", "she answers only once she accepted");

    // Bob comes online: the chat keeps ringing for Ann until her time is up.
    let mut bob_console = online(&base, "bob@acme.test").await;
    server.settle().await;
    app::chat::expire_rings(&server.app).await.unwrap();
    assert!(bob_console.drain(Duration::from_millis(300)).await.iter().all(|f| f["type"] != "ringing"));
    assert_eq!(slots_held(&client, bob).await, Vec::<uuid::Uuid>::new());

    // 31 seconds on: the ring times out and the chat rings for Bob.
    later(&server, 31);
    app::chat::expire_rings(&server.app).await.unwrap();
    ann_console.until("her ring's end", |f| f["type"] == "ring_ended" && f["reason"] == "timed_out").await;
    let ring = bob_console.until_type("ringing").await;
    assert_eq!(id_of(&ring), id);
    assert!(ring["remaining_ms"].as_i64().unwrap() > 25_000, "a full ring for Bob: {ring}");
    assert_eq!(slots_held(&client, ann).await, Vec::<uuid::Uuid>::new(), "Ann's slot is free again");
    assert_eq!(slots_held(&client, bob).await, vec![id.0]);
    // Too late for Ann.
    ann_console.send(json!({ "type": "accept", "conversation_id": id })).await;
    assert_eq!(ann_console.until_type("error").await["code"], "rang_out");

    bob_console.send(json!({ "type": "accept", "conversation_id": id })).await;
    bob_console.until("accepted", |f| f["type"] == "ring_ended" && f["reason"] == "accepted").await;
    let conversation = bob_console.until_type("conversation").await;
    assert_eq!(conversation["id"], json!(id));
    assert_eq!(zoe.until_type("assigned").await["agent_name"], "bob");
    assert_eq!(assignment(&client, id.0).await, (Some(bob.0), false));

    // The stored decision says who let it ring, and how.
    server.settle().await;
    let row = app::chat::conversation_row(&server.app, id).await.unwrap().unwrap();
    let decision = row.decision.unwrap();
    assert_eq!(decision["by"], "accepted", "{decision}");
    assert_eq!(decision["passed"], json!([{ "agent_id": ann, "outcome": "timed_out" }]), "{decision}");
    let candidates: Vec<&Value> = decision["candidates"].as_array().unwrap().iter().collect();
    assert_eq!(candidates.len(), 1, "Ann, who let it ring, is not a candidate for Bob's ring: {decision}");
    assert_eq!(candidates[0]["user_id"], json!(bob));
    let ended: Vec<conversation::Event> =
        events(&server, id).await.into_iter().filter(|e| matches!(e, conversation::Event::OfferEnded { .. })).collect();
    assert_eq!(ended, vec![conversation::Event::OfferEnded { agent_id: ann, outcome: conversation::Unanswered::TimedOut }]);
    // The transcript page says it too.
    let page = server.login("admin@acme.test", "admin-password").await.get_text(&format!("/history/{id}")).await;
    let why = &page[page.find("id=\"routing-decision\"").expect("the decision's card")..];
    assert!(why.contains("<li>It rang for ann Tester first, who did not accept in time.</li>"), "{why}");
}

#[tokio::test]
async fn a_chat_accepted_in_time_is_the_agent_s_and_a_declined_one_rings_the_next() {
    let db = TestDb::new().await;
    let server = TestServer::start(&db).await;
    let base = server.url("");
    let chat = server.chat_site("Acme", 5).await;
    accept_within(&server, &chat, Some(20)).await;
    let ann = server.agent(&chat, "ann@acme.test", 3, Priority::High).await;
    let mut ann_console = online(&base, "ann@acme.test").await;
    server.settle().await;

    let (mut zoe, _) = visitor(&base, &chat.key, None, 0).await;
    zoe.send(says("Hello?").1).await;
    let id = id_of(&ann_console.until_type("ringing").await);
    // A reloaded console shows what rings, with the time left.
    let cookie = testkit::ws::session_cookie(&base, "ann@acme.test", testkit::chat::PASSWORD).await;
    let (mut reloaded, _) = testkit::chat::console_with_cookie(&base, &cookie).await;
    let again = reloaded.until_type("ringing").await;
    assert_eq!(id_of(&again), id);
    later(&server, 10);
    ann_console.send(json!({ "type": "accept", "conversation_id": id })).await;
    ann_console.until("accepted", |f| f["type"] == "ring_ended" && f["reason"] == "accepted").await;
    reloaded.until("told on the other console too", |f| f["type"] == "ring_ended" && f["reason"] == "accepted").await;
    assert_eq!(ann_console.until_type("conversation").await["id"], json!(id));
    assert_eq!(zoe.until_type("assigned").await["agent_name"], "ann");
    // Her time would be up now: nothing moves, the chat is hers.
    later(&server, 40);
    assert_eq!(app::chat::expire_rings(&server.app).await.unwrap(), 0);
    let client = db.client().await;
    assert_eq!(assignment(&client, id.0).await, (Some(ann.0), false));
    assert_eq!(slots_held(&client, ann).await, vec![id.0]);
    server.settle().await;
    let decision = app::chat::conversation_row(&server.app, id).await.unwrap().unwrap().decision.unwrap();
    assert_eq!((&decision["by"], &decision["passed"]), (&json!("accepted"), &json!([])), "{decision}");

    // Declining sends the next chat on at once, here to nobody (Ann is the only agent): it
    // waits, her slot freed, and rings her again at the next offer of the queue.
    let (mut yan, _) = visitor(&base, &chat.key, None, 0).await;
    yan.send(says("Anyone?").1).await;
    let second = id_of(&ann_console.until_type("ringing").await);
    ann_console.send(json!({ "type": "decline", "conversation_id": second })).await;
    ann_console.until("declined", |f| f["type"] == "ring_ended" && f["reason"] == "declined").await;
    assert_eq!(slots_held(&client, ann).await, vec![id.0]);
    let history = events(&server, second).await;
    assert!(history.contains(&conversation::Event::OfferEnded { agent_id: ann, outcome: conversation::Unanswered::Declined }));
    assert!(history.contains(&conversation::Event::RingingRoundEnded {}), "nobody else was left: the round ended");
    server.settle().await;
    server.app.chat.drain(chat.site).await.unwrap();
    assert_eq!(id_of(&ann_console.until_type("ringing").await), second, "the next round rings her again");
}

#[tokio::test]
async fn with_the_setting_off_a_chat_is_the_agent_s_at_once() {
    let db = TestDb::new().await;
    let server = TestServer::start(&db).await;
    let base = server.url("");
    let chat = server.chat_site("Acme", 5).await;
    // Off by default; the administrator turns it on and off again on the site's page.
    let admin = server.login("admin@acme.test", "admin-password").await;
    let base_path = format!("/admin/sites/{}", chat.site);
    let page = admin.get_text(&base_path).await;
    assert!(page.contains("id=\"site-accept\"") && !page.contains("name=\"enabled\" value=\"on\" checked"), "off by default");
    let csrf = admin.csrf().await;
    let accept_path = format!("{base_path}/accept");
    let refused = admin.post_form(&accept_path, &[("csrf", &csrf), ("enabled", "on"), ("seconds", "5")]).await;
    assert_eq!(refused.status(), 422);
    let refused = refused.text().await.unwrap();
    assert!(refused.contains("time to accept a chat must be from 10 to 120 seconds") && refused.contains("aria-invalid=\"true\""), "{refused}");
    assert!(
        refused.contains("name=\"enabled\" value=\"on\" checked") && refused.contains("name=\"seconds\" min=\"10\" max=\"120\" value=\"5\""),
        "what was typed stays: {refused}"
    );
    let on = admin.post_form(&accept_path, &[("csrf", &csrf), ("enabled", "on"), ("seconds", "45")]).await;
    assert_eq!(on.status(), 303);
    let session = server.session_of(chat.company, chat.admin).await;
    assert_eq!(app::sites::load(&server.app, &session, chat.site).await.unwrap().accept_seconds, Some(45));
    let off = admin.post_form(&accept_path, &[("csrf", &csrf), ("seconds", "45")]).await;
    assert_eq!(off.status(), 303);
    assert_eq!(app::sites::load(&server.app, &session, chat.site).await.unwrap().accept_seconds, None);
    let ann = server.agent(&chat, "ann@acme.test", 3, Priority::High).await;
    let mut ann_console = online(&base, "ann@acme.test").await;
    server.settle().await;
    let (mut zoe, _) = visitor(&base, &chat.key, None, 0).await;
    zoe.send(says("Hello?").1).await;
    let conversation = ann_console.until_type("conversation").await;
    let id: ConversationId = serde_json::from_value(conversation["id"].clone()).unwrap();
    assert_eq!(zoe.until_type("assigned").await["agent_name"], "ann");
    assert!(events(&server, id).await.iter().all(|e| !matches!(e, conversation::Event::ConversationOffered { .. })), "nothing rang");
    let client = db.client().await;
    assert_eq!(assignment(&client, id.0).await, (Some(ann.0), false));
    server.settle().await;
    assert_eq!(app::chat::conversation_row(&server.app, id).await.unwrap().unwrap().decision.unwrap()["by"], "routed");
}

/// Every conversation's state, from its own stream.
async fn conversations(db: &TestDb, server: &TestServer) -> HashMap<ConversationId, conversation::State> {
    let client = db.client().await;
    let streams: Vec<String> =
        client.query("SELECT DISTINCT stream FROM events WHERE stream LIKE 'conversation-%'", &[]).await.unwrap().iter().map(|r| r.get(0)).collect();
    let mut states = HashMap::new();
    for s in streams {
        let state = events(server, conversation::id_from_stream(&s).unwrap()).await.iter().fold(conversation::State::default(), Conversation::evolve);
        states.insert(conversation::id_from_stream(&s).unwrap(), state);
    }
    states
}

/// Checks that no agent ever took more slots than their maximum (held plus rung), and, once
/// `settled`, that the slots each holds are exactly the conversations assigned to them or
/// ringing for them (meanwhile a router may hold a slot it is about to use or give back);
/// the numbers assigned and ringing.
async fn check_capacity(db: &TestDb, server: &TestServer, agents: &[UserId], max: usize, settled: bool) -> (usize, usize) {
    let states = conversations(db, server).await;
    let (mut assigned, mut ringing) = (0, 0);
    for &a in agents {
        let (most, held) = replay_agent(server, a).await;
        assert!(most <= max, "agent {a} held and was rung for {most} at once, over their maximum of {max}");
        let theirs: HashSet<ConversationId> = states
            .iter()
            .filter(|(_, c)| !c.closed && (c.agent == Some(a) || c.offer.as_ref().is_some_and(|o| o.agent_id == a)))
            .map(|(id, _)| *id)
            .collect();
        if settled {
            assert_eq!(held, theirs, "agent {a}: the slots and the conversations disagree");
        }
    }
    for c in states.values() {
        assert!(!(c.agent.is_some() && c.offer.is_some()), "assigned and ringing at once");
        assigned += c.agent.is_some() as usize;
        ringing += c.offer.is_some() as usize;
    }
    (assigned, ringing)
}

#[tokio::test]
async fn sixty_visitors_at_once_on_two_servers_never_ring_an_agent_over_capacity() {
    let db = TestDb::new().await;
    let grace = Duration::from_secs(600);
    let one = TestServer::start_with_grace(&db, grace).await;
    let two = TestServer::start_with_grace(&db, grace).await;
    let chat = one.chat_site("Acme", 20).await;
    accept_within(&one, &chat, Some(30)).await;
    let priorities = [Priority::High, Priority::Normal, Priority::Low];
    let mut agents = Vec::new();
    for i in 0..10 {
        let id = one.agent(&chat, &format!("agent{i}@acme.test"), 2, priorities[i % 3]).await;
        one.set_status(chat.company, id, Status::Online).await;
        agents.push(id);
    }

    let mut sockets = Vec::new();
    for i in 0..60 {
        let base = if i % 2 == 0 { one.url("") } else { two.url("") };
        sockets.push(visitor(&base, &chat.key, None, 0).await.0);
    }
    futures_util::future::join_all(sockets.iter_mut().enumerate().map(|(i, ws)| async move {
        ws.send(says(&format!("visitor {i}")).1).await;
        ws.until_type("ack").await
    }))
    .await;

    // Every slot ends up rung (the queue sweeper catches any offer made on a stale view).
    let filled = |(assigned, ringing): (usize, usize)| assigned + ringing == 20;
    let mut counts = (0, 0);
    for _ in 0..150 {
        counts = check_capacity(&db, &one, &agents, 2, false).await;
        if filled(counts) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(counts, (0, 20), "10 agents × 2 slots, 60 visitors: every slot rings, none is anybody's yet");
    // Every slot rings: no router can hold one it has not used, the slots and rings agree.
    check_capacity(&db, &one, &agents, 2, true).await;

    // The first five agents accept what rings for them; the others let it ring out, and
    // both servers' sweeps end those rings at once: each is ended once.
    let states = conversations(&db, &one).await;
    let meta = domain::Metadata::new(Some(chat.company), domain::Actor::System("test".into()));
    for (id, c) in &states {
        if let Some(offer) = c.offer.as_ref().filter(|o| agents[..5].contains(&o.agent_id)) {
            one.app.chat.accept(*id, offer.agent_id, &meta).await.unwrap();
        }
    }
    let rung_out: Vec<(ConversationId, UserId)> =
        states.iter().filter_map(|(id, c)| c.offer.as_ref().filter(|o| agents[5..].contains(&o.agent_id)).map(|o| (*id, o.agent_id))).collect();
    assert_eq!(rung_out.len(), 10);
    one.settle().await;
    later(&one, 31);
    later(&two, 31);
    let (a, b) = tokio::join!(app::chat::expire_rings(&one.app), app::chat::expire_rings(&two.app));
    a.unwrap();
    b.unwrap();

    // The freed slots ring again (for other conversations, or these for other agents),
    // capacity held throughout.
    for _ in 0..150 {
        counts = check_capacity(&db, &one, &agents, 2, false).await;
        if filled(counts) && counts.0 == 10 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(counts, (10, 10), "ten accepted, ten rung again");
    check_capacity(&db, &one, &agents, 2, true).await;
    let states = conversations(&db, &one).await;
    for (id, agent_id) in rung_out {
        let ended = events(&one, id).await.iter().filter(|e| matches!(e, conversation::Event::OfferEnded { .. })).count();
        assert_eq!(ended, 1, "{id}: one ring, ended once whatever the number of sweeps");
        // Not rung again for the agent who let it ring, unless nobody else was free (the round ended).
        let round_ended = events(&one, id).await.contains(&conversation::Event::RingingRoundEnded {});
        let c = &states[&id];
        assert!(round_ended || c.offer.as_ref().is_none_or(|o| o.agent_id != agent_id), "{id} rang again for {agent_id}");
    }
    one.settle().await;
    let client = db.client().await;
    let over: i64 = client
        .query_one("SELECT count(*) FROM agent_load l JOIN users u USING (user_id) WHERE l.conversations > u.max_chats", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(over, 0, "the agent-load read model shows an agent over capacity");
    two.settle().await;
    // Rebuilt from the log, with rings under way, the read models are the live ones.
    let (ok, stdout, stderr) = testkit::process::run(&["replay", "--verify", "conversations", "agent-load"], Some(&db.url()), "").await;
    assert!(ok && stdout.contains("conversations: matches the log") && stdout.contains("agent-load: matches the log"), "{stdout}\n{stderr}");
}

#[tokio::test]
async fn the_console_shows_a_ringing_chat_with_its_countdown_and_accepts_it_from_the_keyboard() {
    use fantoccini::key::Key;
    let db = TestDb::new().await;
    let server = TestServer::start(&db).await;
    let chat = server.chat_site("Acme", 5).await;
    accept_within(&server, &chat, Some(60)).await;
    let ann = server.agent(&chat, "ann@acme.test", 3, Priority::High).await;
    let browser = testkit::browser::Browser::start_speaking("fr").await;
    browser.log_in(&server.url("/login"), "ann@acme.test", testkit::chat::PASSWORD).await;
    browser.goto(&server.url("/console")).await;
    browser.find("#connection[data-state=connected]").await;
    browser.find("select#agent-status:not([disabled])").await.select_by_value("online").await.unwrap();
    testkit::wait::until("Ann online", testkit::wait::DEADLINE, || async {
        let status = server.app.chat.streams().agent(ann).await.map_err(|e| e.to_string())?.status;
        testkit::wait::check(status == Status::Online, status)
    })
    .await;
    server.settle().await;

    let (mut zoe, _) = visitor(&server.url(""), &chat.key, None, 0).await;
    zoe.send(says("Avez-vous la taille 42 ?").1).await;
    let ring = browser.find("#ringing li[data-ringing-id]").await;
    let id: ConversationId = ring.attr("data-ringing-id").await.unwrap().unwrap().parse::<uuid::Uuid>().map(ConversationId).unwrap();
    assert!(browser.text("#ringing li .preview").await.contains("Avez-vous la taille 42 ?"));
    // The countdown, in French, runs down from the site's 60 seconds.
    let countdown = browser.text("#ringing li .countdown").await;
    assert!(countdown.ends_with(" s pour accepter"), "{countdown}");
    let first: i64 = countdown.split(' ').next().unwrap().parse().unwrap();
    assert!((50..=60).contains(&first), "{countdown}");
    testkit::wait::until("the countdown to run", testkit::wait::DEADLINE, || async {
        let now: i64 = browser.text("#ringing li .countdown").await.split(' ').next().unwrap_or("").parse().unwrap_or(first);
        testkit::wait::check(now < first, now)
    })
    .await;
    let accept = browser.find("#ringing button.accept").await;
    assert_eq!(accept.text().await.unwrap(), "Accepter");
    let label = accept.attr("aria-label").await.unwrap().unwrap();
    assert!(label.starts_with("Accepter la conversation avec Visiteur") && label.ends_with("sur Shop"), "{label}");
    assert_eq!(assignment(&db.client().await, id.0).await, (None, false), "not hers before she accepts");

    // From the keyboard: Tab order reaches the button, and Enter accepts.
    browser.client.execute("document.querySelector('#ringing button.accept').focus();", vec![]).await.unwrap();
    accept.send_keys(&Key::Enter.to_string()).await.unwrap();
    browser.find(&format!("#conversations li[data-conversation-id='{id}'].selected")).await;
    testkit::wait::until("the ringing list to empty", testkit::wait::DEADLINE, || async {
        let gone = browser
            .client
            .execute("return document.querySelectorAll('#ringing li').length === 0 && document.querySelector('.ringing').hidden;", vec![])
            .await;
        testkit::wait::check(gone.as_ref().is_ok_and(|v| *v == json!(true)), format!("{gone:?}"))
    })
    .await;
    assert_eq!(zoe.until_type("assigned").await["agent_name"], "ann");
    assert_eq!(assignment(&db.client().await, id.0).await, (Some(ann.0), false));
    let focused = browser.client.execute("return document.activeElement && document.activeElement.name;", vec![]).await.unwrap();
    assert_eq!(focused, json!("text"), "the answer box has the focus once the conversation is hers");
    browser.close().await;
}

#[tokio::test]
async fn a_ring_made_by_a_process_that_died_still_times_out_after_a_restart() {
    use domain::{Actor, Metadata};
    let db = TestDb::new().await;
    let grace = Duration::from_secs(600);
    let (chat, ann, bob) = {
        let setup = TestServer::start_with_grace(&db, grace).await;
        let chat = setup.chat_site("Acme", 5).await;
        accept_within(&setup, &chat, Some(30)).await;
        let ann = setup.agent(&chat, "ann@acme.test", 3, Priority::High).await;
        let bob = setup.agent(&chat, "bob@acme.test", 3, Priority::Low).await;
        (chat, ann, bob)
    };
    // With no server running, the log holds what a process did before it died: Ann and Bob
    // online, a visitor's chat, Ann's slot taken for it and the ring, due in 30 seconds.
    let store = db.store();
    for agent in [ann, bob] {
        testkit::chat::status_in_log(&store, chat.company, agent, Status::Online).await;
    }
    let id = ConversationId(testkit::chat::killed_mid_chat(&store, &chat, "Hello?", testkit::chat::KilledAt::BeforeRouting).await);
    let router = Metadata::new(Some(chat.company), Actor::System("router".into()));
    let take = agent::Command::TakeConversation { conversation_id: id, max_chats: 3 };
    commands::execute::<agent::Agent, _>(&store, &agent::stream(ann), &take, &router).await.unwrap();
    let until = Utc::now() + chrono::Duration::seconds(30);
    let offer = conversation::Offer { agent_id: ann, agent_name: "ann".into(), candidates: vec![], roll: 0.5, until };
    commands::execute::<Conversation, _>(&store, &conversation::stream(id), &conversation::Command::Offer { offer }, &router).await.unwrap();

    // A server started afterwards knows nothing of it in memory; its ring sweep ends the ring
    // when the time is up, from the log, and the chat rings for Bob.
    let server = TestServer::start_with_grace(&db, grace).await;
    server.settle().await;
    assert_eq!(app::chat::expire_rings(&server.app).await.unwrap(), 0, "not due yet");
    later(&server, 31);
    testkit::wait::until("the ring to move on to Bob", testkit::wait::DEADLINE, || async {
        let c = events(&server, id).await.iter().fold(conversation::State::default(), Conversation::evolve);
        let rings_for = c.offer.as_ref().map(|o| o.agent_id);
        testkit::wait::check(rings_for == Some(bob), rings_for)
    })
    .await;
    let client = db.client().await;
    assert_eq!(slots_held(&client, ann).await, Vec::<uuid::Uuid>::new());
    assert_eq!(slots_held(&client, bob).await, vec![id.0]);
    assert!(events(&server, id).await.contains(&conversation::Event::OfferEnded { agent_id: ann, outcome: conversation::Unanswered::TimedOut }));
}
