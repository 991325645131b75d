//! The invitation link: whose it is, whether it can still be used, and choosing a password
//! through it.

use domain::user::{self, User};
use domain::{Decider, UserId};
use projections::Registered;

use crate::auth::{hash_token, password};
use crate::{App, Error, Result};

/// A link that can be used: whose it is and their first name, to greet them.
#[derive(Debug, Clone)]
pub struct Usable {
    pub user_id: UserId,
    pub first_name: String,
}

/// Whose link `token` is, and whether it can still be used (if not, why).
pub async fn check(app: &App, token: &str) -> Result<Result<Usable, user::Error>> {
    let hash = hash_token(token);
    let mut owner = link_owner(app, &hash).await?;
    if owner.is_none() {
        // The mailer sends a link the moment it is issued: the read model may not show it
        // yet. Look again once it has caught up with everything stored.
        let newest = app.events().newest().await?;
        app.read_your_writes(Registered::Users, Some(newest)).await?;
        owner = link_owner(app, &hash).await?;
    }
    let Some(user_id) = owner else { return Ok(Err(user::Error::InvitationUnknown)) };
    let (state, _) = commands::load::<User, _>(app.events(), &user::stream(user_id)).await?;
    let probe = user::Command::AcceptInvitation { token_hash: hash, at: chrono::Utc::now() };
    Ok(User::decide(&state, &probe).map(|_| Usable { user_id, first_name: state.registration.map(|r| r.profile.first_name).unwrap_or_default() }))
}

async fn link_owner(app: &App, hash: &str) -> Result<Option<UserId>> {
    let client = app.pool().get().await?;
    Ok(projections::users::invitation_link_owner(&**client, hash).await?)
}

/// Sets the password chosen through the link: checked first, so a refused link changes
/// nothing; the hash is kept beside the log, then the acceptance is recorded.
pub async fn accept(app: &App, user_id: UserId, token: &str, password_text: String) -> Result<()> {
    password::check_strength(&password_text).map_err(|e| Error::invalid("password", e.to_string()))?;
    let token_hash = hash_token(token);
    let (state, _) = commands::load::<User, _>(app.events(), &user::stream(user_id)).await?;
    User::decide(&state, &user::Command::AcceptInvitation { token_hash: token_hash.clone(), at: chrono::Utc::now() })?;
    let hash = crate::users::hash(password_text).await?;
    commands::secrets::store_password_hash(app.pool(), user_id, &hash).await?;
    let outcome = app.accounts.accept_invitation(user_id, &token_hash).await?;
    app.read_your_writes(Registered::Users, outcome.position).await?;
    Ok(())
}
