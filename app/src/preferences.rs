//! The language and time zone people read in: each user's own choice, and the company's
//! defaults for users who made none.

use domain::company::{self, Role};
use domain::preferences::{self, Preferences};
use domain::user;
use locale::t;
use projections::Registered;

use crate::auth::Session;
use crate::{App, Error, Result};

fn checked(language: &str, time_zone: &str) -> Result<Preferences> {
    Preferences::checked(Some(language), Some(time_zone)).map_err(|e| {
        let message = match &e {
            preferences::Error::UnknownLanguage(l) => t!("prefs-unknown-language", value = l.as_str()),
            preferences::Error::UnknownTimeZone(z) => t!("prefs-unknown-time-zone", value = z.as_str()),
        };
        Error::invalid(e.field(), message)
    })
}

/// The session's own user chooses (blank: not chosen, follow the browser and the company).
/// Returns the choice as stored.
pub async fn choose_language_and_time_zone(app: &App, session: &Session, language: &str, time_zone: &str) -> Result<Preferences> {
    let preferences = checked(language, time_zone)?;
    let command = user::Command::ChooseLanguageAndTimeZone { preferences: preferences.clone() };
    let outcome = app.accounts.change_user(session.company_id(), session.user.user_id, command, &session.metadata()).await?;
    app.read_your_writes(Registered::Users, outcome.position).await?;
    Ok(preferences)
}

/// The session's own user chooses how the console tells them about new conversations and
/// messages.
pub async fn choose_notifications(app: &App, session: &Session, notifications: user::Notifications) -> Result<()> {
    let command = user::Command::ChooseNotifications { notifications };
    let outcome = app.accounts.change_user(session.company_id(), session.user.user_id, command, &session.metadata()).await?;
    app.read_your_writes(Registered::Users, outcome.position).await?;
    Ok(())
}

/// An administrator sets the company's defaults.
/// Returns the defaults as stored.
pub async fn set_company_defaults(app: &App, session: &Session, language: &str, time_zone: &str) -> Result<Preferences> {
    if !session.has_role(Role::Administrator) {
        return Err(Error::Forbidden);
    }
    let defaults = checked(language, time_zone)?;
    let command = company::Command::SetDefaultLanguageAndTimeZone { defaults: defaults.clone() };
    let outcome = app.accounts.change_membership(session.company_id(), command, &session.metadata()).await?;
    app.read_your_writes(Registered::Licences, outcome.position).await?;
    Ok(defaults)
}
