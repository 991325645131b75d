//! Creating a user touches three streams, in an order that leaves nothing visible half
//! done: the user's own stream first (a user is listed only once a member), then the e-mail
//! address (one account per address), then the company (a seat, decided by the company
//! stream's version). A refusal undoes the earlier steps. Moving an account to another
//! address claims the new one before letting the old one go.

use chrono::Utc;
use commands::accounts::Accounts;
use commands::{Error, Outcome};
use domain::company::{self, Role};
use domain::email::Address;
use domain::ids::InvitationId;
use domain::user::{self, Access, User};
use domain::{Actor, CompanyId, Metadata, UserId};
use store::{EventStore, Position};

use super::{NewAccess, NewUser};

#[derive(Debug, Clone, Copy)]
pub struct Created {
    pub user_id: UserId,
    pub position: Position,
}

/// A claim on an address by a user who never became a member is released after this long
/// (its creation was cut short: a crash between two of the steps).
const STALE_CLAIM: chrono::Duration = chrono::Duration::minutes(10);

/// A new company with its first administrator.
pub async fn register_company<S: EventStore>(
    accounts: &Accounts<S>,
    name: &str,
    seats: u32,
    user_id: UserId,
    mut admin: NewUser,
    actor: Actor,
) -> Result<(CompanyId, Created), Error> {
    let company_id = CompanyId::new();
    let metadata = Metadata::new(Some(company_id), actor);
    accounts.change_membership(company_id, company::Command::RegisterCompany { company_id, name: name.to_owned(), seats }, &metadata).await?;
    admin.roles.insert(Role::Administrator);
    let created = create_user(accounts, company_id, user_id, admin, &metadata).await?;
    Ok((company_id, created))
}

pub async fn create_user<S: EventStore>(
    accounts: &Accounts<S>,
    company_id: CompanyId,
    user_id: UserId,
    new: NewUser,
    metadata: &Metadata,
) -> Result<Created, Error> {
    let address = Address::parse(&new.email)?;
    let access = match &new.access {
        NewAccess::Invite { send_email } => Access::Invite { invitation_id: InvitationId::new(), at: Utc::now(), send_email: *send_email },
        NewAccess::Password { .. } => Access::Password,
    };
    let register =
        user::Command::RegisterUser { user_id, company_id, email: address.clone(), profile: new.profile.clone(), max_chats: new.max_chats, access };
    // Validate before anything is written (the decider checks again when appending).
    <User as domain::Decider>::decide(&user::State::default(), &register)?;
    let company = accounts.company(company_id).await?;
    if company.company_id.is_none() {
        return Err(company::Error::NotRegistered.into());
    }
    // Refuse early when no seat is left, before anything is written.
    if company.seats_in_use() >= company.seats {
        return Err(company::Error::SeatsExhausted { seats: company.seats }.into());
    }

    accounts.register_user(user_id, &register, metadata).await?;
    if let Err(e) = claim_email(accounts, &address, user_id, metadata).await {
        abandon(accounts, user_id, &e, metadata).await;
        return Err(e);
    }
    match accounts.change_membership(company_id, company::Command::AddMember { user_id, roles: new.roles.clone() }, metadata).await {
        Ok(outcome) => Ok(Created { user_id, position: outcome.position.expect("adding a member appends") }),
        Err(e) => {
            if let Err(re) = accounts.release_email(&address, user_id, metadata).await {
                tracing::error!(error = %re, %user_id, "could not release the address of a refused user");
            }
            abandon(accounts, user_id, &e, metadata).await;
            Err(e)
        }
    }
}

/// Claims `address`, first freeing it from a user whose creation was cut short.
async fn claim_email<S: EventStore>(accounts: &Accounts<S>, address: &Address, user_id: UserId, metadata: &Metadata) -> Result<(), Error> {
    match accounts.claim_email(address, user_id, metadata).await {
        Err(Error::Email(domain::email::Error::EmailTaken { owner })) if is_stale_claim(accounts, owner).await? => {
            accounts.release_email(address, owner, metadata).await?;
            accounts.claim_email(address, user_id, metadata).await.map(|_| ())
        }
        other => other.map(|_| ()),
    }
}

/// A claim whose user was abandoned, or registered long ago without becoming a member.
async fn is_stale_claim<S: EventStore>(accounts: &Accounts<S>, owner: UserId) -> Result<bool, Error> {
    let (state, registered_at) = accounts.user(owner).await?;
    let Some(registration) = state.registration else { return Ok(true) };
    let company = accounts.company(registration.company_id).await?;
    let age = Utc::now() - registered_at.unwrap_or_else(Utc::now);
    Ok(!company.members.contains_key(&owner) && age > STALE_CLAIM)
}

async fn abandon<S: EventStore>(accounts: &Accounts<S>, user_id: UserId, why: &Error, metadata: &Metadata) {
    if let Err(e) = accounts.abandon_registration(user_id, why.to_string(), metadata).await {
        tracing::error!(error = %e, %user_id, "could not mark a refused user as abandoned");
    }
}

/// Moves the account to another address, which must be free in every company.
pub async fn change_email<S: EventStore>(
    accounts: &Accounts<S>,
    company_id: CompanyId,
    user_id: UserId,
    email: &str,
    metadata: &Metadata,
) -> Result<Outcome<user::Event>, Error> {
    let new = Address::parse(email)?;
    let state = accounts.user_of(company_id, user_id).await?;
    let old = state.registration.map(|r| r.email).ok_or(Error::NotFound)?;
    if old == new {
        return Ok(Outcome { events: vec![], position: None, version: None });
    }
    claim_email(accounts, &new, user_id, metadata).await?;
    let changed = accounts.change_user(company_id, user_id, user::Command::ChangeEmail { email: new.clone() }, metadata).await;
    // Release whichever address the account does not end up with.
    let free = if changed.is_ok() { old } else { new };
    accounts.release_email(&free, user_id, metadata).await?;
    changed
}
