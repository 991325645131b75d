//! A server killed with SIGKILL while it appends loses no acknowledged write, and after a
//! restart its read models converge on the events. One killed mid-routing leaves visitors
//! waiting that another server's queue sweep gets to an agent, and no slot lost.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use domain::agent::Status;
use domain::site::Priority;
use serde_json::{json, Value};
use testkit::chat::{assignment, console, killed_mid_chat, slots_held, status_in_log, KilledAt};
use testkit::process::Served;
use testkit::wait;
use testkit::{TestDb, TestServer};

async fn login(base: &str) -> (reqwest::Client, String) {
    let http = reqwest::Client::builder().cookie_store(true).timeout(Duration::from_secs(10)).build().unwrap();
    let body: Value = http
        .post(format!("{base}/api/v1/session"))
        .json(&json!({ "email": "admin@acme.test", "password": "admin-password" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    (http, body["csrf_token"].as_str().unwrap().to_owned())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn killing_the_server_mid_append_loses_no_acknowledged_write_and_read_models_converge() {
    let db = TestDb::new().await;
    {
        // The company and its administrator, written by an in-process server.
        let setup = TestServer::start(&db).await;
        setup.company("Acme", "admin@acme.test", "admin-password", 10_000).await;
    }
    let data = std::env::temp_dir().join(format!("sb-crash-{}", uuid::Uuid::now_v7().simple()));
    let url = db.url();
    let served = Served::start(&data, Some(&url)).await;
    let base = served.url("");
    let (http, csrf) = login(&base).await;

    let acknowledged = Arc::new(Mutex::new(Vec::<String>::new()));
    let mut writers = Vec::new();
    for w in 0..8 {
        let (http, csrf, base, acknowledged) = (http.clone(), csrf.clone(), base.clone(), acknowledged.clone());
        writers.push(tokio::spawn(async move {
            for i in 0.. {
                let email = format!("w{w}n{i}@acme.test");
                let sent = http
                    .post(format!("{base}/api/v1/users"))
                    .header("x-csrf-token", &csrf)
                    .json(&json!({ "email": email, "first_name": "Crash", "last_name": "Test", "access": "invite_later" }))
                    .send()
                    .await;
                match sent {
                    Ok(r) if r.status() == 201 => acknowledged.lock().unwrap().push(email),
                    Ok(r) => panic!("unexpected answer {}", r.status()),
                    Err(_) => return, // the server is gone
                }
            }
        }));
    }
    // Killed while the writers are busy: some appends are in flight at that moment.
    wait::until("the writers have 50 users acknowledged", Duration::from_secs(120), || async {
        let n = acknowledged.lock().unwrap().len();
        wait::check(n >= 50, n)
    })
    .await;
    served.kill().await;
    for w in writers {
        w.await.unwrap();
    }
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(acknowledged.len() >= 50, "the writers got going ({} users)", acknowledged.len());

    // Restart on the same database.
    let served = Served::start(&data, Some(&url)).await;
    let base = served.url("");
    let (http, _) = login(&base).await;
    let listed: Vec<String> = wait::until("every acknowledged user listed after the restart", wait::DEADLINE, || async {
        let body: Value = http.get(format!("{base}/api/v1/users?per_page=200&q=@acme.test")).send().await.unwrap().json().await.unwrap();
        let total = body["total"].as_i64().unwrap() as usize;
        let mut all = Vec::new();
        for page in 1..=total.div_ceil(200).max(1) {
            let body: Value =
                http.get(format!("{base}/api/v1/users?per_page=200&page={page}&q=@acme.test")).send().await.unwrap().json().await.unwrap();
            all.extend(body["users"].as_array().unwrap().iter().map(|u| u["email"].as_str().unwrap().to_owned()));
        }
        let missing: Vec<&String> = acknowledged.iter().filter(|e| !all.contains(e)).collect();
        if missing.is_empty() {
            Ok(all)
        } else {
            Err(format!("acknowledged but not listed: {missing:?}"))
        }
    })
    .await;

    // The read models agree with the log: one listed member per MemberAdded event, seats counted once.
    let client = db.client().await;
    let members: i64 = client.query_one("SELECT count(*) FROM events WHERE event_type = 'MemberAdded'", &[]).await.unwrap().get(0);
    wait::until(&format!("read models converge on {members} members"), wait::DEADLINE, || async {
        let licence: Value = http.get(format!("{base}/api/v1/licence")).send().await.unwrap().json().await.unwrap();
        let rows: i64 = client.query_one("SELECT count(*) FROM users WHERE member", &[]).await.unwrap().get(0);
        wait::check(licence["seats_in_use"].as_i64() == Some(members) && rows == members, (licence, rows))
    })
    .await;
    let mut unique = listed.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), listed.len(), "nobody is listed twice");
    served.terminate().await;
    let _ = std::fs::remove_dir_all(&data);
}

/// Every 5 s each server offers the waiting queues again, "a safety net for a process killed
/// mid-routing". Killed before routing, the conversation just waits; killed after the router
/// took the agent's slot (or after a close, before the slot was given back), the agent's
/// stream also holds a slot nobody uses: unless it is given back, it counts against the
/// agent's maximum forever and the conversation is never offered to them. Killed while an
/// agent went offline, before their chats went back to the queue, the visitor waits for an
/// agent who is gone.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_a_process_killed_mid_routing_left_reaches_an_agent_through_another_server_s_queue_sweep() {
    let db = TestDb::new().await;
    // A site whose only agent, ann, answers three visitors at most; set up by a server that
    // is gone by the time of the kills.
    let (chat, ann, bob) = {
        let setup = TestServer::start(&db).await;
        let chat = setup.chat_site("Acme", 5).await;
        let ann = setup.agent(&chat, "ann@acme.test", 3, Priority::Normal).await;
        let bob = setup.agent(&chat, "bob@acme.test", 3, Priority::Normal).await;
        (chat, ann, bob)
    };
    let store = db.store();
    for agent in [ann, bob] {
        status_in_log(&store, chat.company, agent, Status::Online).await;
    }
    let unrouted = killed_mid_chat(&store, &chat, "Killed before routing", KilledAt::BeforeRouting).await;
    let slot_taken = killed_mid_chat(&store, &chat, "Killed after taking a slot", KilledAt::AfterTakingTheSlot { agent: ann, max_chats: 3 }).await;
    let closed = killed_mid_chat(&store, &chat, "Killed after closing", KilledAt::AfterClosing { agent: ann, max_chats: 3 }).await;
    // Bob goes offline with this one: ann, the only one left, has room for it.
    let requeue = killed_mid_chat(&store, &chat, "Killed while bob left", KilledAt::AfterGoingOffline { agent: bob, max_chats: 3 }).await;

    // Another server process, started afterwards, with ann's console: nothing offers the
    // queue on its start or on her connecting (she is online already), only its sweep.
    let data = std::env::temp_dir().join(format!("sb-sweep-{}", uuid::Uuid::now_v7().simple()));
    let served = Served::start(&data, Some(&db.url())).await;
    let (mut console, state) = console(&served.url(""), "ann@acme.test").await;
    assert_eq!(state["status"], "online");
    let client = db.client().await;
    for (id, left) in [(unrouted, "before routing"), (slot_taken, "after taking ann's slot"), (requeue, "while bob went offline")] {
        wait::until(&format!("the conversation of the process killed {left} assigned to ann"), Duration::from_secs(60), || async {
            let now = assignment(&client, id).await;
            wait::check(now == (Some(ann.0), false), now)
        })
        .await;
    }
    // Ann's stream holds the slots of exactly those three: the closed one's was given back
    // and none is held twice or for nothing; bob, offline, holds none.
    wait::until("ann's slots: the three conversations she answers", wait::DEADLINE, || async {
        let held: HashSet<uuid::Uuid> = slots_held(&client, ann).await.into_iter().collect();
        wait::check(held == HashSet::from([unrouted, slot_taken, requeue]), held)
    })
    .await;
    assert!(slots_held(&client, bob).await.is_empty(), "bob, offline, still holds slots");
    assert_eq!(assignment(&client, closed).await, (Some(ann.0), true));
    // And her console shows both visitors, with what they wrote.
    let mut shown: std::collections::HashMap<String, Value> =
        state["conversations"].as_array().unwrap().iter().map(|c| (c["id"].as_str().unwrap().to_owned(), c.clone())).collect();
    while shown.len() < 3 {
        let offered = console.until_type("conversation").await;
        shown.insert(offered["id"].as_str().unwrap().to_owned(), offered);
    }
    let mut texts: Vec<(String, &str)> = shown.iter().map(|(id, c)| (id.clone(), c["messages"][0]["text"].as_str().unwrap())).collect();
    texts.sort();
    let mut expected = vec![
        (unrouted.to_string(), "Killed before routing"),
        (slot_taken.to_string(), "Killed after taking a slot"),
        (requeue.to_string(), "Killed while bob left"),
    ];
    expected.sort();
    assert_eq!(texts, expected);
    served.terminate().await;
    let _ = std::fs::remove_dir_all(data);
}
