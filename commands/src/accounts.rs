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

use std::sync::Arc;

use crate::{execute, execute_cached, load, load_cached, secrets, Error, Outcome, StateCache};

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
    companies: Arc<StateCache<company::State>>,
}

impl<S: EventStore> Accounts<S> {
    pub fn new(store: S, pool: Pool) -> Self {
        Accounts { store, pool, companies: StateCache::new() }
    }

    async fn on_company(&self, company_id: CompanyId, command: &company::Command, metadata: &Metadata) -> Result<Outcome<company::Event>, Error> {
        execute_cached::<Company, S>(&self.store, &company::stream(company_id), command, metadata, Some(&self.companies)).await
    }

    pub fn store(&self) -> &S {
        &self.store
    }

    /// A new company with its first administrator.
    pub async fn register_company(&self, name: &str, seats: u32, admin: NewUser, actor: Actor) -> Result<(CompanyId, Created), Error> {
        let company_id = CompanyId::new();
        let metadata = Metadata::new(Some(company_id), actor);
        self.on_company(company_id, &company::Command::RegisterCompany { company_id, name: name.to_owned(), seats }, &metadata).await?;
        let mut admin = admin;
        admin.roles.insert(Role::Administrator);
        let created = self.create_user(company_id, admin, &metadata).await?;
        Ok((company_id, created))
    }

    pub async fn create_user(&self, company_id: CompanyId, new: NewUser, metadata: &Metadata) -> Result<Created, Error> {
        let address = Address::parse(&new.email)?;
        let user_id = UserId::new();
        let access = match &new.access {
            NewAccess::Invite { send_email } => Access::Invite { invitation_id: InvitationId::new(), at: Utc::now(), send_email: *send_email },
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
        let (company, _) = load_cached::<Company, S>(&self.store, &company::stream(company_id), Some(&self.companies)).await?;
        if company.company_id.is_none() {
            return Err(company::Error::NotRegistered.into());
        }
        // Refuse early when no seat is left, before anything is written.
        if company.seats_in_use() >= company.seats {
            return Err(company::Error::SeatsExhausted { seats: company.seats }.into());
        }

        if let NewAccess::Password { hash } = &new.access {
            secrets::store_password_hash(&self.pool, user_id, hash).await?;
        }
        execute::<User, S>(&self.store, &user::stream(user_id), &register, metadata).await?;

        if let Err(e) = self.claim_email(&address, user_id, metadata).await {
            self.abandon(user_id, &e, metadata).await;
            return Err(e);
        }
        let added = self.on_company(company_id, &company::Command::AddMember { user_id, roles: new.roles.clone() }, metadata).await;
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
        let (company, _) = load_cached::<Company, S>(&self.store, &company::stream(registration.company_id), Some(&self.companies)).await?;
        let registered_at = events.first().map(|e| e.recorded_at).unwrap_or_else(Utc::now);
        Ok(!company.members.contains_key(&owner) && Utc::now() - registered_at > chrono::Duration::minutes(10))
    }

    async fn abandon(&self, user_id: UserId, why: &Error, metadata: &Metadata) {
        let command = user::Command::AbandonRegistration { reason: why.to_string() };
        if let Err(e) = execute::<User, S>(&self.store, &user::stream(user_id), &command, metadata).await {
            tracing::error!(error = %e, %user_id, "could not mark a refused user as abandoned");
        }
    }

    /// Changes to a member of `company_id`: roles, deactivation, reactivation. A user of
    /// another company is not a member, so it is not found.
    pub async fn change_membership(
        &self,
        company_id: CompanyId,
        command: company::Command,
        metadata: &Metadata,
    ) -> Result<Outcome<company::Event>, Error> {
        self.on_company(company_id, &command, metadata).await
    }

    /// The user's state if it belongs to `company_id`; not found otherwise, so no company
    /// learns whether another company's user exists.
    pub async fn user_of(&self, company_id: CompanyId, user_id: UserId) -> Result<user::State, Error> {
        let (state, _) = load::<User, S>(&self.store, &user::stream(user_id)).await?;
        match &state.registration {
            Some(r) if r.company_id == company_id => Ok(state),
            _ => Err(Error::NotFound),
        }
    }

    /// A change to a user's own stream (profile, settings), for an administrator of its company.
    pub async fn change_user(
        &self,
        company_id: CompanyId,
        user_id: UserId,
        command: user::Command,
        metadata: &Metadata,
    ) -> Result<Outcome<user::Event>, Error> {
        self.user_of(company_id, user_id).await?;
        execute::<User, S>(&self.store, &user::stream(user_id), &command, metadata).await
    }

    /// Starts a new invitation cycle: a new link is mailed and the previous one dies.
    pub async fn resend_invitation(&self, company_id: CompanyId, user_id: UserId, metadata: &Metadata) -> Result<Outcome<user::Event>, Error> {
        let command = user::Command::ResendInvitation { invitation_id: InvitationId::new(), at: Utc::now() };
        self.change_user(company_id, user_id, command, metadata).await
    }

    /// Moves the account to another address, which must be free in every company.
    pub async fn change_email(
        &self,
        company_id: CompanyId,
        user_id: UserId,
        email: &str,
        metadata: &Metadata,
    ) -> Result<Outcome<user::Event>, Error> {
        let new = Address::parse(email)?;
        let state = self.user_of(company_id, user_id).await?;
        let old = state.registration.map(|r| r.email).ok_or(Error::NotFound)?;
        if old == new {
            return Ok(Outcome { events: vec![], position: None, version: None });
        }
        self.claim_email(&new, user_id, metadata).await?;
        let changed = execute::<User, S>(&self.store, &user::stream(user_id), &user::Command::ChangeEmail { email: new.clone() }, metadata).await;
        // Release whichever address the account does not end up with.
        let free = if changed.is_ok() { old } else { new };
        execute::<Email, S>(&self.store, &email::stream(&free), &email::Command::ReleaseEmail { user_id }, metadata).await?;
        changed
    }

    /// The invitation mailer's step: records the hash of the link it is about to send.
    pub async fn issue_invitation_link(
        &self,
        user_id: UserId,
        invitation_id: InvitationId,
        token_hash: String,
        metadata: &Metadata,
    ) -> Result<Outcome<user::Event>, Error> {
        let command = user::Command::IssueInvitationLink { invitation_id, token_hash };
        execute::<User, S>(&self.store, &user::stream(user_id), &command, metadata).await
    }

    /// The invited user chose a password through the link whose token hashes to `token_hash`.
    pub async fn accept_invitation(&self, user_id: UserId, token_hash: &str, password_hash: &str) -> Result<Outcome<user::Event>, Error> {
        let command = user::Command::AcceptInvitation { token_hash: token_hash.to_owned(), at: Utc::now() };
        let (state, _) = load::<User, S>(&self.store, &user::stream(user_id)).await?;
        // Check before storing the new hash, so a refused link changes nothing.
        <User as domain::Decider>::decide(&state, &command)?;
        let company_id = state.registration.as_ref().map(|r| r.company_id);
        secrets::store_password_hash(&self.pool, user_id, password_hash).await?;
        let metadata = Metadata::new(company_id, Actor::User(user_id));
        execute::<User, S>(&self.store, &user::stream(user_id), &command, &metadata).await
    }
}
