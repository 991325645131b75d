//! Following the log: hints, subscriptions from a position, racing writers seen by live
//! subscribers, and the ways a reader shared by a process's subscriptions (PostgreSQL's
//! tail) could lose an event.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use uuid::Uuid;

use super::{append_marker, assert_next_is_marker, event, meta, next_event, read_all_through, Backend, PATIENCE};
use crate::{EventStore, ExpectedVersion, NewEvent, Position, RecordedEvent};

pub async fn hints_change_when_events_are_appended<B: Backend>() {
    let backend = B::fresh().await;
    let store = backend.open();
    let mut hints = store.hints();
    // Let pass what a new store announces by itself (PostgreSQL: its listener connecting).
    while matches!(tokio::time::timeout(Duration::from_millis(200), hints.changed()).await, Ok(Ok(()))) {}
    store.append("email-hint@example.com", ExpectedVersion::NoStream, vec![event(0)], &meta()).await.unwrap();
    tokio::time::timeout(PATIENCE, hints.changed()).await.expect("a hint after an append").expect("the store is gone");
}

pub async fn subscribe_from_a_middle_position_starts_right_after_it<B: Backend>() {
    let backend = B::fresh().await;
    let store = backend.open();
    let mut last = Position::START;
    for n in 0..3 {
        let stream = format!("email-{}@example.com", n % 2);
        last = store.append(&stream, ExpectedVersion::Any, vec![event(n * 2), event(n * 2 + 1)], &meta()).await.unwrap().position;
    }
    let all = read_all_through(&store, last).await;
    // In the middle of an append's events, too.
    let mut middle = store.subscribe(all[2].position);
    for expected in &all[3..] {
        assert_eq!(&next_event(&mut middle, "from the middle").await, expected);
    }
    let live = store.append("email-live@example.com", ExpectedVersion::NoStream, vec![event(9)], &meta()).await.unwrap();
    assert_eq!(next_event(&mut middle, "from the middle, live").await.position, live.position);

    let mut from_end = store.subscribe(live.position);
    let next = store.append("email-live@example.com", ExpectedVersion::Exact(0), vec![event(10)], &meta()).await.unwrap();
    assert_eq!(next_event(&mut from_end, "from the end").await.position, next.position);
    assert_eq!(next_event(&mut middle, "from the middle, still").await.position, next.position);
    let marker = append_marker(&store).await;
    assert_next_is_marker(&mut middle, marker, "from the middle").await;
    assert_next_is_marker(&mut from_end, marker, "from the end").await;
}

/// Many writers race on shared streams while subscribers follow live: each must see every
/// committed event exactly once, in an order that respects every stream's versions.
pub async fn racing_writers_and_live_subscribers_agree_on_every_event<B: Backend>() {
    const WRITERS: usize = 16;
    const EVENTS_PER_WRITER: usize = 640; // 10,240 events in all
    const STREAMS: usize = 24;

    let backend = B::fresh().await;
    let store = backend.open();
    let mut live = store.subscribe(Position::START);

    let mut writers = Vec::new();
    let written = Arc::new(AtomicUsize::new(0));
    for w in 0..WRITERS {
        let store = backend.open();
        let written_by_all = written.clone();
        writers.push(tokio::spawn(async move {
            let (mut written, mut conflicts, mut last) = (0usize, 0usize, Position::START);
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
                    Ok(result) => {
                        written += batch;
                        written_by_all.fetch_add(batch, Ordering::Relaxed);
                        last = last.max(result.position);
                    }
                    Err(e) if e.is_conflict() => conflicts += 1,
                    Err(e) => panic!("append failed: {e}"),
                }
                i += 1;
            }
            (conflicts, last)
        }));
    }

    // A second subscriber joins once a quarter is written: it must catch up, then follow live.
    let deadline = tokio::time::Instant::now() + 3 * PATIENCE;
    while written.load(Ordering::Relaxed) < WRITERS * EVENTS_PER_WRITER / 4 {
        assert!(tokio::time::Instant::now() < deadline, "a quarter of the events not written within {:?}", 3 * PATIENCE);
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let mut late = store.subscribe(Position::START);

    let (mut conflicts, mut last) = (0, Position::START);
    for w in writers {
        let (c, l) = w.await.unwrap();
        conflicts += c;
        last = last.max(l);
    }
    let total = WRITERS * EVENTS_PER_WRITER;
    let stored = read_all_through(&store, last).await;
    assert_eq!(stored.len(), total, "stored events");
    let stored_ids: HashSet<Uuid> = stored.iter().map(|e| e.event_id).collect();
    assert_eq!(stored_ids.len(), total, "read_all repeated an event");
    assert!(store.read_all(last, 10).await.unwrap().is_empty(), "events after the last one appended");
    let marker = append_marker(&store).await;

    for (name, subscription) in [("live", &mut live), ("late", &mut late)] {
        let mut seen: Vec<RecordedEvent> = Vec::with_capacity(total);
        while seen.len() < total {
            let Ok(next) = tokio::time::timeout(3 * PATIENCE, subscription.next()).await else {
                let last_seen = seen.last().map(|e| e.position).unwrap_or_default();
                let ids: HashSet<Uuid> = seen.iter().map(|e| e.event_id).collect();
                let after = stored.iter().filter(|e| e.position > last_seen).count();
                let skipped = stored.iter().filter(|e| e.position < last_seen && !ids.contains(&e.event_id)).count();
                panic!(
                    "{name}: only {} of {total} events arrived; last {last_seen}; stored after it: {after}; skipped below it: {skipped}",
                    seen.len()
                );
            };
            seen.push(next.expect("the subscription ended").expect("reading the log"));
        }
        assert_next_is_marker(subscription, marker, name).await;

        let ids: HashSet<Uuid> = seen.iter().map(|e| e.event_id).collect();
        assert_eq!(ids.len(), total, "{name}: some event was delivered twice");
        assert_eq!(ids, stored_ids, "{name}: delivered events differ from stored ones");
        assert!(seen.windows(2).all(|w| w[0].position < w[1].position), "{name}: positions went backwards");
        assert_eq!(seen, stored, "{name}: delivered in another order than read_all reads");
        let mut next_version: HashMap<&str, u64> = HashMap::new();
        for e in &seen {
            let expected = next_version.entry(e.stream.as_str()).or_insert(0);
            assert_eq!(e.version, *expected, "{name}: {} out of order", e.stream);
            *expected += 1;
        }
    }
    println!("{total} events, {conflicts} optimistic conflicts retried");
}

/// A subscription that stops reading falls far behind the others (on PostgreSQL, by more
/// than the shared reader keeps: 1,024 batches): when it reads again it must get the events
/// it missed, once each and in order, like one that never stopped.
pub async fn a_subscriber_far_behind_the_others_misses_nothing<B: Backend>() {
    let backend = B::fresh().await;
    let store = backend.open();
    let mut steady = store.subscribe(Position::START);
    let mut stalled = store.subscribe(Position::START);
    let total = 5_000u64;
    // One event per append, each read by a shared reader as it commits: ~1 batch each.
    let mut appended = Vec::new();
    let mut seen_steady = Vec::new();
    for n in 0..total {
        let result = store.append(&format!("email-tail-{n}@example.com"), ExpectedVersion::NoStream, vec![event(n)], &meta()).await.unwrap();
        appended.push(result.position);
        // The steady one keeps up (never taking more than was appended, lest a subscription
        // that repeats itself keep this loop going); the stalled one reads nothing yet.
        while seen_steady.len() < appended.len() {
            let Ok(Some(e)) = tokio::time::timeout(Duration::ZERO, steady.next()).await else { break };
            seen_steady.push(e.unwrap().position);
        }
    }
    while seen_steady.len() < total as usize {
        seen_steady.push(next_event(&mut steady, "steady").await.position);
    }
    let mut seen_stalled = Vec::new();
    while seen_stalled.len() < total as usize {
        seen_stalled.push(next_event(&mut stalled, "stalled").await.position);
    }
    assert_eq!(seen_steady, appended);
    assert_eq!(seen_stalled, appended, "missed, repeated or out of order");
    let marker = append_marker(&store).await;
    assert_next_is_marker(&mut stalled, marker, "stalled").await;
}

/// A shared reader may rest while nobody follows the log. A subscription that comes after
/// such a quiet spell catches up by itself; the next append must still reach it, not wait
/// for the one after.
pub async fn a_subscriber_that_comes_while_nobody_follows_gets_the_next_append<B: Backend>() {
    let backend = B::fresh().await;
    let store = backend.open();
    drop(store.subscribe(Position::START));
    let mut appended = Vec::new();
    for n in 0..3 {
        appended
            .push(store.append(&format!("email-quiet-{n}@example.com"), ExpectedVersion::NoStream, vec![event(n)], &meta()).await.unwrap().position);
    }
    tokio::time::sleep(Duration::from_millis(50)).await;
    let mut late = store.subscribe(Position::START);
    for position in appended {
        assert_eq!(next_event(&mut late, "catching up").await.position, position);
    }
    let next = store.append("email-quiet-next@example.com", ExpectedVersion::NoStream, vec![event(3)], &meta()).await.unwrap();
    assert_eq!(next_event(&mut late, "the next append").await.position, next.position);
}

/// The first subscription of a store may start a shared reader at the head of the log
/// while it catches up by itself: an append that commits between the two must still
/// arrive. Tried many times, as the window is narrow.
pub async fn an_append_racing_the_first_subscription_arrives<B: Backend>() {
    let backend = B::fresh().await;
    for n in 0..100 {
        // A handle of its own each time: only a store's first subscription starts its reader.
        let store = backend.open();
        let mut first = store.subscribe(Position::START);
        let appended = store.append(&format!("email-race-{n}@example.com"), ExpectedVersion::NoStream, vec![event(n)], &meta()).await.unwrap();
        loop {
            let seen = next_event(&mut first, "the first subscription").await;
            assert!(seen.position <= appended.position, "went past the append");
            if seen.position == appended.position {
                break;
            }
        }
    }
}
