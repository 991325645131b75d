//! The pure heart of Switchboard: every aggregate is a decider,
//! `decide(&State, &Command) -> Result<Vec<Event>, Error>` and `evolve(State, &Event) -> State`.
//! Nothing here touches storage, the network or the clock: time and randomness come in commands.

pub mod agent;
pub mod billing;
pub mod business_hours;
pub mod canned;
pub mod codec;
pub mod company;
pub mod conversation;
pub mod email;
pub mod envelope;
pub mod ids;
pub mod personal;
pub mod preferences;
pub mod routing;
pub mod site;
pub mod subscription;
pub mod user;
pub mod visitor;
pub mod visitor_details;

#[cfg(test)]
mod testing;

pub use codec::{DecodeError, Event, EventPayload};
pub use envelope::{Actor, Metadata};
pub use ids::{CannedResponseId, CompanyId, ConversationId, SiteId, StreamNameError, UserId, VisitorId};
pub use personal::Personal;

/// An aggregate's decision logic. `State::default()` is the state of a stream with no events.
pub trait Decider {
    type State: Default + Clone + Send + Sync;
    type Command: Send + Sync;
    type Event: EventPayload + Clone + Send + Sync;
    type Error: std::error::Error + Send + Sync + 'static;

    fn decide(state: &Self::State, command: &Self::Command) -> Result<Vec<Self::Event>, Self::Error>;
    fn evolve(state: Self::State, event: &Self::Event) -> Self::State;

    fn fold<'a>(events: impl IntoIterator<Item = &'a Self::Event>) -> Self::State
    where
        Self::Event: 'a,
    {
        events.into_iter().fold(Self::State::default(), Self::evolve)
    }
}
