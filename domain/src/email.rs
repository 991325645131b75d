//! One account per e-mail address, across all companies: the stream `email-{address}`
//! records which user owns an address. Claiming appends with the stream's expected
//! version, so two companies racing for one address cannot both win.

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::codec::EventPayload;
use crate::ids::UserId;
use crate::Decider;

/// A syntactically valid, normalised (trimmed, lower-case) e-mail address.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Address(String);

#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("\"{input}\" is not a valid e-mail address")]
pub struct InvalidAddress {
    pub input: String,
}

impl Address {
    pub fn parse(input: &str) -> Result<Self, InvalidAddress> {
        let normalised = input.trim().to_lowercase();
        let invalid = || InvalidAddress { input: input.trim().to_owned() };
        let parsed = email_address::EmailAddress::parse_with_options(
            &normalised,
            email_address::Options::default().without_display_text().without_domain_literal(),
        )
        .map_err(|_| invalid())?;
        // The RFC allows single-label domains (`a@localhost`); nobody's mailbox lives there.
        if !parsed.domain().contains('.') || parsed.domain().ends_with('.') {
            return Err(invalid());
        }
        Ok(Self(normalised))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Address {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

pub fn stream(address: &Address) -> String {
    format!("email-{address}")
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum Event {
    EmailClaimed { user_id: UserId },
    EmailReleased { user_id: UserId },
}

impl EventPayload for Event {
    const CATEGORY: &'static str = "email";
}

#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    ClaimEmail { user_id: UserId },
    ReleaseEmail { user_id: UserId },
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum Error {
    #[error("this e-mail address already belongs to an account")]
    EmailTaken { owner: UserId },
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct State {
    pub owner: Option<UserId>,
}

pub struct Email;

impl Decider for Email {
    type State = State;
    type Command = Command;
    type Event = Event;
    type Error = Error;

    fn decide(state: &State, command: &Command) -> Result<Vec<Event>, Error> {
        match (command, state.owner) {
            (Command::ClaimEmail { user_id }, None) => Ok(vec![Event::EmailClaimed { user_id: *user_id }]),
            (Command::ClaimEmail { user_id }, Some(owner)) if owner == *user_id => Ok(vec![]),
            (Command::ClaimEmail { .. }, Some(owner)) => Err(Error::EmailTaken { owner }),
            (Command::ReleaseEmail { user_id }, Some(owner)) if owner == *user_id => Ok(vec![Event::EmailReleased { user_id: *user_id }]),
            (Command::ReleaseEmail { .. }, _) => Ok(vec![]),
        }
    }

    fn evolve(mut state: State, event: &Event) -> State {
        state.owner = match event {
            Event::EmailClaimed { user_id } => Some(*user_id),
            Event::EmailReleased { .. } => None,
        };
        state
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::given;

    #[test]
    fn addresses_are_normalised_and_validated() {
        assert_eq!(Address::parse("  Ada@Example.COM ").unwrap().as_str(), "ada@example.com");
        for bad in ["", "ada", "ada@", "@example.com", "ada@example", "a b@example.com", "ada@@example.com", "Ada <ada@example.com>"] {
            assert_eq!(Address::parse(bad), Err(InvalidAddress { input: bad.trim().into() }), "{bad}");
        }
    }

    #[test]
    fn a_free_address_can_be_claimed_once() {
        let (a, b) = (UserId::new(), UserId::new());
        given::<Email>([]).when(Command::ClaimEmail { user_id: a }).then([Event::EmailClaimed { user_id: a }]);
        given::<Email>([Event::EmailClaimed { user_id: a }]).when(Command::ClaimEmail { user_id: b }).then_error(Error::EmailTaken { owner: a });
        given::<Email>([Event::EmailClaimed { user_id: a }]).when(Command::ClaimEmail { user_id: a }).then([]);
    }

    #[test]
    fn only_the_owner_releases_an_address_and_then_anyone_may_claim_it() {
        let (a, b) = (UserId::new(), UserId::new());
        given::<Email>([Event::EmailClaimed { user_id: a }]).when(Command::ReleaseEmail { user_id: b }).then([]);
        given::<Email>([Event::EmailClaimed { user_id: a }]).when(Command::ReleaseEmail { user_id: a }).then([Event::EmailReleased { user_id: a }]);
        given::<Email>([Event::EmailClaimed { user_id: a }, Event::EmailReleased { user_id: a }])
            .when(Command::ClaimEmail { user_id: b })
            .then([Event::EmailClaimed { user_id: b }]);
    }
}
