//! What the projections' unit tests share.

use domain::codec::Encoded;
use domain::{Actor, Metadata};
use store::{Position, RecordedEvent};

/// `encoded` as read back from the log: in `stream` at `version`, recorded now by the system.
pub(crate) fn recorded(stream: String, version: u64, encoded: Encoded) -> RecordedEvent {
    RecordedEvent {
        event_id: uuid::Uuid::now_v7(),
        stream,
        version,
        position: Position { tx: 1, seq: 1 },
        event_type: encoded.event_type,
        schema: encoded.schema,
        payload: encoded.payload,
        metadata: Metadata::new(None, Actor::System("test".into())),
        occurred_at: chrono::Utc::now(),
        recorded_at: chrono::Utc::now(),
    }
}
