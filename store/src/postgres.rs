//! The PostgreSQL adapter: one append-only table, appends through `append_events()` in one
//! round trip, readers behind the transaction-id barrier, NOTIFY as a wake-up hint.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use deadpool_postgres::Pool;
use domain::{CompanyId, Metadata};
use futures_util::StreamExt;
use serde_json::Value;
use tokio::sync::{watch, Notify};
use tokio::task::JoinHandle;
use tokio_postgres::{AsyncMessage, NoTls, Row};
use uuid::Uuid;

use crate::subscription::Subscription;
use crate::{AppendResult, EventStore, ExpectedVersion, NewEvent, Position, RecordedEvent, StoreError};

pub(crate) const CHANNEL: &str = "switchboard_events";

const APPEND: &str = "SELECT first_version, last_version, tx, pos, duplicate
    FROM append_events($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)";

const COLUMNS: &str = "tx_id::text, position, event_id, stream, version, event_type, schema_version,
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
}

impl Drop for Inner {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

impl PgEventStore {
    /// Uses `pool` for appends and reads, and opens its own connection (`listen_config`)
    /// for LISTEN, which cannot share a pooled one.
    pub fn new(pool: Pool, listen_config: tokio_postgres::Config) -> Self {
        let (hints, _) = watch::channel(0u64);
        let notify_others = Arc::new(Notify::new());
        let tasks = vec![
            tokio::spawn(listen(listen_config, hints.clone())),
            tokio::spawn(announce(pool.clone(), notify_others.clone())),
        ];
        PgEventStore { inner: Arc::new(Inner { pool, hints, notify_others, tasks }) }
    }

    pub fn pool(&self) -> &Pool {
        &self.inner.pool
    }

    /// The position of the last event a reader may see now (START when there is none).
    pub async fn head(&self) -> Result<Position, StoreError> {
        let client = self.inner.pool.get().await?;
        let row = client
            .query_opt(
                "SELECT tx_id::text, position FROM events
                 WHERE tx_id < pg_snapshot_xmin(pg_current_snapshot())
                 ORDER BY tx_id DESC, position DESC LIMIT 1",
                &[],
            )
            .await?;
        Ok(match row {
            Some(row) => Position { tx: parse_tx(&row, 0)?, seq: row.get::<_, i64>(1) as u64 },
            None => Position::START,
        })
    }

    /// Events of one company in global order, newest last, for audit screens and the CLI.
    pub async fn read_company(
        &self,
        company_id: CompanyId,
        after: Position,
        limit: usize,
    ) -> Result<Vec<RecordedEvent>, StoreError> {
        let client = self.inner.pool.get().await?;
        let sql = format!(
            "SELECT {COLUMNS} FROM events
             WHERE company_id = $1 AND (tx_id, position) > ($2::text::xid8, $3)
               AND tx_id < pg_snapshot_xmin(pg_current_snapshot())
             ORDER BY tx_id, position LIMIT $4"
        );
        let stmt = client.prepare_cached(&sql).await?;
        let rows = client
            .query(&stmt, &[&company_id.0, &after.tx.to_string(), &(after.seq as i64), &(limit as i64)])
            .await?;
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

        let client = self.inner.pool.get().await?;
        let stmt = client.prepare_cached(APPEND).await?;
        let row = client
            .query_one(
                &stmt,
                &[
                    &stream,
                    &expected_code,
                    &ids,
                    &types,
                    &schemas,
                    &payloads,
                    &occurred,
                    &company,
                    &actor,
                    &metadata.correlation_id,
                    &metadata.causation_id,
                ],
            )
            .await
            .map_err(|e| append_error(e, stream, expected))?;
        Ok(AppendResult {
            first_version: row.get::<_, i64>(0) as u64,
            last_version: row.get::<_, i64>(1) as u64,
            position: Position { tx: parse_tx(&row, 2)?, seq: row.get::<_, i64>(3) as u64 },
            duplicate: row.get(4),
        })
    }
}

fn append_error(e: tokio_postgres::Error, stream: &str, expected: ExpectedVersion) -> StoreError {
    let Some(db) = e.as_db_error() else { return e.into() };
    match db.code().code() {
        "SB001" => {
            let actual = db.detail().and_then(|d| d.parse::<i64>().ok()).filter(|v| *v >= 0).map(|v| v as u64);
            StoreError::WrongExpectedVersion { stream: stream.to_owned(), expected, actual }
        }
        "SB002" => StoreError::PartialDuplicate { stream: stream.to_owned() },
        _ => e.into(),
    }
}

fn is_event_id_race(e: &StoreError) -> bool {
    // The same event ids appended concurrently to two different streams: one insert loses
    // on the unique key; asking again returns the winner's result.
    matches!(e, StoreError::Database(db) if db.as_db_error().and_then(|d| d.constraint()) == Some("events_event_id_key"))
}

impl EventStore for PgEventStore {
    async fn append(
        &self,
        stream: &str,
        expected: ExpectedVersion,
        events: Vec<NewEvent>,
        metadata: &Metadata,
    ) -> Result<AppendResult, StoreError> {
        let result = match self.try_append(stream, expected, &events, metadata).await {
            Err(e) if is_event_id_race(&e) => self.try_append(stream, expected, &events, metadata).await,
            other => other,
        }?;
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
        let rows = client.query(&stmt, &[&stream, &(from_version as i64)]).await?;
        rows.iter().map(to_recorded).collect()
    }

    async fn read_all(&self, after: Position, limit: usize) -> Result<Vec<RecordedEvent>, StoreError> {
        let client = self.inner.pool.get().await?;
        // One statement, one snapshot: the barrier and the rows it lets through agree.
        let sql = format!(
            "SELECT {COLUMNS} FROM events
             WHERE (tx_id, position) > ($1::text::xid8, $2)
               AND tx_id < pg_snapshot_xmin(pg_current_snapshot())
             ORDER BY tx_id, position LIMIT $3"
        );
        let stmt = client.prepare_cached(&sql).await?;
        let rows = client.query(&stmt, &[&after.tx.to_string(), &(after.seq as i64), &(limit as i64)]).await?;
        rows.iter().map(to_recorded).collect()
    }

    fn subscribe(&self, after: Position) -> Subscription {
        Subscription::start(self.clone(), after)
    }

    fn hints(&self) -> watch::Receiver<u64> {
        self.inner.hints.subscribe()
    }
}

fn parse_tx(row: &Row, index: usize) -> Result<u64, StoreError> {
    let text: &str = row.get(index);
    text.parse().map_err(|_| StoreError::CorruptEnvelope { event_id: Uuid::nil(), reason: format!("transaction id `{text}`") })
}

fn to_recorded(row: &Row) -> Result<RecordedEvent, StoreError> {
    let event_id: Uuid = row.get(2);
    let corrupt = |reason: String| StoreError::CorruptEnvelope { event_id, reason };
    let actor: &str = row.get(9);
    Ok(RecordedEvent {
        position: Position {
            tx: row.get::<_, &str>(0).parse().map_err(|_| corrupt("bad transaction id".into()))?,
            seq: row.get::<_, i64>(1) as u64,
        },
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

/// Tells other processes that events were appended, after commit, at most one NOTIFY at a
/// time: appends that happen while one is in flight share the next.
async fn announce(pool: Pool, asked: Arc<Notify>) {
    loop {
        asked.notified().await;
        let sent = async {
            let client = pool.get().await.map_err(|e| e.to_string())?;
            client.batch_execute(&format!("NOTIFY {CHANNEL}")).await.map_err(|e| e.to_string())
        };
        if let Err(e) = sent.await {
            // Other processes fall back to their slow poll; nothing is lost.
            tracing::debug!(error = %e, "NOTIFY failed");
        }
    }
}
