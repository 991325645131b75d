//! Company → Audit log: who did what and when, with filters, pages and a CSV export.

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, NaiveDate, Utc};
use maud::{html, Markup};
use serde::Deserialize;
use serde_json::Value;

use locale::t;
use projections::audit::{kind_label, LogCursor, LogEntry, LogFilter, KINDS};

use super::layout::page;
use super::Query;
use crate::auth::Admin;
use crate::error::AppError;
use crate::Web;

const PAGE_SIZE: i64 = 50;

#[derive(Debug, Deserialize, Default)]
pub struct AuditQuery {
    #[serde(default)]
    actor: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    object: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    after: String,
}

impl AuditQuery {
    fn filter(&self) -> Result<LogFilter, AppError> {
        let day = |text: &str, field: &'static str| -> Result<Option<NaiveDate>, AppError> {
            match text.trim() {
                "" => Ok(None),
                t => NaiveDate::parse_from_str(t, "%Y-%m-%d").map(Some).map_err(|_| AppError::invalid(field, t!("audit-not-a-date", text = t))),
            }
        };
        let start = |d: NaiveDate| -> DateTime<Utc> { d.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc() };
        let kind = Some(self.kind.trim()).filter(|k| !k.is_empty()).map(str::to_owned);
        if let Some(k) = &kind {
            if !KINDS.iter().any(|(name, _)| name == k) {
                return Err(AppError::invalid("kind", t!("audit-not-a-kind", kind = k.as_str())));
            }
        }
        Ok(LogFilter {
            actor: Some(self.actor.trim()).filter(|a| !a.is_empty()).map(str::to_owned),
            kind,
            object: Some(self.object.trim()).filter(|o| !o.is_empty()).map(str::to_owned),
            since: day(&self.from, "from")?.map(start),
            // The whole of the last day.
            until: day(&self.to, "to")?.and_then(|d| d.succ_opt()).map(start),
        })
    }

    /// The query string for the same filters (for the next page and the export).
    fn filters(&self) -> String {
        let pairs = [("actor", &self.actor), ("kind", &self.kind), ("object", &self.object), ("from", &self.from), ("to", &self.to)];
        pairs.iter().filter(|(_, v)| !v.is_empty()).map(|(k, v)| format!("{k}={}", urlencode(v))).collect::<Vec<_>>().join("&")
    }
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Where an entry's object is shown.
fn object_link(e: &LogEntry) -> Option<(String, String)> {
    if let Some(user) = e.subject_user_id {
        return Some((format!("/admin/users/{user}/history"), e.subject_name.clone().unwrap_or_else(|| t!("audit-object-a-user"))));
    }
    if let Ok(site) = domain::site::id_from_stream(&e.stream) {
        return Some((format!("/admin/sites/{}", site.0), t!("audit-object-site")));
    }
    if e.entry.event_type == "InvoiceIssued" {
        let number = e.entry.details.pointer("/invoice/number").and_then(Value::as_u64)?;
        return Some((format!("/admin/invoices/{number}"), t!("audit-object-invoice", number = number.to_string())));
    }
    domain::company::id_from_stream(&e.stream).ok().map(|_| ("/admin/subscription".into(), t!("audit-object-company")))
}

/// The values an event carries, one `name: value` per field.
fn values(details: &Value) -> Vec<(String, String)> {
    let Some(fields) = details.as_object() else { return vec![] };
    fields
        .iter()
        .map(|(k, v)| {
            let text = match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            let short = if text.chars().count() > 160 { format!("{}…", text.chars().take(160).collect::<String>()) } else { text };
            (k.replace('_', " "), short)
        })
        .collect()
}

pub async fn show(State(web): State<Web>, Admin(session): Admin, Query(query): Query<AuditQuery>) -> Result<Markup, AppError> {
    let filter = query.filter()?;
    let after = match query.after.trim() {
        "" => None,
        a => Some(a.parse::<LogCursor>().map_err(|e| AppError::invalid("after", e))?),
    };
    let (entries, next) = app::audit::page(&web, &session, &filter, after, PAGE_SIZE).await?;
    let (people, _) = app::users::list(&web, &session, "", 0, 500).await?;
    let filters = query.filters();
    Ok(page(
        &t!("audit-title"),
        Some(&session),
        html! {
            h1 { (t!("audit-title")) }
            form.card.filters method="get" action="/admin/audit" #audit-filters {
                div.filter-row {
                    div {
                        label for="actor" { (t!("audit-who")) }
                        select #actor name="actor" {
                            option value="" { (t!("audit-anyone")) }
                            option value="system:billing" selected[query.actor == "system:billing"] { (t!("audit-who-system-billing")) }
                            option value="system:cli" selected[query.actor == "system:cli"] { (t!("audit-who-system-cli")) }
                            @for u in &people {
                                @let actor = format!("user:{}", u.user_id);
                                option value=(actor) selected[query.actor == actor] { (u.profile.full_name()) " (" (u.email) ")" }
                            }
                        }
                    }
                    div {
                        label for="kind" { (t!("audit-what")) }
                        select #kind name="kind" {
                            option value="" { (t!("audit-every-action")) }
                            @for (name, _) in KINDS { option value=(name) selected[query.kind == *name] { (kind_label(name)) } }
                        }
                    }
                    div { label for="from" { (t!("audit-from")) } input #from type="date" name="from" value=(query.from); }
                    div { label for="to" { (t!("audit-to")) } input #to type="date" name="to" value=(query.to); }
                }
                @if !query.object.is_empty() { input type="hidden" name="object" value=(query.object); p.muted.small { (t!("audit-one-object")) " " a href="/admin/audit" { (t!("audit-show-all")) } } }
                p.actions {
                    button.secondary type="submit" { (t!("audit-filter")) }
                    " " a.button.secondary #export href={"/admin/audit.csv?" (filters)} { (t!("audit-export")) }
                }
            }
            div.scroll { table #audit {
                thead { tr { th { (t!("audit-when")) } th { (t!("audit-who")) } th { (t!("audit-what")) } th { (t!("audit-object")) } th { (t!("audit-values")) } } }
                tbody {
                    @for e in &entries {
                        tr data-event=(e.entry.event_type) {
                            td { time datetime=(e.entry.occurred_at.to_rfc3339()) { (locale::reader().date_time(e.entry.occurred_at)) } }
                            td { (e.entry.who()) }
                            td { (e.entry.describe()) }
                            td {
                                @if let Some((href, label)) = object_link(e) { a href=(href) { (label) } }
                                " " a.small href={"/admin/audit?object=" (urlencode(&e.stream))} title=(t!("audit-only-this-object")) { "⌕" span.visually-hidden { (t!("audit-only-this-object")) } }
                            }
                            td.values { @for (k, v) in values(&e.entry.details) { span.value { span.muted { (k) ": " } (v) } br; } }
                        }
                    }
                    @if entries.is_empty() { tr { td colspan="5" .muted { (t!("audit-nothing-matches")) } } }
                }
            } }
            div.pager {
                @if after.is_some() { a href={"/admin/audit?" (filters)} { (t!("audit-newest")) } }
                @if let Some(n) = next { a #older href={"/admin/audit?" (filters) @if !filters.is_empty() { "&" } "after=" (n)} { (t!("audit-older")) } }
            }
        },
    ))
}

pub async fn export(State(web): State<Web>, Admin(session): Admin, Query(query): Query<AuditQuery>) -> Result<Response, AppError> {
    let csv = app::audit::export(&web, &session, &query.filter()?, 100_000).await?;
    let name = format!("attachment; filename=\"audit-{}.csv\"", Utc::now().format("%Y-%m-%d"));
    Ok(([(header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()), (header::CONTENT_DISPOSITION, name)], csv).into_response())
}
