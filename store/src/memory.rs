//! An event store held in memory, for unit tests of the layers above the store (command
//! handlers, use cases) that need the port's semantics but not PostgreSQL. It passes the
//! same contract suite as the PostgreSQL adapter. Nothing outlives the process.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use chrono::Utc;
use domain::Metadata;
use tokio::sync::watch;
use uuid::Uuid;

use crate::{AppendResult, EventStore, ExpectedVersion, NewEvent, Position, RecordedEvent, StoreError, Subscription};

/// Positions: `tx` numbers the appends (1, 2, …; every event of one append shares it, as
/// the events of one PostgreSQL transaction share its id) and `seq` numbers the events of
/// the log (1, 2, …). Both only grow, so the pair orders as the log does.
/// Clones share one log.
#[derive(Clone)]
pub struct MemoryEventStore {
    inner: Arc<Inner>,
}

struct Inner {
    log: Mutex<Log>,
    /// Bumped by every append that stores something.
    hints: watch::Sender<u64>,
}

#[derive(Default)]
struct Log {
    events: Vec<RecordedEvent>,
    /// Each stream's events, as places in `events`, by version.
    streams: HashMap<String, Vec<usize>>,
    /// Where each stored event id is in `events`: a retried append is known by its ids.
    ids: HashMap<Uuid, usize>,
    appends: u64,
}

impl MemoryEventStore {
    /// An empty store.
    pub fn new() -> Self {
        MemoryEventStore { inner: Arc::new(Inner { log: Mutex::default(), hints: watch::channel(0).0 }) }
    }

    fn log(&self) -> MutexGuard<'_, Log> {
        // Nothing panics while holding the lock, so a poisoned one means a broken store.
        self.inner.log.lock().expect("the in-memory event log")
    }
}

impl Default for MemoryEventStore {
    fn default() -> Self {
        Self::new()
    }
}

impl Log {
    fn append(&mut self, stream: &str, expected: ExpectedVersion, events: Vec<NewEvent>, metadata: &Metadata) -> Result<AppendResult, StoreError> {
        // As PostgreSQL decides, by its event-id key: every id stored is a retry, some a mistake.
        let mut stored: Vec<usize> = events.iter().filter_map(|e| self.ids.get(&e.event_id).copied()).collect();
        stored.sort_unstable();
        stored.dedup();
        if let Some(&last) = stored.last().filter(|_| stored.len() == events.len()) {
            let versions = stored.iter().map(|&i| self.events[i].version);
            return Ok(AppendResult {
                first_version: versions.clone().min().unwrap_or_default(),
                last_version: versions.max().unwrap_or_default(),
                position: self.events[last].position,
                duplicate: true,
            });
        }
        if !stored.is_empty() {
            return Err(StoreError::PartialDuplicate { stream: stream.to_owned() });
        }
        let current = self.streams.get(stream).map(|versions| versions.len() as u64 - 1);
        let holds = match expected {
            ExpectedVersion::Any => true,
            ExpectedVersion::NoStream => current.is_none(),
            ExpectedVersion::StreamExists => current.is_some(),
            ExpectedVersion::Exact(v) => current == Some(v),
        };
        let mut ids: Vec<Uuid> = events.iter().map(|e| e.event_id).collect();
        ids.sort_unstable();
        ids.dedup();
        // An append that repeats an id in itself breaks PostgreSQL's event-id key, which it
        // reports as a conflict: the same here, so both adapters refuse it alike.
        if !holds || ids.len() != events.len() {
            return Err(StoreError::WrongExpectedVersion { stream: stream.to_owned(), expected, actual: current });
        }

        self.appends += 1;
        let first_version = current.map_or(0, |v| v + 1);
        let recorded_at = Utc::now();
        let versions = self.streams.entry(stream.to_owned()).or_default();
        for (n, event) in events.into_iter().enumerate() {
            let place = self.events.len();
            versions.push(place);
            self.ids.insert(event.event_id, place);
            self.events.push(RecordedEvent {
                event_id: event.event_id,
                stream: stream.to_owned(),
                version: first_version + n as u64,
                position: Position { tx: self.appends, seq: place as u64 + 1 },
                event_type: event.event_type,
                schema: event.schema,
                payload: event.payload,
                metadata: metadata.clone(),
                occurred_at: event.occurred_at,
                recorded_at,
            });
        }
        let last = &self.events[self.events.len() - 1];
        Ok(AppendResult { first_version, last_version: last.version, position: last.position, duplicate: false })
    }
}

impl EventStore for MemoryEventStore {
    async fn append(&self, stream: &str, expected: ExpectedVersion, events: Vec<NewEvent>, metadata: &Metadata) -> Result<AppendResult, StoreError> {
        if events.is_empty() {
            return Err(StoreError::NothingToAppend { stream: stream.to_owned() });
        }
        let result = self.log().append(stream, expected, events, metadata)?;
        if !result.duplicate {
            self.inner.hints.send_modify(|n| *n = n.wrapping_add(1));
        }
        Ok(result)
    }

    async fn read_stream(&self, stream: &str, from_version: u64) -> Result<Vec<RecordedEvent>, StoreError> {
        let log = self.log();
        let versions = log.streams.get(stream).map_or(&[][..], Vec::as_slice);
        Ok(versions.iter().skip(usize::try_from(from_version).unwrap_or(usize::MAX)).map(|&place| log.events[place].clone()).collect())
    }

    async fn read_all(&self, after: Position, limit: usize) -> Result<Vec<RecordedEvent>, StoreError> {
        let log = self.log();
        // Appends are whole under the lock: nothing can commit later behind what is read.
        let start = log.events.partition_point(|e| e.position <= after);
        Ok(log.events[start..].iter().take(limit).cloned().collect())
    }

    fn subscribe(&self, after: Position) -> Subscription {
        // No shared reader: each subscription reads the log itself, woken by the hints.
        Subscription::start(self.clone(), after, None)
    }

    fn hints(&self) -> watch::Receiver<u64> {
        self.inner.hints.subscribe()
    }
}

#[cfg(any(test, feature = "contract-tests"))]
impl crate::contract::Backend for MemoryEventStore {
    type Store = MemoryEventStore;

    async fn fresh() -> Self {
        MemoryEventStore::new()
    }

    /// There is no other process to open it: another handle is a clone sharing the log.
    fn open(&self) -> MemoryEventStore {
        self.clone()
    }
}

#[cfg(test)]
mod contract {
    crate::contract_tests!(super::MemoryEventStore);
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::Actor;

    fn events(n: usize) -> Vec<NewEvent> {
        (0..n)
            .map(|_| NewEvent {
                event_id: Uuid::now_v7(),
                event_type: "EmailClaimed".into(),
                schema: 1,
                payload: serde_json::json!({ "user_id": Uuid::now_v7() }),
                occurred_at: Utc::now(),
            })
            .collect()
    }

    #[tokio::test]
    async fn positions_number_the_appends_and_the_events_of_the_log() {
        let store = MemoryEventStore::new();
        let meta = Metadata::new(None, Actor::System("test".into()));
        let first = store.append("email-a@example.com", ExpectedVersion::NoStream, events(2), &meta).await.unwrap();
        let second = store.append("email-b@example.com", ExpectedVersion::NoStream, events(1), &meta).await.unwrap();
        assert_eq!((first.position, second.position), (Position { tx: 1, seq: 2 }, Position { tx: 2, seq: 3 }));
        let log: Vec<Position> = store.read_all(Position::START, 10).await.unwrap().iter().map(|e| e.position).collect();
        assert_eq!(log, vec![Position { tx: 1, seq: 1 }, Position { tx: 1, seq: 2 }, Position { tx: 2, seq: 3 }]);
    }

    #[tokio::test]
    async fn an_append_that_repeats_an_event_id_is_refused_as_postgresql_refuses_it() {
        let store = MemoryEventStore::new();
        let meta = Metadata::new(None, Actor::System("test".into()));
        let once = events(1);
        let twice = vec![once[0].clone(), once[0].clone()];
        let err = store.append("email-a@example.com", ExpectedVersion::NoStream, twice, &meta).await.unwrap_err();
        assert!(matches!(err, StoreError::WrongExpectedVersion { actual: None, .. }), "{err}");
        assert!(store.read_all(Position::START, 10).await.unwrap().is_empty());
    }
}
