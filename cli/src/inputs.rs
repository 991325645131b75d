//! Reading times and positions typed on the command line: a bad one is one clear sentence,
//! not clap's usage screen.

use chrono::{DateTime, Days, NaiveDate, NaiveTime, TimeDelta, Utc};
use store::Position;

/// Which end of a bare day (YYYY-MM-DD) a time stands for.
#[derive(Clone, Copy)]
pub enum DayEnd {
    /// Midnight UTC as the day starts: `--since`.
    Start,
    /// The last instant of the day, UTC: `--until` and `--at` take the whole day in.
    End,
}

/// An RFC 3339 time, or a day taken as `end` says.
pub fn time(flag: &str, text: &str, end: DayEnd) -> Result<DateTime<Utc>, String> {
    if let Ok(t) = DateTime::parse_from_rfc3339(text.trim()) {
        return Ok(t.with_timezone(&Utc));
    }
    if let Ok(day) = NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d") {
        let start = day.and_time(NaiveTime::MIN).and_utc();
        return Ok(match end {
            DayEnd::Start => start,
            // PostgreSQL keeps microseconds: the last one of the day.
            DayEnd::End => start + Days::new(1) - TimeDelta::microseconds(1),
        });
    }
    Err(format!("{flag}: `{text}` is not a time (expected RFC 3339 such as 2026-12-01T09:30:00Z, or a day such as 2026-12-01)"))
}

pub fn position(flag: &str, text: &str) -> Result<Position, String> {
    text.trim().parse().map_err(|e| format!("{flag}: {e}"))
}
