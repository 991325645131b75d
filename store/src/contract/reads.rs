//! Reading: one stream from a version, the whole log after a position.

use std::collections::HashSet;

use super::{assert_rising_after, event, meta, read_all_through, Backend};
use crate::{EventStore, ExpectedVersion, Position};

/// EventStoreDB answers `ResourceNotFound` for a stream that does not exist; the port says
/// empty, as PostgreSQL does, so an adapter translates.
pub async fn a_missing_stream_reads_as_empty<B: Backend>() {
    let backend = B::fresh().await;
    let store = backend.open();
    assert!(store.read_all(Position::START, 10).await.unwrap().is_empty(), "a fresh store is not empty");
    assert!(store.read_stream("email-nobody@example.com", 0).await.unwrap().is_empty());

    store.append("email-somebody@example.com", ExpectedVersion::NoStream, vec![event(0), event(1)], &meta()).await.unwrap();
    assert!(store.read_stream("email-nobody@example.com", 0).await.unwrap().is_empty(), "another stream's events leaked in");
    assert!(store.read_stream("email-nobody@example.com", 3).await.unwrap().is_empty());
    assert!(store.read_stream("email-somebody@example.com", 2).await.unwrap().is_empty(), "past the end of a stream is empty");
    assert!(store.read_stream("email-somebody@example.com", u64::MAX).await.unwrap().is_empty());
}

pub async fn read_stream_starts_at_the_version_asked_for<B: Backend>() {
    let backend = B::fresh().await;
    let store = backend.open();
    for n in 0..5 {
        // Another stream's events in between must not show.
        store.append("email-s@example.com", ExpectedVersion::Any, vec![event(n)], &meta()).await.unwrap();
        store.append("email-t@example.com", ExpectedVersion::Any, vec![event(100 + n)], &meta()).await.unwrap();
    }
    let whole = store.read_stream("email-s@example.com", 0).await.unwrap();
    assert_eq!(whole.iter().map(|e| e.payload["n"].as_u64().unwrap()).collect::<Vec<_>>(), vec![0, 1, 2, 3, 4]);
    for from in 0..=5u64 {
        let read = store.read_stream("email-s@example.com", from).await.unwrap();
        assert_eq!(read.iter().map(|e| e.version).collect::<Vec<_>>(), (from..5).collect::<Vec<_>>(), "from version {from}");
        assert_eq!(&read[..], &whole[from as usize..], "from version {from}");
        assert!(read.iter().all(|e| e.stream == "email-s@example.com"));
    }
}

/// The checkpoint of a subscriber or a projection is the position of the last event it
/// handled: reading after it must give exactly the events that follow.
pub async fn read_all_after_a_position_continues_right_after_it_and_never_repeats<B: Backend>() {
    let backend = B::fresh().await;
    let store = backend.open();
    let mut appended = Vec::new();
    let mut last = Position::START;
    for n in 0..6u64 {
        let batch: Vec<_> = (0..1 + n % 3).map(|k| event(n * 10 + k)).collect();
        appended.extend(batch.iter().map(|e| e.event_id));
        last = store.append(&format!("email-{}@example.com", n % 2), ExpectedVersion::Any, batch, &meta()).await.unwrap().position;
    }
    let all = read_all_through(&store, last).await;
    assert_eq!(all.iter().map(|e| e.event_id).collect::<Vec<_>>(), appended, "one writer's appends come back in the order made");
    assert!(all.windows(2).all(|w| w[0].position < w[1].position), "positions must rise");
    assert_eq!(store.read_all(Position::START, usize::MAX).await.unwrap(), all, "a limit beyond the log");

    for (k, event) in all.iter().enumerate() {
        let after = store.read_all(event.position, 100).await.unwrap();
        assert_eq!(&after[..], &all[k + 1..], "after the event at {}", event.position);
    }
    for limit in 1..=4 {
        let mut paged = Vec::new();
        let mut position = Position::START;
        loop {
            let page = store.read_all(position, limit).await.unwrap();
            assert!(page.len() <= limit, "a page of {} with limit {limit}", page.len());
            assert_rising_after(&page, position);
            let Some(newest) = page.last() else { break };
            position = newest.position;
            paged.extend(page);
        }
        assert_eq!(paged, all, "paging by {limit}");
        assert_eq!(paged.iter().map(|e| e.event_id).collect::<HashSet<_>>().len(), all.len(), "paging by {limit} repeated an event");
    }
}
