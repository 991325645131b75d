//! Appending: expected versions, typed conflicts, the envelope, idempotent retries.

use domain::{Actor, CompanyId, Metadata, UserId};
use serde_json::json;
use uuid::Uuid;

use super::{event, meta, read_all_through, Backend};
use crate::{EventStore, ExpectedVersion, StoreError};

pub async fn appends_check_the_expected_version_and_report_the_actual_one<B: Backend>() {
    let backend = B::fresh().await;
    let store = backend.open();
    let first = store.append("email-a@example.com", ExpectedVersion::NoStream, vec![event(0), event(1)], &meta()).await.unwrap();
    assert_eq!((first.first_version, first.last_version, first.duplicate), (0, 1, false));

    let err = store.append("email-a@example.com", ExpectedVersion::NoStream, vec![event(2)], &meta()).await.unwrap_err();
    assert!(
        matches!(&err, StoreError::WrongExpectedVersion { stream, actual: Some(1), expected: ExpectedVersion::NoStream } if stream == "email-a@example.com"),
        "{err}"
    );
    assert!(err.is_conflict());
    let err = store.append("email-a@example.com", ExpectedVersion::Exact(0), vec![event(2)], &meta()).await.unwrap_err();
    assert!(matches!(err, StoreError::WrongExpectedVersion { actual: Some(1), expected: ExpectedVersion::Exact(0), .. }), "{err}");
    let err = store.append("email-a@example.com", ExpectedVersion::Exact(7), vec![event(2)], &meta()).await.unwrap_err();
    assert!(matches!(err, StoreError::WrongExpectedVersion { actual: Some(1), .. }), "an expectation ahead of the stream: {err}");

    let err = store.append("email-b@example.com", ExpectedVersion::Exact(0), vec![event(0)], &meta()).await.unwrap_err();
    assert!(matches!(err, StoreError::WrongExpectedVersion { actual: None, .. }), "{err}");
    let err = store.append("email-b@example.com", ExpectedVersion::StreamExists, vec![event(0)], &meta()).await.unwrap_err();
    assert!(matches!(err, StoreError::WrongExpectedVersion { actual: None, expected: ExpectedVersion::StreamExists, .. }), "{err}");

    let third = store.append("email-a@example.com", ExpectedVersion::Exact(1), vec![event(2)], &meta()).await.unwrap();
    assert_eq!((third.first_version, third.last_version), (2, 2));
    assert!(third.position > first.position);
    let exists = store.append("email-a@example.com", ExpectedVersion::StreamExists, vec![event(3)], &meta()).await.unwrap();
    assert_eq!((exists.first_version, exists.last_version), (3, 3));
    let any = store.append("email-a@example.com", ExpectedVersion::Any, vec![event(4)], &meta()).await.unwrap();
    assert_eq!(any.last_version, 4);
    let any_new = store.append("email-c@example.com", ExpectedVersion::Any, vec![event(0)], &meta()).await.unwrap();
    assert_eq!((any_new.first_version, any_new.last_version), (0, 0), "`Any` starts a stream too");

    let versions: Vec<u64> = store.read_stream("email-a@example.com", 0).await.unwrap().iter().map(|e| e.version).collect();
    assert_eq!(versions, vec![0, 1, 2, 3, 4]);
}

/// A refused append leaves no trace: not in the stream, not in the log, and its event ids
/// stay free for the retry that follows the conflict.
pub async fn a_conflict_is_typed_and_stores_nothing<B: Backend>() {
    let backend = B::fresh().await;
    let store = backend.open();
    let first = store.append("email-taken@example.com", ExpectedVersion::NoStream, vec![event(0)], &meta()).await.unwrap();
    let losing = vec![event(1), event(2), event(3)];
    let err = store.append("email-taken@example.com", ExpectedVersion::NoStream, losing.clone(), &meta()).await.unwrap_err();
    assert!(err.is_conflict(), "{err}");
    assert!(!StoreError::NothingToAppend { stream: "x".into() }.is_conflict() && !StoreError::PartialDuplicate { stream: "x".into() }.is_conflict());

    assert_eq!(store.read_stream("email-taken@example.com", 0).await.unwrap().len(), 1);
    let log = read_all_through(&store, first.position).await;
    assert_eq!(log.len(), 1);
    assert!(store.read_all(first.position, 10).await.unwrap().is_empty(), "a refused append reached the log");

    let retried = store.append("email-taken@example.com", ExpectedVersion::Exact(0), losing, &meta()).await.unwrap();
    assert!(!retried.duplicate, "the refused events were kept");
    assert_eq!((retried.first_version, retried.last_version), (1, 3));
}

pub async fn an_append_of_several_events_takes_consecutive_versions_and_rising_positions<B: Backend>() {
    let backend = B::fresh().await;
    let store = backend.open();
    store.append("email-other@example.com", ExpectedVersion::NoStream, vec![event(0)], &meta()).await.unwrap();
    let events = vec![event(0), event(1), event(2)];
    let result = store.append("email-many@example.com", ExpectedVersion::NoStream, events.clone(), &meta()).await.unwrap();
    assert_eq!((result.first_version, result.last_version), (0, 2));

    let read = store.read_stream("email-many@example.com", 0).await.unwrap();
    assert_eq!(read.iter().map(|e| e.event_id).collect::<Vec<_>>(), events.iter().map(|e| e.event_id).collect::<Vec<_>>());
    assert_eq!(read.iter().map(|e| e.version).collect::<Vec<_>>(), vec![0, 1, 2]);
    assert!(read.windows(2).all(|w| w[0].position < w[1].position), "positions within one append must rise");
    assert_eq!(read[2].position, result.position, "an append reports the position of its last event");

    let log = read_all_through(&store, result.position).await;
    let appended: Vec<&str> = log.iter().map(|e| e.stream.as_str()).collect();
    assert_eq!(appended, vec!["email-other@example.com", "email-many@example.com", "email-many@example.com", "email-many@example.com"]);
    assert_eq!(&log[1..], &read[..], "read_all and read_stream disagree");
}

pub async fn every_envelope_field_is_stored_and_read_back<B: Backend>() {
    let backend = B::fresh().await;
    let store = backend.open();
    let company = CompanyId::new();
    let by_user = Metadata::new(Some(company), Actor::User(UserId::new()));
    // Caused by an earlier event: correlation and causation differ.
    let by_visitor = by_user.caused_by(Uuid::now_v7(), Actor::Visitor(Uuid::now_v7()));
    let by_system = Metadata::new(None, Actor::System("router".into()));
    let mut last = None;
    for (version, metadata) in [by_user, by_visitor, by_system].into_iter().enumerate() {
        let new = event(version as u64);
        let result = store.append("email-env@example.com", ExpectedVersion::Any, vec![new.clone()], &metadata).await.unwrap();
        let read = store.read_stream("email-env@example.com", version as u64).await.unwrap();
        let e = &read[0];
        assert_eq!(e.event_id, new.event_id);
        assert_eq!(e.event_id.get_version_num(), 7, "event ids are UUID v7");
        assert_eq!((e.stream.as_str(), e.version, e.position), ("email-env@example.com", version as u64, result.position));
        assert_eq!((e.event_type.as_str(), e.schema, &e.payload), ("EmailClaimed", 1, &new.payload));
        assert_eq!(e.metadata, metadata);
        assert_eq!(e.company_id(), metadata.company_id);
        assert_eq!(e.occurred_at.timestamp_micros(), new.occurred_at.timestamp_micros());
        assert!(e.recorded_at >= e.occurred_at - chrono::Duration::seconds(5));
        last = Some((result.position, read));
    }
    let (position, read) = last.unwrap();
    let log = read_all_through(&store, position).await;
    assert_eq!(log[2], read[0], "read_all gives the same envelope as read_stream");
}

pub async fn re_appending_the_same_event_ids_returns_the_original_result_and_stores_nothing<B: Backend>() {
    let backend = B::fresh().await;
    let store = backend.open();
    // Both shapes: one event and several (an adapter may store them differently).
    let several = vec![event(0), event(1)];
    let one = vec![event(2)];
    let first = store.append("email-idem@example.com", ExpectedVersion::NoStream, several.clone(), &meta()).await.unwrap();
    let second = store.append("email-idem@example.com", ExpectedVersion::Exact(1), one.clone(), &meta()).await.unwrap();
    // A retry after a lost acknowledgement: same ids, even with an expectation now stale.
    for (events, original) in [(several, first), (one, second)] {
        for expected in [ExpectedVersion::NoStream, ExpectedVersion::Exact(0), ExpectedVersion::Any] {
            let again = store.append("email-idem@example.com", expected, events.clone(), &meta()).await.unwrap();
            assert!(again.duplicate, "re-append with {expected}");
            assert_eq!(
                (again.first_version, again.last_version, again.position),
                (original.first_version, original.last_version, original.position),
                "re-append with {expected}"
            );
        }
    }
    assert_eq!(store.read_stream("email-idem@example.com", 0).await.unwrap().len(), 3);
    assert_eq!(read_all_through(&store, second.position).await.len(), 3);
    assert!(store.read_all(second.position, 10).await.unwrap().is_empty(), "a retry reached the log");
}

pub async fn a_partial_duplicate_is_refused_and_stores_nothing<B: Backend>() {
    let backend = B::fresh().await;
    let store = backend.open();
    let events = vec![event(0), event(1)];
    let first = store.append("email-idem@example.com", ExpectedVersion::NoStream, events.clone(), &meta()).await.unwrap();
    let fresh = event(9);
    for expected in [ExpectedVersion::Any, ExpectedVersion::Exact(1), ExpectedVersion::NoStream] {
        let mixed = vec![events[1].clone(), fresh.clone()];
        let err = store.append("email-idem@example.com", expected, mixed, &meta()).await.unwrap_err();
        assert!(matches!(&err, StoreError::PartialDuplicate { stream } if stream == "email-idem@example.com"), "{expected}: {err}");
        assert!(!err.is_conflict());
    }
    assert_eq!(store.read_stream("email-idem@example.com", 0).await.unwrap().len(), 2);
    assert_eq!(read_all_through(&store, first.position).await.len(), 2);
    assert!(store.read_all(first.position, 10).await.unwrap().is_empty(), "a refused append reached the log");
    // The new event was not kept either.
    let alone = store.append("email-idem@example.com", ExpectedVersion::Exact(1), vec![fresh], &meta()).await.unwrap();
    assert!(!alone.duplicate);
}

pub async fn racing_writers_on_one_stream_never_both_win_and_blind_appends_all_land<B: Backend>() {
    let backend = B::fresh().await;
    let store = backend.open();
    store.append("email-race@example.com", ExpectedVersion::NoStream, vec![event(0)], &meta()).await.unwrap();
    // Twenty writers that all read version 0 race to write version 1: exactly one wins.
    let racers: Vec<_> = (0..20)
        .map(|i| {
            let store = store.clone();
            tokio::spawn(async move { store.append("email-race@example.com", ExpectedVersion::Exact(0), vec![event(i)], &meta()).await })
        })
        .collect();
    let mut wins = 0;
    for racer in racers {
        match racer.await.unwrap() {
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
    let err = store.append("email-race@example.com", ExpectedVersion::Any, vec![], &meta()).await.unwrap_err();
    assert!(matches!(&err, StoreError::NothingToAppend { stream } if stream == "email-race@example.com"), "{err}");
}

pub async fn an_unknown_or_malformed_event_is_an_error_naming_it_not_a_panic<B: Backend>() {
    let backend = B::fresh().await;
    let store = backend.open();
    let mut odd = event(0);
    odd.event_type = "CompanyExploded".into();
    store.append("company-1", ExpectedVersion::NoStream, vec![odd.clone()], &meta()).await.unwrap();
    let mut bad = event(1);
    bad.event_type = "CompanyRegistered".into();
    bad.payload = json!({ "name": 42 });
    store.append("company-1", ExpectedVersion::Any, vec![bad.clone()], &meta()).await.unwrap();
    let good = event(2);
    store.append("email-fine@example.com", ExpectedVersion::NoStream, vec![good], &meta()).await.unwrap();

    let read = store.read_stream("company-1", 0).await.unwrap();
    let err = read[0].decode().unwrap_err();
    assert!(matches!(&err, StoreError::Decode { event_id, version: 0, .. } if *event_id == odd.event_id), "{err}");
    let err = err.to_string();
    assert!(err.contains(&odd.event_id.to_string()) && err.contains("company-1") && err.contains("CompanyExploded"), "{err}");
    let err = read[1].decode().unwrap_err().to_string();
    assert!(err.contains(&bad.event_id.to_string()) && err.contains("malformed"), "{err}");
    let fine = store.read_stream("email-fine@example.com", 0).await.unwrap();
    assert!(matches!(fine[0].decode(), Ok(domain::Event::Email(_))), "a well-formed event decodes by its stream's category");
}
