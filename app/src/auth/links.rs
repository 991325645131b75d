//! The single-use links sent by e-mail (an invitation, a password reset): finding whose a
//! link is, and whether it can still be used, is the same for both.

use domain::user::{self, User};
use domain::{Decider, UserId};
use projections::Registered;

use super::hash_token;
use crate::{App, Result};

/// A kind of link, and what tells it apart: where its owner is found, what an unknown one
/// is called, and the command that uses it.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Link {
    Invitation,
    PasswordReset,
}

impl Link {
    async fn owner(self, app: &App, hash: &str) -> Result<Option<UserId>> {
        let client = app.pool().get().await?;
        Ok(match self {
            Link::Invitation => projections::users::invitation_link_owner(&**client, hash).await?,
            Link::PasswordReset => projections::users::password_reset_link_owner(&**client, hash).await?,
        })
    }

    fn unknown(self) -> user::Error {
        match self {
            Link::Invitation => user::Error::InvitationUnknown,
            Link::PasswordReset => user::Error::ResetLinkUnknown,
        }
    }

    /// The command that uses the link whose token hashes to `token_hash`, now.
    pub(crate) fn using(self, token_hash: String) -> user::Command {
        let at = chrono::Utc::now();
        match self {
            Link::Invitation => user::Command::AcceptInvitation { token_hash, at },
            Link::PasswordReset => user::Command::ResetPassword { token_hash, at },
        }
    }
}

/// A link that can be used: whose it is and their first name, to greet them.
#[derive(Debug, Clone)]
pub struct Usable {
    pub user_id: UserId,
    pub first_name: String,
}

/// Whose link `token` is, and whether it can still be used (if not, why).
pub(crate) async fn check(app: &App, link: Link, token: &str) -> Result<Result<Usable, user::Error>> {
    let hash = hash_token(token);
    let mut owner = link.owner(app, &hash).await?;
    if owner.is_none() {
        // The mailer sends a link the moment it is issued: the read model may not show it
        // yet. Look again once it has caught up with everything stored.
        let newest = app.events().newest().await?;
        app.read_your_writes(Registered::Users, Some(newest)).await?;
        owner = link.owner(app, &hash).await?;
    }
    let Some(user_id) = owner else { return Ok(Err(link.unknown())) };
    let (state, _) = commands::load::<User, _>(app.events(), &user::stream(user_id)).await?;
    Ok(User::decide(&state, &link.using(hash))
        .map(|_| Usable { user_id, first_name: state.registration.map(|r| r.profile.first_name).unwrap_or_default() }))
}
