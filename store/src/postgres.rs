//! The PostgreSQL adapter: one append-only table, appends in one statement and one round
//! trip, readers behind the transaction-id barrier, NOTIFY as a wake-up hint.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use chrono::{DateTime, Utc};
use deadpool_postgres::Pool;
use domain::{CompanyId, Metadata};
use futures_util::StreamExt;
use serde_json::Value;
use tokio::sync::{broadcast, watch, Notify};
use tokio::task::JoinHandle;
use tokio_postgres::{AsyncMessage, NoTls, Row};
use uuid::Uuid;

use crate::subscription::{Poller, Subscription, TailBatch};
use crate::{AppendResult, EventStore, ExpectedVersion, NewEvent, Position, RecordedEvent, StoreError};

pub(crate) const CHANNEL: &str = "switchboard_events";

/// Reads the stream's last version and writes the next ones, if the expectation holds
/// ($2: -2 any, -1 no stream, -3 stream exists, n >= 0 last version n). No row comes back
/// when it does not; a racing writer makes it fail on the (stream, version) key.
const APPEND: &str = "WITH current AS (SELECT max(version) AS v FROM events WHERE stream = $1),
    checked AS (
        SELECT coalesce(v, -1) AS v FROM current
        WHERE $2::bigint = -2 OR ($2 = -1 AND v IS NULL) OR ($2 = -3 AND v IS NOT NULL) OR ($2 >= 0 AND v = $2)
    )
    INSERT INTO events (event_id, stream, version, event_type, schema_version, payload,
                        company_id, actor, correlation_id, causation_id, occurred_at)
    SELECT u.id, $1, c.v + u.n, u.t, u.s, u.p, $8, $9, $10, $11, u.o
    FROM checked c,
         unnest($3::uuid[], $4::text[], $5::int4[], $6::jsonb[], $7::timestamptz[]) WITH ORDINALITY AS u(id, t, s, p, o, n)
    ORDER BY u.n
    RETURNING version, position, tx_id::text AS tx_text";

/// Starting a stream needs no lookup: version 0 onwards, and the (stream, version) key
/// refuses it if the stream exists.
const APPEND_NEW: &str = "INSERT INTO events (event_id, stream, version, event_type, schema_version, payload,
                        company_id, actor, correlation_id, causation_id, occurred_at)
    SELECT u.id, $1, u.n - 1 + 0 * $2::bigint, u.t, u.s, u.p, $8, $9, $10, $11, u.o
    FROM unnest($3::uuid[], $4::text[], $5::int4[], $6::jsonb[], $7::timestamptz[]) WITH ORDINALITY AS u(id, t, s, p, o, n)
    ORDER BY u.n
    RETURNING version, position, tx_id::text AS tx_text";

/// The same two statements for the common single event, with plain parameters: arrays cost
/// encoding on both sides.
const APPEND_ONE: &str = "WITH current AS (SELECT max(version) AS v FROM events WHERE stream = $1),
    checked AS (
        SELECT coalesce(v, -1) AS v FROM current
        WHERE $2::bigint = -2 OR ($2 = -1 AND v IS NULL) OR ($2 = -3 AND v IS NOT NULL) OR ($2 >= 0 AND v = $2)
    )
    INSERT INTO events (event_id, stream, version, event_type, schema_version, payload,
                        company_id, actor, correlation_id, causation_id, occurred_at)
    SELECT $3::uuid, $1, c.v + 1, $4::text, $5::int4, $6::jsonb, $8, $9, $10, $11, $7::timestamptz FROM checked c
    RETURNING version, position, tx_id::text AS tx_text";

const APPEND_NEW_ONE: &str = "INSERT INTO events (event_id, stream, version, event_type, schema_version, payload,
                        company_id, actor, correlation_id, causation_id, occurred_at)
    VALUES ($3::uuid, $1, 0 * $2::bigint, $4::text, $5::int4, $6::jsonb, $8, $9, $10, $11, $7::timestamptz)
    RETURNING version, position, tx_id::text AS tx_text";

/// An `Any` append that keeps losing races gives up after this many tries.
const ANY_ATTEMPTS: usize = 20;

/// `tx_id` is read as text (tokio-postgres has no xid8 type) under another name: a select
/// column named `tx_id` would make `ORDER BY tx_id` sort by the text, not the number.
pub(crate) const COLUMNS: &str = "tx_id::text AS tx_text, position, event_id, stream, version, event_type, schema_version,
    payload, company_id, actor, correlation_id, causation_id, occurred_at, recorded_at";

#[derive(Clone)]
pub struct PgEventStore {
    inner: Arc<Inner>,
}

struct Inner {
    pool: Pool,
    /// Bumped whenever events may have become readable: by local appends and by NOTIFY.
    hints: watch::Sender<u64>,
    /// Asks the notifier task to tell other processes; many asks collapse into one NOTIFY.
    notify_others: Arc<Notify>,
    tasks: Vec<JoinHandle<()>>,
    /// The reader of the live end of the log, started by the first subscription.
    tail: OnceLock<(broadcast::Sender<Arc<TailBatch>>, JoinHandle<()>)>,
}

impl Inner {
    fn abort(&self) {
        for task in self.tasks.iter().chain(self.tail.get().map(|(_, task)| task)) {
            task.abort();
        }
    }
}

impl Drop for Inner {
    fn drop(&mut self) {
        self.abort();
    }
}

impl PgEventStore {
    /// Uses `pool` for appends and reads, and opens its own connection (`listen_config`)
    /// for LISTEN, which cannot share a pooled one.
    pub fn new(pool: Pool, listen_config: tokio_postgres::Config) -> Self {
        let (hints, _) = watch::channel(0u64);
        let notify_others = Arc::new(Notify::new());
        let tasks = vec![tokio::spawn(listen(listen_config, hints.clone())), tokio::spawn(announce(pool.clone(), notify_others.clone()))];
        PgEventStore { inner: Arc::new(Inner { pool, hints, notify_others, tasks, tail: OnceLock::new() }) }
    }

    pub fn pool(&self) -> &Pool {
        &self.inner.pool
    }

    /// Stops the background tasks and closes the pool's connections.
    pub fn close(&self) {
        self.inner.abort();
        self.inner.pool.close();
    }

    /// The position of the last event a reader may see now (START when there is none).
    /// Conservative: a transaction open anywhere on the server holds it back.
    pub async fn head(&self) -> Result<Position, StoreError> {
        head(&self.inner.pool).await
    }

    /// The position of the newest committed event (START when there is none), which readers
    /// reach once every older transaction has ended: what "caught up" waits for.
    pub async fn newest(&self) -> Result<Position, StoreError> {
        let client = self.inner.pool.get().await?;
        let row =
            client.query_opt("SELECT tx_id::text AS tx_text, position FROM events ORDER BY events.tx_id DESC, position DESC LIMIT 1", &[]).await?;
        Ok(match row {
            Some(row) => Position { tx: parse_tx(&row, 0)?, seq: row.get::<_, i64>(1) as u64 },
            None => Position::START,
        })
    }

    /// Whether any event of this type was ever stored (a first company, say).
    pub async fn has_event_of_type(&self, event_type: &str) -> Result<bool, StoreError> {
        let client = self.inner.pool.get().await?;
        Ok(client.query_one("SELECT EXISTS (SELECT 1 FROM events WHERE event_type = $1)", &[&event_type]).await?.get(0))
    }

    /// Batches of the newest events as one reader reads them, for every subscription of
    /// this process that has caught up: one query per new batch, however many subscribe.
    fn tail(&self) -> broadcast::Receiver<Arc<TailBatch>> {
        let (sender, _) = self.inner.tail.get_or_init(|| {
            let (sender, _) = broadcast::channel(TAIL_BATCHES);
            let task = tokio::spawn(read_tail(self.inner.pool.clone(), self.inner.hints.subscribe(), sender.clone()));
            (sender, task)
        });
        sender.subscribe()
    }

    /// Events of one company in global order, newest last, for audit screens and the CLI.
    pub async fn read_company(&self, company_id: CompanyId, after: Position, limit: usize) -> Result<Vec<RecordedEvent>, StoreError> {
        let client = self.inner.pool.get().await?;
        let sql = format!(
            "SELECT {COLUMNS} FROM events
             WHERE company_id = $1 AND (events.tx_id, position) > ($2::text::xid8, $3)
               AND events.tx_id < pg_snapshot_xmin(pg_current_snapshot())
             ORDER BY events.tx_id, position LIMIT $4"
        );
        let stmt = client.prepare_cached(&sql).await?;
        let rows = client.query(&stmt, &[&company_id.0, &after.tx.to_string(), &(after.seq as i64), &as_bigint(limit as u64)]).await?;
        rows.iter().map(to_recorded).collect()
    }

    async fn try_append(
        &self,
        stream: &str,
        expected: ExpectedVersion,
        events: &[NewEvent],
        metadata: &Metadata,
    ) -> Result<AppendResult, StoreError> {
        let expected_code: i64 = match expected {
            ExpectedVersion::Any => -2,
            ExpectedVersion::NoStream => -1,
            ExpectedVersion::StreamExists => -3,
            ExpectedVersion::Exact(v) => v as i64,
        };
        let ids: Vec<Uuid> = events.iter().map(|e| e.event_id).collect();
        let types: Vec<&str> = events.iter().map(|e| e.event_type.as_str()).collect();
        let schemas: Vec<i32> = events.iter().map(|e| e.schema as i32).collect();
        let payloads: Vec<&Value> = events.iter().map(|e| &e.payload).collect();
        let occurred: Vec<DateTime<Utc>> = events.iter().map(|e| e.occurred_at).collect();
        let company = metadata.company_id.map(|c| c.0);
        let actor = metadata.actor.to_string();
        let single = events.len() == 1;
        let sql = match (single, expected) {
            (true, ExpectedVersion::NoStream) => APPEND_NEW_ONE,
            (true, _) => APPEND_ONE,
            (false, ExpectedVersion::NoStream) => APPEND_NEW,
            (false, _) => APPEND,
        };
        // The per-event parameters: scalars for one event, arrays for several.
        let per_event: [&(dyn tokio_postgres::types::ToSql + Sync); 5] =
            if single { [&ids[0], &types[0], &schemas[0], payloads[0], &occurred[0]] } else { [&ids, &types, &schemas, &payloads, &occurred] };

        let client = self.inner.pool.get().await?;
        let stmt = client.prepare_cached(sql).await?;
        for _ in 0..ANY_ATTEMPTS {
            let params: [&(dyn tokio_postgres::types::ToSql + Sync); 11] = [
                &stream,
                &expected_code,
                per_event[0],
                per_event[1],
                per_event[2],
                per_event[3],
                per_event[4],
                &company,
                &actor,
                &metadata.correlation_id,
                &metadata.causation_id,
            ];
            match client.query(&stmt, &params).await {
                Ok(rows) if !rows.is_empty() => {
                    let position = rows.iter().map(|r| r.get::<_, i64>(1)).max().unwrap_or_default() as u64;
                    return Ok(AppendResult {
                        first_version: rows[0].get::<_, i64>(0) as u64,
                        last_version: rows[rows.len() - 1].get::<_, i64>(0) as u64,
                        position: Position { tx: parse_tx(&rows[0], 2)?, seq: position },
                        duplicate: false,
                    });
                }
                // The expectation did not hold: a conflict, or a retry of a stored append.
                Ok(_) => return self.refusal(&client, stream, expected, &ids).await,
                Err(e) => match constraint(&e) {
                    Some("events_stream_version_key") if expected == ExpectedVersion::Any => continue,
                    Some("events_stream_version_key" | "events_event_id_key") => return self.refusal(&client, stream, expected, &ids).await,
                    _ => return Err(e.into()),
                },
            }
        }
        Err(StoreError::WrongExpectedVersion { stream: stream.to_owned(), expected, actual: None })
    }

    /// Why an append stored nothing: a retry of an append that succeeded before (every
    /// event id is stored: its original result), a partial duplicate, or a conflict.
    async fn refusal(
        &self,
        client: &deadpool_postgres::Client,
        stream: &str,
        expected: ExpectedVersion,
        ids: &[Uuid],
    ) -> Result<AppendResult, StoreError> {
        let found = client
            .query("SELECT version, position, tx_id::text AS tx_text FROM events WHERE event_id = ANY($1) ORDER BY events.tx_id, position", &[&ids])
            .await?;
        if let Some(last) = found.last().filter(|_| found.len() == ids.len()) {
            let versions = found.iter().map(|r| r.get::<_, i64>(0) as u64);
            return Ok(AppendResult {
                first_version: versions.clone().min().unwrap_or_default(),
                last_version: versions.max().unwrap_or_default(),
                position: Position { tx: parse_tx(last, 2)?, seq: last.get::<_, i64>(1) as u64 },
                duplicate: true,
            });
        }
        if !found.is_empty() {
            return Err(StoreError::PartialDuplicate { stream: stream.to_owned() });
        }
        let row = client.query_one("SELECT max(version) FROM events WHERE stream = $1", &[&stream]).await?;
        let actual = row.get::<_, Option<i64>>(0).map(|v| v as u64);
        Err(StoreError::WrongExpectedVersion { stream: stream.to_owned(), expected, actual })
    }
}

fn constraint(e: &tokio_postgres::Error) -> Option<&str> {
    e.as_db_error().filter(|d| *d.code() == tokio_postgres::error::SqlState::UNIQUE_VIOLATION).and_then(|d| d.constraint())
}

impl EventStore for PgEventStore {
    async fn append(&self, stream: &str, expected: ExpectedVersion, events: Vec<NewEvent>, metadata: &Metadata) -> Result<AppendResult, StoreError> {
        if events.is_empty() {
            return Err(StoreError::NothingToAppend { stream: stream.to_owned() });
        }
        let result = self.try_append(stream, expected, &events, metadata).await?;
        if !result.duplicate {
            self.inner.hints.send_modify(|n| *n = n.wrapping_add(1));
            self.inner.notify_others.notify_one();
        }
        Ok(result)
    }

    async fn read_stream(&self, stream: &str, from_version: u64) -> Result<Vec<RecordedEvent>, StoreError> {
        let client = self.inner.pool.get().await?;
        let sql = format!("SELECT {COLUMNS} FROM events WHERE stream = $1 AND version >= $2 ORDER BY version");
        let stmt = client.prepare_cached(&sql).await?;
        let rows = client.query(&stmt, &[&stream, &as_bigint(from_version)]).await?;
        rows.iter().map(to_recorded).collect()
    }

    async fn read_all(&self, after: Position, limit: usize) -> Result<Vec<RecordedEvent>, StoreError> {
        read_all(&self.inner.pool, after, limit).await
    }

    async fn count(&self) -> Result<Option<u64>, StoreError> {
        // An index-only scan of the primary key: once per replay, well under a second for
        // millions of events.
        let client = self.inner.pool.get().await?;
        let row = client.query_one("SELECT count(*) FROM events", &[]).await?;
        Ok(Some(row.get::<_, i64>(0) as u64))
    }

    fn subscribe(&self, after: Position) -> Subscription {
        Subscription::start(self.clone(), after, Some(self.tail()))
    }

    fn hints(&self) -> watch::Receiver<u64> {
        self.inner.hints.subscribe()
    }
}

/// A version or a limit as a `bigint`: one beyond its range means "no end", not a negative
/// number (which reads a whole stream, or fails as a LIMIT).
pub(crate) fn as_bigint(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

fn parse_tx(row: &Row, index: usize) -> Result<u64, StoreError> {
    let text: &str = row.get(index);
    text.parse().map_err(|_| StoreError::CorruptEnvelope { event_id: Uuid::nil(), reason: format!("transaction id `{text}`") })
}

pub(crate) fn to_recorded(row: &Row) -> Result<RecordedEvent, StoreError> {
    let event_id: Uuid = row.get(2);
    let corrupt = |reason: String| StoreError::CorruptEnvelope { event_id, reason };
    let actor: &str = row.get(9);
    Ok(RecordedEvent {
        position: Position { tx: row.get::<_, &str>(0).parse().map_err(|_| corrupt("bad transaction id".into()))?, seq: row.get::<_, i64>(1) as u64 },
        event_id,
        stream: row.get(3),
        version: row.get::<_, i64>(4) as u64,
        event_type: row.get(5),
        schema: u32::try_from(row.get::<_, i32>(6)).map_err(|_| corrupt("negative schema version".into()))?,
        payload: row.get(7),
        metadata: Metadata {
            company_id: row.get::<_, Option<Uuid>>(8).map(CompanyId),
            actor: actor.parse().map_err(corrupt)?,
            correlation_id: row.get(10),
            causation_id: row.get(11),
        },
        occurred_at: row.get(12),
        recorded_at: row.get(13),
    })
}

/// Keeps one dedicated LISTEN connection open and turns notifications into hints.
async fn listen(config: tokio_postgres::Config, hints: watch::Sender<u64>) {
    let mut delay = Duration::from_millis(100);
    loop {
        match config.connect(NoTls).await {
            Ok((client, mut connection)) => {
                let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
                let driver = tokio::spawn(async move {
                    let mut messages = futures_util::stream::poll_fn(move |cx| connection.poll_message(cx));
                    while let Some(message) = messages.next().await {
                        match message {
                            Ok(AsyncMessage::Notification(_)) => {
                                let _ = tx.send(());
                            }
                            Ok(_) => {}
                            Err(e) => {
                                tracing::warn!(error = %e, "event notification connection failed");
                                break;
                            }
                        }
                    }
                });
                if let Err(e) = client.batch_execute(&format!("LISTEN {CHANNEL}")).await {
                    tracing::warn!(error = %e, "LISTEN failed");
                } else {
                    delay = Duration::from_millis(100);
                    // Anything may have been appended while we were not listening.
                    hints.send_modify(|n| *n = n.wrapping_add(1));
                    while rx.recv().await.is_some() {
                        hints.send_modify(|n| *n = n.wrapping_add(1));
                    }
                }
                driver.abort();
            }
            Err(e) => tracing::warn!(error = %e, "cannot open the event notification connection"),
        }
        tokio::time::sleep(delay).await;
        delay = (delay * 2).min(Duration::from_secs(5));
    }
}

/// At most one NOTIFY per this long: other processes learn of new events this much later at
/// worst, and a busy store does not pay a second transaction for every append.
const NOTIFY_INTERVAL: Duration = Duration::from_millis(5);

/// Tells other processes that events were appended, after commit, at most one NOTIFY per
/// interval: appends meanwhile share the next one. A NOTIFY takes a
/// transaction id and so a commit record; it carries nothing durable, so it commits
/// without waiting for the disk (else every append would pay for two flushes).
async fn announce(pool: Pool, asked: Arc<Notify>) {
    loop {
        asked.notified().await;
        let sent = async {
            let client = pool.get().await.map_err(|e| e.to_string())?;
            client.batch_execute(&format!("BEGIN; SET LOCAL synchronous_commit = off; NOTIFY {CHANNEL}; COMMIT;")).await.map_err(|e| e.to_string())
        };
        if let Err(e) = sent.await {
            // Other processes fall back to their slow poll; nothing is lost.
            tracing::debug!(error = %e, "NOTIFY failed");
        }
        tokio::time::sleep(NOTIFY_INTERVAL).await;
    }
}

/// The position of the last event a reader may see now (START when there is none).
async fn head(pool: &Pool) -> Result<Position, StoreError> {
    let client = pool.get().await?;
    let row = client
        .query_opt(
            "SELECT e.tx_id::text AS tx_text, e.position FROM events e
             WHERE e.tx_id < pg_snapshot_xmin(pg_current_snapshot())
             ORDER BY e.tx_id DESC, e.position DESC LIMIT 1",
            &[],
        )
        .await?;
    Ok(match row {
        Some(row) => Position { tx: parse_tx(&row, 0)?, seq: row.get::<_, i64>(1) as u64 },
        None => Position::START,
    })
}

/// Up to `limit` events after `after`, in global order, below the transaction-id barrier.
async fn read_all(pool: &Pool, after: Position, limit: usize) -> Result<Vec<RecordedEvent>, StoreError> {
    let client = pool.get().await?;
    // One statement, one snapshot: the barrier and the rows it lets through agree.
    let sql = format!(
        "SELECT {COLUMNS} FROM events
         WHERE (events.tx_id, position) > ($1::text::xid8, $2)
           AND events.tx_id < pg_snapshot_xmin(pg_current_snapshot())
         ORDER BY events.tx_id, position LIMIT $3"
    );
    let stmt = client.prepare_cached(&sql).await?;
    let rows = client.query(&stmt, &[&after.tx.to_string(), &(after.seq as i64), &as_bigint(limit as u64)]).await?;
    rows.iter().map(to_recorded).collect()
}

/// How many batches a subscription may fall behind the tail before it reads the gap itself.
const TAIL_BATCHES: usize = 1024;

const TAIL_GATHER: Duration = Duration::from_millis(2);

/// Reads the newest events as they commit, from the head of the log on, and hands each
/// batch to the subscriptions listening.
async fn read_tail(pool: Pool, hints: watch::Receiver<u64>, batches: broadcast::Sender<Arc<TailBatch>>) {
    let mut poller = Poller::new(hints);
    let mut position = Position::START;
    // Whether to start again from the head of the log: at first, and after a spell with
    // nobody following, during which it does not read.
    let mut from_head = true;
    loop {
        if batches.receiver_count() == 0 {
            from_head = true;
            poller.wait().await;
            continue;
        }
        if from_head {
            match head(&pool).await {
                Ok(head) => {
                    position = position.max(head);
                    from_head = false;
                    // A subscription may have caught up only to a point before this head
                    // (it read the log itself): the empty batch tells it to read the rest,
                    // rather than wait for the next append.
                    let _ = batches.send(Arc::new(TailBatch { after: position, events: Vec::new() }));
                }
                Err(e) => {
                    tracing::warn!(error = %e, "cannot read the head of the event log");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    continue;
                }
            }
        }
        match read_all(&pool, position, crate::subscription::BATCH).await {
            Ok(events) if events.is_empty() => poller.wait().await,
            Ok(events) => {
                let after = position;
                position = events[events.len() - 1].position;
                let full = events.len() == crate::subscription::BATCH;
                // Nobody listening is fine: a subscription that comes later reads the gap.
                let _ = batches.send(Arc::new(TailBatch { after, events }));
                if !full {
                    // Let a few more appends gather: one read for several, not one for each.
                    tokio::time::sleep(TAIL_GATHER).await;
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot read the event log");
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    }
}
