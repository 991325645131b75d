//! The contract every event store adapter passes: the same tests, written against the
//! port (`EventStore`) only, run for each backend, in the spirit of pyeventsourcing's shared
//! persistence test cases. What needs raw SQL or one backend's semantics stays beside the
//! adapter's own tests.
//!
//! A backend plugs in by implementing [`Backend`] (a fresh, empty store) and calling
//! [`contract_tests!`](crate::contract_tests), which writes one `#[tokio::test]` per
//! contract test:
//!
//! ```ignore
//! struct Postgres(testkit::TestDb); // dropping it drops the database
//!
//! impl store::contract::Backend for Postgres {
//!     type Store = store::PgEventStore;
//!     async fn fresh() -> Self { Postgres(testkit::TestDb::new().await) }
//!     fn open(&self) -> store::PgEventStore { self.0.store() }
//! }
//!
//! store::contract_tests!(Postgres);
//! ```
//!
//! The suite lives in the store crate, behind the feature `contract-tests`, so that both
//! this crate's tests (the in-memory store) and the end-to-end tests (PostgreSQL, which
//! needs the test kit's databases) can run it; an EventStoreDB backend gates its call on the
//! `eventstoredb` feature and takes its server from `EVENTSTORE_URL`.

mod appends;
mod reads;
mod subscriptions;

pub use appends::*;
pub use reads::*;
pub use subscriptions::*;

use std::future::Future;
use std::time::Duration;

use chrono::Utc;
use domain::{Actor, Metadata};
use serde_json::json;
use uuid::Uuid;

use crate::{EventStore, NewEvent, Poller, Position, RecordedEvent, Subscription};

/// A backend under test: one fresh, empty event store per test.
pub trait Backend: Sized + 'static {
    type Store: EventStore;

    /// A new, empty store. The value keeps alive whatever the store needs for the length of
    /// one test (a database that its `Drop` removes, say).
    fn fresh() -> impl Future<Output = Self>;

    /// A handle on this store's log with connections and state of its own, as another
    /// process of the same deployment would open it.
    fn open(&self) -> Self::Store;
}

/// Writes one `#[tokio::test]` per contract test, run against `$backend` (a
/// [`Backend`](crate::contract::Backend)). Every contract test is listed here.
#[macro_export]
macro_rules! contract_tests {
    ($backend:ty) => {
        $crate::contract_tests!(@each $backend;
            appends_check_the_expected_version_and_report_the_actual_one,
            a_conflict_is_typed_and_stores_nothing,
            an_append_of_several_events_takes_consecutive_versions_and_rising_positions,
            every_envelope_field_is_stored_and_read_back,
            re_appending_the_same_event_ids_returns_the_original_result_and_stores_nothing,
            a_partial_duplicate_is_refused_and_stores_nothing,
            racing_writers_on_one_stream_never_both_win_and_blind_appends_all_land (flavor = "multi_thread", worker_threads = 4),
            an_unknown_or_malformed_event_is_an_error_naming_it_not_a_panic,
            a_missing_stream_reads_as_empty,
            read_stream_starts_at_the_version_asked_for,
            read_all_after_a_position_continues_right_after_it_and_never_repeats,
            hints_change_when_events_are_appended,
            subscribe_from_a_middle_position_starts_right_after_it,
            racing_writers_and_live_subscribers_agree_on_every_event (flavor = "multi_thread", worker_threads = 4),
            a_subscriber_far_behind_the_others_misses_nothing,
            a_subscriber_that_comes_while_nobody_follows_gets_the_next_append,
            an_append_racing_the_first_subscription_arrives (flavor = "multi_thread", worker_threads = 2),
        );
    };
    (@each $backend:ty; $($name:ident $(($($runtime:tt)*))?),* $(,)?) => {
        $(
            #[tokio::test$(($($runtime)*))?]
            async fn $name() {
                $crate::contract::$name::<$backend>().await;
            }
        )*
    };
}

/// How long a test waits for an event it is owed before it fails.
const PATIENCE: Duration = Duration::from_secs(10);

/// A well-formed event of the `email` category (events are decoded by category).
fn event(n: u64) -> NewEvent {
    NewEvent {
        event_id: Uuid::now_v7(),
        event_type: "EmailClaimed".into(),
        schema: 1,
        payload: json!({ "user_id": Uuid::now_v7(), "n": n }),
        occurred_at: Utc::now(),
    }
}

fn meta() -> Metadata {
    Metadata::new(None, Actor::System("contract".into()))
}

/// The next event of a subscription, which must come.
async fn next_event(subscription: &mut Subscription, who: &str) -> RecordedEvent {
    tokio::time::timeout(PATIENCE, subscription.next())
        .await
        .unwrap_or_else(|_| panic!("{who}: no event within {PATIENCE:?}"))
        .unwrap_or_else(|| panic!("{who}: the subscription ended"))
        .unwrap_or_else(|e| panic!("{who}: {e}"))
}

/// Appends a marker after everything a test wrote: the next event each of its subscribers
/// gets must be the marker. Proof that nothing extra arrived, without waiting for nothing.
async fn append_marker<S: EventStore>(store: &S) -> Position {
    store
        .append(&format!("email-marker-{}@example.com", Uuid::now_v7()), crate::ExpectedVersion::NoStream, vec![event(0)], &meta())
        .await
        .unwrap()
        .position
}

async fn assert_next_is_marker(subscription: &mut Subscription, marker: Position, who: &str) {
    let next = next_event(subscription, who).await;
    assert!(next.position == marker && next.stream.starts_with("email-marker-"), "{who}: an event more than was appended: {next:?}");
}

/// Every event from the start of the log through `last` (an event's position), read with
/// `read_all`. The port lets `read_all` hold back events behind a transaction still open
/// (on PostgreSQL anywhere on the server), so this waits for them as a subscriber would.
async fn read_all_through<S: EventStore>(store: &S, last: Position) -> Vec<RecordedEvent> {
    let deadline = tokio::time::Instant::now() + 3 * PATIENCE;
    let mut poller = Poller::new(store.hints());
    let mut events: Vec<RecordedEvent> = Vec::new();
    let mut position = Position::START;
    while position < last {
        let batch = store.read_all(position, 1000).await.expect("read_all");
        assert_rising_after(&batch, position);
        match batch.last() {
            Some(newest) => {
                position = newest.position;
                events.extend(batch);
            }
            None => {
                assert!(tokio::time::Instant::now() < deadline, "read_all stopped at {position}, short of {last}");
                poller.wait().await;
            }
        }
    }
    assert_eq!(position, last, "read_all went past the last event appended");
    events
}

/// What `read_all(after, …)` returns must come after `after`, each event after the one
/// before; else a reader paging through the log would never reach its end.
fn assert_rising_after(batch: &[RecordedEvent], after: Position) {
    let mut previous = after;
    for event in batch {
        assert!(event.position > previous, "read_all after {after} gave the event at {} after {previous}", event.position);
        previous = event.position;
    }
}
