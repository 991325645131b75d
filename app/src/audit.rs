//! The company's audit log for its administrators: who did what and when, filtered and
//! paged, and exported as CSV that is safe to open in a spreadsheet.

use projections::audit::{self, LogCursor, LogEntry, LogFilter};

use crate::auth::Session;
use crate::{App, Result};

/// A page of the audit log, newest first, and where the next one starts.
pub async fn page(
    app: &App,
    session: &Session,
    filter: &LogFilter,
    after: Option<LogCursor>,
    size: i64,
) -> Result<(Vec<LogEntry>, Option<LogCursor>)> {
    let client = app.pool().get().await?;
    let mut entries = audit::log(&**client, session.company_id(), filter, after, size + 1).await?;
    let more = entries.len() as i64 > size;
    entries.truncate(size as usize);
    let next = if more { entries.last().map(|e| LogCursor { tx: e.cursor.0, seq: e.cursor.1 }) } else { None };
    Ok((entries, next))
}

/// Every entry the filter selects (up to `cap`), as CSV.
pub async fn export(app: &App, session: &Session, filter: &LogFilter, cap: usize) -> Result<String> {
    let mut all = Vec::new();
    let mut after = None;
    while all.len() < cap {
        let (entries, next) = page(app, session, filter, after, 1000).await?;
        all.extend(entries);
        match next {
            Some(n) => after = Some(n),
            None => break,
        }
    }
    all.truncate(cap);
    to_csv(&all)
}

fn to_csv(entries: &[LogEntry]) -> Result<String> {
    let mut out = csv::Writer::from_writer(Vec::new());
    let write = |out: &mut csv::Writer<Vec<u8>>, record: &[String]| {
        out.write_record(record.iter().map(|c| safe_cell(c))).map_err(|e| crate::Error::Internal(e.to_string()))
    };
    write(&mut out, &["time", "who", "actor", "event", "what", "object", "details"].map(String::from))?;
    for e in entries {
        let record = [
            e.entry.occurred_at.to_rfc3339(),
            e.entry.who(),
            e.entry.actor.clone(),
            e.entry.event_type.clone(),
            e.entry.describe(),
            e.subject_name.clone().unwrap_or_else(|| e.stream.clone()),
            e.entry.details.to_string(),
        ];
        write(&mut out, &record)?;
    }
    let bytes = out.into_inner().map_err(|e| crate::Error::Internal(e.to_string()))?;
    String::from_utf8(bytes).map_err(|e| crate::Error::Internal(e.to_string()))
}

/// A cell a spreadsheet would take for a formula (starting with `=`, `+`, `-`, `@`, a tab or
/// a carriage return) is prefixed with an apostrophe, as OWASP advises.
pub fn safe_cell(cell: &str) -> String {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{cell}"),
        _ => cell.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_that_a_spreadsheet_would_run_are_defused() {
        assert_eq!(safe_cell("=HYPERLINK(\"http://x\")"), "'=HYPERLINK(\"http://x\")");
        assert_eq!(safe_cell("+33 1 23"), "'+33 1 23");
        assert_eq!(safe_cell("-2"), "'-2");
        assert_eq!(safe_cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(safe_cell("\tx"), "'\tx");
        assert_eq!(safe_cell("Ada"), "Ada");
        assert_eq!(safe_cell(""), "");
    }
}
