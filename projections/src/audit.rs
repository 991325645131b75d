//! The audit log: every administrative event, who caused it and whom it concerns.

use chrono::{DateTime, Utc};
use domain::{company, Actor, CompanyId, Event, UserId};
use serde::Serialize;
use serde_json::Value;
use store::RecordedEvent;

use crate::{params, Projection, ProjectionError, Writes};

pub struct Audit;

impl Projection for Audit {
    const NAME: &'static str = "audit";
    const TABLES: &'static [&'static str] = &["audit_log"];

    fn apply(&self, event: &RecordedEvent, decoded: &Event, writes: &mut Writes) -> Result<(), ProjectionError> {
        let subject: Option<uuid::Uuid> = match decoded {
            Event::User(_) => Some(domain::user::id_from_stream(&event.stream)?.0),
            Event::Company(e) => match e {
                company::Event::MemberAdded { user_id, .. }
                | company::Event::RoleGranted { user_id, .. }
                | company::Event::RoleRevoked { user_id, .. }
                | company::Event::MemberDeactivated { user_id }
                | company::Event::MemberReactivated { user_id } => Some(user_id.0),
                _ => None,
            },
            Event::Site(e) => match e {
                domain::site::Event::AgentAssigned { user_id, .. }
                | domain::site::Event::AgentPriorityChanged { user_id, .. }
                | domain::site::Event::AgentUnassigned { user_id } => Some(user_id.0),
                _ => None,
            },
            // Who erased a visitor stays on record (the visitor is only an id here).
            Event::Visitor(_) => None,
            // Address claims are bookkeeping behind "created" and "changed e-mail"; chat
            // events have their own history (conversations and transcripts).
            Event::Email(_) | Event::Agent(_) | Event::Conversation(_) => return Ok(()),
        };
        let mut details = event.payload.clone();
        if let Some(fields) = details.as_object_mut() {
            // Even a hash of a link has no business in an audit trail.
            fields.remove("token_hash");
            fields.remove("type");
        }
        writes.push(
            "INSERT INTO audit_log (event_id, tx, seq, company_id, subject_user_id, actor, event_type, details, occurred_at, stream)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            params![
                event.event_id,
                event.position.tx as i64,
                event.position.seq as i64,
                event.company_id().map(|c| c.0),
                subject,
                event.actor().to_string(),
                event.event_type.clone(),
                details,
                event.occurred_at,
                event.stream.clone()
            ],
        );
        Ok(())
    }
}

/// One line of a user's history.
#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    pub event_type: String,
    pub details: Value,
    pub actor: String,
    /// The acting user's name, when the actor is a user of the same company.
    pub actor_name: Option<String>,
    pub occurred_at: DateTime<Utc>,
}

impl Entry {
    /// What happened, in words.
    pub fn describe(&self) -> String {
        let d = &self.details;
        let s = |k: &str| d.get(k).and_then(Value::as_str).unwrap_or_default().to_owned();
        match self.event_type.as_str() {
            "UserRegistered" => format!("created the account for {}", s("email")),
            "UserInvited" if d.get("send_email") == Some(&Value::Bool(false)) => "created an invitation (not mailed yet)".into(),
            "UserInvited" => "sent an invitation by e-mail".into(),
            "InvitationLinkIssued" => "mailed an invitation link".into(),
            "InvitationAccepted" => "accepted the invitation".into(),
            "PasswordSet" => "set the password".into(),
            "PasswordResetRequested" => "asked for a password reset link".into(),
            "PasswordResetLinkIssued" => "mailed a password reset link".into(),
            "PasswordReset" => "chose a new password through a reset link".into(),
            "ProfileChanged" => "changed the profile".into(),
            "EmailChanged" => format!("changed the e-mail address to {}", s("email")),
            "MaxChatsChanged" => format!("set the maximum simultaneous chats to {}", d.get("max_chats").cloned().unwrap_or(Value::Null)),
            "MemberAdded" => {
                let roles: Vec<String> =
                    d.get("roles").and_then(Value::as_array).into_iter().flatten().filter_map(|r| r.as_str().map(str::to_owned)).collect();
                if roles.is_empty() {
                    "added to the company".into()
                } else {
                    format!("added to the company as {}", roles.join(", "))
                }
            }
            "RoleGranted" => format!("switched the {} role on", s("role")),
            "RoleRevoked" => format!("switched the {} role off", s("role")),
            "MemberDeactivated" => "deactivated the account".into(),
            "MemberReactivated" => "reactivated the account".into(),
            "RegistrationAbandoned" => format!("abandoned the creation ({})", s("reason")),
            "AgentAssigned" => format!("assigned to a site at {} priority", s("priority")),
            "AgentPriorityChanged" => format!("moved to {} priority on a site", s("priority")),
            "AgentUnassigned" => "removed from a site".into(),
            "SeatsChanged" => match d.get("previous").and_then(Value::as_u64) {
                Some(previous) => format!("set the seats from {previous} to {}", d.get("seats").cloned().unwrap_or(Value::Null)),
                None => format!("set the seats to {}", d.get("seats").cloned().unwrap_or(Value::Null)),
            },
            "OrderPlaced" => {
                let offer = d.pointer("/order/offer");
                let seats = offer.and_then(|o| o.get("seats")).cloned().unwrap_or(Value::Null);
                let period = offer.and_then(|o| o.get("period")).and_then(Value::as_str).unwrap_or_default().to_lowercase();
                format!("ordered {seats} seats, {period} payment")
            }
            "PaymentSucceeded" => format!("paid {} cents", d.get("total_cents").cloned().unwrap_or(Value::Null)),
            "PaymentFailed" => format!("had a payment refused ({})", d.pointer("/reason/code").and_then(Value::as_str).unwrap_or_default()),
            "OfferChanged" => format!("changed the offer to {} seats", d.get("seats").cloned().unwrap_or(Value::Null)),
            "InvoiceIssued" => format!("was issued invoice {}", d.pointer("/invoice/number").cloned().unwrap_or(Value::Null)),
            "SubscriptionPastDue" => "could not renew: the subscription is past due".into(),
            "VisitorErased" => "erased a visitor's personal data".into(),
            other => other.to_owned(),
        }
    }

    /// Who, in words.
    pub fn who(&self) -> String {
        match (&self.actor_name, self.actor.parse::<Actor>()) {
            (Some(name), _) => name.clone(),
            (None, Ok(Actor::System(name))) => format!("Switchboard ({name})"),
            (None, Ok(Actor::Visitor(_))) => "a visitor".into(),
            _ => "someone".into(),
        }
    }
}

/// The history of one user of `company_id`, oldest first.
pub async fn history(
    client: &impl tokio_postgres::GenericClient,
    company_id: CompanyId,
    user_id: UserId,
) -> Result<Vec<Entry>, tokio_postgres::Error> {
    let rows = client
        .query(
            "SELECT a.event_type, a.details, a.actor, u.first_name || ' ' || u.last_name, a.occurred_at
             FROM audit_log a
             LEFT JOIN users u ON a.actor = 'user:' || u.user_id::text AND u.company_id = a.company_id
             WHERE a.subject_user_id = $1 AND a.company_id = $2
             ORDER BY a.tx, a.seq",
            &[&user_id.0, &company_id.0],
        )
        .await?;
    Ok(rows.iter().map(|r| Entry { event_type: r.get(0), details: r.get(1), actor: r.get(2), actor_name: r.get(3), occurred_at: r.get(4) }).collect())
}

/// Kinds of action the audit page filters by, and the event types of each.
pub const KINDS: &[(&str, &[&str])] = &[
    (
        "users",
        &[
            "UserRegistered",
            "UserInvited",
            "InvitationLinkIssued",
            "InvitationAccepted",
            "PasswordSet",
            "PasswordResetRequested",
            "PasswordResetLinkIssued",
            "PasswordReset",
            "ProfileChanged",
            "EmailChanged",
            "MaxChatsChanged",
            "MemberAdded",
            "MemberDeactivated",
            "MemberReactivated",
            "RegistrationAbandoned",
        ],
    ),
    ("roles", &["RoleGranted", "RoleRevoked"]),
    ("seats", &["CompanyRegistered", "SeatsChanged", "OfferChanged"]),
    ("billing", &["OrderPlaced", "PaymentSucceeded", "PaymentFailed", "OfferChanged", "InvoiceIssued", "SubscriptionPastDue"]),
    ("sites", &["SiteCreated", "SiteChanged", "SiteDeleted", "WidgetKeyRotated", "PriorityWeightsChanged"]),
    ("widget", &["WidgetSettingsChanged"]),
    ("agents", &["AgentAssigned", "AgentPriorityChanged", "AgentUnassigned"]),
    ("visitors", &["VisitorErased"]),
];

/// What the audit page asks for. Every field narrows; none set is everything.
#[derive(Debug, Clone, Default)]
pub struct LogFilter {
    /// `user:<id>`, `system:<name>`.
    pub actor: Option<String>,
    /// One of `KINDS`.
    pub kind: Option<String>,
    /// The object's stream (`user-…`, `site-…`, `company-…`).
    pub object: Option<String>,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
}

/// Where a page of entries ends: the next page starts after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LogCursor {
    pub tx: i64,
    pub seq: i64,
}

impl std::fmt::Display for LogCursor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}", self.tx, self.seq)
    }
}

impl std::str::FromStr for LogCursor {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (tx, seq) = s.split_once('.').ok_or_else(|| format!("\"{s}\" is not a page position"))?;
        Ok(LogCursor {
            tx: tx.parse().map_err(|_| format!("\"{s}\" is not a page position"))?,
            seq: seq.parse().map_err(|_| format!("\"{s}\" is not a page position"))?,
        })
    }
}

/// One line of the company's audit log.
#[derive(Debug, Clone, Serialize)]
pub struct LogEntry {
    pub entry: Entry,
    pub stream: String,
    pub subject_user_id: Option<uuid::Uuid>,
    /// The subject user's name, when the entry is about a user.
    pub subject_name: Option<String>,
    pub cursor: (i64, i64),
}

/// A page of the company's audit log, newest first, after `after` (keyset paging: as fast
/// on the thousandth page as on the first).
pub async fn log(
    client: &impl tokio_postgres::GenericClient,
    company_id: CompanyId,
    filter: &LogFilter,
    after: Option<LogCursor>,
    limit: i64,
) -> Result<Vec<LogEntry>, tokio_postgres::Error> {
    let types: Option<Vec<String>> =
        filter.kind.as_deref().map(|k| KINDS.iter().find(|(name, _)| *name == k).map_or(vec![], |(_, t)| t.iter().map(|t| t.to_string()).collect()));
    let (after_tx, after_seq) = after.map_or((None, None), |c| (Some(c.tx), Some(c.seq)));
    // A user is also the subject of the company's events about them (roles, deactivation).
    let subject = filter.object.as_deref().and_then(|o| domain::user::id_from_stream(o).ok()).map(|u| u.0);
    let rows = client
        .query(
            "SELECT a.event_type, a.details, a.actor, actor.first_name || ' ' || actor.last_name, a.occurred_at,
                    a.stream, a.subject_user_id, subject.first_name || ' ' || subject.last_name, a.tx, a.seq
             FROM audit_log a
             LEFT JOIN users actor ON a.actor = 'user:' || actor.user_id::text AND actor.company_id = a.company_id
             LEFT JOIN users subject ON subject.user_id = a.subject_user_id AND subject.company_id = a.company_id
             WHERE a.company_id = $1
               AND ($2::text IS NULL OR a.actor = $2)
               AND ($3::text[] IS NULL OR a.event_type = ANY($3))
               AND ($4::text IS NULL OR a.stream = $4 OR a.subject_user_id = $10)
               AND ($5::timestamptz IS NULL OR a.occurred_at >= $5)
               AND ($6::timestamptz IS NULL OR a.occurred_at < $6)
               AND ($7::bigint IS NULL OR (a.tx, a.seq) < ($7, $8))
             ORDER BY a.tx DESC, a.seq DESC
             LIMIT $9",
            &[&company_id.0, &filter.actor, &types, &filter.object, &filter.since, &filter.until, &after_tx, &after_seq, &limit, &subject],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|r| LogEntry {
            entry: Entry { event_type: r.get(0), details: r.get(1), actor: r.get(2), actor_name: r.get(3), occurred_at: r.get(4) },
            stream: r.get(5),
            subject_user_id: r.get(6),
            subject_name: r.get(7),
            cursor: (r.get(8), r.get(9)),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn said(event_type: &str, details: Value) -> String {
        Entry { event_type: event_type.into(), details, actor: "user:x".into(), actor_name: None, occurred_at: Utc::now() }.describe()
    }

    #[test]
    fn billing_events_read_as_sentences() {
        assert_eq!(said("OrderPlaced", json!({ "order": { "offer": { "seats": 5, "period": "Annual" } } })), "ordered 5 seats, annual payment");
        assert_eq!(
            said("PaymentFailed", json!({ "order_id": "x", "reason": { "code": "insufficient_funds" } })),
            "had a payment refused (insufficient_funds)"
        );
        assert_eq!(said("InvoiceIssued", json!({ "invoice": { "number": 3 } })), "was issued invoice 3");
        assert_eq!(said("SomethingNew", json!({})), "SomethingNew");
    }
}
