//! `switchboard events`: the event log, filtered in SQL, as a table or NDJSON, a page at a
//! time or followed live.

use std::io::Write;

use chrono::SecondsFormat;
use domain::{Actor, CompanyId};
use serde_json::{json, Value};
use store::{EventFilter, EventStore, PgEventStore, Position, RecordedEvent};

use crate::inputs::{self, DayEnd};
use crate::{with_database, DataArgs};

#[derive(clap::Args)]
pub struct EventsArgs {
    /// Only this company's events (its id).
    #[arg(long, value_name = "ID")]
    company: Option<String>,
    /// Only this stream (`company-<id>`, `user-<id>` …).
    #[arg(long, value_name = "NAME")]
    stream: Option<String>,
    /// Only streams of this category, the part of the name before the first `-` (`company`,
    /// `user`, `conversation` …).
    #[arg(long, value_name = "CAT")]
    category: Option<String>,
    /// Only events of this type (`RoleGranted` …); repeat for several.
    #[arg(long = "type", value_name = "TYPE")]
    types: Vec<String>,
    /// Only events caused by `user:<id>`, `visitor:<id>` or `system:<name>`.
    #[arg(long)]
    actor: Option<String>,
    /// Recorded at or after (RFC 3339, or YYYY-MM-DD: that day's start, UTC).
    #[arg(long, value_name = "TIME")]
    since: Option<String>,
    /// Recorded at or before (RFC 3339, or YYYY-MM-DD: that whole day, UTC).
    #[arg(long, value_name = "TIME")]
    until: Option<String>,
    /// From this position on, inclusive (positions as printed: `1042.77`).
    #[arg(long, value_name = "POSITION")]
    from_position: Option<String>,
    /// Up to this position, inclusive.
    #[arg(long, value_name = "POSITION")]
    to_position: Option<String>,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
    /// At most this many events; where to continue is printed on standard error.
    #[arg(long, default_value_t = 100)]
    limit: usize,
    /// Only events after this position (exclusive): where the previous page stopped.
    #[arg(long, value_name = "POSITION")]
    after: Option<String>,
    /// After the matching events stored, print new ones as they are appended, until Ctrl-C
    /// (the whole backlog, not a page).
    #[arg(long)]
    follow: bool,
    #[command(flatten)]
    data: DataArgs,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum Format {
    /// Readable columns, one event a line.
    Table,
    /// One JSON object per event and line, with every field.
    Ndjson,
}

impl EventsArgs {
    fn filter(&self) -> Result<EventFilter, String> {
        let company = match &self.company {
            Some(id) => Some(id.trim().parse::<CompanyId>().map_err(|_| format!("--company: `{id}` is not a company id (a UUID)"))?),
            None => None,
        };
        let actor = match &self.actor {
            Some(a) => Some(a.trim().parse::<Actor>().map_err(|e| format!("--actor: {e} (expected user:<id>, visitor:<id> or system:<name>)"))?),
            None => None,
        };
        let since = self.since.as_deref().map(|t| inputs::time("--since", t, DayEnd::Start)).transpose()?;
        let until = self.until.as_deref().map(|t| inputs::time("--until", t, DayEnd::End)).transpose()?;
        if let (Some(s), Some(u)) = (since, until) {
            if s > u {
                return Err("--since is later than --until: no event can match".into());
            }
        }
        Ok(EventFilter {
            company,
            stream: self.stream.clone(),
            category: self.category.clone(),
            types: self.types.clone(),
            actor,
            since,
            until,
            from_position: self.from_position.as_deref().map(|p| inputs::position("--from-position", p)).transpose()?,
            to_position: self.to_position.as_deref().map(|p| inputs::position("--to-position", p)).transpose()?,
        })
    }
}

pub async fn events(args: EventsArgs) -> Result<(), String> {
    // Every input is checked before the database is opened.
    let filter = args.filter()?;
    let after = args.after.as_deref().map(|p| inputs::position("--after", p)).transpose()?.unwrap_or(Position::START);
    if args.limit == 0 {
        return Err("--limit must be at least 1".into());
    }
    let (format, limit, follow) = (args.format, args.limit, args.follow);
    with_database(&args.data, |config| async move {
        let store = PgEventStore::new(store::db::pool(&config, 2), config);
        let result = if follow { follow_log(&store, &filter, after, format).await } else { page(&store, &filter, after, limit, format).await };
        store.close();
        result
    })
    .await
}

async fn page(store: &PgEventStore, filter: &EventFilter, after: Position, limit: usize, format: Format) -> Result<(), String> {
    // One more than asked tells whether another page follows.
    let mut events = store.query(filter, after, None, limit.saturating_add(1)).await.map_err(|e| e.to_string())?;
    let more = events.len() > limit;
    events.truncate(limit);
    let mut out = Out::new(format);
    for event in &events {
        if !out.event(event)? {
            return Ok(());
        }
    }
    if let Some(last) = events.last().filter(|_| more) {
        eprintln!("more events: continue with --after {}", last.position);
    }
    Ok(())
}

const BACKLOG_PAGE: usize = 1000;

/// The backlog up to the head of the log, then the store's subscription from that head: no
/// event is printed twice or missed between the two.
async fn follow_log(store: &PgEventStore, filter: &EventFilter, after: Position, format: Format) -> Result<(), String> {
    // Listening from the start: a Ctrl-C while printing the backlog is not lost.
    let ctrl_c = tokio::signal::ctrl_c();
    tokio::pin!(ctrl_c);
    let head = store.head().await.map_err(|e| e.to_string())?;
    let mut out = Out::new(format);
    let mut position = after;
    loop {
        let events = store.query(filter, position, Some(head), BACKLOG_PAGE).await.map_err(|e| e.to_string())?;
        for event in &events {
            if !out.event(event)? {
                return Ok(());
            }
        }
        match events.last() {
            Some(last) if events.len() == BACKLOG_PAGE => position = last.position,
            _ => break,
        }
    }
    let mut subscription = store.subscribe(head.max(after));
    loop {
        let next = tokio::select! {
            next = subscription.next() => next,
            _ = &mut ctrl_c => return Ok(()),
        };
        match next {
            Some(Ok(event)) => {
                // Past the last position or time asked for, nothing more can match.
                if filter.to_position.is_some_and(|to| event.position > to) || filter.until.is_some_and(|u| event.recorded_at > u) {
                    return Ok(());
                }
                if filter.matches(&event) && !out.event(&event)? {
                    return Ok(());
                }
            }
            // The subscription goes on after a failed read; say so and keep following.
            Some(Err(e)) => eprintln!("switchboard: reading the log failed, retrying: {e}"),
            None => return Err("the subscription to the event log ended".into()),
        }
    }
}

/// Standard output, one event a line, the table's header before the first.
struct Out {
    format: Format,
    header_due: bool,
    stdout: std::io::Stdout,
}

impl Out {
    fn new(format: Format) -> Out {
        Out { format, header_due: matches!(format, Format::Table), stdout: std::io::stdout() }
    }

    /// Prints `event`; false once the reader has gone (`| head`), which ends the listing
    /// quietly rather than as an error.
    fn event(&mut self, event: &RecordedEvent) -> Result<bool, String> {
        let mut text = String::new();
        if std::mem::take(&mut self.header_due) {
            text = format!("{:<14}  {:<19}  {:<49}  {:<24}  {:<43}  payload\n", "position", "recorded (UTC)", "stream", "type", "actor");
        }
        text += &match self.format {
            Format::Table => format!(
                "{:<14}  {:<19}  {:<49}  {:<24}  {:<43}  {}",
                event.position.to_string(),
                event.recorded_at.format("%Y-%m-%d %H:%M:%S"),
                event.stream,
                event.event_type,
                event.actor().to_string(),
                summary(&event.payload, PAYLOAD_WIDTH)
            ),
            Format::Ndjson => as_json(event).to_string(),
        };
        match writeln!(self.stdout, "{text}") {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(false),
            Err(e) => Err(format!("cannot write to standard output: {e}")),
        }
    }
}

/// Every field of the event, times to the microsecond as stored.
pub fn as_json(event: &RecordedEvent) -> Value {
    let time = |t: chrono::DateTime<chrono::Utc>| t.to_rfc3339_opts(SecondsFormat::Micros, true);
    json!({
        "position": event.position.to_string(),
        "event_id": event.event_id,
        "stream": event.stream,
        "version": event.version,
        "type": event.event_type,
        "schema": event.schema,
        "payload": event.payload,
        "company_id": event.company_id(),
        "actor": event.actor().to_string(),
        "correlation_id": event.metadata.correlation_id,
        "causation_id": event.metadata.causation_id,
        "occurred_at": time(event.occurred_at),
        "recorded_at": time(event.recorded_at),
    })
}

const PAYLOAD_WIDTH: usize = 80;

/// `field=value …` without the type (it has its own column), cut to `width` characters.
fn summary(payload: &Value, width: usize) -> String {
    let text = match payload {
        Value::Object(fields) => fields
            .iter()
            .filter(|(k, _)| k.as_str() != "type")
            .map(|(k, v)| match v {
                Value::String(s) => format!("{k}={s}"),
                v => format!("{k}={v}"),
            })
            .collect::<Vec<_>>()
            .join(" "),
        other => other.to_string(),
    };
    if text.chars().count() <= width {
        text
    } else {
        text.chars().take(width - 1).chain(['…']).collect()
    }
}
