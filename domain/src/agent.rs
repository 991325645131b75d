//! An agent's load: presence and the conversations held. Capacity is decided here: taking
//! a conversation appends with this stream's expected version, so two routers (or two
//! server processes) racing for an agent's last slot cannot both win.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::codec::EventPayload;
use crate::ids::{ConversationId, UserId};
use crate::Decider;

pub fn stream(id: UserId) -> String {
    format!("{}-{id}", Event::CATEGORY)
}

/// The id of the agent whose stream this is.
pub fn id_from_stream(stream: &str) -> Result<UserId, crate::ids::StreamNameError> {
    crate::ids::id_in_stream(Event::CATEGORY, stream)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Online,
    Away,
    #[default]
    Offline,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Online => "online",
            Status::Away => "away",
            Status::Offline => "offline",
        }
    }
}

impl std::str::FromStr for Status {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "online" => Ok(Status::Online),
            "away" => Ok(Status::Away),
            "offline" => Ok(Status::Offline),
            other => Err(format!("unknown status \"{other}\" (expected online, away or offline)")),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum Event {
    /// `reason`: why, when not the agent's own choice (`disconnected`).
    StatusChanged {
        status: Status,
        #[serde(default)]
        reason: Option<String>,
    },
    ConversationTaken {
        conversation_id: ConversationId,
    },
    /// `reason`: closed, transferred, reassigned, requeued.
    ConversationReleased {
        conversation_id: ConversationId,
        reason: String,
    },
}

impl EventPayload for Event {
    const CATEGORY: &'static str = "agent";
}

#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    SetStatus {
        status: Status,
        reason: Option<String>,
    },
    /// `max_chats` is the user's setting, read when deciding.
    TakeConversation {
        conversation_id: ConversationId,
        max_chats: u32,
    },
    ReleaseConversation {
        conversation_id: ConversationId,
        reason: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum Error {
    #[error("the agent is not online")]
    NotOnline,
    #[error("the agent already holds {max} conversations, their maximum")]
    AtCapacity { max: u32 },
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct State {
    pub status: Status,
    pub held: BTreeSet<ConversationId>,
}

pub struct Agent;

impl Decider for Agent {
    type State = State;
    type Command = Command;
    type Event = Event;
    type Error = Error;

    fn decide(state: &State, command: &Command) -> Result<Vec<Event>, Error> {
        Ok(match command {
            Command::SetStatus { status, reason } => {
                if *status == state.status {
                    vec![]
                } else {
                    vec![Event::StatusChanged { status: *status, reason: reason.clone() }]
                }
            }
            Command::TakeConversation { conversation_id, max_chats } => {
                if state.held.contains(conversation_id) {
                    return Ok(vec![]);
                }
                if state.status != Status::Online {
                    return Err(Error::NotOnline);
                }
                if state.held.len() as u32 >= *max_chats {
                    return Err(Error::AtCapacity { max: *max_chats });
                }
                vec![Event::ConversationTaken { conversation_id: *conversation_id }]
            }
            Command::ReleaseConversation { conversation_id, reason } => {
                if state.held.contains(conversation_id) {
                    vec![Event::ConversationReleased { conversation_id: *conversation_id, reason: reason.clone() }]
                } else {
                    vec![]
                }
            }
        })
    }

    fn evolve(mut state: State, event: &Event) -> State {
        match event {
            Event::StatusChanged { status, .. } => state.status = *status,
            Event::ConversationTaken { conversation_id } => {
                state.held.insert(*conversation_id);
            }
            Event::ConversationReleased { conversation_id, .. } => {
                state.held.remove(conversation_id);
            }
        }
        state
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::given;

    fn online() -> Event {
        Event::StatusChanged { status: Status::Online, reason: None }
    }

    #[test]
    fn an_online_agent_takes_conversations_up_to_the_maximum() {
        let (a, b) = (ConversationId::new(), ConversationId::new());
        given::<Agent>([online()])
            .when(Command::TakeConversation { conversation_id: a, max_chats: 2 })
            .then([Event::ConversationTaken { conversation_id: a }]);
        given::<Agent>([online(), Event::ConversationTaken { conversation_id: a }, Event::ConversationTaken { conversation_id: b }])
            .when(Command::TakeConversation { conversation_id: ConversationId::new(), max_chats: 2 })
            .then_error(Error::AtCapacity { max: 2 });
        // Taking one already held changes nothing (a retried assignment).
        given::<Agent>([online(), Event::ConversationTaken { conversation_id: a }])
            .when(Command::TakeConversation { conversation_id: a, max_chats: 1 })
            .then([]);
    }

    #[test]
    fn away_and_offline_agents_take_nothing() {
        for status in [Status::Away, Status::Offline] {
            given::<Agent>([Event::StatusChanged { status, reason: None }])
                .when(Command::TakeConversation { conversation_id: ConversationId::new(), max_chats: 5 })
                .then_error(Error::NotOnline);
        }
        given::<Agent>([]).when(Command::TakeConversation { conversation_id: ConversationId::new(), max_chats: 5 }).then_error(Error::NotOnline);
    }

    #[test]
    fn releasing_frees_the_slot_once() {
        let a = ConversationId::new();
        let history = [online(), Event::ConversationTaken { conversation_id: a }];
        given::<Agent>(history.clone())
            .when(Command::ReleaseConversation { conversation_id: a, reason: "closed".into() })
            .then([Event::ConversationReleased { conversation_id: a, reason: "closed".into() }]);
        let mut released = history.to_vec();
        released.push(Event::ConversationReleased { conversation_id: a, reason: "closed".into() });
        given::<Agent>(released.clone()).when(Command::ReleaseConversation { conversation_id: a, reason: "closed".into() }).then([]);
        given::<Agent>(released)
            .when(Command::TakeConversation { conversation_id: ConversationId::new(), max_chats: 1 })
            .then_matches(|e| e.len() == 1);
    }

    #[test]
    fn status_changes_only_when_different() {
        given::<Agent>([online()]).when(Command::SetStatus { status: Status::Online, reason: None }).then([]);
        given::<Agent>([online()])
            .when(Command::SetStatus { status: Status::Offline, reason: Some("disconnected".into()) })
            .then([Event::StatusChanged { status: Status::Offline, reason: Some("disconnected".into()) }]);
    }
}
