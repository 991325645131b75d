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
    {
        // Not held past the check: the company's state is moved on in place when adding the
        // member, unless somebody still holds it.
        let company = accounts.company(company_id).await?;
        if company.company_id.is_none() {
            return Err(company::Error::NotRegistered.into());
        }
        // Refuse early when no seat is left, before anything is written.
        if company.seats_in_use() >= company.seats {
            return Err(company::Error::SeatsExhausted { seats: company.seats }.into());
        }
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

#[cfg(test)]
mod tests {
    //! The three-stream orchestration over the in-memory event store: what is left behind
    //! when a later stream refuses.

    use std::collections::BTreeSet;
    use std::sync::{Arc, Mutex};

    use domain::company::Company;
    use domain::email::Email;
    use domain::user::{Profile, User};
    use domain::Decider;
    use store::memory::MemoryEventStore;
    use store::{AppendResult, ExpectedVersion, NewEvent, RecordedEvent, StoreError, Subscription};

    use super::*;

    fn new_user(email: &str) -> NewUser {
        NewUser {
            email: email.into(),
            profile: Profile { first_name: "Ada".into(), last_name: "Lovelace".into(), ..Default::default() },
            roles: BTreeSet::from([Role::Agent]),
            max_chats: 3,
            access: NewAccess::Invite { send_email: false },
        }
    }

    async fn company(accounts: &Accounts<impl EventStore>, seats: u32) -> (CompanyId, Metadata) {
        let admin = new_user("boss@acme.test");
        let (company, _) = register_company(accounts, "Acme", seats, UserId::new(), admin, Actor::System("test".into())).await.unwrap();
        (company, Metadata::new(Some(company), Actor::System("test".into())))
    }

    async fn owner(accounts: &Accounts<impl EventStore>, address: &str) -> Option<UserId> {
        let address = Address::parse(address).unwrap();
        state::<Email>(accounts.store(), &domain::email::stream(&address)).await.owner
    }

    async fn state<D: Decider>(store: &impl EventStore, stream: &str) -> D::State {
        commands::load::<D, _>(store, stream).await.unwrap().0
    }

    #[tokio::test]
    async fn a_new_user_is_registered_owns_the_address_and_holds_a_seat() {
        let accounts = Accounts::new(MemoryEventStore::new());
        let (company, meta) = company(&accounts, 3).await;
        let id = UserId::new();
        create_user(&accounts, company, id, new_user("ada@acme.test"), &meta).await.unwrap();
        assert_eq!(owner(&accounts, "ada@acme.test").await, Some(id));
        assert!(accounts.company(company).await.unwrap().members.contains_key(&id));
        assert!(state::<User>(accounts.store(), &user::stream(id)).await.registration.is_some());
    }

    #[tokio::test]
    async fn an_address_already_taken_leaves_the_new_user_abandoned_and_the_owner_untouched() {
        let accounts = Accounts::new(MemoryEventStore::new());
        let (company, meta) = company(&accounts, 5).await;
        let (first, second) = (UserId::new(), UserId::new());
        create_user(&accounts, company, first, new_user("ada@acme.test"), &meta).await.unwrap();
        let refused = create_user(&accounts, company, second, new_user("Ada@Acme.test"), &meta).await.unwrap_err();
        assert!(matches!(refused, Error::Email(domain::email::Error::EmailTaken { owner }) if owner == first), "{refused:?}");

        assert_eq!(owner(&accounts, "ada@acme.test").await, Some(first));
        assert!(!accounts.company(company).await.unwrap().members.contains_key(&second), "no seat for the refused user");
        let events = accounts.store().read_stream(&user::stream(second), 0).await.unwrap();
        let last = events.last().unwrap().decode_as::<user::Event>().unwrap();
        assert!(matches!(last, user::Event::RegistrationAbandoned { .. }), "{last:?}");
    }

    #[tokio::test]
    async fn no_seat_left_is_refused_before_anything_is_written() {
        let accounts = Accounts::new(MemoryEventStore::new());
        let (company, meta) = company(&accounts, 1).await;
        let id = UserId::new();
        let refused = create_user(&accounts, company, id, new_user("ada@acme.test"), &meta).await.unwrap_err();
        assert!(matches!(refused, Error::Company(company::Error::SeatsExhausted { seats: 1 })), "{refused:?}");
        assert!(accounts.store().read_stream(&user::stream(id), 0).await.unwrap().is_empty());
        let address = Address::parse("ada@acme.test").unwrap();
        assert!(accounts.store().read_stream(&domain::email::stream(&address), 0).await.unwrap().is_empty());
    }

    /// An event store where another administrator takes the last seat just after this
    /// creation claimed its address: the seat check before writing passed, the company's
    /// stream then refuses.
    #[derive(Clone)]
    struct SeatTakenMeanwhile {
        inner: MemoryEventStore,
        company: Arc<Mutex<Option<CompanyId>>>,
    }

    impl EventStore for SeatTakenMeanwhile {
        async fn append(
            &self,
            stream: &str,
            expected: ExpectedVersion,
            events: Vec<NewEvent>,
            metadata: &Metadata,
        ) -> Result<AppendResult, StoreError> {
            let appended = self.inner.append(stream, expected, events, metadata).await?;
            let company = if stream.starts_with("email-") { self.company.lock().unwrap().take() } else { None };
            if let Some(company) = company {
                let other = Accounts::new(self.inner.clone());
                let meta = Metadata::new(Some(company), Actor::System("the other administrator".into()));
                create_user(&other, company, UserId::new(), new_user("grace@acme.test"), &meta).await.expect("the other creation");
            }
            Ok(appended)
        }

        async fn read_stream(&self, stream: &str, from_version: u64) -> Result<Vec<RecordedEvent>, StoreError> {
            self.inner.read_stream(stream, from_version).await
        }

        async fn read_all(&self, after: store::Position, limit: usize) -> Result<Vec<RecordedEvent>, StoreError> {
            self.inner.read_all(after, limit).await
        }

        fn subscribe(&self, after: store::Position) -> Subscription {
            self.inner.subscribe(after)
        }

        fn hints(&self) -> tokio::sync::watch::Receiver<u64> {
            self.inner.hints()
        }
    }

    #[tokio::test]
    async fn a_seat_taken_meanwhile_releases_the_claimed_address_and_abandons_the_user() {
        let store = SeatTakenMeanwhile { inner: MemoryEventStore::new(), company: Arc::default() };
        let accounts = Accounts::new(store.clone());
        let (company, meta) = company(&accounts, 2).await;
        *store.company.lock().unwrap() = Some(company);
        let id = UserId::new();
        let refused = create_user(&accounts, company, id, new_user("ada@acme.test"), &meta).await.unwrap_err();
        assert!(matches!(refused, Error::Company(company::Error::SeatsExhausted { .. })), "{refused:?}");

        let address = Address::parse("ada@acme.test").unwrap();
        assert_eq!(state::<Email>(&store.inner, &domain::email::stream(&address)).await.owner, None, "the address is free again");
        let company_state = state::<Company>(&store.inner, &company::stream(company)).await;
        assert_eq!(company_state.members.len(), 2, "the administrator and the other creation: never more than the seats");
        assert!(!company_state.members.contains_key(&id));
        let last = store.inner.read_stream(&user::stream(id), 0).await.unwrap().last().unwrap().decode_as::<user::Event>().unwrap();
        assert!(matches!(last, user::Event::RegistrationAbandoned { .. }), "{last:?}");
    }

    #[tokio::test]
    async fn a_claim_left_by_a_creation_cut_short_is_freed_for_the_next_one() {
        let accounts = Accounts::new(MemoryEventStore::new());
        let (company, meta) = company(&accounts, 3).await;
        // A crash between the claim and anything else: a claim by a user who never registered.
        let address = Address::parse("ada@acme.test").unwrap();
        accounts.claim_email(&address, UserId::new(), &meta).await.unwrap();
        let id = UserId::new();
        create_user(&accounts, company, id, new_user("ada@acme.test"), &meta).await.unwrap();
        assert_eq!(owner(&accounts, "ada@acme.test").await, Some(id));
    }

    #[tokio::test]
    async fn moving_to_another_address_frees_the_old_one_and_a_taken_one_changes_nothing() {
        let accounts = Accounts::new(MemoryEventStore::new());
        let (company, meta) = company(&accounts, 5).await;
        let (ada, grace) = (UserId::new(), UserId::new());
        create_user(&accounts, company, ada, new_user("ada@acme.test"), &meta).await.unwrap();
        create_user(&accounts, company, grace, new_user("grace@acme.test"), &meta).await.unwrap();

        let taken = change_email(&accounts, company, ada, "grace@acme.test", &meta).await.unwrap_err();
        assert!(matches!(taken, Error::Email(_)), "{taken:?}");
        assert_eq!(owner(&accounts, "ada@acme.test").await, Some(ada));
        assert_eq!(owner(&accounts, "grace@acme.test").await, Some(grace));

        change_email(&accounts, company, ada, "ada.lovelace@acme.test", &meta).await.unwrap();
        assert_eq!(owner(&accounts, "ada.lovelace@acme.test").await, Some(ada));
        assert_eq!(owner(&accounts, "ada@acme.test").await, None, "the old address is free for someone else");
        let registration = state::<User>(accounts.store(), &user::stream(ada)).await.registration.unwrap();
        assert_eq!(registration.email.as_str(), "ada.lovelace@acme.test");
    }
}
