//! Companies, their users and the addresses they own: one command on one stream each.
//! What spans several streams (creating a user, moving an address) is a use case of the
//! `app` crate, built from these.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use domain::company::{self, Company};
use domain::email::{self, Address, Email};
use domain::ids::{InvitationId, PasswordResetId};
use domain::user::{self, User};
use domain::{Actor, CompanyId, Metadata, UserId};
use store::EventStore;

use crate::{execute, execute_cached, load, load_cached, Error, Outcome, StateCache};

#[derive(Clone)]
pub struct Accounts<S> {
    store: S,
    // A company stream holds every membership change: folding it from its first event for
    // every command would grow with the company.
    companies: Arc<StateCache<company::State>>,
}

impl<S: EventStore> Accounts<S> {
    pub fn new(store: S) -> Self {
        Accounts { store, companies: StateCache::new() }
    }

    pub fn store(&self) -> &S {
        &self.store
    }

    /// The company's state as its stream tells it (shared with the cache, not copied).
    pub async fn company(&self, company_id: CompanyId) -> Result<Arc<company::State>, Error> {
        Ok(load_cached::<Company, S>(&self.store, &company::stream(company_id), Some(&self.companies)).await?.0)
    }

    /// A command on the company stream: registration, seats, members and their roles. A user
    /// of another company is not a member, so it is not found.
    pub async fn change_membership(
        &self,
        company_id: CompanyId,
        command: company::Command,
        metadata: &Metadata,
    ) -> Result<Outcome<company::Event>, Error> {
        execute_cached::<Company, S>(&self.store, &company::stream(company_id), &command, metadata, Some(&self.companies)).await
    }

    /// Starts a user's stream (`RegisterUser`).
    pub async fn register_user(&self, user_id: UserId, command: &user::Command, metadata: &Metadata) -> Result<Outcome<user::Event>, Error> {
        execute::<User, S>(&self.store, &user::stream(user_id), command, metadata).await
    }

    /// Marks a user whose creation was refused half-way as abandoned.
    pub async fn abandon_registration(&self, user_id: UserId, reason: String, metadata: &Metadata) -> Result<Outcome<user::Event>, Error> {
        execute::<User, S>(&self.store, &user::stream(user_id), &user::Command::AbandonRegistration { reason }, metadata).await
    }

    /// The user's state and when their stream began (None when it does not exist).
    pub async fn user(&self, user_id: UserId) -> Result<(user::State, Option<DateTime<Utc>>), Error> {
        let events = self.store.read_stream(&user::stream(user_id), 0).await?;
        let mut state = user::State::default();
        for event in &events {
            state = <User as domain::Decider>::evolve(state, &event.decode_as()?);
        }
        Ok((state, events.first().map(|e| e.recorded_at)))
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
    pub async fn accept_invitation(&self, user_id: UserId, token_hash: &str) -> Result<Outcome<user::Event>, Error> {
        let command = user::Command::AcceptInvitation { token_hash: token_hash.to_owned(), at: Utc::now() };
        let (state, _) = load::<User, S>(&self.store, &user::stream(user_id)).await?;
        let metadata = Metadata::new(state.registration.as_ref().map(|r| r.company_id), Actor::User(user_id));
        execute::<User, S>(&self.store, &user::stream(user_id), &command, &metadata).await
    }

    /// Starts a password reset for the user: a link valid one hour is mailed and any earlier
    /// one dies. Whoever asks (the user, an administrator) is in `metadata`.
    pub async fn request_password_reset(&self, user_id: UserId, metadata: &Metadata) -> Result<Outcome<user::Event>, Error> {
        let command = user::Command::RequestPasswordReset { reset_id: PasswordResetId::new(), at: Utc::now() };
        execute::<User, S>(&self.store, &user::stream(user_id), &command, metadata).await
    }

    /// The password reset mailer's step: records the hash of the link it is about to send.
    pub async fn issue_password_reset_link(
        &self,
        user_id: UserId,
        reset_id: PasswordResetId,
        token_hash: String,
        metadata: &Metadata,
    ) -> Result<Outcome<user::Event>, Error> {
        let command = user::Command::IssuePasswordResetLink { reset_id, token_hash };
        execute::<User, S>(&self.store, &user::stream(user_id), &command, metadata).await
    }

    /// The user chose a new password through the reset link whose token hashes to `token_hash`.
    pub async fn reset_password(&self, user_id: UserId, token_hash: &str) -> Result<Outcome<user::Event>, Error> {
        let command = user::Command::ResetPassword { token_hash: token_hash.to_owned(), at: Utc::now() };
        let (state, _) = load::<User, S>(&self.store, &user::stream(user_id)).await?;
        let metadata = Metadata::new(state.registration.as_ref().map(|r| r.company_id), Actor::User(user_id));
        execute::<User, S>(&self.store, &user::stream(user_id), &command, &metadata).await
    }

    /// Takes `address` for `user_id`; refused when another account holds it.
    pub async fn claim_email(&self, address: &Address, user_id: UserId, metadata: &Metadata) -> Result<Outcome<email::Event>, Error> {
        execute::<Email, S>(&self.store, &email::stream(address), &email::Command::ClaimEmail { user_id }, metadata).await
    }

    pub async fn release_email(&self, address: &Address, user_id: UserId, metadata: &Metadata) -> Result<Outcome<email::Event>, Error> {
        execute::<Email, S>(&self.store, &email::stream(address), &email::Command::ReleaseEmail { user_id }, metadata).await
    }
}
