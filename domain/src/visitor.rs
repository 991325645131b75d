//! A widget's visitor, as far as the log needs one: the record that their personal data was
//! erased (on their request, by an administrator or an operator). The erasure itself is the
//! destruction of their keys beside the log; this event says who did it and when, and tells
//! every reader to blank what it shows of them.

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::codec::EventPayload;
use crate::ids::{CompanyId, VisitorId};
use crate::Decider;

pub fn stream(id: VisitorId) -> String {
    format!("{}-{id}", Event::CATEGORY)
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum Event {
    /// `keys`: how many of the visitor's keys were destroyed (none when nothing was left).
    VisitorErased { company_id: CompanyId, visitor_id: VisitorId, keys: u32 },
}

impl EventPayload for Event {
    const CATEGORY: &'static str = "visitor";
}

#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// Record an erasure whose keys are already destroyed.
    RecordErasure { company_id: CompanyId, visitor_id: VisitorId, keys: u32 },
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum Error {
    #[error("this visitor belongs to another company")]
    OtherCompany,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct State {
    pub company_id: Option<CompanyId>,
    pub erasures: u32,
}

pub struct Visitor;

impl Decider for Visitor {
    type State = State;
    type Command = Command;
    type Event = Event;
    type Error = Error;

    fn decide(state: &State, command: &Command) -> Result<Vec<Event>, Error> {
        let Command::RecordErasure { company_id, visitor_id, keys } = command;
        if state.company_id.is_some_and(|c| c != *company_id) {
            return Err(Error::OtherCompany);
        }
        // A second erasure is recorded too: the visitor may have come back in between, and
        // an auditor sees every request.
        Ok(vec![Event::VisitorErased { company_id: *company_id, visitor_id: *visitor_id, keys: *keys }])
    }

    fn evolve(mut state: State, event: &Event) -> State {
        let Event::VisitorErased { company_id, .. } = event;
        state.company_id = Some(*company_id);
        state.erasures += 1;
        state
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::given;

    #[test]
    fn every_erasure_is_recorded_within_the_visitors_company() {
        let (company, visitor) = (CompanyId::new(), VisitorId::new());
        let erase = |company_id, keys| Command::RecordErasure { company_id, visitor_id: visitor, keys };
        given::<Visitor>([]).when(erase(company, 2)).then([Event::VisitorErased { company_id: company, visitor_id: visitor, keys: 2 }]);
        let erased = Event::VisitorErased { company_id: company, visitor_id: visitor, keys: 2 };
        given::<Visitor>([erased.clone()]).when(erase(company, 0)).then([Event::VisitorErased { company_id: company, visitor_id: visitor, keys: 0 }]);
        given::<Visitor>([erased]).when(erase(CompanyId::new(), 1)).then_error(Error::OtherCompany);
    }
}
