//! Companies, their users and the seats they hold.
//!
//! Creating a user touches three streams, in an order that leaves nothing visible half
//! done: the user's own stream first (a user is listed only once a member), then the
//! e-mail address (one account per address), then the company (a seat, decided by the
//! company stream's version). A refusal undoes the earlier steps.

use std::collections::BTreeSet;

use chrono::Utc;
use deadpool_postgres::Pool;
use domain::company::{self, Company, Role};
use domain::email::{self, Address, Email};
use domain::ids::InvitationId;
use domain::user::{self, Access, Profile, User};
use domain::{Actor, CompanyId, Metadata, UserId};
use store::{EventStore, Position};

use crate::{execute, load, secrets, Error, Outcome};

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
    /// The user receives a single-use link to choose a password.
    Invite,
    /// The administrator set the password; only its argon2id hash comes here.
    Password { hash: String },
}

#[derive(Debug, Clone, Copy)]
pub struct Created {
    pub user_id: UserId,
    pub position: Position,
}

#[derive(Clone)]
pub struct Accounts<S> {
    store: S,
    pool: Pool,
}

impl<S: EventStore> Accounts<S> {
    pub fn new(store: S, pool: Pool) -> Self {
        Accounts { store, pool }
    }

    pub fn store(&self) -> &S {
        &self.store
    }

    /// A new company with its first administrator.
    pub async fn register_company(&self, name: &str, seats: u32, admin: NewUser, actor: Actor) -> Result<(CompanyId, Created), Error> {
        let company_id = CompanyId::new();
        let metadata = Metadata::new(Some(company_id), actor);
        execute::<Company, S>(
            &self.store,
            &company::stream(company_id),
            &company::Command::RegisterCompany { company_id, name: name.to_owned(), seats },
            &metadata,
        )
        .await?;
        let mut admin = admin;
        admin.roles.insert(Role::Administrator);
        let created = self.create_user(company_id, admin, &metadata).await?;
        Ok((company_id, created))
    }

    pub async fn create_user(&self, company_id: CompanyId, new: NewUser, metadata: &Metadata) -> Result<Created, Error> {
        let address = Address::parse(&new.email)?;
        let user_id = UserId::new();
        let access = match &new.access {
            NewAccess::Invite => Access::Invite { invitation_id: InvitationId::new(), at: Utc::now() },
            NewAccess::Password { .. } => Access::Password,
        };
        // Validate before anything is written (the decider checks again when appending).
        let register = user::Command::RegisterUser {
            user_id,
            company_id,
            email: address.clone(),
            profile: new.profile.clone(),
            max_chats: new.max_chats,
            access,
        };
        <User as domain::Decider>::decide(&user::State::default(), &register)?;
        let (company, _) = load::<Company, S>(&self.store, &company::stream(company_id)).await?;
        if company.company_id.is_none() {
            return Err(company::Error::NotRegistered.into());
        }

        if let NewAccess::Password { hash } = &new.access {
            secrets::store_password_hash(&self.pool, user_id, hash).await?;
        }
        execute::<User, S>(&self.store, &user::stream(user_id), &register, metadata).await?;

        if let Err(e) = self.claim_email(&address, user_id, metadata).await {
            self.abandon(user_id, &e, metadata).await;
            return Err(e);
        }
        let added = execute::<Company, S>(
            &self.store,
            &company::stream(company_id),
            &company::Command::AddMember { user_id, roles: new.roles.clone() },
            metadata,
        )
        .await;
        match added {
            Ok(outcome) => Ok(Created { user_id, position: outcome.position.expect("adding a member appends") }),
            Err(e) => {
                let release = email::Command::ReleaseEmail { user_id };
                if let Err(re) = execute::<Email, S>(&self.store, &email::stream(&address), &release, metadata).await {
                    tracing::error!(error = %re, %user_id, "could not release the address of a refused user");
                }
                self.abandon(user_id, &e, metadata).await;
                Err(e)
            }
        }
    }

    async fn claim_email(&self, address: &Address, user_id: UserId, metadata: &Metadata) -> Result<(), Error> {
        let stream = email::stream(address);
        let claim = email::Command::ClaimEmail { user_id };
        match execute::<Email, S>(&self.store, &stream, &claim, metadata).await {
            Err(Error::Email(email::Error::EmailTaken { owner })) if self.is_stale_claim(owner).await? => {
                // The owner never became a member (its creation was cut short): free the address.
                let release = email::Command::ReleaseEmail { user_id: owner };
                execute::<Email, S>(&self.store, &stream, &release, metadata).await?;
                execute::<Email, S>(&self.store, &stream, &claim, metadata).await.map(|_| ())
            }
            other => other.map(|_| ()),
        }
    }

    /// A claim whose user was abandoned, or registered long ago without becoming a member.
    async fn is_stale_claim(&self, owner: UserId) -> Result<bool, Error> {
        let events = self.store.read_stream(&user::stream(owner), 0).await?;
        let mut state = user::State::default();
        for event in &events {
            state = <User as domain::Decider>::evolve(state, &event.decode_as()?);
        }
        let Some(registration) = state.registration else { return Ok(true) };
        let (company, _) = load::<Company, S>(&self.store, &company::stream(registration.company_id)).await?;
        let registered_at = events.first().map(|e| e.recorded_at).unwrap_or_else(Utc::now);
        Ok(!company.members.contains_key(&owner) && Utc::now() - registered_at > chrono::Duration::minutes(10))
    }

    async fn abandon(&self, user_id: UserId, why: &Error, metadata: &Metadata) {
        let command = user::Command::AbandonRegistration { reason: why.to_string() };
        if let Err(e) = execute::<User, S>(&self.store, &user::stream(user_id), &command, metadata).await {
            tracing::error!(error = %e, %user_id, "could not mark a refused user as abandoned");
        }
    }

    /// Changes to a member of `company_id`: roles, deactivation, reactivation.
    pub async fn change_membership(
        &self,
        company_id: CompanyId,
        command: company::Command,
        metadata: &Metadata,
    ) -> Result<Outcome<company::Event>, Error> {
        execute::<Company, S>(&self.store, &company::stream(company_id), &command, metadata).await
    }
}
