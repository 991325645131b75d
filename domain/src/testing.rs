//! Given events / when command / then events or error.

use std::fmt::Debug;

use crate::Decider;

pub struct Given<D: Decider> {
    state: D::State,
}

pub fn given<D: Decider>(events: impl IntoIterator<Item = D::Event>) -> Given<D> {
    let events: Vec<D::Event> = events.into_iter().collect();
    Given { state: D::fold(&events) }
}

pub struct Then<D: Decider> {
    result: Result<Vec<D::Event>, D::Error>,
}

impl<D: Decider> Given<D> {
    pub fn when(self, command: D::Command) -> Then<D> {
        Then { result: D::decide(&self.state, &command) }
    }
}

impl<D: Decider> Then<D>
where
    D::Event: PartialEq + Debug,
    D::Error: PartialEq + Debug,
{
    #[track_caller]
    pub fn then(self, expected: impl IntoIterator<Item = D::Event>) {
        let expected: Vec<D::Event> = expected.into_iter().collect();
        assert_eq!(self.result, Ok(expected));
    }

    #[track_caller]
    pub fn then_error(self, expected: D::Error) {
        assert_eq!(self.result, Err(expected));
    }

    /// For events carrying values the test cannot predict exactly.
    #[track_caller]
    pub fn then_matches(self, check: impl FnOnce(&[D::Event]) -> bool) {
        match &self.result {
            Ok(events) => assert!(check(events), "unexpected events: {events:?}"),
            Err(e) => panic!("expected events, got error {e:?}"),
        }
    }
}
