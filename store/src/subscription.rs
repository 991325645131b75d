//! Catch-up-then-live subscriptions, and the wait between empty reads.

use std::time::Duration;

use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

use crate::{EventStore, Position, RecordedEvent, StoreError};

pub const BATCH: usize = 1000;

/// Waits between reads that found nothing: until a hint arrives or a slow fallback poll.
/// After a hint, a read may still find nothing because an older transaction holds the
/// barrier; the poller then retries quickly, backing off, without spinning.
pub struct Poller {
    hints: watch::Receiver<u64>,
    retry: Option<Duration>,
}

const FIRST_RETRY: Duration = Duration::from_millis(2);
const LAST_RETRY: Duration = Duration::from_millis(512);
const FALLBACK: Duration = Duration::from_secs(1);

impl Poller {
    pub fn new(hints: watch::Receiver<u64>) -> Self {
        Poller { hints, retry: Some(FIRST_RETRY) }
    }

    /// Call after a read that returned nothing.
    pub async fn wait(&mut self) {
        let timeout = self.retry.unwrap_or(FALLBACK);
        tokio::select! {
            changed = self.hints.changed() => {
                if changed.is_err() {
                    // The store is gone; polling slowly is all that is left.
                    tokio::time::sleep(FALLBACK).await;
                }
                self.retry = Some(FIRST_RETRY);
            }
            _ = tokio::time::sleep(timeout) => {
                self.retry = self.retry.map(|d| d * 2).filter(|d| *d <= LAST_RETRY);
            }
        }
    }
}

/// Events in global order, from a position on, for as long as it is kept.
pub struct Subscription {
    events: mpsc::Receiver<Result<RecordedEvent, StoreError>>,
    task: JoinHandle<()>,
}

impl Subscription {
    pub(crate) fn start<S: EventStore>(store: S, after: Position) -> Self {
        let (tx, events) = mpsc::channel(BATCH);
        let task = tokio::spawn(async move {
            let mut poller = Poller::new(store.hints());
            let mut position = after;
            loop {
                match store.read_all(position, BATCH).await {
                    Ok(batch) if batch.is_empty() => poller.wait().await,
                    Ok(batch) => {
                        for event in batch {
                            position = event.position;
                            if tx.send(Ok(event)).await.is_err() {
                                return;
                            }
                        }
                    }
                    Err(e) => {
                        if tx.send(Err(e)).await.is_err() {
                            return;
                        }
                        tokio::time::sleep(FALLBACK).await;
                    }
                }
            }
        });
        Subscription { events, task }
    }

    /// The next event; a read error is passed on and the subscription keeps going.
    pub async fn next(&mut self) -> Option<Result<RecordedEvent, StoreError>> {
        self.events.recv().await
    }

    /// Waits for at least one event, then takes up to `max` of those already read ahead.
    /// Returns 0 only when the subscription has ended.
    pub async fn next_batch(&mut self, into: &mut Vec<Result<RecordedEvent, StoreError>>, max: usize) -> usize {
        self.events.recv_many(into, max).await
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        self.task.abort();
    }
}
