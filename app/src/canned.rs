//! Canned responses, for the pages, the API and the console alike. Administrators manage
//! the company's shared ones; every agent manages their own; an agent reads both.

use domain::canned::{self, CannedResponses, Command, Owner};
use domain::company::Role;
use domain::CannedResponseId;
use projections::canned::CannedRow;
use projections::Registered;
use store::Position;

use crate::auth::Session;
use crate::{App, Error, Result};

/// Whose responses a change is about: `shared` ones need an administrator, personal ones
/// an agent (their own).
pub fn scope(session: &Session, shared: bool) -> Result<Owner> {
    match shared {
        true if session.has_role(Role::Administrator) => Ok(Owner::Company),
        false if session.has_role(Role::Agent) => Ok(Owner::Agent(session.user.user_id)),
        _ => Err(Error::Forbidden),
    }
}

async fn settle(app: &App, position: Option<Position>) -> Result<()> {
    for projection in [Registered::CannedResponses, Registered::Audit] {
        app.read_your_writes(projection, position).await?;
    }
    Ok(())
}

/// The company's shared responses (for its administrators' page).
pub async fn shared(app: &App, session: &Session) -> Result<Vec<CannedRow>> {
    let client = app.pool().get().await?;
    Ok(projections::canned::shared(&**client, session.company_id()).await?)
}

/// The agent's own responses.
pub async fn own(app: &App, session: &Session) -> Result<Vec<CannedRow>> {
    let client = app.pool().get().await?;
    Ok(projections::canned::own(&**client, session.company_id(), session.user.user_id).await?)
}

/// What the session may insert in an answer: an agent's own and the company's; someone
/// without the Agent role answers no chat (an administrator still sees the shared ones).
pub async fn usable(app: &App, session: &Session) -> Result<Vec<CannedRow>> {
    let client = app.pool().get().await?;
    if session.has_role(Role::Agent) {
        Ok(projections::canned::for_agent(&**client, session.company_id(), session.user.user_id).await?)
    } else if session.has_role(Role::Administrator) {
        Ok(projections::canned::shared(&**client, session.company_id()).await?)
    } else {
        Err(Error::Forbidden)
    }
}

/// A response the session may see: the company's, or its own. Anything else (another
/// company's, another agent's) is not found.
pub async fn load(app: &App, session: &Session, id: CannedResponseId) -> Result<CannedRow> {
    let client = app.pool().get().await?;
    let row = projections::canned::get(&**client, session.company_id(), id).await?.ok_or(Error::NotFound)?;
    match row.owner {
        Owner::Agent(agent) if agent != session.user.user_id => Err(Error::NotFound),
        _ => Ok(row),
    }
}

async fn run(app: &App, session: &Session, command: Command) -> Result<()> {
    let stream = canned::stream(session.company_id());
    let outcome = commands::execute::<CannedResponses, _>(app.events(), &stream, &command, &session.metadata()).await?;
    settle(app, outcome.position).await
}

pub async fn add(app: &App, session: &Session, shared: bool, shortcut: &str, text: &str) -> Result<CannedResponseId> {
    let owner = scope(session, shared)?;
    let response_id = CannedResponseId::new();
    run(app, session, Command::AddCannedResponse { response_id, owner, shortcut: shortcut.to_owned(), text: text.to_owned() }).await?;
    Ok(response_id)
}

/// The owner comes from the response itself: a shared one needs an administrator (403
/// otherwise), a personal one is only its agent's (the stream refuses others: 404).
pub async fn change(app: &App, session: &Session, id: CannedResponseId, shortcut: &str, text: &str) -> Result<()> {
    let row = load(app, session, id).await?;
    let owner = scope(session, row.owner == Owner::Company)?;
    run(app, session, Command::ChangeCannedResponse { response_id: id, owner, shortcut: shortcut.to_owned(), text: text.to_owned() }).await
}

pub async fn remove(app: &App, session: &Session, id: CannedResponseId) -> Result<()> {
    let row = load(app, session, id).await?;
    let owner = scope(session, row.owner == Owner::Company)?;
    run(app, session, Command::RemoveCannedResponse { response_id: id, owner }).await
}

/// What a refusal says, in the reader's language.
pub fn message(e: &canned::Error) -> String {
    use canned::Error as E;
    use locale::t;
    match e {
        E::NotFound => t!("err-not-found"),
        E::AlreadyExists => t!("canned-err-exists"),
        E::ShortcutMissing => t!("canned-err-shortcut-missing"),
        E::BadShortcut { value } => t!("canned-err-bad-shortcut", value = value.as_str(), max = canned::SHORTCUT_MAX_LEN),
        E::ShortcutTaken { shortcut } => t!("canned-err-shortcut-taken", shortcut = shortcut.as_str()),
        E::TextMissing => t!("canned-err-text-missing"),
        E::TextTooLong => t!("canned-err-text-too-long", max = canned::TEXT_MAX_LEN),
        E::TooMany => t!("canned-err-too-many", max = canned::MAX_PER_OWNER),
    }
}
