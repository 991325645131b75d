//! How events become stored JSON and back.
//!
//! Each aggregate's event enum is serde-tagged by `type`; the tag is stored in the event's
//! `type` column and kept in the payload too, so reading needs no copy of the payload.
//! Variant names are therefore stored names: never rename one. A payload change bumps that
//! type's schema version and adds an upcaster, so old events are read through the chain
//! `v1 -> v2 -> …` and never rewritten.

use serde::{de::DeserializeOwned, Serialize};
use serde_json::Value;
use thiserror::Error;

use crate::personal::Personal;
use crate::{agent, canned, company, conversation, email, site, user, visitor};

/// Implemented by each aggregate's event enum.
pub trait EventPayload: Serialize + DeserializeOwned {
    /// The stream category this enum's events live in (`company` for `company-{id}`).
    const CATEGORY: &'static str;

    /// The schema version written today for this event type.
    fn current_schema(_event_type: &str) -> u32 {
        1
    }

    /// Lifts a payload written with `schema` one version up. Only called with
    /// `schema < current_schema(event_type)`; the default knows no old versions.
    fn upcast(event_type: &str, schema: u32, _payload: Value) -> Result<Value, DecodeError> {
        Err(DecodeError::UnsupportedSchema { event_type: event_type.to_owned(), schema })
    }

    /// The visitor's personal data in this event, sealed before it is stored and opened
    /// after it is read; most events hold none.
    fn personal_mut(&mut self) -> Vec<&mut Personal> {
        vec![]
    }

    /// The stored form: type name, schema version, payload (tag included).
    fn encode(&self) -> Encoded {
        let payload = serde_json::to_value(self).expect("domain events always serialise");
        let event_type = match payload.get("type") {
            Some(Value::String(t)) => t.clone(),
            _ => unreachable!("event enums are internally tagged with `type`"),
        };
        let schema = Self::current_schema(&event_type);
        Encoded { event_type, schema, payload }
    }

    fn decode(event_type: &str, schema: u32, payload: &Value) -> Result<Self, DecodeError> {
        let malformed = |reason: String| DecodeError::Malformed { event_type: event_type.to_owned(), reason };
        let current = Self::current_schema(event_type);
        if schema > current {
            return Err(DecodeError::UnsupportedSchema { event_type: event_type.to_owned(), schema });
        }
        let upcast;
        let mut payload = payload;
        if schema < current {
            let mut value = payload.clone();
            for from in schema..current {
                value = Self::upcast(event_type, from, value)?;
            }
            upcast = value;
            payload = &upcast;
        }
        let Value::Object(fields) = payload else {
            return Err(malformed("payload is not a JSON object".into()));
        };
        // Events written before the tag was kept in the payload, or by hand, may lack it.
        let tagged;
        let payload = match fields.get("type") {
            Some(Value::String(t)) if t == event_type => payload,
            None => {
                let mut with_tag = fields.clone();
                with_tag.insert("type".into(), Value::String(event_type.to_owned()));
                tagged = Value::Object(with_tag);
                &tagged
            }
            Some(other) => return Err(malformed(format!("its payload says it is a {other}"))),
        };
        <Self as serde::Deserialize>::deserialize(payload).map_err(|e| {
            // serde reports an unknown tag as "unknown variant `Tag`"; keep that apart from
            // bad fields, an unknown value of a field's enum (a role, say) among them.
            if e.to_string().starts_with(&format!("unknown variant `{event_type}`")) {
                DecodeError::UnknownType { event_type: event_type.to_owned() }
            } else {
                malformed(e.to_string())
            }
        })
    }
}

/// An event as it is written: what goes in the `type`, `schema` and `payload` columns.
#[derive(Debug, Clone, PartialEq)]
pub struct Encoded {
    pub event_type: String,
    pub schema: u32,
    pub payload: Value,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DecodeError {
    #[error("stream `{stream}` belongs to no known aggregate")]
    UnknownCategory { stream: String },
    #[error("unknown event type `{event_type}`")]
    UnknownType { event_type: String },
    #[error("event type `{event_type}` has no reader for schema version {schema}")]
    UnsupportedSchema { event_type: String, schema: u32 },
    #[error("event `{event_type}` is malformed: {reason}")]
    Malformed { event_type: String, reason: String },
}

/// Any event of any aggregate, chosen by the stream's category.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    Company(company::Event),
    User(user::Event),
    Email(email::Event),
    Site(site::Event),
    Agent(agent::Event),
    Conversation(conversation::Event),
    Visitor(visitor::Event),
    Canned(canned::Event),
}

impl Event {
    pub fn decode(stream: &str, event_type: &str, schema: u32, payload: &Value) -> Result<Self, DecodeError> {
        let category = stream.split_once('-').map_or(stream, |(c, _)| c);
        match category {
            company::Event::CATEGORY => company::Event::decode(event_type, schema, payload).map(Event::Company),
            user::Event::CATEGORY => user::Event::decode(event_type, schema, payload).map(Event::User),
            email::Event::CATEGORY => email::Event::decode(event_type, schema, payload).map(Event::Email),
            site::Event::CATEGORY => site::Event::decode(event_type, schema, payload).map(Event::Site),
            agent::Event::CATEGORY => agent::Event::decode(event_type, schema, payload).map(Event::Agent),
            conversation::Event::CATEGORY => conversation::Event::decode(event_type, schema, payload).map(Event::Conversation),
            visitor::Event::CATEGORY => visitor::Event::decode(event_type, schema, payload).map(Event::Visitor),
            canned::Event::CATEGORY => canned::Event::decode(event_type, schema, payload).map(Event::Canned),
            _ => Err(DecodeError::UnknownCategory { stream: stream.to_owned() }),
        }
    }

    /// The visitor's personal data this event holds (sealed as stored, plain once opened).
    pub fn personal_mut(&mut self) -> Vec<&mut Personal> {
        match self {
            Event::Conversation(e) => EventPayload::personal_mut(e),
            _ => vec![],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::company::Role;
    use crate::ids::{CompanyId, UserId};
    use serde::Deserialize;
    use serde_json::json;

    #[test]
    fn an_event_round_trips_with_its_type_outside_the_payload() {
        let event = company::Event::MemberAdded { user_id: UserId::new(), roles: vec![Role::Agent] };
        let encoded = event.encode();
        assert_eq!(encoded.event_type, "MemberAdded");
        assert_eq!(encoded.schema, 1);
        assert_eq!(encoded.payload["type"], "MemberAdded");
        let back = Event::decode("company-x", &encoded.event_type, encoded.schema, &encoded.payload).unwrap();
        assert_eq!(back, Event::Company(event.clone()));
        // A payload stored without its tag reads the same.
        let mut untagged = encoded.payload.clone();
        untagged.as_object_mut().unwrap().remove("type");
        let back = Event::decode("company-x", "MemberAdded", 1, &untagged).unwrap();
        assert_eq!(back, Event::Company(event));
    }

    #[test]
    fn unknown_types_streams_and_malformed_payloads_are_named_errors() {
        let id = CompanyId::new();
        let stream = format!("company-{id}");
        assert_eq!(Event::decode(&stream, "CompanyExploded", 1, &json!({})), Err(DecodeError::UnknownType { event_type: "CompanyExploded".into() }));
        assert!(matches!(
            Event::decode(&stream, "CompanyRegistered", 1, &json!({"name": 7})),
            Err(DecodeError::Malformed { event_type, .. }) if event_type == "CompanyRegistered"
        ));
        assert!(matches!(Event::decode(&stream, "CompanyRegistered", 1, &json!([1, 2])), Err(DecodeError::Malformed { .. })));
        assert!(matches!(Event::decode(&stream, "CompanyRegistered", 9, &json!({})), Err(DecodeError::UnsupportedSchema { schema: 9, .. })));
        assert!(matches!(Event::decode("planet-1", "CompanyRegistered", 1, &json!({})), Err(DecodeError::UnknownCategory { .. })));
        // A known type with a value its field does not know says so, not "unknown type".
        let wizard = Event::decode(&stream, "RoleGranted", 1, &json!({"user_id": UserId::new(), "role": "Wizard"}));
        assert!(
            matches!(&wizard, Err(DecodeError::Malformed { event_type, reason }) if event_type == "RoleGranted" && reason.contains("Wizard")),
            "{wizard:?}"
        );
        // The type column and the payload's tag must agree.
        assert!(matches!(
            Event::decode(&stream, "SeatsChanged", 1, &json!({"type": "CompanyRegistered", "seats": 3})),
            Err(DecodeError::Malformed { .. })
        ));
    }

    /// An event type whose payload changed: v1 had `full_name`, v2 has first and last names.
    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    #[serde(tag = "type")]
    enum Renamed {
        PersonNamed { first: String, last: String },
    }

    impl EventPayload for Renamed {
        const CATEGORY: &'static str = "person";
        fn current_schema(_: &str) -> u32 {
            2
        }
        fn upcast(event_type: &str, schema: u32, payload: Value) -> Result<Value, DecodeError> {
            match (event_type, schema) {
                ("PersonNamed", 1) => {
                    let full = payload["full_name"].as_str().unwrap_or_default();
                    let (first, last) = full.split_once(' ').unwrap_or((full, ""));
                    Ok(json!({ "type": "PersonNamed", "first": first, "last": last }))
                }
                _ => Err(DecodeError::UnsupportedSchema { event_type: event_type.into(), schema }),
            }
        }
    }

    #[test]
    fn old_schema_versions_are_upcast_before_reading() {
        let old = json!({ "type": "PersonNamed", "full_name": "Ada Lovelace" });
        assert_eq!(Renamed::decode("PersonNamed", 1, &old).unwrap(), Renamed::PersonNamed { first: "Ada".into(), last: "Lovelace".into() });
        let new = Renamed::PersonNamed { first: "Grace".into(), last: "Hopper".into() }.encode();
        assert_eq!(new.schema, 2);
        assert_eq!(Renamed::decode("PersonNamed", 2, &new.payload).unwrap(), Renamed::PersonNamed { first: "Grace".into(), last: "Hopper".into() });
    }
}
