//! What administrators do to users, for the pages and the JSON API alike: each operation
//! validates, runs the commands, and waits until the read models show the change.

pub mod registration;

use std::collections::BTreeSet;

use domain::company::{self, Role};
use domain::user::{self, Profile, DEFAULT_MAX_CHATS};
use domain::{Actor, CompanyId, Metadata, UserId};
use projections::audit::Entry as AuditEntry;
use projections::licences::Licence;
use projections::users::UserRow;
use projections::Registered;
use store::Position;

use crate::auth::{password, Session};
use crate::{App, Error, Result};

pub use registration::Created;

/// A user about to be created.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub email: String,
    pub profile: Profile,
    pub roles: BTreeSet<Role>,
    pub max_chats: u8,
    pub access: NewAccess,
}

#[derive(Debug, Clone)]
pub enum NewAccess {
    /// The user receives a single-use link to choose a password (now, or when resent).
    Invite { send_email: bool },
    /// The password is set now; only its argon2id hash comes here, and it is kept beside
    /// the log, never in it.
    Password { hash: String },
}

/// A new user as typed into the form or posted to the API.
#[derive(Debug, Clone, Default)]
pub struct UserInput {
    pub email: String,
    pub profile: Profile,
    pub roles: BTreeSet<Role>,
    pub max_chats: Option<i64>,
    pub access: AccessInput,
}

#[derive(Debug, Clone, Default)]
pub enum AccessInput {
    /// Mail an invitation link (the default).
    #[default]
    Invite,
    /// Create the invitation but do not mail it yet.
    InviteLater,
    /// The administrator typed a password.
    Password(String),
    /// Switchboard makes one up and shows it once.
    GeneratePassword,
}

pub struct CreatedUser {
    pub user_id: UserId,
    /// Shown once to the administrator, never stored or logged.
    pub generated_password: Option<String>,
}

/// The read models a page or answer reads after a change to users.
async fn settle(app: &App, position: Option<Position>) -> Result<()> {
    for projection in [Registered::Users, Registered::Licences, Registered::Audit] {
        app.read_your_writes(projection, position).await?;
    }
    Ok(())
}

pub async fn create_user(app: &App, session: &Session, input: UserInput) -> Result<CreatedUser> {
    let max_chats = user::validate_max_chats(input.max_chats.unwrap_or(DEFAULT_MAX_CHATS as i64))?;
    let (access, generated_password) = match input.access {
        AccessInput::Invite => (NewAccess::Invite { send_email: true }, None),
        AccessInput::InviteLater => (NewAccess::Invite { send_email: false }, None),
        AccessInput::Password(p) => {
            password::check_strength(&p).map_err(|e| Error::invalid("password", e.to_string()))?;
            (NewAccess::Password { hash: hash(p).await? }, None)
        }
        AccessInput::GeneratePassword => {
            let p = password::generate();
            (NewAccess::Password { hash: hash(p.clone()).await? }, Some(p))
        }
    };
    let new = NewUser { email: input.email, profile: input.profile, roles: input.roles, max_chats, access };
    let created = add_user(app, session.company_id(), new, &session.metadata()).await?;
    settle(app, Some(created.position)).await?;
    Ok(CreatedUser { user_id: created.user_id, generated_password })
}

pub(crate) async fn hash(password: String) -> Result<String> {
    password::hash(password).await.map_err(|e| Error::Internal(e.to_string()))
}

/// Stores the password hash (beside the log) under the new user's id, then creates the user.
async fn keep_password(app: &App, user_id: UserId, access: &NewAccess) -> Result<()> {
    if let NewAccess::Password { hash } = access {
        commands::secrets::store_password_hash(app.pool(), user_id, hash).await?;
    }
    Ok(())
}

/// A user of `company_id`, created for whoever `metadata` names (an administrator, an
/// import, a test); returns once stored, without waiting for the read models.
pub async fn add_user(app: &App, company_id: CompanyId, new: NewUser, metadata: &Metadata) -> Result<Created> {
    let user_id = UserId::new();
    keep_password(app, user_id, &new.access).await?;
    Ok(registration::create_user(&app.accounts, company_id, user_id, new, metadata).await?)
}

/// A new company and its first administrator (from the CLI); returns once stored: the read
/// models show them once a server's projections have applied them.
pub async fn register_company(app: &App, name: &str, seats: u32, admin: NewUser, actor: Actor) -> Result<(CompanyId, Created)> {
    let user_id = UserId::new();
    keep_password(app, user_id, &admin.access).await?;
    Ok(registration::register_company(&app.accounts, name, seats, user_id, admin, actor).await?)
}

pub async fn set_role(app: &App, session: &Session, user_id: UserId, role: Role, on: bool) -> Result<()> {
    let command = if on { company::Command::GrantRole { user_id, role } } else { company::Command::RevokeRole { user_id, role } };
    let outcome = app.accounts.change_membership(session.company_id(), command, &session.metadata()).await?;
    settle(app, outcome.position).await
}

pub async fn set_active(app: &App, session: &Session, user_id: UserId, active: bool) -> Result<()> {
    let command = if active { company::Command::ReactivateMember { user_id } } else { company::Command::DeactivateMember { user_id } };
    let outcome = app.accounts.change_membership(session.company_id(), command, &session.metadata()).await?;
    settle(app, outcome.position).await
}

/// Profile fields and e-mail address, as the edit form sends them.
pub async fn update_profile(app: &App, session: &Session, user_id: UserId, profile: Profile, email: &str) -> Result<()> {
    // Validate everything before changing anything.
    let profile = profile.validated()?;
    domain::email::Address::parse(email)?;
    let (company_id, metadata) = (session.company_id(), session.metadata());
    let changed = app.accounts.change_user(company_id, user_id, user::Command::ChangeProfile { profile }, &metadata).await?;
    let moved = registration::change_email(&app.accounts, company_id, user_id, email, &metadata).await?;
    settle(app, moved.position.or(changed.position)).await
}

pub async fn set_max_chats(app: &App, session: &Session, user_id: UserId, max_chats: i64) -> Result<()> {
    let max_chats = user::validate_max_chats(max_chats)?;
    let outcome = app.accounts.change_user(session.company_id(), user_id, user::Command::SetMaxChats { max_chats }, &session.metadata()).await?;
    settle(app, outcome.position).await
}

pub async fn resend_invitation(app: &App, session: &Session, user_id: UserId) -> Result<()> {
    let outcome = app.accounts.resend_invitation(session.company_id(), user_id, &session.metadata()).await?;
    settle(app, outcome.position).await
}

/// Roles named in a list ("Agent", "supervisor" …); an unknown one names itself.
pub fn parse_roles<'a>(names: impl IntoIterator<Item = &'a str>) -> Result<BTreeSet<Role>> {
    names.into_iter().filter(|n| !n.trim().is_empty()).map(parse_role).collect()
}

pub fn parse_role(name: &str) -> Result<Role> {
    name.parse::<Role>().map_err(|_| Error::Invalid {
        code: "unknown_role",
        message: locale::t!("users-unknown-role", role = name.trim()),
        field: Some("roles"),
    })
}

/// One page of the company's users (by last name), searched by name or e-mail, and how many match.
pub async fn list(app: &App, session: &Session, search: &str, offset: i64, limit: i64) -> Result<(Vec<UserRow>, i64)> {
    let client = app.pool().get().await?;
    Ok(projections::users::list(&**client, session.company_id(), search, offset, limit).await?)
}

/// A user of the session's company.
pub async fn get(app: &App, session: &Session, user_id: UserId) -> Result<UserRow> {
    let client = app.pool().get().await?;
    projections::users::get(&**client, session.company_id(), user_id).await?.ok_or(Error::NotFound)
}

/// Seats bought and in use by the session's company.
pub async fn licence(app: &App, session: &Session) -> Result<Licence> {
    let client = app.pool().get().await?;
    projections::licences::get(&**client, session.company_id()).await?.ok_or(Error::NotFound)
}

/// Who did what to one of the company's users, oldest first.
pub async fn history(app: &App, session: &Session, user_id: UserId) -> Result<Vec<AuditEntry>> {
    get(app, session, user_id).await?;
    let client = app.pool().get().await?;
    Ok(projections::audit::history(&**client, session.company_id(), user_id).await?)
}
