//! Moving a whole log (or one company's streams) between databases: a snapshot read through
//! a cursor, and a bulk insert that keeps what the source recorded (ids, versions,
//! metadata, times). The visitors' keys travel with the events (without them, the imported
//! log could not be read for them); destroyed keys travel as destroyed. The file format
//! around them is the caller's.

use chrono::{DateTime, Utc};
use deadpool_postgres::Pool;
use serde::{Deserialize, Serialize};
use thiserror::Error;
use uuid::Uuid;

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;

use crate::StoreError;

/// One stored event with everything the log keeps about it but its position, which the
/// receiving log assigns (in the same order).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExportedEvent {
    pub event_id: Uuid,
    pub stream: String,
    pub version: i64,
    pub event_type: String,
    pub schema_version: i32,
    pub payload: serde_json::Value,
    pub company_id: Option<Uuid>,
    pub actor: String,
    pub correlation_id: Uuid,
    pub causation_id: Uuid,
    pub occurred_at: DateTime<Utc>,
    pub recorded_at: DateTime<Utc>,
}

/// A visitor's key as exported: its material in base64, or none once destroyed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExportedKey {
    pub key_id: Uuid,
    pub company_id: Uuid,
    pub visitor_id: Uuid,
    pub key: Option<String>,
    pub created_at: DateTime<Utc>,
    pub erased_at: Option<DateTime<Utc>>,
}

/// One item of an export: the keys come first, then the events.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Exported {
    Key { visitor_key: ExportedKey },
    Event(ExportedEvent),
}

const COLUMNS: &str =
    "event_id, stream, version, event_type, schema_version, payload, company_id, actor, correlation_id, causation_id, occurred_at, recorded_at";

/// Rows fetched from the cursor at a time: memory stays flat whatever the log's size.
const PAGE: i32 = 500;

/// Calls `each` with every event in reading order, from one snapshot (events committing
/// meanwhile are not half in). With `company`, only the streams that company's events are
/// in, whole, so every exported stream starts at version 0.
pub async fn export<F>(pool: &Pool, company: Option<Uuid>, mut each: F) -> Result<u64, TransferError>
where
    F: FnMut(Exported) -> Result<(), String>,
{
    let mut client = pool.get().await.map_err(StoreError::from)?;
    let tx = client
        .build_transaction()
        .isolation_level(tokio_postgres::IsolationLevel::RepeatableRead)
        .read_only(true)
        .start()
        .await
        .map_err(StoreError::from)?;
    let keys = tx
        .query(
            "SELECT key_id, company_id, visitor_id, key, created_at, erased_at FROM visitor_keys WHERE $1::uuid IS NULL OR company_id = $1 ORDER BY key_id",
            &[&company],
        )
        .await
        .map_err(StoreError::from)?;
    for row in &keys {
        let material: Option<Vec<u8>> = row.get(3);
        let visitor_key = ExportedKey {
            key_id: row.get(0),
            company_id: row.get(1),
            visitor_id: row.get(2),
            key: material.map(|m| BASE64.encode(m)),
            created_at: row.get(4),
            erased_at: row.get(5),
        };
        each(Exported::Key { visitor_key }).map_err(TransferError::Output)?;
    }
    let sql = format!(
        "SELECT {COLUMNS} FROM events \
         WHERE $1::uuid IS NULL OR stream IN (SELECT DISTINCT stream FROM events WHERE company_id = $1) \
         ORDER BY tx_id, position"
    );
    let statement = tx.prepare(&sql).await.map_err(StoreError::from)?;
    let portal = tx.bind(&statement, &[&company]).await.map_err(StoreError::from)?;
    let mut count = 0u64;
    loop {
        let rows = tx.query_portal(&portal, PAGE).await.map_err(StoreError::from)?;
        if rows.is_empty() {
            break;
        }
        for row in &rows {
            let event = ExportedEvent {
                event_id: row.get(0),
                stream: row.get(1),
                version: row.get(2),
                event_type: row.get(3),
                schema_version: row.get(4),
                payload: row.get(5),
                company_id: row.get(6),
                actor: row.get(7),
                correlation_id: row.get(8),
                causation_id: row.get(9),
                occurred_at: row.get(10),
                recorded_at: row.get(11),
            };
            each(Exported::Event(event)).map_err(TransferError::Output)?;
            count += 1;
        }
    }
    tx.rollback().await.map_err(StoreError::from)?;
    Ok(count)
}

/// Rows per INSERT of an import.
const BATCH: usize = 500;

/// Appends `events` to an empty log in one transaction, in the order given, keeping their
/// ids, streams, versions, metadata and recorded times: all of them or none. Refuses a log
/// that has any event.
pub async fn import<I>(pool: &Pool, items: I) -> Result<u64, TransferError>
where
    I: IntoIterator<Item = Result<Exported, String>>,
{
    let mut client = pool.get().await.map_err(StoreError::from)?;
    let tx = client.transaction().await.map_err(StoreError::from)?;
    // Taken before looking, so two imports cannot both find the log empty.
    tx.batch_execute("LOCK TABLE events IN EXCLUSIVE MODE").await.map_err(StoreError::from)?;
    let existing: i64 = tx.query_one("SELECT count(*) FROM events", &[]).await.map_err(StoreError::from)?.get(0);
    if existing > 0 {
        return Err(TransferError::NotEmpty(existing as u64));
    }
    let insert_key = tx
        .prepare("INSERT INTO visitor_keys (key_id, company_id, visitor_id, key, created_at, erased_at) VALUES ($1, $2, $3, $4, $5, $6)")
        .await
        .map_err(StoreError::from)?;
    // The reading order is (tx_id, position): one transaction, positions in file order,
    // keeps the source's order.
    let sql = format!(
        "INSERT INTO events ({COLUMNS}) \
         SELECT {COLUMNS} FROM unnest($1::uuid[], $2::text[], $3::int8[], $4::text[], $5::int4[], $6::jsonb[], $7::uuid[], $8::text[], \
                                      $9::uuid[], $10::uuid[], $11::timestamptz[], $12::timestamptz[]) WITH ORDINALITY \
              AS u({COLUMNS}, n) \
         ORDER BY n"
    );
    let statement = tx.prepare(&sql).await.map_err(StoreError::from)?;
    let mut count = 0u64;
    let mut batch = Vec::with_capacity(BATCH);
    let mut items = items.into_iter().peekable();
    while items.peek().is_some() {
        batch.clear();
        for item in items.by_ref() {
            match item.map_err(TransferError::Input)? {
                Exported::Event(event) => batch.push(event),
                Exported::Key { visitor_key: k } => {
                    let material = k.key.as_deref().map(|m| BASE64.decode(m)).transpose();
                    let material = material.map_err(|e| TransferError::Input(format!("key {}: its material is not base64: {e}", k.key_id)))?;
                    let params: [&(dyn tokio_postgres::types::ToSql + Sync); 6] =
                        [&k.key_id, &k.company_id, &k.visitor_id, &material, &k.created_at, &k.erased_at];
                    tx.execute(&insert_key, &params).await.map_err(StoreError::from)?;
                }
            }
            if batch.len() == BATCH {
                break;
            }
        }
        if batch.is_empty() {
            continue;
        }
        let ids: Vec<Uuid> = batch.iter().map(|e| e.event_id).collect();
        let streams: Vec<&str> = batch.iter().map(|e| e.stream.as_str()).collect();
        let versions: Vec<i64> = batch.iter().map(|e| e.version).collect();
        let types: Vec<&str> = batch.iter().map(|e| e.event_type.as_str()).collect();
        let schemas: Vec<i32> = batch.iter().map(|e| e.schema_version).collect();
        let payloads: Vec<&serde_json::Value> = batch.iter().map(|e| &e.payload).collect();
        let companies: Vec<Option<Uuid>> = batch.iter().map(|e| e.company_id).collect();
        let actors: Vec<&str> = batch.iter().map(|e| e.actor.as_str()).collect();
        let correlations: Vec<Uuid> = batch.iter().map(|e| e.correlation_id).collect();
        let causations: Vec<Uuid> = batch.iter().map(|e| e.causation_id).collect();
        let occurred: Vec<DateTime<Utc>> = batch.iter().map(|e| e.occurred_at).collect();
        let recorded: Vec<DateTime<Utc>> = batch.iter().map(|e| e.recorded_at).collect();
        tx.execute(
            &statement,
            &[&ids, &streams, &versions, &types, &schemas, &payloads, &companies, &actors, &correlations, &causations, &occurred, &recorded],
        )
        .await
        .map_err(StoreError::from)?;
        count += batch.len() as u64;
    }
    tx.commit().await.map_err(StoreError::from)?;
    Ok(count)
}

#[derive(Debug, Error)]
pub enum TransferError {
    #[error("the database already holds {0} events: import only into an empty one")]
    NotEmpty(u64),
    #[error("{0}")]
    Input(String),
    #[error("{0}")]
    Output(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}
