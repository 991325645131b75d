//! The store's vocabulary: positions, expected versions, events going in and coming out.

use std::fmt;

use chrono::{DateTime, Utc};
use domain::{Actor, CompanyId, DecodeError, EventPayload, Metadata};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use thiserror::Error;
use uuid::Uuid;

/// A place in the global order. For PostgreSQL `tx` is the writing transaction's id and
/// `seq` the event's sequence number; for EventStoreDB they hold the commit and prepare
/// positions. Positions compare as the pair, which is the order subscribers read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Position {
    pub tx: u64,
    pub seq: u64,
}

impl Position {
    /// Before the first event.
    pub const START: Position = Position { tx: 0, seq: 0 };
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.tx, self.seq)
    }
}

impl std::str::FromStr for Position {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || format!("`{s}` is not a position (expected two numbers joined by a dot, like 1042.77)");
        let (tx, seq) = s.split_once('.').ok_or_else(bad)?;
        Ok(Position { tx: tx.parse().map_err(|_| bad())?, seq: seq.parse().map_err(|_| bad())? })
    }
}

/// What the writer believes the stream's last version to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExpectedVersion {
    Any,
    NoStream,
    StreamExists,
    Exact(u64),
}

impl ExpectedVersion {
    /// The expectation that matches a stream whose last version is `version` (None: no stream).
    pub fn from_current(version: Option<u64>) -> Self {
        version.map_or(ExpectedVersion::NoStream, ExpectedVersion::Exact)
    }
}

impl fmt::Display for ExpectedVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExpectedVersion::Any => f.write_str("any version"),
            ExpectedVersion::NoStream => f.write_str("no stream"),
            ExpectedVersion::StreamExists => f.write_str("an existing stream"),
            ExpectedVersion::Exact(v) => write!(f, "version {v}"),
        }
    }
}

/// An event about to be appended.
#[derive(Debug, Clone, PartialEq)]
pub struct NewEvent {
    /// UUID v7; also the idempotency key of the append.
    pub event_id: Uuid,
    pub event_type: String,
    pub schema: u32,
    pub payload: Value,
    pub occurred_at: DateTime<Utc>,
}

impl NewEvent {
    pub fn from_payload<E: EventPayload>(event: &E) -> Self {
        let encoded = event.encode();
        NewEvent {
            event_id: Uuid::now_v7(),
            event_type: encoded.event_type,
            schema: encoded.schema,
            payload: encoded.payload,
            occurred_at: Utc::now(),
        }
    }
}

/// An event as stored, with its whole envelope.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordedEvent {
    pub event_id: Uuid,
    pub stream: String,
    pub version: u64,
    pub position: Position,
    pub event_type: String,
    pub schema: u32,
    pub payload: Value,
    pub metadata: Metadata,
    pub occurred_at: DateTime<Utc>,
    pub recorded_at: DateTime<Utc>,
}

impl RecordedEvent {
    /// The domain event; an error names the stored event it could not read.
    pub fn decode(&self) -> Result<domain::Event, StoreError> {
        domain::Event::decode(&self.stream, &self.event_type, self.schema, &self.payload).map_err(|source| StoreError::Decode {
            event_id: self.event_id,
            stream: self.stream.clone(),
            version: self.version,
            source,
        })
    }

    /// Decodes as one aggregate's event type.
    pub fn decode_as<E: EventPayload>(&self) -> Result<E, StoreError> {
        E::decode(&self.event_type, self.schema, &self.payload).map_err(|source| StoreError::Decode {
            event_id: self.event_id,
            stream: self.stream.clone(),
            version: self.version,
            source,
        })
    }

    pub fn company_id(&self) -> Option<CompanyId> {
        self.metadata.company_id
    }

    pub fn actor(&self) -> &Actor {
        &self.metadata.actor
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AppendResult {
    pub first_version: u64,
    pub last_version: u64,
    /// The position of the last event appended: wait for it to read your writes.
    pub position: Position,
    /// True when these events were stored by an earlier, identical append.
    pub duplicate: bool,
}

#[derive(Debug, Error)]
pub enum StoreError {
    #[error("stream `{stream}` was expected at {expected} but is at {}", actual.map_or("no stream".to_string(), |v| format!("version {v}")))]
    WrongExpectedVersion { stream: String, expected: ExpectedVersion, actual: Option<u64> },
    #[error("nothing to append to `{stream}`")]
    NothingToAppend { stream: String },
    #[error("append to `{stream}` mixes events already stored with new ones")]
    PartialDuplicate { stream: String },
    #[error("event {event_id} (`{stream}` version {version}) cannot be read: {source}")]
    Decode {
        event_id: Uuid,
        stream: String,
        version: u64,
        #[source]
        source: DecodeError,
    },
    #[error("event {event_id} has a corrupt envelope: {reason}")]
    CorruptEnvelope { event_id: Uuid, reason: String },
    #[error("database error: {}", describe(.0))]
    Database(#[from] tokio_postgres::Error),
    #[error("no database connection: {0}")]
    Pool(#[from] deadpool_postgres::PoolError),
}

impl StoreError {
    pub fn is_conflict(&self) -> bool {
        matches!(self, StoreError::WrongExpectedVersion { .. })
    }
}

/// tokio-postgres prints a server error as just "db error"; this says what the server said.
pub fn describe(e: &tokio_postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => match db.detail() {
            Some(detail) => format!("{} ({}; {detail})", db.message(), db.code().code()),
            None => format!("{} ({})", db.message(), db.code().code()),
        },
        None => e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_order_by_transaction_then_sequence_and_print_back() {
        let a = Position { tx: 10, seq: 99 };
        let b = Position { tx: 11, seq: 3 };
        assert!(a < b && Position::START < a);
        assert_eq!(a.to_string().parse::<Position>(), Ok(a));
        assert!("12".parse::<Position>().is_err());
        assert!("x.1".parse::<Position>().is_err());
    }
}
