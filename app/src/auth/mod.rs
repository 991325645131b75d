//! Who is asking: passwords and their reset, login sessions and the rate limit on failed logins. The
//! session table and the login-failure table are not read models; each has one owning
//! module here.

pub mod links;
pub mod login_failures;
pub mod password;
pub mod password_reset;
pub mod sessions;

use std::net::IpAddr;

use domain::company::Role;
use domain::{Actor, CompanyId, Metadata};
use projections::users::UserRow;

pub use commands::secrets::{hash_token, random_token};

use crate::{App, Result};

/// A logged-in user, checked against the session table and the users read model on every
/// request, so a deactivated user is out at once.
#[derive(Debug, Clone)]
pub struct Session {
    pub user: UserRow,
    /// The company's default language and time zone, for a user who chose none.
    pub company_defaults: domain::preferences::Preferences,
    /// The session's CSRF token, which forms and API calls that change something present.
    pub csrf: String,
    pub token_hash: String,
}

impl Session {
    pub fn company_id(&self) -> CompanyId {
        self.user.company_id
    }

    pub fn company_language(&self) -> Option<locale::Lang> {
        self.company_defaults.language.as_deref().and_then(locale::Lang::parse)
    }

    pub fn company_time_zone(&self) -> Option<locale::Tz> {
        self.company_defaults.time_zone.as_deref().and_then(locale::time_zone)
    }

    pub fn has_role(&self, role: Role) -> bool {
        self.user.roles.iter().any(|r| r == role.as_str())
    }

    /// Whether `presented` is this session's CSRF token.
    pub fn csrf_matches(&self, presented: &str) -> bool {
        same_secret(&self.csrf, presented)
    }

    /// Metadata for the events this user's actions cause.
    pub fn metadata(&self) -> Metadata {
        Metadata::new(Some(self.company_id()), Actor::User(self.user.user_id))
    }

    /// The name an agent's messages are signed with.
    pub fn signature(&self) -> String {
        self.user.profile.shown_name().to_owned()
    }
}

/// Compares secrets without leaking where they differ through timing.
pub fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The user whose e-mail and password these are, after the rate limit admits the attempt;
/// every attempt counts towards it, a success forgives the address's failures.
pub async fn authenticate(app: &App, email: &str, password_text: &str, ip: Option<IpAddr>) -> Result<Option<UserRow>> {
    let normalised = email.trim().to_lowercase();
    login_failures::admit(app, &normalised, ip).await?;
    let user = {
        let client = app.pool().get().await?;
        projections::users::login_candidate(&**client, &normalised).await?
    };
    let hash = match &user {
        Some(u) => commands::secrets::password_hash(app.pool(), u.user_id).await?,
        None => None,
    };
    if password::verify(password_text.to_owned(), hash).await {
        login_failures::forgive(app, &normalised, ip).await?;
        tracing::info!(user_id = ?user.as_ref().map(|u| u.user_id), "logged in");
        Ok(user)
    } else {
        tracing::info!("failed login");
        Ok(None)
    }
}
