//! Command handlers. Each loads a stream, asks the aggregate's decider, and appends the
//! decision with the version it read; a concurrent change makes the append fail and the
//! handler decides again on fresh state, a bounded number of times.

pub mod accounts;
pub mod chat;
pub mod mailer;
pub mod secrets;
pub mod sites;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use domain::{agent, company, conversation, email, site, user, Decider, Metadata};
use rand::Rng;
use store::{EventStore, ExpectedVersion, NewEvent, Position, StoreError};
use thiserror::Error;

const MAX_ATTEMPTS: u32 = 12;

#[derive(Debug, Error)]
pub enum Error {
    #[error(transparent)]
    Company(#[from] company::Error),
    #[error(transparent)]
    User(#[from] user::Error),
    #[error(transparent)]
    Email(#[from] email::Error),
    #[error(transparent)]
    Site(#[from] site::Error),
    #[error(transparent)]
    Agent(#[from] agent::Error),
    #[error(transparent)]
    Conversation(#[from] conversation::Error),
    #[error("no other agent of this site is online with a free slot")]
    NoAgentAvailable,
    #[error(transparent)]
    InvalidEmail(#[from] email::InvalidAddress),
    #[error("`{stream}` changed {MAX_ATTEMPTS} times while deciding; try again")]
    Contention { stream: String },
    #[error("not found")]
    NotFound,
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("database error: {0}")]
    Database(String),
}

impl From<tokio_postgres::Error> for Error {
    fn from(e: tokio_postgres::Error) -> Self {
        Error::Database(store::describe(&e))
    }
}

impl From<deadpool_postgres::PoolError> for Error {
    fn from(e: deadpool_postgres::PoolError) -> Self {
        Error::Database(e.to_string())
    }
}

/// What a command did: the events it appended (none when nothing needed changing) and
/// the position of the last one, to wait for before reading.
#[derive(Debug, Clone)]
pub struct Outcome<E> {
    pub events: Vec<E>,
    pub position: Option<Position>,
    /// The stream's version after the last appended event.
    pub version: Option<u64>,
}

/// The state of `stream` and its last version (None when it has no events).
pub async fn load<D: Decider, S: EventStore>(store: &S, stream: &str) -> Result<(D::State, Option<u64>), Error> {
    let recorded = store.read_stream(stream, 0).await?;
    let mut state = D::State::default();
    let mut version = None;
    for event in &recorded {
        state = D::evolve(state, &event.decode_as::<D::Event>()?);
        version = Some(event.version);
    }
    Ok((state, version))
}

/// The last state this process saw of some streams, so a long stream (a company with
/// thousands of members) is not folded from its first event for every command. Only an
/// optimisation: appends still carry the expected version, so a stale entry costs a retry,
/// never a wrong decision.
pub struct StateCache<St> {
    entries: Mutex<HashMap<String, (u64, St)>>,
}

impl<St: Clone> StateCache<St> {
    pub fn new() -> Arc<Self> {
        Arc::new(StateCache { entries: Mutex::new(HashMap::new()) })
    }

    fn get(&self, stream: &str) -> Option<(u64, St)> {
        self.entries.lock().unwrap().get(stream).cloned()
    }

    fn put(&self, stream: &str, version: u64, state: St) {
        let mut entries = self.entries.lock().unwrap();
        if entries.len() > 10_000 {
            entries.clear();
        }
        entries.insert(stream.to_owned(), (version, state));
    }
}

/// `load`, starting from the cached state when there is one.
pub async fn load_cached<D: Decider, S: EventStore>(
    store: &S,
    stream: &str,
    cache: Option<&StateCache<D::State>>,
) -> Result<(D::State, Option<u64>), Error> {
    let Some(cache) = cache else { return load::<D, S>(store, stream).await };
    let (mut state, mut version, from) = match cache.get(stream) {
        Some((v, cached)) => (cached, Some(v), v + 1),
        None => (D::State::default(), None, 0),
    };
    let mut read = false;
    for event in store.read_stream(stream, from).await? {
        state = D::evolve(state, &event.decode_as::<D::Event>()?);
        version = Some(event.version);
        read = true;
    }
    if let (true, Some(v)) = (read, version) {
        cache.put(stream, v, state.clone());
    }
    Ok((state, version))
}

/// Decides `command` against the current state of `stream` and appends the result.
pub async fn execute<D, S>(store: &S, stream: &str, command: &D::Command, metadata: &Metadata) -> Result<Outcome<D::Event>, Error>
where
    D: Decider,
    S: EventStore,
    Error: From<D::Error>,
{
    execute_cached::<D, S>(store, stream, command, metadata, None).await
}

/// `execute`, keeping the stream's state in `cache` between commands.
pub async fn execute_cached<D, S>(
    store: &S,
    stream: &str,
    command: &D::Command,
    metadata: &Metadata,
    cache: Option<&StateCache<D::State>>,
) -> Result<Outcome<D::Event>, Error>
where
    D: Decider,
    S: EventStore,
    Error: From<D::Error>,
{
    for attempt in 0..MAX_ATTEMPTS {
        // First, trust the state this process saw last and let the expected version check
        // it (one round trip instead of two: messages go through here); when that fails, or
        // when it leads to a refusal or to nothing to do, read what is new and decide again.
        let cached = cache.filter(|_| attempt == 0).and_then(|c| c.get(stream));
        let optimistic = cached.is_some();
        let (state, version) = match cached {
            Some((v, state)) => (state, Some(v)),
            None => load_cached::<D, S>(store, stream, cache).await?,
        };
        let events = match D::decide(&state, command) {
            Ok(events) if events.is_empty() && optimistic => continue,
            Ok(events) => events,
            Err(_) if optimistic => continue,
            Err(e) => return Err(e.into()),
        };
        if events.is_empty() {
            if let (Some(cache), Some(v)) = (cache, version) {
                cache.put(stream, v, state);
            }
            return Ok(Outcome { events, position: None, version: None });
        }
        let new = events.iter().map(NewEvent::from_payload).collect();
        match store.append(stream, ExpectedVersion::from_current(version), new, metadata).await {
            Ok(appended) => {
                if let Some(cache) = cache {
                    let state = events.iter().fold(state, D::evolve);
                    cache.put(stream, appended.last_version, state);
                }
                return Ok(Outcome { events, position: Some(appended.position), version: Some(appended.last_version) });
            }
            Err(e) if e.is_conflict() && optimistic => {}
            Err(e) if e.is_conflict() => {
                // Someone else changed the stream: decide again on what they did, after a
                // short random pause so racing writers spread out.
                let pause = rand::thread_rng().gen_range(0..=(2u64 << attempt.min(6)));
                tokio::time::sleep(Duration::from_millis(pause)).await;
            }
            Err(e) => return Err(e.into()),
        }
    }
    Err(Error::Contention { stream: stream.to_owned() })
}
