//! The event store: a port any backend implements (PostgreSQL here; EventStoreDB later),
//! its PostgreSQL adapter, an in-memory adapter for unit tests (feature `memory`), the
//! contract suite every adapter passes (feature `contract-tests`), the database connection
//! and migrations, and the embedded PostgreSQL cluster used when no `DATABASE_URL` is given.

#[cfg(any(test, feature = "contract-tests"))]
pub mod contract;
pub mod db;
pub mod embedded;
mod keyring;
#[cfg(any(test, feature = "memory"))]
pub mod memory;
mod model;
mod postgres;
mod query;
mod subscription;
pub mod transfer;

pub use keyring::{Keyring, KeyringError, Sealer};
pub use model::*;
pub use postgres::PgEventStore;
pub use query::EventFilter;
pub use subscription::{Poller, Subscription};

use std::future::Future;

/// What every event store backend offers. Appends go to exactly one stream; the global
/// order (`Position`) is the order in which every subscriber sees events.
///
/// A trait, and code above it generic over `S: EventStore`, because more than one adapter
/// implements it: PostgreSQL, the in-memory store that unit tests of commands and use cases
/// run on, and later EventStoreDB; the contract suite (`store::contract`) runs against each.
pub trait EventStore: Clone + Send + Sync + 'static {
    /// Appends `events` to `stream` if its version is as `expected`. Re-appending event ids
    /// already stored returns the original result (`duplicate: true`) and stores nothing;
    /// mixing stored ids with new ones is a `PartialDuplicate`. A refused append stores
    /// nothing.
    fn append(
        &self,
        stream: &str,
        expected: ExpectedVersion,
        events: Vec<NewEvent>,
        metadata: &domain::Metadata,
    ) -> impl Future<Output = Result<AppendResult, StoreError>> + Send;

    /// The events of one stream from `from_version` on; empty when the stream does not exist.
    fn read_stream(&self, stream: &str, from_version: u64) -> impl Future<Output = Result<Vec<RecordedEvent>, StoreError>> + Send;

    /// Up to `limit` events after `after`, in global order, never past an event that could
    /// still be followed by one committing later.
    fn read_all(&self, after: Position, limit: usize) -> impl Future<Output = Result<Vec<RecordedEvent>, StoreError>> + Send;

    /// Every event after `after`: first those stored, then live ones as they commit.
    fn subscribe(&self, after: Position) -> Subscription;

    /// A receiver that changes whenever new events may be readable (a hint, not a proof).
    fn hints(&self) -> tokio::sync::watch::Receiver<u64>;

    /// How many events the log holds, for progress reports; `None` when the backend cannot
    /// tell cheaply.
    fn count(&self) -> impl Future<Output = Result<Option<u64>, StoreError>> + Send {
        async { Ok(None) }
    }
}
