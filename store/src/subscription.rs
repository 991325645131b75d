//! Catch-up-then-live subscriptions, and the wait between empty reads.

use std::time::Duration;

use std::sync::Arc;

use tokio::sync::{broadcast, mpsc, watch};
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

/// Events the tail read: those after `after`, in order.
#[derive(Debug)]
pub struct TailBatch {
    pub after: Position,
    pub events: Vec<RecordedEvent>,
}

type Sink = mpsc::Sender<Result<RecordedEvent, StoreError>>;

/// Why a subscription's task stops: its reader went away.
struct Gone;

impl Subscription {
    /// Reads from `after` on by itself until it has caught up, then takes batches from
    /// `tail` (the store's shared reader), filling any gap from the log: a subscription that
    /// fell behind the tail, or joined it late, reads what it missed.
    pub(crate) fn start<S: EventStore>(store: S, after: Position, tail: Option<broadcast::Receiver<Arc<TailBatch>>>) -> Self {
        let (tx, events) = mpsc::channel(BATCH);
        let task = tokio::spawn(async move {
            let mut position = after;
            let Ok(()) = follow(&store, &mut position, &tx, tail).await else { return };
            // No tail, or it ended: every subscription polls the log on its own.
            let mut poller = Poller::new(store.hints());
            loop {
                match read_into(&store, &mut position, &tx).await {
                    Ok(0) => poller.wait().await,
                    Ok(_) => {}
                    Err(Gone) => return,
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

/// Catches up from `position`, then follows the tail while there is one.
async fn follow<S: EventStore>(store: &S, position: &mut Position, tx: &Sink, tail: Option<broadcast::Receiver<Arc<TailBatch>>>) -> Result<(), Gone> {
    let Some(mut tail) = tail else { return Ok(()) };
    // Listening before catching up: nothing between the two is missed.
    while read_into(store, position, tx).await? == BATCH {}
    loop {
        let batch = match tail.recv().await {
            Ok(batch) => batch,
            // The batches missed show as a gap before the next one.
            Err(broadcast::error::RecvError::Lagged(_)) => continue,
            Err(broadcast::error::RecvError::Closed) => return Ok(()),
        };
        let mut misses = 0u32;
        while *position < batch.after {
            if read_into(store, position, tx).await? == 0 {
                // The tail has read these, so they are there; a failed read is tried again.
                misses += 1;
                tokio::time::sleep(FIRST_RETRY * misses.min(100)).await;
            }
        }
        for event in &batch.events {
            if event.position <= *position {
                continue;
            }
            *position = event.position;
            tx.send(Ok(event.clone())).await.map_err(|_| Gone)?;
        }
    }
}

/// One read of the log after `position` into `tx`; how many events it passed on (a read
/// error is passed on too, after a pause, and counts as none).
async fn read_into<S: EventStore>(store: &S, position: &mut Position, tx: &Sink) -> Result<usize, Gone> {
    match store.read_all(*position, BATCH).await {
        Ok(batch) => {
            let n = batch.len();
            for event in batch {
                *position = event.position;
                tx.send(Ok(event)).await.map_err(|_| Gone)?;
            }
            Ok(n)
        }
        Err(e) => {
            tx.send(Err(e)).await.map_err(|_| Gone)?;
            tokio::time::sleep(FALLBACK).await;
            Ok(0)
        }
    }
}
