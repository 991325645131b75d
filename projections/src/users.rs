//! The users of each company, as the Users page and login read them.

use chrono::{DateTime, Utc};
use domain::user::Profile;
use domain::{company, user, CompanyId, Event, UserId};
use serde::Serialize;
use store::RecordedEvent;
use tokio_postgres::Row;
use uuid::Uuid;

use crate::{params, Param, Projection, ProjectionError, Writes};

pub struct Users;

impl Projection for Users {
    const NAME: &'static str = "users";
    const TABLES: &'static [&'static str] = &["users", "invitation_links", "password_reset_links"];

    fn apply(&self, event: &RecordedEvent, decoded: &Event, writes: &mut Writes) -> Result<(), ProjectionError> {
        let at = event.occurred_at;
        let mut update = |set: &str, user_id: Uuid, extra: Vec<Param>| {
            let mut params = params![user_id, at];
            params.extend(extra);
            writes.push(format!("UPDATE users SET {set}, updated_at = $2 WHERE user_id = $1"), params);
        };
        match decoded {
            Event::User(e) => {
                let user_id = user::id_from_stream(&event.stream)?.0;
                match e {
                    user::Event::UserRegistered { company_id, email, profile, max_chats, .. } => {
                        let p = profile.clone();
                        writes.push(
                            "INSERT INTO users (user_id, company_id, email, first_name, last_name, display_name,
                               phone, job_title, max_chats, created_at, created_by, updated_at)
                             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $10)",
                            params![
                                user_id,
                                company_id.0,
                                email.as_str().to_owned(),
                                p.first_name,
                                p.last_name,
                                p.display_name,
                                p.phone,
                                p.job_title,
                                *max_chats as i32,
                                at,
                                event.actor().to_string()
                            ],
                        );
                    }
                    user::Event::UserInvited { expires_at, .. } => {
                        update("invitation_pending = true, invitation_expires_at = $3", user_id, params![*expires_at]);
                    }
                    user::Event::InvitationAccepted { .. } => {
                        update("invitation_pending = false, invitation_expires_at = NULL", user_id, params![]);
                    }
                    user::Event::PasswordSet {} => update("has_password = true", user_id, params![]),
                    user::Event::RegistrationAbandoned { .. } => {
                        writes.push("DELETE FROM users WHERE user_id = $1", params![user_id]);
                    }
                    user::Event::ProfileChanged { profile } => {
                        let p = profile.clone();
                        update(
                            "first_name = $3, last_name = $4, display_name = $5, phone = $6, job_title = $7",
                            user_id,
                            params![p.first_name, p.last_name, p.display_name, p.phone, p.job_title],
                        );
                    }
                    user::Event::EmailChanged { email } => update("email = $3", user_id, params![email.as_str().to_owned()]),
                    user::Event::MaxChatsChanged { max_chats } => update("max_chats = $3", user_id, params![*max_chats as i32]),
                    user::Event::LanguageAndTimeZoneChosen { preferences: p } => {
                        update("language = $3, time_zone = $4", user_id, params![p.language.clone(), p.time_zone.clone()])
                    }
                    user::Event::NotificationsChosen { notifications: n } => {
                        update("notify_sound = $3, notify_desktop = $4", user_id, params![n.sound, n.desktop])
                    }
                    user::Event::InvitationLinkIssued { invitation_id, token_hash } => writes.push(
                        "INSERT INTO invitation_links (token_hash, user_id, invitation_id) VALUES ($1, $2, $3)",
                        params![token_hash.clone(), user_id, invitation_id.0],
                    ),
                    user::Event::PasswordResetLinkIssued { reset_id, token_hash } => writes.push(
                        "INSERT INTO password_reset_links (token_hash, user_id, reset_id) VALUES ($1, $2, $3)",
                        params![token_hash.clone(), user_id, reset_id.0],
                    ),
                    user::Event::PasswordResetRequested { .. } | user::Event::PasswordReset { .. } => {}
                }
            }
            Event::Company(e) => match e {
                company::Event::MemberAdded { user_id, roles } => {
                    let roles: Vec<String> = roles.iter().map(|r| r.as_str().to_owned()).collect();
                    update("member = true, active = true, roles = $3", user_id.0, params![roles]);
                }
                company::Event::RoleGranted { user_id, role } => {
                    update("roles = array_append(array_remove(roles, $3), $3)", user_id.0, params![role.as_str()]);
                }
                company::Event::RoleRevoked { user_id, role } => {
                    update("roles = array_remove(roles, $3)", user_id.0, params![role.as_str()]);
                }
                company::Event::MemberDeactivated { user_id } => update("active = false", user_id.0, params![]),
                company::Event::MemberReactivated { user_id } => update("active = true", user_id.0, params![]),
                _ => {}
            },
            Event::Email(_) | Event::Site(_) | Event::Agent(_) | Event::Conversation(_) | Event::Visitor(_) | Event::Canned(_) => {}
        }
        Ok(())
    }
}

/// A user as lists and forms show them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UserRow {
    pub user_id: UserId,
    pub company_id: CompanyId,
    pub email: String,
    #[serde(flatten)]
    pub profile: Profile,
    pub roles: Vec<String>,
    pub status: Status,
    pub max_chats: i32,
    pub invitation_expires_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    /// The language and time zone the user chose, if they chose.
    pub language: Option<String>,
    pub time_zone: Option<String>,
    /// How the console tells them about new conversations and messages.
    pub notifications: domain::user::Notifications,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Invited,
    Active,
    Deactivated,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Invited => "invited",
            Status::Active => "active",
            Status::Deactivated => "deactivated",
        }
    }
}

const COLUMNS: &str = "user_id, company_id, email, first_name, last_name, display_name, phone, job_title, roles,
    active, invitation_pending, has_password, max_chats, invitation_expires_at, created_at, language, time_zone,
    notify_sound, notify_desktop";

fn to_row(row: &Row) -> UserRow {
    let (active, pending, has_password): (bool, bool, bool) = (row.get(9), row.get(10), row.get(11));
    UserRow {
        user_id: UserId(row.get(0)),
        company_id: CompanyId(row.get(1)),
        email: row.get(2),
        profile: Profile { first_name: row.get(3), last_name: row.get(4), display_name: row.get(5), phone: row.get(6), job_title: row.get(7) },
        roles: row.get(8),
        status: if !active {
            Status::Deactivated
        } else if pending && !has_password {
            Status::Invited
        } else {
            Status::Active
        },
        max_chats: row.get(12),
        invitation_expires_at: row.get(13),
        created_at: row.get(14),
        language: row.get(15),
        time_zone: row.get(16),
        notifications: domain::user::Notifications { sound: row.get(17), desktop: row.get(18) },
    }
}

/// One page of a company's users, by last then first name, optionally filtered by a
/// search on name or e-mail.
pub async fn list(
    client: &impl tokio_postgres::GenericClient,
    company_id: CompanyId,
    search: &str,
    offset: i64,
    limit: i64,
) -> Result<(Vec<UserRow>, i64), tokio_postgres::Error> {
    let pattern = format!("%{}%", search.trim().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"));
    let filter = "company_id = $1 AND member AND ($2 = '%%' OR email ILIKE $2
                  OR (first_name || ' ' || last_name) ILIKE $2 OR display_name ILIKE $2)";
    let rows = client
        .query(
            &format!(
                "SELECT {COLUMNS} FROM users WHERE {filter}
                 ORDER BY lower(last_name), lower(first_name), user_id OFFSET $3 LIMIT $4"
            ),
            &[&company_id.0, &pattern, &offset, &limit],
        )
        .await?;
    let total: i64 = client.query_one(&format!("SELECT count(*) FROM users WHERE {filter}"), &[&company_id.0, &pattern]).await?.get(0);
    Ok((rows.iter().map(to_row).collect(), total))
}

/// A user of `company_id`; None for another company's user, so no tenant sees another's.
pub async fn get(
    client: &impl tokio_postgres::GenericClient,
    company_id: CompanyId,
    user_id: UserId,
) -> Result<Option<UserRow>, tokio_postgres::Error> {
    let row = client
        .query_opt(&format!("SELECT {COLUMNS} FROM users WHERE user_id = $1 AND company_id = $2 AND member"), &[&user_id.0, &company_id.0])
        .await?;
    Ok(row.as_ref().map(to_row))
}

/// The full names of these users of one company, by id; ids of another company's users
/// (or of nobody) are left out.
pub async fn names(
    client: &impl tokio_postgres::GenericClient,
    company_id: CompanyId,
    user_ids: &[uuid::Uuid],
) -> Result<std::collections::HashMap<uuid::Uuid, String>, tokio_postgres::Error> {
    let rows = client
        .query("SELECT user_id, first_name || ' ' || last_name FROM users WHERE company_id = $1 AND user_id = ANY($2)", &[&company_id.0, &user_ids])
        .await?;
    Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
}

/// Who may log in with this address: an active member that has a password.
pub async fn login_candidate(client: &impl tokio_postgres::GenericClient, email: &str) -> Result<Option<UserRow>, tokio_postgres::Error> {
    let row = client.query_opt(&format!("SELECT {COLUMNS} FROM users WHERE email = $1 AND member AND active AND has_password"), &[&email]).await?;
    Ok(row.as_ref().map(to_row))
}

/// Whose invitation link hashes to `token_hash`.
pub async fn invitation_link_owner(client: &impl tokio_postgres::GenericClient, token_hash: &str) -> Result<Option<UserId>, tokio_postgres::Error> {
    let row = client.query_opt("SELECT user_id FROM invitation_links WHERE token_hash = $1", &[&token_hash]).await?;
    Ok(row.map(|r| UserId(r.get(0))))
}

/// Whose password reset link hashes to `token_hash`.
pub async fn password_reset_link_owner(
    client: &impl tokio_postgres::GenericClient,
    token_hash: &str,
) -> Result<Option<UserId>, tokio_postgres::Error> {
    let row = client.query_opt("SELECT user_id FROM password_reset_links WHERE token_hash = $1", &[&token_hash]).await?;
    Ok(row.map(|r| UserId(r.get(0))))
}

/// Which of these addresses already have an account (in any company: one account per address).
pub async fn existing_emails(client: &impl tokio_postgres::GenericClient, emails: &[String]) -> Result<Vec<String>, tokio_postgres::Error> {
    let rows = client.query("SELECT email FROM users WHERE email = ANY($1)", &[&emails]).await?;
    Ok(rows.iter().map(|r| r.get(0)).collect())
}
