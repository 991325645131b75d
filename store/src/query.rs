//! Filtered reads of the log for audit and replay tools (`switchboard events`): the filter
//! runs in SQL, so a company's few events are found without reading everyone's.

use chrono::{DateTime, Utc};
use domain::{Actor, CompanyId};
use tokio_postgres::types::ToSql;

use crate::postgres::{as_bigint, to_recorded, COLUMNS};
use crate::{PgEventStore, Position, RecordedEvent, StoreError};

/// Which events to read; every field left empty lets all through. Bounds are inclusive.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EventFilter {
    pub company: Option<CompanyId>,
    pub stream: Option<String>,
    /// The part of the stream name before its first `-` (`company`, `user` …).
    pub category: Option<String>,
    /// Any of these event types; all types when empty.
    pub types: Vec<String>,
    pub actor: Option<Actor>,
    /// Recorded at or after.
    pub since: Option<DateTime<Utc>>,
    /// Recorded at or before.
    pub until: Option<DateTime<Utc>>,
    pub from_position: Option<Position>,
    pub to_position: Option<Position>,
}

impl EventFilter {
    /// The same test as the SQL, for events that arrive through a subscription.
    pub fn matches(&self, e: &RecordedEvent) -> bool {
        let category = e.stream.split_once('-').map_or(e.stream.as_str(), |(c, _)| c);
        self.company.is_none_or(|c| e.company_id() == Some(c))
            && self.stream.as_ref().is_none_or(|s| *s == e.stream)
            && self.category.as_ref().is_none_or(|c| c == category)
            && (self.types.is_empty() || self.types.contains(&e.event_type))
            && self.actor.as_ref().is_none_or(|a| a == e.actor())
            && self.since.is_none_or(|t| e.recorded_at >= t)
            && self.until.is_none_or(|t| e.recorded_at <= t)
            && self.from_position.is_none_or(|p| e.position >= p)
            && self.to_position.is_none_or(|p| e.position <= p)
    }
}

/// A WHERE clause under construction: conditions joined by AND, values only as parameters.
#[derive(Default)]
struct Conditions {
    sql: Vec<String>,
    params: Vec<Box<dyn ToSql + Sync + Send>>,
}

impl Conditions {
    /// Adds `condition`, where `$` stands for the next parameter, bound to `value`.
    fn add(&mut self, condition: &str, value: impl ToSql + Sync + Send + 'static) {
        self.params.push(Box::new(value));
        self.sql.push(condition.replace('$', &format!("${}", self.params.len())));
    }

    /// `(tx_id, position) <op> position`: two parameters.
    fn position(&mut self, op: &str, p: Position) {
        self.params.push(Box::new(p.tx.to_string()));
        self.params.push(Box::new(p.seq as i64));
        let n = self.params.len();
        self.sql.push(format!(r#"("events"."tx_id", "position") {op} (${}::text::xid8, ${n})"#, n - 1));
    }
}

impl PgEventStore {
    /// Up to `limit` events after `after` that pass `filter`, in global order, below the
    /// same transaction-id barrier as `read_all`: a later page never finds an older event.
    /// `up_to` bounds the read too (the head a follower subscribes after).
    pub async fn query(
        &self,
        filter: &EventFilter,
        after: Position,
        up_to: Option<Position>,
        limit: usize,
    ) -> Result<Vec<RecordedEvent>, StoreError> {
        let mut c = Conditions::default();
        c.position(">", after);
        if let Some(p) = filter.from_position {
            c.position(">=", p);
        }
        for p in [filter.to_position, up_to].into_iter().flatten() {
            c.position("<=", p);
        }
        if let Some(company) = filter.company {
            c.add(r#""company_id" = $"#, company.0);
        }
        if let Some(stream) = &filter.stream {
            c.add(r#""stream" = $"#, stream.clone());
        }
        if let Some(category) = &filter.category {
            c.add(r#"split_part("stream", '-', 1) = $"#, category.clone());
        }
        if !filter.types.is_empty() {
            c.add(r#""event_type" = ANY($)"#, filter.types.clone());
        }
        if let Some(actor) = &filter.actor {
            c.add(r#""actor" = $"#, actor.to_string());
        }
        if let Some(since) = filter.since {
            c.add(r#""recorded_at" >= $"#, since);
        }
        if let Some(until) = filter.until {
            c.add(r#""recorded_at" <= $"#, until);
        }
        c.sql.push(r#""events"."tx_id" < pg_snapshot_xmin(pg_current_snapshot())"#.to_owned());
        c.params.push(Box::new(as_bigint(limit as u64)));
        let sql = format!(
            r#"SELECT {COLUMNS} FROM "events" WHERE {} ORDER BY "events"."tx_id", "position" LIMIT ${}"#,
            c.sql.join(" AND "),
            c.params.len()
        );
        let client = self.pool().get().await?;
        let params: Vec<&(dyn ToSql + Sync)> = c.params.iter().map(|p| p.as_ref() as &(dyn ToSql + Sync)).collect();
        let rows = client.query(&sql, &params).await?;
        rows.iter().map(to_recorded).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::{Metadata, UserId};
    use serde_json::json;
    use uuid::Uuid;

    fn event(stream: &str, event_type: &str, actor: Actor, seq: u64) -> RecordedEvent {
        let company = CompanyId::new();
        let at = DateTime::parse_from_rfc3339("2026-12-01T10:00:00Z").unwrap().with_timezone(&Utc) + chrono::TimeDelta::seconds(seq as i64);
        RecordedEvent {
            event_id: Uuid::now_v7(),
            stream: stream.to_owned(),
            version: 0,
            position: Position { tx: 7, seq },
            event_type: event_type.to_owned(),
            schema: 1,
            payload: json!({}),
            metadata: Metadata::new(Some(company), actor),
            occurred_at: at,
            recorded_at: at,
        }
    }

    #[test]
    fn a_live_event_passes_the_filter_exactly_when_every_condition_holds() {
        let admin = Actor::User(UserId::new());
        let e = event("company-x", "RoleGranted", admin.clone(), 5);
        let pass = |f: EventFilter| f.matches(&e);
        assert!(pass(EventFilter::default()));
        assert!(pass(EventFilter { company: e.company_id(), category: Some("company".into()), actor: Some(admin), ..Default::default() }));
        assert!(!pass(EventFilter { company: Some(CompanyId::new()), ..Default::default() }));
        assert!(!pass(EventFilter { category: Some("comp".into()), ..Default::default() }));
        assert!(pass(EventFilter { types: vec!["MemberAdded".into(), "RoleGranted".into()], ..Default::default() }));
        assert!(!pass(EventFilter { types: vec!["MemberAdded".into()], ..Default::default() }));
        assert!(!pass(EventFilter { actor: Some(Actor::System("cli".into())), ..Default::default() }));
        assert!(pass(EventFilter { since: Some(e.recorded_at), until: Some(e.recorded_at), ..Default::default() }));
        assert!(!pass(EventFilter { since: Some(e.recorded_at + chrono::TimeDelta::microseconds(1)), ..Default::default() }));
        let p = e.position;
        assert!(pass(EventFilter { from_position: Some(p), to_position: Some(p), ..Default::default() }));
        assert!(!pass(EventFilter { to_position: Some(Position { tx: 7, seq: 4 }), ..Default::default() }));
    }
}
