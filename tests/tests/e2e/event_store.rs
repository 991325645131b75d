//! The PostgreSQL event store against a real server: concurrency, idempotency, ordering.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use domain::{Actor, Metadata};
use serde_json::json;
use store::{EventStore, ExpectedVersion, NewEvent, Position, RecordedEvent, StoreError};
use testkit::{wait, TestDb};
use uuid::Uuid;

fn event(n: u64) -> NewEvent {
    NewEvent {
        event_id: Uuid::now_v7(),
        event_type: "EmailClaimed".into(),
        schema: 1,
        payload: json!({ "user_id": Uuid::now_v7(), "n": n }),
        occurred_at: chrono::Utc::now(),
    }
}

fn meta() -> Metadata {
    Metadata::new(None, Actor::System("test".into()))
}

#[tokio::test]
async fn appends_check_the_expected_version_and_report_the_actual_one() {
    let db = TestDb::new().await;
    let store = db.store();
    let first = store.append("email-a@example.com", ExpectedVersion::NoStream, vec![event(0), event(1)], &meta()).await.unwrap();
    assert_eq!((first.first_version, first.last_version, first.duplicate), (0, 1, false));

    let err = store.append("email-a@example.com", ExpectedVersion::NoStream, vec![event(2)], &meta()).await.unwrap_err();
    assert!(matches!(&err, StoreError::WrongExpectedVersion { actual: Some(1), expected: ExpectedVersion::NoStream, .. }), "{err}");
    assert!(err.is_conflict());

    let err = store.append("email-a@example.com", ExpectedVersion::Exact(0), vec![event(2)], &meta()).await.unwrap_err();
    assert!(matches!(err, StoreError::WrongExpectedVersion { actual: Some(1), .. }));

    let err = store.append("email-b@example.com", ExpectedVersion::Exact(0), vec![event(0)], &meta()).await.unwrap_err();
    assert!(matches!(err, StoreError::WrongExpectedVersion { actual: None, .. }));
    let err = store.append("email-b@example.com", ExpectedVersion::StreamExists, vec![event(0)], &meta()).await.unwrap_err();
    assert!(matches!(err, StoreError::WrongExpectedVersion { actual: None, .. }));

    let third = store.append("email-a@example.com", ExpectedVersion::Exact(1), vec![event(2)], &meta()).await.unwrap();
    assert_eq!((third.first_version, third.last_version), (2, 2));
    assert!(third.position > first.position);
    let any = store.append("email-a@example.com", ExpectedVersion::Any, vec![event(3)], &meta()).await.unwrap();
    assert_eq!(any.last_version, 3);

    let read = store.read_stream("email-a@example.com", 1).await.unwrap();
    assert_eq!(read.iter().map(|e| e.version).collect::<Vec<_>>(), vec![1, 2, 3]);
    assert_eq!(read[1].payload["n"], 2);
    assert!(store.read_stream("email-nobody@example.com", 0).await.unwrap().is_empty());
}

#[tokio::test]
async fn every_envelope_field_is_stored_and_read_back() {
    let db = TestDb::new().await;
    let store = db.store();
    let company = domain::CompanyId::new();
    let user = domain::UserId::new();
    let metadata = Metadata::new(Some(company), Actor::User(user));
    let new = event(7);
    let result = store.append("email-env@example.com", ExpectedVersion::NoStream, vec![new.clone()], &metadata).await.unwrap();
    let read = store.read_stream("email-env@example.com", 0).await.unwrap();
    let e = &read[0];
    assert_eq!(e.event_id, new.event_id);
    assert_eq!(e.event_id.get_version_num(), 7, "event ids are UUID v7");
    assert_eq!((e.stream.as_str(), e.version, e.position), ("email-env@example.com", 0, result.position));
    assert_eq!((e.event_type.as_str(), e.schema, &e.payload), ("EmailClaimed", 1, &new.payload));
    assert_eq!(e.metadata, metadata);
    assert_eq!(e.occurred_at.timestamp_micros(), new.occurred_at.timestamp_micros());
    assert!(e.recorded_at >= e.occurred_at - chrono::Duration::seconds(5));
}

#[tokio::test]
async fn re_appending_the_same_event_ids_returns_the_original_result_and_stores_nothing() {
    let db = TestDb::new().await;
    let store = db.store();
    let events = vec![event(0), event(1)];
    let first = store.append("email-idem@example.com", ExpectedVersion::NoStream, events.clone(), &meta()).await.unwrap();
    // A retry after a lost acknowledgement: same ids, even with an expectation now stale.
    let again = store.append("email-idem@example.com", ExpectedVersion::NoStream, events.clone(), &meta()).await.unwrap();
    assert!(again.duplicate);
    assert_eq!((again.first_version, again.last_version, again.position), (first.first_version, first.last_version, first.position));
    assert_eq!(store.read_stream("email-idem@example.com", 0).await.unwrap().len(), 2);

    let mixed = vec![events[0].clone(), event(9)];
    let err = store.append("email-idem@example.com", ExpectedVersion::Any, mixed, &meta()).await.unwrap_err();
    assert!(matches!(err, StoreError::PartialDuplicate { .. }), "{err}");
    assert_eq!(store.read_stream("email-idem@example.com", 0).await.unwrap().len(), 2);
}

#[tokio::test]
async fn racing_writers_on_one_stream_never_both_win_and_blind_appends_all_land() {
    let db = TestDb::new().await;
    let store = db.store();
    store.append("email-race@example.com", ExpectedVersion::NoStream, vec![event(0)], &meta()).await.unwrap();
    // Twenty writers that all read version 0 race to write version 1: exactly one wins.
    let racers: Vec<_> = (0..20)
        .map(|i| {
            let store = store.clone();
            tokio::spawn(async move { store.append("email-race@example.com", ExpectedVersion::Exact(0), vec![event(i)], &meta()).await })
        })
        .collect();
    let mut wins = 0;
    for r in racers {
        match r.await.unwrap() {
            Ok(_) => wins += 1,
            Err(e) => assert!(matches!(e, StoreError::WrongExpectedVersion { actual: Some(1), .. }), "{e}"),
        }
    }
    assert_eq!(wins, 1);
    // Blind appends (any version) all land, in distinct versions.
    let blind: Vec<_> = (0..20)
        .map(|i| {
            let store = store.clone();
            tokio::spawn(async move { store.append("email-race@example.com", ExpectedVersion::Any, vec![event(i)], &meta()).await })
        })
        .collect();
    for b in blind {
        b.await.unwrap().unwrap();
    }
    let versions: Vec<u64> = store.read_stream("email-race@example.com", 0).await.unwrap().iter().map(|e| e.version).collect();
    assert_eq!(versions, (0..22).collect::<Vec<_>>());
    assert!(matches!(store.append("email-race@example.com", ExpectedVersion::Any, vec![], &meta()).await, Err(StoreError::NothingToAppend { .. })));
}

#[tokio::test]
async fn the_log_is_append_only() {
    let db = TestDb::new().await;
    let store = db.store();
    store.append("email-x@example.com", ExpectedVersion::NoStream, vec![event(0)], &meta()).await.unwrap();
    let client = db.client().await;
    let err = client.execute("UPDATE events SET payload = '{}'", &[]).await.unwrap_err();
    assert!(err.to_string().contains("append-only") || format!("{err:?}").contains("append-only"), "{err:?}");
    assert!(client.execute("DELETE FROM events", &[]).await.is_err());
}

#[tokio::test]
async fn a_transaction_that_commits_late_is_never_skipped_by_readers() {
    let db = TestDb::new().await;
    let store = db.store();
    // A writer that has appended but not committed yet…
    let mut slow = db.client().await;
    let tx = slow.transaction().await.unwrap();
    tx.execute(
        "INSERT INTO events (event_id, stream, version, event_type, schema_version, payload, actor, correlation_id, causation_id, occurred_at)
         VALUES ($1, 'email-slow@example.com', 0, 'EmailClaimed', 1, '{}', 'system:test', $1, $1, now())",
        &[&Uuid::now_v7()],
    )
    .await
    .unwrap();
    // …while a later writer commits at once, with a higher position.
    let fast = store.append("email-fast@example.com", ExpectedVersion::NoStream, vec![event(1)], &meta()).await.unwrap();

    // A reader must not move past the slow writer's place while it is still open.
    let seen = store.read_all(Position::START, 100).await.unwrap();
    assert!(seen.is_empty(), "read past an open transaction: {:?}", seen.iter().map(|e| &e.stream).collect::<Vec<_>>());

    tx.commit().await.unwrap();
    // Other tests' transactions on the same server may hold the barrier a moment longer.
    let mut seen = Vec::new();
    // (The barrier is server-wide: a long transaction in another test's database holds back
    // the later of the two events until it ends.)
    for _ in 0..3000 {
        seen = store.read_all(Position::START, 100).await.unwrap();
        if seen.len() >= 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let streams: Vec<&str> = seen.iter().map(|e| e.stream.as_str()).collect();
    assert_eq!(streams, vec!["email-slow@example.com", "email-fast@example.com"]);
    assert_eq!(seen[1].position, fast.position);
    assert!(seen[0].position < seen[1].position);
}

#[tokio::test]
async fn transaction_ids_are_ordered_as_numbers_not_as_text() {
    let db = TestDb::new().await;
    let store = db.store();
    let client = db.client().await;
    // Written by hand with chosen transaction ids: as text "100" sorts before "99".
    for (tx, stream) in [(99i64, "email-ninety-nine@example.com"), (100, "email-hundred@example.com"), (1000, "email-thousand@example.com")] {
        client
            .execute(
                "INSERT INTO events (tx_id, event_id, stream, version, event_type, schema_version, payload, actor, correlation_id, causation_id, occurred_at)
                 VALUES ($1::text::xid8, $2, $3, 0, 'EmailClaimed', 1, '{}', 'system:test', $2, $2, now())",
                &[&tx.to_string(), &Uuid::now_v7(), &stream],
            )
            .await
            .unwrap();
    }
    let read = store.read_all(Position::START, 10).await.unwrap();
    let txs: Vec<u64> = read.iter().map(|e| e.position.tx).collect();
    assert_eq!(txs, vec![99, 100, 1000]);
    let after_first = store.read_all(read[0].position, 10).await.unwrap();
    assert_eq!(after_first.iter().map(|e| e.position.tx).collect::<Vec<_>>(), vec![100, 1000]);
    assert_eq!(store.head().await.unwrap().tx, 1000);
}

#[tokio::test]
async fn an_unknown_or_malformed_event_is_an_error_naming_it_not_a_panic() {
    let db = TestDb::new().await;
    let store = db.store();
    let mut odd = event(0);
    odd.event_type = "CompanyExploded".into();
    store.append("company-1", ExpectedVersion::NoStream, vec![odd.clone()], &meta()).await.unwrap();
    let mut bad = event(1);
    bad.event_type = "CompanyRegistered".into();
    bad.payload = json!({ "name": 42 });
    store.append("company-1", ExpectedVersion::Any, vec![bad.clone()], &meta()).await.unwrap();

    let read = store.read_stream("company-1", 0).await.unwrap();
    let err = read[0].decode().unwrap_err().to_string();
    assert!(err.contains(&odd.event_id.to_string()) && err.contains("company-1") && err.contains("CompanyExploded"), "{err}");
    let err = read[1].decode().unwrap_err().to_string();
    assert!(err.contains(&bad.event_id.to_string()) && err.contains("malformed"), "{err}");
}

#[tokio::test]
async fn another_process_is_woken_by_notify() {
    let db = TestDb::new().await;
    let writer = db.store();
    let reader = db.store(); // its own pool and LISTEN connection, as another server process would have
    let mut hints = reader.hints();
    hints.borrow_and_update();
    // Give the reader's LISTEN connection time to open; its first hint says so.
    tokio::time::timeout(Duration::from_secs(10), hints.changed()).await.expect("listener connected").unwrap();
    writer.append("email-n@example.com", ExpectedVersion::NoStream, vec![event(0)], &meta()).await.unwrap();
    tokio::time::timeout(Duration::from_secs(10), hints.changed()).await.expect("a NOTIFY reached the other store").unwrap();
}

/// Many writers race on shared streams while subscribers follow live: each must see every
/// committed event exactly once, in an order that respects every stream's versions.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn racing_writers_and_live_subscribers_agree_on_every_event() {
    const WRITERS: usize = 16;
    const EVENTS_PER_WRITER: usize = 640; // 10,240 events in all
    const STREAMS: usize = 24;

    let db = TestDb::new().await;
    let store = db.store();
    let mut live = store.subscribe(Position::START);

    let mut writers = Vec::new();
    for w in 0..WRITERS {
        let store = db.store();
        writers.push(tokio::spawn(async move {
            let mut written = 0usize;
            let mut conflicts = 0usize;
            let mut i = 0u64;
            while written < EVENTS_PER_WRITER {
                let stream = format!("email-s{}@example.com", (w * 7 + i as usize) % STREAMS);
                let batch = (1 + (i % 3) as usize).min(EVENTS_PER_WRITER - written);
                let events: Vec<NewEvent> = (0..batch).map(|k| event(i * 10 + k as u64)).collect();
                // Half the writers decide on what they read (optimistic concurrency), half append blindly.
                let expected = if w % 2 == 0 {
                    let current = store.read_stream(&stream, 0).await.unwrap().last().map(|e| e.version);
                    ExpectedVersion::from_current(current)
                } else {
                    ExpectedVersion::Any
                };
                match store.append(&stream, expected, events, &meta()).await {
                    Ok(_) => written += batch,
                    Err(e) if e.is_conflict() => conflicts += 1,
                    Err(e) => panic!("append failed: {e}"),
                }
                i += 1;
            }
            conflicts
        }));
    }

    // A second subscriber joins half-way: it must catch up, then follow live.
    let client = db.client().await;
    wait::until("a quarter of the events stored", Duration::from_secs(120), || async {
        let stored: i64 = client.query_one("SELECT count(*) FROM events", &[]).await.unwrap().get(0);
        wait::check(stored as usize >= WRITERS * EVENTS_PER_WRITER / 4, stored)
    })
    .await;
    let mut late = store.subscribe(Position::START);

    let mut conflicts = 0;
    for w in writers {
        conflicts += w.await.unwrap();
    }
    let total = WRITERS * EVENTS_PER_WRITER;
    let stored: i64 = client.query_one("SELECT count(*) FROM events", &[]).await.unwrap().get(0);
    assert_eq!(stored as usize, total);
    // Written after all of them: the first thing each subscriber gets after the last one.
    let marker = store.append("email-marker@example.com", ExpectedVersion::NoStream, vec![event(0)], &meta()).await.unwrap();

    for (name, sub) in [("live", &mut live), ("late", &mut late)] {
        let mut seen: Vec<RecordedEvent> = Vec::with_capacity(total);
        while seen.len() < total {
            let Ok(next) = tokio::time::timeout(Duration::from_secs(30), sub.next()).await else {
                let last = seen.last().map(|e| e.position).unwrap_or_default();
                let diag = client
                    .query_one(
                        "SELECT count(*) FILTER (WHERE (tx_id, position) > ($1::text::xid8, $2)),
                                count(*) FILTER (WHERE tx_id < $1::text::xid8 AND event_id <> ALL($3)),
                                pg_current_snapshot()::text
                         FROM events",
                        &[&last.tx.to_string(), &(last.seq as i64), &seen.iter().map(|e| e.event_id).collect::<Vec<_>>()],
                    )
                    .await
                    .unwrap();
                panic!(
                    "{name}: only {} of {total} events arrived; last {last}; after it: {}; skipped below it: {}; snapshot {}",
                    seen.len(),
                    diag.get::<_, i64>(0),
                    diag.get::<_, i64>(1),
                    diag.get::<_, String>(2)
                );
            };
            seen.push(next.unwrap().unwrap());
        }
        // Nothing extra turns up afterwards: next comes the marker.
        let next = tokio::time::timeout(Duration::from_secs(30), sub.next()).await.expect("the marker arrives").unwrap().unwrap();
        assert_eq!((next.stream.as_str(), next.position), ("email-marker@example.com", marker.position), "{name}: an extra event");

        let ids: HashSet<Uuid> = seen.iter().map(|e| e.event_id).collect();
        assert_eq!(ids.len(), total, "{name}: some event was delivered twice");
        let stored_ids: HashSet<Uuid> = client
            .query("SELECT event_id FROM events WHERE stream <> 'email-marker@example.com'", &[])
            .await
            .unwrap()
            .iter()
            .map(|r| r.get(0))
            .collect();
        assert_eq!(ids, stored_ids, "{name}: delivered events differ from stored ones");
        assert!(seen.windows(2).all(|w| w[0].position < w[1].position), "{name}: positions went backwards");
        let mut next_version: HashMap<&str, u64> = HashMap::new();
        for e in &seen {
            let expected = next_version.entry(e.stream.as_str()).or_insert(0);
            assert_eq!(e.version, *expected, "{name}: {} out of order", e.stream);
            *expected += 1;
        }
    }
    println!("{total} events, {conflicts} optimistic conflicts retried");
}

/// Subscriptions of one process share one reader of the live log. One that stops reading
/// falls behind it by more than it keeps (1,024 batches): when it reads again it must get
/// the events it missed from the log, once each and in order, like one that never stopped.
#[tokio::test]
async fn a_subscriber_far_behind_the_shared_reader_misses_nothing() {
    let db = TestDb::new().await;
    let store = db.store();
    let mut steady = store.subscribe(Position::START);
    let mut stalled = store.subscribe(Position::START);
    let total = 5_000u64;
    // One event per append, each read by the shared reader as it commits: ~1 batch each.
    let mut appended = Vec::new();
    let mut seen_steady = Vec::new();
    for n in 0..total {
        let result = store.append(&format!("email-tail-{n}@example.com"), ExpectedVersion::NoStream, vec![event(n)], &meta()).await.unwrap();
        appended.push(result.position);
        // The steady one keeps up; the stalled one reads nothing yet.
        while let Ok(Some(e)) = tokio::time::timeout(Duration::from_millis(0), steady.next()).await {
            seen_steady.push(e.unwrap().position);
        }
    }
    while seen_steady.len() < total as usize {
        seen_steady.push(tokio::time::timeout(Duration::from_secs(10), steady.next()).await.unwrap().unwrap().unwrap().position);
    }
    let mut seen_stalled = Vec::new();
    while seen_stalled.len() < total as usize {
        let next = tokio::time::timeout(Duration::from_secs(10), stalled.next()).await.expect("the stalled subscriber gets every event");
        seen_stalled.push(next.unwrap().unwrap().position);
    }
    assert_eq!(seen_steady, appended);
    assert_eq!(seen_stalled, appended, "missed, repeated or out of order");
    // Nothing more arrives than was appended: the next event is one appended after them all.
    let marker = store.append("email-tail-marker@example.com", ExpectedVersion::NoStream, vec![event(total)], &meta()).await.unwrap();
    let next = tokio::time::timeout(Duration::from_secs(10), stalled.next()).await.expect("the marker arrives").unwrap().unwrap();
    assert_eq!(next.position, marker.position, "an event nobody appended");
}

/// The shared reader does not read while nobody follows the log. A subscription that comes
/// after such a quiet spell catches up by itself; the next append must still reach it, not
/// wait for the one after.
#[tokio::test]
async fn a_subscriber_that_comes_while_nobody_follows_gets_the_next_append() {
    let db = TestDb::new().await;
    let store = db.store();
    // The shared reader starts with the first subscription and goes quiet when it leaves.
    drop(store.subscribe(Position::START));
    for n in 0..3 {
        store.append(&format!("email-quiet-{n}@example.com"), ExpectedVersion::NoStream, vec![event(n)], &meta()).await.unwrap();
    }
    tokio::time::sleep(Duration::from_millis(50)).await;
    let mut late = store.subscribe(Position::START);
    for _ in 0..3 {
        tokio::time::timeout(Duration::from_secs(10), late.next()).await.expect("catch-up").unwrap().unwrap();
    }
    let next = store.append("email-quiet-next@example.com", ExpectedVersion::NoStream, vec![event(3)], &meta()).await.unwrap();
    let seen = tokio::time::timeout(Duration::from_secs(10), late.next()).await.expect("the next append arrives").unwrap().unwrap();
    assert_eq!(seen.position, next.position);
}

/// The shared reader starts with the first subscription and begins at the head of the log,
/// while the subscription catches up by itself: an append that commits between the two
/// must still arrive. Tried many times, as the window is narrow.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_append_racing_the_first_subscription_arrives() {
    let db = TestDb::new().await;
    for n in 0..100 {
        let store = db.store();
        let mut first = store.subscribe(Position::START);
        let appended = store.append(&format!("email-race-{n}@example.com"), ExpectedVersion::NoStream, vec![event(n)], &meta()).await.unwrap();
        loop {
            let seen = tokio::time::timeout(Duration::from_secs(5), first.next()).await.expect("the append arrives").unwrap().unwrap();
            if seen.position == appended.position {
                break;
            }
        }
        store.close();
    }
}
