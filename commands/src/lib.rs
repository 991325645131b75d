//! Command handlers. Each loads a stream, asks the aggregate's decider, and appends the
//! decision with the version it read; a concurrent change makes the append fail and the
//! handler decides again on fresh state, a bounded number of times.

pub mod accounts;
pub mod chat;
pub mod mailer;
pub mod offline_mailer;
pub mod outbox;
pub mod password_reset_mailer;
pub mod secrets;
pub mod sites;
pub mod transcript_mailer;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use domain::EventPayload;
use domain::{agent, company, conversation, email, site, user, visitor, Decider, Metadata};
use rand::Rng;
use store::{EventStore, ExpectedVersion, NewEvent, Position, Sealer, StoreError};
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
    #[error(transparent)]
    Visitor(#[from] visitor::Error),
    #[error(transparent)]
    Canned(#[from] domain::canned::Error),
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
    #[error(transparent)]
    Keyring(#[from] store::KeyringError),
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
/// never a wrong decision. States are shared, not copied: one taken out of the cache to be
/// moved on is changed in place when nobody else holds it.
pub struct StateCache<St> {
    entries: Mutex<HashMap<String, (u64, Arc<St>)>>,
}

impl<St: Clone> StateCache<St> {
    pub fn new() -> Arc<Self> {
        Arc::new(StateCache { entries: Mutex::new(HashMap::new()) })
    }

    fn get(&self, stream: &str) -> Option<(u64, Arc<St>)> {
        self.entries.lock().unwrap().get(stream).cloned()
    }

    /// Removes the entry if it is still at `version`, so that the caller's copy is its only
    /// holder.
    fn forget(&self, stream: &str, version: u64) {
        let mut entries = self.entries.lock().unwrap();
        if entries.get(stream).is_some_and(|(v, _)| *v == version) {
            entries.remove(stream);
        }
    }

    fn put(&self, stream: &str, version: u64, state: Arc<St>) {
        let mut entries = self.entries.lock().unwrap();
        if entries.len() > 10_000 {
            entries.clear();
        }
        entries.insert(stream.to_owned(), (version, state));
    }

    /// The state to move on from version `version`, owned: out of the cache first, so it
    /// is copied only when someone else still holds it.
    fn owned(&self, stream: &str, version: Option<u64>, state: Arc<St>) -> St {
        if let Some(v) = version {
            self.forget(stream, v);
        }
        Arc::unwrap_or_clone(state)
    }
}

/// `load`, starting from the cached state when there is one.
pub async fn load_cached<D: Decider, S: EventStore>(
    store: &S,
    stream: &str,
    cache: Option<&StateCache<D::State>>,
) -> Result<(Arc<D::State>, Option<u64>), Error> {
    let Some(cache) = cache else {
        let (state, version) = load::<D, S>(store, stream).await?;
        return Ok((Arc::new(state), version));
    };
    let (state, version) = match cache.get(stream) {
        Some((v, cached)) => (cached, Some(v)),
        None => (Arc::default(), None),
    };
    let recorded = store.read_stream(stream, version.map_or(0, |v| v + 1)).await?;
    let Some(last) = recorded.last().map(|e| e.version) else { return Ok((state, version)) };
    let mut state = cache.owned(stream, version, state);
    for event in &recorded {
        state = D::evolve(state, &event.decode_as::<D::Event>()?);
    }
    let state = Arc::new(state);
    cache.put(stream, last, state.clone());
    Ok((state, Some(last)))
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
    execute_sealed::<D, S>(store, stream, command, metadata, cache, None).await
}

/// `execute_cached`, sealing the personal data of the events with `sealer` before they
/// are stored (the outcome keeps them plain, for the caller to show).
pub async fn execute_sealed<D, S>(
    store: &S,
    stream: &str,
    command: &D::Command,
    metadata: &Metadata,
    cache: Option<&StateCache<D::State>>,
    sealer: Option<&Sealer>,
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
            return Ok(Outcome { events, position: None, version: None });
        }
        let new = events
            .iter()
            .map(|event| match sealer {
                Some(sealer) => {
                    let mut sealed = event.clone();
                    sealer.seal(sealed.personal_mut());
                    NewEvent::from_payload(&sealed)
                }
                None => NewEvent::from_payload(event),
            })
            .collect();
        match store.append(stream, ExpectedVersion::from_current(version), new, metadata).await {
            Ok(appended) => {
                if let Some(cache) = cache {
                    let state = events.iter().fold(cache.owned(stream, version, state), D::evolve);
                    cache.put(stream, appended.last_version, Arc::new(state));
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
