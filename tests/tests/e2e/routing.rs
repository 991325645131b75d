//! Routing on a real PostgreSQL: capacity holds when 200 visitors arrive at once on two
//! servers, and 3,000 conversations are shared by the site's priority weights.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use domain::agent::{self, Status};
use domain::conversation;
use domain::site::Priority;
use domain::{Actor, ConversationId, Metadata, UserId, VisitorId};
use futures_util::{stream, StreamExt};
use store::EventStore;
use testkit::chat::{says, visitor};
use testkit::{TestDb, TestServer};

/// An agent's stream, replayed: the most slots taken at any moment (conversations held, and
/// on a site where chats ring, rung), and the slots taken at the end.
pub(crate) async fn replay_agent(server: &TestServer, id: UserId) -> (usize, HashSet<ConversationId>) {
    let events = server.app.events().read_stream(&agent::stream(id), 0).await.unwrap();
    let (mut held, mut most) = (HashSet::new(), 0);
    for e in events {
        match e.decode_as::<agent::Event>().unwrap() {
            agent::Event::ConversationTaken { conversation_id } => {
                assert!(held.insert(conversation_id), "{conversation_id} taken twice by one agent");
            }
            agent::Event::ConversationReleased { conversation_id, .. } => {
                held.remove(&conversation_id);
            }
            _ => {}
        }
        most = most.max(held.len());
    }
    (most, held)
}

#[tokio::test]
async fn two_hundred_visitors_at_once_on_two_servers_never_push_an_agent_over_capacity() {
    let db = TestDb::new().await;
    let grace = Duration::from_secs(600);
    let one = TestServer::start_with_grace(&db, grace).await;
    let two = TestServer::start_with_grace(&db, grace).await;
    let chat = one.chat_site("Acme", 40).await;
    let priorities = [Priority::High, Priority::Normal, Priority::Low];
    let mut agents = Vec::new();
    for i in 0..20 {
        let id = one.agent(&chat, &format!("agent{i}@acme.test"), 3, priorities[i % 3]).await;
        one.set_status(chat.company, id, Status::Online).await;
        agents.push(id);
    }

    // 200 widgets, half on each server, connected first; then every first message at once.
    let mut sockets = Vec::new();
    for i in 0..200 {
        let base = if i % 2 == 0 { one.url("") } else { two.url("") };
        sockets.push(visitor(&base, &chat.key, None, 0).await.0);
    }
    let acks: Vec<_> = futures_util::future::join_all(sockets.iter_mut().enumerate().map(|(i, ws)| async move {
        ws.send(says(&format!("visitor {i}")).1).await;
        ws.until_type("ack").await
    }))
    .await;
    assert_eq!(acks.len(), 200);

    // Every slot ends up filled (the queue sweeper catches any offer made on a stale view).
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    let (mut held_by, mut total) = (HashMap::new(), 0);
    while tokio::time::Instant::now() < deadline {
        held_by.clear();
        total = 0;
        for &a in &agents {
            let (most, held) = replay_agent(&one, a).await;
            assert!(most <= 3, "agent {a} held {most} conversations at once, over their maximum of 3");
            total += held.len();
            for c in held {
                assert!(held_by.insert(c, a).is_none(), "conversation {c} held by two agents");
            }
        }
        if total == 60 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(total, 60, "20 agents × 3 slots, 200 visitors: every slot taken");

    // None lost: 200 conversations, each with its one message, assigned exactly where an
    // agent holds it, the other 140 waiting.
    let client = db.client().await;
    let streams: Vec<String> =
        client.query("SELECT DISTINCT stream FROM events WHERE stream LIKE 'conversation-%'", &[]).await.unwrap().iter().map(|r| r.get(0)).collect();
    assert_eq!(streams.len(), 200);
    let mut waiting = 0;
    for s in &streams {
        let events = one.app.events().read_stream(s, 0).await.unwrap();
        let mut state = conversation::State::default();
        let mut messages = 0;
        for e in &events {
            let event = e.decode_as::<conversation::Event>().unwrap();
            messages += matches!(event, conversation::Event::MessagePosted { .. }) as usize;
            state = <conversation::Conversation as domain::Decider>::evolve(state, &event);
        }
        assert_eq!(messages, 1, "{s}");
        let id = conversation::id_from_stream(s).unwrap();
        assert_eq!(state.agent, held_by.get(&id).copied(), "{s}: the conversation and the agents disagree");
        waiting += state.agent.is_none() as usize;
    }
    assert_eq!(waiting, 140);
    one.settle().await;
    let over: i64 = client
        .query_one("SELECT count(*) FROM agent_load l JOIN users u USING (user_id) WHERE l.conversations > u.max_chats", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(over, 0, "the agent-load read model shows an agent over capacity");
}

#[tokio::test]
async fn three_thousand_conversations_are_shared_by_priority_weight() {
    let db = TestDb::new().await;
    let server = TestServer::start_with_grace(&db, Duration::from_secs(600)).await;
    let chat = server.chat_site("Acme", 10).await;
    // Weights: High 3, Normal 2, Low 1 (the site's defaults).
    let high = server.agent(&chat, "high@acme.test", 10, Priority::High).await;
    let normal = server.agent(&chat, "normal@acme.test", 10, Priority::Normal).await;
    let low = server.agent(&chat, "low@acme.test", 10, Priority::Low).await;
    for a in [high, normal, low] {
        server.set_status(chat.company, a, Status::Online).await;
    }
    let app = &server.app;
    let routed: Vec<Option<UserId>> = stream::iter(0..3000)
        .map(|_| async move {
            let visitor = VisitorId::new();
            let id = app.chat.streams().start(chat.site, chat.company, visitor, "https://shop.acme.test/").await.unwrap();
            let agent = app.chat.route(id).await.unwrap();
            // Closing frees the slot, so every conversation is offered to all three.
            let meta = Metadata::new(Some(chat.company), Actor::Visitor(visitor.0));
            app.chat.close(id, "visitor", &meta).await.unwrap();
            agent
        })
        .buffer_unordered(6)
        .collect()
        .await;
    let unrouted = routed.iter().filter(|r| r.is_none()).count();
    assert_eq!(unrouted, 0, "with free slots everywhere, every conversation gets an agent");

    // Each recorded decision explains its agent: the draw among the three, all free (so no
    // conversation was drawn twice), picks the agent it went to.
    let client = db.client().await;
    let decisions = client.query("SELECT payload FROM events WHERE event_type = 'ConversationAssigned'", &[]).await.unwrap();
    assert_eq!(decisions.len(), 3000);
    for row in decisions {
        let payload: serde_json::Value = row.get(0);
        let agent: UserId = serde_json::from_value(payload["agent_id"].clone()).unwrap();
        let Ok(conversation::Decision::Routed { candidates, roll }) = serde_json::from_value(payload["decision"].clone()) else {
            panic!("not a routing decision: {payload}");
        };
        assert!(candidates.len() == 3 && candidates.iter().all(|c| c.has_free_slot()), "{payload}");
        let chosen = domain::routing::choose(&candidates, roll).map(|i| candidates[i].user_id);
        assert_eq!(chosen, Some(agent), "the recorded draw does not explain the choice: {payload}");
    }

    // So each agent's count is binomial (n = 3,000, p = its weight / 6): its share has a
    // standard deviation of sqrt(p(1 - p) / n), 0.9 points for High's 1/2, 0.7 for Low's 1/6.
    // Six of them: a correct router falls outside about twice in a billion runs per share,
    // while an unweighted one (1/3 each) misses High and Low by 17 points, and one that always
    // prefers the highest priority misses High by 50.
    let n = routed.len() as f64;
    let share = |a: UserId| routed.iter().filter(|r| **r == Some(a)).count() as f64 / n;
    for (agent, expected, name) in [(high, 3.0 / 6.0, "High"), (normal, 2.0 / 6.0, "Normal"), (low, 1.0 / 6.0, "Low")] {
        let got = share(agent);
        let tolerance = 6.0 * (expected * (1.0 - expected) / n).sqrt();
        assert!((got - expected).abs() <= tolerance, "{name} got {got:.3} of the conversations, expected {expected:.3} ± {tolerance:.3}");
        let (most, held) = replay_agent(&server, agent).await;
        assert!(most <= 6, "{name} held {most} at once with 6 conversations in flight");
        assert!(held.is_empty(), "{name} still holds {held:?}: every conversation was closed, no slot may leak");
    }
}

/// A process decides on the state it saw last and lets the expected version check it. Two
/// processes (two caches) writing to one conversation in turn must each notice the other's
/// messages: no message lost or stored twice, and a refusal is never based on a stale state.
#[tokio::test]
async fn processes_deciding_on_their_cached_state_still_see_each_others_writes() {
    use commands::{execute_cached, StateCache};
    use domain::conversation::{Command, Conversation, Sender};
    let db = TestDb::new().await;
    let store = db.store();
    let (one, two) = (StateCache::<conversation::State>::new(), StateCache::<conversation::State>::new());
    let id = ConversationId::new();
    let stream = conversation::stream(id);
    let meta = Metadata::new(None, Actor::System("test".into()));
    let (site_id, company_id, visitor_id) = (domain::SiteId::new(), domain::CompanyId::new(), VisitorId::new());
    let start =
        Command::Start { conversation_id: id, site_id, company_id, visitor_id, page_url: "https://shop.test/".into(), visitor: Default::default() };
    execute_cached::<Conversation, _>(&store, &stream, &start, &meta, Some(&one)).await.unwrap();
    let mut client_ids = Vec::new();
    for n in 0..6 {
        let client_id = uuid::Uuid::new_v4();
        client_ids.push(client_id);
        let post = Command::PostMessage { client_id, from: Sender::Visitor, text: format!("message {n}") };
        let cache = if n % 2 == 0 { &one } else { &two };
        let outcome = execute_cached::<Conversation, _>(&store, &stream, &post, &meta, Some(cache)).await.unwrap();
        assert_eq!(outcome.version, Some(n + 1), "message {n} goes after the other process's");
    }
    // A repeat through the process that did not store it is still the same message.
    let again = Command::PostMessage { client_id: client_ids[1], from: Sender::Visitor, text: "message 1".into() };
    assert!(execute_cached::<Conversation, _>(&store, &stream, &again, &meta, Some(&one)).await.unwrap().events.is_empty());
    // The other process gave it to Ann and closed it; Ann's message through a cache that
    // still sees it open and unassigned is refused for the right reason (closed, not "not
    // yours").
    let ann = UserId::new();
    let routed = domain::conversation::Decision::Routed { candidates: vec![], roll: 0.5 };
    let assign = Command::Assign { agent_id: ann, agent_name: "ann".into(), decision: routed };
    execute_cached::<Conversation, _>(&store, &stream, &assign, &meta, Some(&two)).await.unwrap();
    execute_cached::<Conversation, _>(&store, &stream, &Command::Close { by: "visitor".into() }, &meta, Some(&two)).await.unwrap();
    let agent = Sender::Agent { user_id: ann, name: "ann".into() };
    let late = Command::PostMessage { client_id: uuid::Uuid::new_v4(), from: agent, text: "hello?".into() };
    let refused = execute_cached::<Conversation, _>(&store, &stream, &late, &meta, Some(&one)).await.unwrap_err();
    assert!(matches!(refused, commands::Error::Conversation(conversation::Error::Closed)), "{refused:?}");
    assert_eq!(store.read_stream(&stream, 0).await.unwrap().len(), 9);
}
