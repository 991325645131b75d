//! A server killed with SIGKILL while it appends loses no acknowledged write, and after a
//! restart its read models converge on the events.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{json, Value};
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
