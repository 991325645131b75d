//! The invitation link: whose it is, whether it can still be used, and choosing a password
//! through it.

use domain::user::{self, User};
use domain::{Decider, UserId};
use projections::Registered;

use crate::auth::links::{self, Link};
use crate::auth::{hash_token, password};
use crate::{App, Error, Result};

pub use crate::auth::links::Usable;

/// Whose invitation link `token` is, and whether it can still be used (if not, why).
pub async fn check(app: &App, token: &str) -> Result<Result<Usable, user::Error>> {
    links::check(app, Link::Invitation, token).await
}

/// Sets the password chosen through the link: checked first, so a refused link changes
/// nothing; the hash is kept beside the log, then the acceptance is recorded.
pub async fn accept(app: &App, user_id: UserId, token: &str, password_text: String) -> Result<()> {
    password::check_strength(&password_text).map_err(|e| Error::invalid("password", e.to_string()))?;
    let token_hash = hash_token(token);
    let (state, _) = commands::load::<User, _>(app.events(), &user::stream(user_id)).await?;
    User::decide(&state, &Link::Invitation.using(token_hash.clone()))?;
    let hash = crate::users::hash(password_text).await?;
    commands::secrets::store_password_hash(app.pool(), user_id, &hash).await?;
    let outcome = app.accounts.accept_invitation(user_id, &token_hash).await?;
    app.read_your_writes(Registered::Users, outcome.position).await?;
    Ok(())
}
