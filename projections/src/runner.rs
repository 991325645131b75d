//! Running, waiting for and rebuilding projections.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use deadpool_postgres::{Pool, Transaction};
use store::{EventStore, Keyring, KeyringError, Position, RecordedEvent, StoreError};
use thiserror::Error;
use tokio::sync::watch;

use crate::parked;
use crate::writes::Writes;

const BATCH: usize = 1000;

/// A read model fed by events: for each event, the SQL writes it makes. Projections do not
/// read while applying, so the runner can pipeline a whole batch of writes in one
/// transaction. Their SQL names tables without a schema: the runner points `search_path`
/// at the live tables, or at fresh copies during a rebuild.
pub trait Projection: Send + Sync + 'static {
    /// Checkpoint name; also names the rebuild schema.
    const NAME: &'static str;
    /// Tables this projection owns; a rebuild replaces them all at once.
    const TABLES: &'static [&'static str];
    /// Whether it reads visitors' personal data: the runner then opens it with the
    /// visitors' keys (erased data arrives as `Personal::Erased`) before `apply`.
    const READS_PERSONAL_DATA: bool = false;

    /// The writes `event` makes; an event this projection cannot read (a malformed stream
    /// name, say) is an error, never a row about a nil id.
    fn apply(&self, event: &RecordedEvent, decoded: &domain::Event, writes: &mut Writes) -> Result<(), ProjectionError>;
}

#[derive(Debug, Error)]
pub enum ProjectionError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("read model: {}", store::describe(.0))]
    Database(#[from] tokio_postgres::Error),
    #[error("no database connection: {0}")]
    Pool(#[from] deadpool_postgres::PoolError),
    #[error(transparent)]
    Stream(#[from] domain::StreamNameError),
    #[error(transparent)]
    Keyring(#[from] KeyringError),
    #[error("projection `{name}` has not reached the position in time{}", stalled.as_ref().map(|e| format!(" (stalled: {e})")).unwrap_or_default())]
    Timeout { name: String, stalled: Option<String> },
}

/// Where each projection running in this process has got to, for read-your-writes waits.
#[derive(Clone, Default)]
pub struct Checkpoints {
    progress: Arc<Mutex<HashMap<&'static str, watch::Receiver<Position>>>>,
}

impl Checkpoints {
    fn register(&self, name: &'static str, start: Position) -> watch::Sender<Position> {
        let (tx, rx) = watch::channel(start);
        self.progress.lock().unwrap().insert(name, rx);
        tx
    }

    fn receiver(&self, name: &str) -> Option<watch::Receiver<Position>> {
        self.progress.lock().unwrap().get(name).cloned()
    }
}

pub(crate) async fn load_checkpoint(pool: &Pool, name: &str) -> Result<Position, ProjectionError> {
    let client = pool.get().await?;
    client.execute("INSERT INTO projection_checkpoints (name) VALUES ($1) ON CONFLICT (name) DO NOTHING", &[&name]).await?;
    let row = client.query_one("SELECT tx, pos FROM projection_checkpoints WHERE name = $1", &[&name]).await?;
    Ok(Position { tx: row.get::<_, i64>(0) as u64, seq: row.get::<_, i64>(1) as u64 })
}

/// Keeps `projection` up to date for as long as the returned future runs. Several
/// processes may run the same projection: the checkpoint row's lock lets one apply a
/// batch at a time, and a process that finds the checkpoint moved on simply catches up.
pub async fn run<S: EventStore, P: Projection>(store: S, pool: Pool, keyring: Keyring, projection: P, checkpoints: Checkpoints) {
    let mut retry = Duration::from_secs(1);
    let progress = loop {
        match load_checkpoint(&pool, P::NAME).await {
            Ok(position) => break checkpoints.register(P::NAME, position),
            Err(e) => {
                tracing::error!(projection = P::NAME, error = %e, "cannot load checkpoint");
                tokio::time::sleep(retry).await;
                retry = (retry * 2).min(Duration::from_secs(30));
            }
        }
    };
    let mut position = *progress.borrow();
    let mut held = loop {
        match pool.get().await {
            Ok(client) => match parked::held_streams(&**client, P::NAME).await {
                Ok(held) => break held,
                Err(e) => tracing::error!(projection = P::NAME, error = %store::describe(&e), "cannot read parked events"),
            },
            Err(e) => tracing::error!(projection = P::NAME, error = %e, "cannot read parked events"),
        }
        tokio::time::sleep(retry).await;
    };
    // Where the stored checkpoint is; behind `position` when the batches since had nothing
    // to write: most events mean nothing to most projections (chat messages to the users
    // list), and a transaction to move the checkpoint alone for each would cost a commit.
    let mut stored = position;
    let mut stored_at = Instant::now();
    // The subscription reads the next batch while this one is applied.
    let mut subscription = store.subscribe(position);
    let mut received = Vec::with_capacity(BATCH);
    let mut backoff = Duration::from_secs(1);
    loop {
        received.clear();
        let next = subscription.next_batch(&mut received, BATCH);
        let got = if stored == position {
            next.await
        } else {
            // Idle with the checkpoint behind: store it.
            tokio::time::timeout(CHECKPOINT_EVERY, next).await.unwrap_or(usize::MAX)
        };
        if got == 0 {
            return;
        }
        let mut batch = Vec::with_capacity(received.len());
        let mut read_error = None;
        for item in received.drain(..) {
            match item {
                Ok(event) => batch.push(event),
                Err(e) => {
                    read_error = Some(e);
                    break;
                }
            }
        }
        let before = held.clone();
        let outcome = match writes_of(&projection, &keyring, &batch, &mut held).await {
            Ok(writes) if writes.is_empty() && (batch.is_empty() || stored_at.elapsed() < CHECKPOINT_EVERY) && got != usize::MAX => {
                if let Some(last) = batch.last() {
                    position = last.position;
                    progress.send_replace(position);
                }
                None
            }
            Ok(writes) => {
                let last = batch.last().map_or(position, |e| e.position);
                Some(apply_batch(&pool, P::NAME, stored, writes, last, &before).await)
            }
            Err(e) => Some(Err(e)),
        };
        match outcome {
            None => {}
            Some(Ok(Applied::HeldChanged(now))) => {
                // A retry (or another process) changed what is parked: decide this batch
                // again from what the database says.
                held = now;
                subscription = store.subscribe(position);
                continue;
            }
            Some(Ok(Applied::Done(last))) => {
                (position, stored, stored_at) = (last, last, Instant::now());
                progress.send_replace(last);
                backoff = Duration::from_secs(1);
            }
            Some(Ok(Applied::MovedOn(theirs))) => {
                (position, stored, stored_at) = (theirs, theirs, Instant::now());
                progress.send_replace(theirs);
                subscription = store.subscribe(position);
                continue;
            }
            Some(Err(e)) => {
                // Nothing was written; the same events are read and tried again, so no event
                // is skipped. A bad event stalls this projection loudly rather than silently.
                tracing::error!(projection = P::NAME, error = %e, "projection stalled; retrying");
                record_error(&pool, P::NAME, &e.to_string()).await;
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(Duration::from_secs(60));
                subscription = store.subscribe(position);
                continue;
            }
        }
        if let Some(e) = read_error {
            tracing::warn!(projection = P::NAME, error = %e, "cannot read events");
            tokio::time::sleep(backoff).await;
            subscription = store.subscribe(position);
        }
    }
}

/// How long the stored checkpoint may stay behind when nothing was written.
const CHECKPOINT_EVERY: Duration = Duration::from_secs(1);

enum Applied {
    Done(Position),
    /// Another process applied this batch first; its checkpoint.
    MovedOn(Position),
    /// The held streams are not those the writes were decided with: these are.
    HeldChanged(HashSet<String>),
}

/// Writes a batch's effects and moves the checkpoint from `from` to `to`, in one
/// transaction, unless another process moved the checkpoint first.
async fn apply_batch(
    pool: &Pool,
    name: &str,
    from: Position,
    writes: Writes,
    to: Position,
    held: &HashSet<String>,
) -> Result<Applied, ProjectionError> {
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    // The held streams, read under the checkpoint's lock (which a retry takes too), in the
    // same round trip.
    let row = tx
        .query_one(
            "SELECT tx, pos, (SELECT array_agg(DISTINCT stream) FROM parked_events WHERE projection = $1)
             FROM projection_checkpoints WHERE name = $1 FOR UPDATE",
            &[&name],
        )
        .await?;
    let current = Position { tx: row.get::<_, i64>(0) as u64, seq: row.get::<_, i64>(1) as u64 };
    if current != from {
        return Ok(Applied::MovedOn(current));
    }
    let now: HashSet<String> = row.get::<_, Option<Vec<String>>>(2).unwrap_or_default().into_iter().collect();
    if now != *held {
        return Ok(Applied::HeldChanged(now));
    }
    // A read model is rebuilt from the log, and its rows commit with their checkpoint: if
    // PostgreSQL crashed before this commit reached the disk, both would be lost together
    // and the events applied again. No need to wait for the flush.
    tx.batch_execute("SET LOCAL synchronous_commit = off; SET LOCAL search_path = public").await?;
    writes.execute(&tx).await?;
    tx.execute(
        "UPDATE projection_checkpoints SET tx = $2, pos = $3, updated_at = now(), last_error = NULL WHERE name = $1",
        &[&name, &(to.tx as i64), &(to.seq as i64)],
    )
    .await?;
    tx.commit().await?;
    Ok(Applied::Done(to))
}

/// What a batch of events writes. An event that cannot be decoded or applied is parked,
/// and so is every later event of a stream in `held` (which it joins); the rest applies.
async fn writes_of<P: Projection>(
    projection: &P,
    keyring: &Keyring,
    batch: &[RecordedEvent],
    held: &mut HashSet<String>,
) -> Result<Writes, ProjectionError> {
    let decoded = decode_and_open::<P>(keyring, batch).await?;
    let mut writes = Writes::default();
    for (event, decoded) in batch.iter().zip(decoded) {
        if held.contains(&event.stream) {
            parked::park(&mut writes, P::NAME, event, parked::HELD_BEHIND);
            continue;
        }
        let mut own = Writes::default();
        match decoded.and_then(|d| projection.apply(event, &d, &mut own).map_err(|e| e.to_string())) {
            Ok(()) => writes.append(own),
            Err(error) => {
                tracing::error!(projection = P::NAME, event_id = %event.event_id, stream = %event.stream, %error, "event parked");
                parked::park(&mut writes, P::NAME, event, &error);
                held.insert(event.stream.clone());
            }
        }
    }
    Ok(writes)
}

/// The batch decoded (an event that does not decode is its error, in words), with the
/// visitors' data opened when the projection reads it, in one read of their keys.
pub(crate) async fn decode_and_open<P: Projection>(
    keyring: &Keyring,
    batch: &[RecordedEvent],
) -> Result<Vec<Result<domain::Event, String>>, ProjectionError> {
    let mut decoded: Vec<Result<domain::Event, String>> = batch.iter().map(|e| e.decode().map_err(|e| e.to_string())).collect();
    if P::READS_PERSONAL_DATA {
        keyring.open_events(decoded.iter_mut().flatten()).await?;
    }
    Ok(decoded)
}

async fn apply_events<P: Projection>(
    tx: &Transaction<'_>,
    projection: &P,
    keyring: &Keyring,
    batch: &[RecordedEvent],
    held: &mut HashSet<String>,
) -> Result<Position, ProjectionError> {
    writes_of(projection, keyring, batch, held).await?.execute(tx).await?;
    Ok(batch.last().map(|e| e.position).unwrap_or_default())
}

async fn record_error(pool: &Pool, name: &str, error: &str) {
    if let Ok(client) = pool.get().await {
        let _ = client.execute("UPDATE projection_checkpoints SET last_error = $2, updated_at = now() WHERE name = $1", &[&name, &error]).await;
    }
}

/// Returns once projection `name` has applied everything up to `position` (the position a
/// command returned), so a page shown next reads its own writes.
pub async fn wait_for(pool: &Pool, checkpoints: &Checkpoints, name: &str, position: Position, timeout: Duration) -> Result<(), ProjectionError> {
    let deadline = tokio::time::Instant::now() + timeout;
    let mut local = checkpoints.receiver(name);
    // Short at first: the runner of a process that just started registers within moments.
    let mut poll = Duration::from_millis(5);
    loop {
        // The runner may register after the wait began (it was just started).
        if local.is_none() {
            local = checkpoints.receiver(name);
        }
        if local.as_ref().is_some_and(|rx| *rx.borrow() >= position) {
            return Ok(());
        }
        // The projection may be applied by another process.
        let client = pool.get().await?;
        let row = client.query_opt("SELECT tx, pos, last_error FROM projection_checkpoints WHERE name = $1", &[&name]).await?;
        if let Some(row) = &row {
            let theirs = Position { tx: row.get::<_, i64>(0) as u64, seq: row.get::<_, i64>(1) as u64 };
            if theirs >= position {
                return Ok(());
            }
        }
        if tokio::time::Instant::now() >= deadline {
            let stalled = row.and_then(|r| r.get::<_, Option<String>>(2));
            return Err(ProjectionError::Timeout { name: name.to_owned(), stalled });
        }
        drop(client);
        let pause = tokio::time::sleep(poll);
        poll = (poll * 2).min(Duration::from_millis(50));
        match local.as_mut() {
            Some(rx) => {
                tokio::select! {
                    _ = rx.changed() => {}
                    _ = pause => {}
                }
            }
            None => pause.await,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RebuildReport {
    pub events: u64,
    pub position: Position,
}

/// Told how a replay advances, so callers can draw progress without this crate knowing
/// about terminals.
pub trait Progress: Send {
    /// `done` events replayed so far, of about `total` (the log may grow meanwhile, so
    /// `done` can pass it).
    fn replayed(&mut self, done: u64, total: u64);
}

impl<F: FnMut(u64, u64) + Send> Progress for F {
    fn replayed(&mut self, done: u64, total: u64) {
        self(done, total)
    }
}

/// Replays every event into fresh copies of the projection's tables while the live ones
/// keep serving, then swaps them in within one short transaction.
pub async fn rebuild<S: EventStore, P: Projection>(
    store: &S,
    pool: &Pool,
    keyring: &Keyring,
    projection: &P,
) -> Result<RebuildReport, ProjectionError> {
    rebuild_observed(store, pool, keyring, projection, &mut |_, _| {}).await
}

/// [`rebuild`], telling `progress` after each batch. A rebuild that fails drops its scratch
/// schema and leaves the live tables as they were.
pub async fn rebuild_observed<S: EventStore, P: Projection>(
    store: &S,
    pool: &Pool,
    keyring: &Keyring,
    projection: &P,
    progress: &mut dyn Progress,
) -> Result<RebuildReport, ProjectionError> {
    // Projection names have dashes (`agent-load`): every identifier built from one is quoted.
    let schema = quoted(&format!("rebuild_{}", P::NAME));
    let result = async {
        create_scratch(pool, &schema, P::TABLES).await?;
        load_checkpoint(pool, P::NAME).await?;
        swap_in(store, pool, keyring, projection, &schema, progress).await
    }
    .await;
    if result.is_err() {
        drop_scratch(pool, &schema).await;
    }
    result
}

async fn swap_in<S: EventStore, P: Projection>(
    store: &S,
    pool: &Pool,
    keyring: &Keyring,
    projection: &P,
    schema: &str,
    progress: &mut dyn Progress,
) -> Result<RebuildReport, ProjectionError> {
    let total = store.count().await?.unwrap_or(0);
    progress.replayed(0, total);
    let mut replay = Replay::new(keyring, total);
    // Replay in the background of live traffic, batch by batch.
    replay.catch_up(store, pool, projection, schema, None, progress).await?;
    // The swap: hold the live runners off, apply what arrived meanwhile, exchange tables.
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    tx.query_one("SELECT 1 FROM projection_checkpoints WHERE name = $1 FOR UPDATE", &[&P::NAME]).await?;
    tx.batch_execute(&format!("SET LOCAL search_path = {schema}, public")).await?;
    replay.finish(store, &tx, projection, None, progress).await?;
    let mut swap = String::new();
    for table in P::TABLES {
        let table = quoted(table);
        swap.push_str(&format!("DROP TABLE public.{table}; ALTER TABLE {schema}.{table} SET SCHEMA public;"));
    }
    swap.push_str(&format!("DROP SCHEMA {schema};"));
    tx.batch_execute(&swap).await?;
    let position = replay.position;
    tx.execute(
        "UPDATE projection_checkpoints SET tx = $2, pos = $3, updated_at = now(), last_error = NULL WHERE name = $1",
        &[&P::NAME, &(position.tx as i64), &(position.seq as i64)],
    )
    .await?;
    tx.commit().await?;
    Ok(RebuildReport { events: replay.events, position })
}

/// Where a replay into scratch tables has got to.
pub(crate) struct Replay<'k> {
    pub(crate) position: Position,
    pub(crate) events: u64,
    pub(crate) total: u64,
    keyring: &'k Keyring,
    /// The streams this replay holds back behind an event it parked.
    held: HashSet<String>,
}

impl<'k> Replay<'k> {
    pub(crate) fn new(keyring: &'k Keyring, total: u64) -> Self {
        Replay { position: Position::START, events: 0, total, keyring, held: HashSet::new() }
    }

    /// Applies events after `self.position` (up to `until`, or as far as the log goes) into
    /// the tables of `schema`, one committed transaction per batch.
    pub(crate) async fn catch_up<S: EventStore, P: Projection>(
        &mut self,
        store: &S,
        pool: &Pool,
        projection: &P,
        schema: &str,
        until: Option<Position>,
        progress: &mut dyn Progress,
    ) -> Result<(), ProjectionError> {
        loop {
            let batch = self.next_batch(store, until).await?;
            if batch.is_empty() {
                return Ok(());
            }
            let mut client = pool.get().await?;
            let tx = client.transaction().await?;
            tx.batch_execute(&format!("SET LOCAL search_path = {schema}, public")).await?;
            self.apply(&tx, projection, &batch, progress).await?;
            tx.commit().await?;
        }
    }

    /// Applies the rest (up to `until`) inside `tx`, whose search path is the scratch schema.
    pub(crate) async fn finish<S: EventStore, P: Projection>(
        &mut self,
        store: &S,
        tx: &Transaction<'_>,
        projection: &P,
        until: Option<Position>,
        progress: &mut dyn Progress,
    ) -> Result<(), ProjectionError> {
        loop {
            let batch = self.next_batch(store, until).await?;
            if batch.is_empty() {
                return Ok(());
            }
            self.apply(tx, projection, &batch, progress).await?;
        }
    }

    async fn next_batch<S: EventStore>(&self, store: &S, until: Option<Position>) -> Result<Vec<RecordedEvent>, ProjectionError> {
        let mut batch = store.read_all(self.position, BATCH).await?;
        if let Some(until) = until {
            batch.retain(|e| e.position <= until);
        }
        Ok(batch)
    }

    async fn apply<P: Projection>(
        &mut self,
        tx: &Transaction<'_>,
        projection: &P,
        batch: &[RecordedEvent],
        progress: &mut dyn Progress,
    ) -> Result<(), ProjectionError> {
        self.position = apply_events(tx, projection, self.keyring, batch, &mut self.held).await?;
        self.events += batch.len() as u64;
        self.total = self.total.max(self.events);
        progress.replayed(self.events, self.total);
        Ok(())
    }
}

/// Creates `schema` afresh with empty copies of `tables` (a schema left by a crashed run is
/// dropped first).
pub(crate) async fn create_scratch(pool: &Pool, schema: &str, tables: &[&str]) -> Result<(), ProjectionError> {
    let client = pool.get().await?;
    let mut ddl = format!("DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema};");
    for table in tables {
        let table = quoted(table);
        ddl.push_str(&format!("CREATE TABLE {schema}.{table} (LIKE public.{table} INCLUDING ALL);"));
        // LIKE copies columns and indexes but not storage parameters (the fillfactor).
        let options: Option<Vec<String>> =
            client.query_one("SELECT reloptions FROM pg_class WHERE oid = $1::text::regclass", &[&format!("public.{table}")]).await?.get(0);
        if let Some(options) = options.filter(|o| !o.is_empty()) {
            ddl.push_str(&format!("ALTER TABLE {schema}.{table} SET ({});", options.join(", ")));
        }
    }
    client.batch_execute(&ddl).await?;
    Ok(())
}

/// Drops a scratch schema; a failure here is logged, not returned, so that the error that
/// made the caller give up is the one reported.
pub(crate) async fn drop_scratch(pool: &Pool, schema: &str) {
    let dropped = async {
        let client = pool.get().await?;
        client.batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE")).await?;
        Ok::<_, ProjectionError>(())
    }
    .await;
    if let Err(e) = dropped {
        tracing::warn!(schema, error = %e, "cannot drop the scratch schema");
    }
}

/// Moves projection `name`'s checkpoint to `to` without applying anything: for a process
/// manager whose effects (mail sent) must not happen again over an imported log.
pub async fn skip_to(pool: &Pool, name: &str, to: Position) -> Result<(), ProjectionError> {
    let client = pool.get().await?;
    client
        .execute(
            "INSERT INTO projection_checkpoints (name, tx, pos) VALUES ($1, $2, $3) \
             ON CONFLICT (name) DO UPDATE SET tx = $2, pos = $3, updated_at = now(), last_error = NULL",
            &[&name, &(to.tx as i64), &(to.seq as i64)],
        )
        .await?;
    Ok(())
}

/// `name` as a quoted SQL identifier.
pub(crate) fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}
