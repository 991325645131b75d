//! Who did something and why: the metadata every event carries besides its payload.

use crate::ids::{CompanyId, UserId};
use serde::{Deserialize, Serialize};
use std::fmt;
use uuid::Uuid;

/// Who caused an event.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Actor {
    User(UserId),
    Visitor(Uuid),
    /// A process of Switchboard itself, named (`cli`, `invitation-mailer`, `router` …).
    System(String),
}

impl fmt::Display for Actor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Actor::User(id) => write!(f, "user:{id}"),
            Actor::Visitor(id) => write!(f, "visitor:{id}"),
            Actor::System(name) => write!(f, "system:{name}"),
        }
    }
}

impl std::str::FromStr for Actor {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (kind, rest) = s.split_once(':').ok_or_else(|| format!("actor `{s}` has no kind"))?;
        let uuid = |r: &str| Uuid::parse_str(r).map_err(|e| format!("actor `{s}`: {e}"));
        match kind {
            "user" => Ok(Actor::User(UserId(uuid(rest)?))),
            "visitor" => Ok(Actor::Visitor(uuid(rest)?)),
            "system" if !rest.is_empty() => Ok(Actor::System(rest.to_owned())),
            _ => Err(format!("actor `{s}` has an unknown kind")),
        }
    }
}

/// The envelope fields that come from the caller rather than from the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Metadata {
    pub company_id: Option<CompanyId>,
    pub actor: Actor,
    /// Shared by every event caused, directly or not, by one user action.
    pub correlation_id: Uuid,
    /// The command or event that directly caused this one.
    pub causation_id: Uuid,
}

impl Metadata {
    /// Metadata for a fresh action: it starts its own correlation.
    pub fn new(company_id: Option<CompanyId>, actor: Actor) -> Self {
        let id = Uuid::now_v7();
        Self { company_id, actor, correlation_id: id, causation_id: id }
    }

    /// Metadata for work caused by an earlier event (process managers).
    pub fn caused_by(&self, causation_id: Uuid, actor: Actor) -> Self {
        Self { company_id: self.company_id, actor, correlation_id: self.correlation_id, causation_id }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actors_round_trip_through_text() {
        for actor in [Actor::User(UserId::new()), Actor::Visitor(Uuid::now_v7()), Actor::System("cli".into())] {
            assert_eq!(actor.to_string().parse::<Actor>().unwrap(), actor);
        }
        assert!("robot:1".parse::<Actor>().is_err());
        assert!("user:not-a-uuid".parse::<Actor>().is_err());
        assert!("system:".parse::<Actor>().is_err());
    }
}
