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
            // The company's shared responses are an administrator's doing; an agent's own are
            // their business.
            Event::Canned(e) if e.owner() != domain::canned::Owner::Company => return Ok(()),
            Event::Canned(_) => None,
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
    /// What happened, in words, in the reader's language.
    pub fn describe(&self) -> String {
        use locale::t;
        let d = &self.details;
        let s = |k: &str| d.get(k).and_then(Value::as_str).unwrap_or_default().to_owned();
        let v = |k: &str| d.get(k).cloned().unwrap_or(Value::Null).to_string();
        match self.event_type.as_str() {
            "UserRegistered" => t!("audit-user-registered", email = s("email")),
            "UserInvited" if d.get("send_email") == Some(&Value::Bool(false)) => t!("audit-user-invited-later"),
            "UserInvited" => t!("audit-user-invited"),
            "InvitationLinkIssued" => t!("audit-invitation-link-issued"),
            "InvitationAccepted" => t!("audit-invitation-accepted"),
            "PasswordSet" => t!("audit-password-set"),
            "PasswordResetRequested" => t!("audit-password-reset-requested"),
            "PasswordResetLinkIssued" => t!("audit-password-reset-link-issued"),
            "PasswordReset" => t!("audit-password-reset"),
            "ProfileChanged" => t!("audit-profile-changed"),
            "EmailChanged" => t!("audit-email-changed", email = s("email")),
            "MaxChatsChanged" => t!("audit-max-chats-changed", max_chats = v("max_chats")),
            "MemberAdded" => {
                let roles: Vec<String> =
                    d.get("roles").and_then(Value::as_array).into_iter().flatten().filter_map(|r| r.as_str().map(role_label)).collect();
                if roles.is_empty() {
                    t!("audit-member-added")
                } else {
                    t!("audit-member-added-as", roles = roles.join(", "))
                }
            }
            "RoleGranted" => t!("audit-role-granted", role = role_label(&s("role"))),
            "RoleRevoked" => t!("audit-role-revoked", role = role_label(&s("role"))),
            "MemberDeactivated" => t!("audit-member-deactivated"),
            "MemberReactivated" => t!("audit-member-reactivated"),
            "RegistrationAbandoned" => t!("audit-registration-abandoned", reason = s("reason")),
            "AgentAssigned" => t!("audit-agent-assigned", priority = s("priority")),
            "AgentPriorityChanged" => t!("audit-agent-priority-changed", priority = s("priority")),
            "AgentUnassigned" => t!("audit-agent-unassigned"),
            "SeatsChanged" => match d.get("previous").and_then(Value::as_u64) {
                Some(previous) => t!("audit-seats-changed-from", previous = previous.to_string(), seats = v("seats")),
                None => t!("audit-seats-changed", seats = v("seats")),
            },
            "OrderPlaced" => {
                let offer = d.pointer("/order/offer");
                let seats = offer.and_then(|o| o.get("seats")).cloned().unwrap_or(Value::Null).to_string();
                let period = offer.and_then(|o| o.get("period")).and_then(Value::as_str).unwrap_or_default().to_lowercase();
                t!("audit-order-placed", seats = seats, period = period)
            }
            "PaymentSucceeded" => t!("audit-payment-succeeded", cents = v("total_cents")),
            "PaymentFailed" => t!("audit-payment-failed", code = d.pointer("/reason/code").and_then(Value::as_str).unwrap_or_default()),
            "OfferChanged" => t!("audit-offer-changed", seats = v("seats")),
            "InvoiceIssued" => t!("audit-invoice-issued", number = d.pointer("/invoice/number").cloned().unwrap_or(Value::Null).to_string()),
            "SubscriptionPastDue" => t!("audit-subscription-past-due"),
            "VisitorErased" => t!("audit-visitor-erased"),
            "CannedResponseAdded" => t!("audit-canned-added", shortcut = s("shortcut")),
            "CannedResponseChanged" => t!("audit-canned-changed", shortcut = s("shortcut")),
            "CannedResponseRemoved" => t!("audit-canned-removed"),
            other => other.to_owned(),
        }
    }

    /// Who, in words.
    pub fn who(&self) -> String {
        match (&self.actor_name, self.actor.parse::<Actor>()) {
            (Some(name), _) => name.clone(),
            (None, Ok(Actor::System(name))) => system_label(&name),
            (None, Ok(Actor::Visitor(_))) => locale::t!("audit-who-visitor"),
            _ => locale::t!("audit-who-someone"),
        }
    }
}

/// Switchboard itself, as an actor: its billing, its operators (the command line), or
/// another part of it by name.
pub fn system_label(name: &str) -> String {
    match name {
        "billing" => locale::t!("audit-who-system-billing"),
        "cli" => locale::t!("audit-who-system-cli"),
        other => locale::t!("audit-who-system", name = other),
    }
}

/// A role as people read it (`Agent`, `Supervisor` … or `Superviseur` …), from its stored
/// name; an unknown name as it is.
pub fn role_label(name: &str) -> String {
    match name.parse::<domain::company::Role>() {
        Ok(role) => role_name(role),
        Err(_) => name.to_owned(),
    }
}

/// A role's name in the reader's language.
pub fn role_name(role: domain::company::Role) -> String {
    use domain::company::Role;
    match role {
        Role::Agent => locale::t!("users-role-agent"),
        Role::Supervisor => locale::t!("users-role-supervisor"),
        Role::Administrator => locale::t!("users-role-administrator"),
        Role::Expert => locale::t!("users-role-expert"),
    }
}

/// A kind of action of `KINDS`, as the audit page's filter names it.
pub fn kind_label(kind: &str) -> String {
    match kind {
        "users" => locale::t!("audit-kind-users"),
        "roles" => locale::t!("audit-kind-roles"),
        "seats" => locale::t!("audit-kind-seats"),
        "billing" => locale::t!("audit-kind-billing"),
        "sites" => locale::t!("audit-kind-sites"),
        "widget" => locale::t!("audit-kind-widget"),
        "agents" => locale::t!("audit-kind-agents"),
        "visitors" => locale::t!("audit-kind-visitors"),
        "canned" => locale::t!("audit-kind-canned"),
        other => other.to_owned(),
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
    ("sites", &["SiteCreated", "SiteChanged", "SiteDeleted", "WidgetKeyRotated", "PriorityWeightsChanged", "BusinessHoursSet", "AcceptTimeoutSet"]),
    ("widget", &["WidgetSettingsChanged"]),
    ("agents", &["AgentAssigned", "AgentPriorityChanged", "AgentUnassigned"]),
    ("visitors", &["VisitorErased"]),
    ("canned", &["CannedResponseAdded", "CannedResponseChanged", "CannedResponseRemoved"]),
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
        let wrong = || locale::t!("audit-not-a-page-position", text = s);
        let (tx, seq) = s.split_once('.').ok_or_else(wrong)?;
        Ok(LogCursor { tx: tx.parse().map_err(|_| wrong())?, seq: seq.parse().map_err(|_| wrong())? })
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

    #[test]
    fn entries_read_in_the_readers_language() {
        let fr = locale::Reader::new(locale::Lang::Fr, locale::Tz::UTC);
        let in_french = |event_type: &str, details: Value| locale::sync_scope(fr, || said(event_type, details));
        assert_eq!(in_french("RoleGranted", json!({ "role": "Supervisor" })), "a activé le rôle Superviseur");
        assert_eq!(
            in_french("MemberAdded", json!({ "roles": ["Agent", "Administrator"] })),
            "a ajouté l’utilisateur à l’entreprise comme Agent, Administrateur"
        );
        assert_eq!(in_french("AgentAssigned", json!({ "priority": "high" })), "a affecté l’agent à un site en priorité haute");
        assert_eq!(
            in_french("OrderPlaced", json!({ "order": { "offer": { "seats": 5, "period": "Annual" } } })),
            "a commandé 5 licences, paiement annuel"
        );
        assert_eq!(said("RoleGranted", json!({ "role": "Supervisor" })), "switched the Supervisor role on");
        let system = Entry { event_type: "x".into(), details: json!({}), actor: "system:billing".into(), actor_name: None, occurred_at: Utc::now() };
        assert_eq!(locale::sync_scope(fr, || system.who()), "Switchboard (facturation)");
        assert_eq!(system.who(), "Switchboard (billing)");
    }
}
