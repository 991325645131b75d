//! What administrators do to users, shared by the pages and the JSON API: each operation
//! validates, runs the command, and waits until the read models show the change.

use projections::Projection as _;
use std::collections::BTreeSet;

use commands::accounts::{NewAccess, NewUser};
use domain::company::{self, Role};
use domain::user::{self, Profile, DEFAULT_MAX_CHATS};
use domain::UserId;
use store::Position;

use crate::auth::{password, Session};
use crate::error::AppError;
use crate::App;

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

/// The read models a page or answer reads after a change.
async fn settle(app: &App, position: Option<Position>) -> Result<(), AppError> {
    for name in [projections::users::Users::NAME, projections::licences::Licences::NAME, projections::audit::Audit::NAME] {
        app.read_your_writes(name, position).await?;
    }
    Ok(())
}

pub async fn create_user(app: &App, session: &Session, input: UserInput) -> Result<CreatedUser, AppError> {
    let max_chats = user::validate_max_chats(input.max_chats.unwrap_or(DEFAULT_MAX_CHATS as i64)).map_err(commands::Error::from)?;
    let (access, generated_password) = match input.access {
        AccessInput::Invite => (NewAccess::Invite { send_email: true }, None),
        AccessInput::InviteLater => (NewAccess::Invite { send_email: false }, None),
        AccessInput::Password(p) => {
            password::check_strength(&p).map_err(|e| AppError::invalid("password", e.to_string()))?;
            (NewAccess::Password { hash: hash(p).await? }, None)
        }
        AccessInput::GeneratePassword => {
            let p = password::generate();
            (NewAccess::Password { hash: hash(p.clone()).await? }, Some(p))
        }
    };
    let new = NewUser { email: input.email, profile: input.profile, roles: input.roles, max_chats, access };
    let created = app.accounts.create_user(session.company_id(), new, &session.metadata()).await?;
    settle(app, Some(created.position)).await?;
    Ok(CreatedUser { user_id: created.user_id, generated_password })
}

async fn hash(password: String) -> Result<String, AppError> {
    password::hash(password).await.map_err(|e| AppError::Internal(e.to_string()))
}

pub async fn set_role(app: &App, session: &Session, user_id: UserId, role: Role, on: bool) -> Result<(), AppError> {
    let command = if on { company::Command::GrantRole { user_id, role } } else { company::Command::RevokeRole { user_id, role } };
    let outcome = app.accounts.change_membership(session.company_id(), command, &session.metadata()).await?;
    settle(app, outcome.position).await
}

pub async fn set_active(app: &App, session: &Session, user_id: UserId, active: bool) -> Result<(), AppError> {
    let command = if active { company::Command::ReactivateMember { user_id } } else { company::Command::DeactivateMember { user_id } };
    let outcome = app.accounts.change_membership(session.company_id(), command, &session.metadata()).await?;
    settle(app, outcome.position).await
}

/// Profile fields and e-mail address, as the edit form sends them.
pub async fn update_profile(app: &App, session: &Session, user_id: UserId, profile: Profile, email: &str) -> Result<(), AppError> {
    // Validate everything before changing anything.
    let profile = profile.validated().map_err(commands::Error::from)?;
    domain::email::Address::parse(email).map_err(commands::Error::from)?;
    let changed = app.accounts.change_user(session.company_id(), user_id, user::Command::ChangeProfile { profile }, &session.metadata()).await?;
    let moved = app.accounts.change_email(session.company_id(), user_id, email, &session.metadata()).await?;
    settle(app, moved.position.or(changed.position)).await
}

pub async fn set_max_chats(app: &App, session: &Session, user_id: UserId, max_chats: i64) -> Result<(), AppError> {
    let max_chats = user::validate_max_chats(max_chats).map_err(commands::Error::from)?;
    let outcome = app.accounts.change_user(session.company_id(), user_id, user::Command::SetMaxChats { max_chats }, &session.metadata()).await?;
    settle(app, outcome.position).await
}

pub async fn resend_invitation(app: &App, session: &Session, user_id: UserId) -> Result<(), AppError> {
    let outcome = app.accounts.resend_invitation(session.company_id(), user_id, &session.metadata()).await?;
    settle(app, outcome.position).await
}

/// Roles named in a list ("Agent", "supervisor" …); an unknown one names itself.
pub fn parse_roles<'a>(names: impl IntoIterator<Item = &'a str>) -> Result<BTreeSet<Role>, AppError> {
    names
        .into_iter()
        .filter(|n| !n.trim().is_empty())
        .map(|n| n.parse::<Role>().map_err(|e| AppError::Invalid { code: "unknown_role", message: e, field: Some("roles") }))
        .collect()
}
