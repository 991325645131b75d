//! What only the PostgreSQL adapter promises, or only raw SQL can show: the log is
//! append-only, the transaction-id barrier holds readers behind a late commit and orders
//! transaction ids as numbers, and NOTIFY wakes another process. Everything the port
//! promises is in the contract suite (store_contract.rs).

use std::time::Duration;

use domain::{Actor, Metadata};
use serde_json::json;
use store::{EventStore, ExpectedVersion, NewEvent, Position};
use testkit::TestDb;
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
