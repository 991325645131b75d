//! Events a projection could not apply, parked (`parked_events`) so that the rest of the
//! log, every other company's included, goes on.
//!
//! A parked event holds its stream back in that projection: the stream's later events are
//! parked behind it rather than applied out of order (a profile changed twice must not end
//! as the older change), so the stream's rows stay as they were before it, and the others
//! move on. `retry` applies a projection's parked events again, stream by stream in log
//! order, once an upcaster or a code fix can read them; what still fails stays parked.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use deadpool_postgres::Pool;
use store::{EventStore, Keyring, Position, RecordedEvent};
use tokio_postgres::GenericClient;
use uuid::Uuid;

use crate::runner::decode_and_open;
use crate::{params, Projection, ProjectionError, Writes};

/// Why an event was parked when it was not its own fault.
pub(crate) const HELD_BEHIND: &str = "held behind an earlier parked event of its stream";

/// The parking of one event, as a write of the batch it came in (so it commits with the
/// batch and its checkpoint, or not at all).
pub(crate) fn park(writes: &mut Writes, projection: &str, event: &RecordedEvent, error: &str) {
    writes.push(
        "INSERT INTO parked_events (projection, event_id, stream, version, tx, seq, event_type, error)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (projection, event_id) DO UPDATE SET error = EXCLUDED.error",
        params![
            projection.to_owned(),
            event.event_id,
            event.stream.clone(),
            event.version as i64,
            event.position.tx as i64,
            event.position.seq as i64,
            event.event_type.clone(),
            error.to_owned()
        ],
    );
}

/// The streams a projection holds back.
pub(crate) async fn held_streams(client: &impl GenericClient, projection: &str) -> Result<HashSet<String>, tokio_postgres::Error> {
    let rows = client.query("SELECT DISTINCT stream FROM parked_events WHERE projection = $1", &[&projection]).await?;
    Ok(rows.iter().map(|r| r.get(0)).collect())
}

/// A parked event, as the CLI and `/healthz` list them.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ParkedEvent {
    pub projection: String,
    pub event_id: Uuid,
    pub stream: String,
    pub version: i64,
    pub position: Position,
    pub event_type: String,
    pub error: String,
    pub parked_at: DateTime<Utc>,
}

/// Every parked event, projection by projection in log order.
pub async fn list(client: &impl GenericClient) -> Result<Vec<ParkedEvent>, tokio_postgres::Error> {
    let rows = client
        .query(
            "SELECT projection, event_id, stream, version, tx, seq, event_type, error, parked_at FROM parked_events ORDER BY projection, tx, seq",
            &[],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|r| ParkedEvent {
            projection: r.get(0),
            event_id: r.get(1),
            stream: r.get(2),
            version: r.get(3),
            position: Position { tx: r.get::<_, i64>(4) as u64, seq: r.get::<_, i64>(5) as u64 },
            event_type: r.get(6),
            error: r.get(7),
            parked_at: r.get(8),
        })
        .collect())
}

/// How many events are parked, by projection.
pub async fn counts(client: &impl GenericClient) -> Result<Vec<(String, i64)>, tokio_postgres::Error> {
    let rows = client.query("SELECT projection, count(*) FROM parked_events GROUP BY projection ORDER BY projection", &[]).await?;
    Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
}

/// What a retry did for one projection.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Retried {
    pub applied: u64,
    pub still_parked: u64,
}

/// Applies `projection`'s parked events again, each stream in order, up to the first that
/// still fails (it and those behind it stay parked, with the new error). One transaction,
/// holding the projection's checkpoint so its runners wait meanwhile.
pub async fn retry<S: EventStore, P: Projection>(store: &S, pool: &Pool, keyring: &Keyring, projection: &P) -> Result<Retried, ProjectionError> {
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    tx.query_one("SELECT 1 FROM projection_checkpoints WHERE name = $1 FOR UPDATE", &[&P::NAME]).await?;
    let rows = tx
        .query("SELECT stream, min(version) FROM parked_events WHERE projection = $1 GROUP BY stream ORDER BY min(tx), min(seq)", &[&P::NAME])
        .await?;
    let mut writes = Writes::default();
    let mut done = Retried::default();
    for row in rows {
        let (stream, from): (String, i64) = (row.get(0), row.get(1));
        let parked: HashSet<Uuid> = tx
            .query("SELECT event_id FROM parked_events WHERE projection = $1 AND stream = $2", &[&P::NAME, &stream])
            .await?
            .iter()
            .map(|r| r.get(0))
            .collect();
        let events: Vec<RecordedEvent> =
            store.read_stream(&stream, from as u64).await?.into_iter().filter(|e| parked.contains(&e.event_id)).collect();
        let mut decoded = decode_and_open::<P>(keyring, &events).await?;
        let mut failed: Option<String> = None;
        for (event, result) in events.iter().zip(decoded.drain(..)) {
            let outcome = match (&failed, result) {
                (Some(_), _) => Err(HELD_BEHIND.to_owned()),
                (None, Err(e)) => Err(e),
                (None, Ok(decoded)) => {
                    let mut own = Writes::default();
                    projection.apply(event, &decoded, &mut own).map(|()| own).map_err(|e| e.to_string())
                }
            };
            match outcome {
                Ok(own) => {
                    writes.append(own);
                    writes.push("DELETE FROM parked_events WHERE projection = $1 AND event_id = $2", params![P::NAME.to_owned(), event.event_id]);
                    done.applied += 1;
                }
                Err(error) => {
                    park(&mut writes, P::NAME, event, &error);
                    failed.get_or_insert(error);
                    done.still_parked += 1;
                }
            }
        }
    }
    tx.batch_execute("SET LOCAL search_path = public").await?;
    writes.execute(&tx).await?;
    tx.commit().await?;
    Ok(done)
}
