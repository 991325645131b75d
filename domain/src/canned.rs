//! Canned responses: ready answers an agent inserts by typing `/shortcut` in the console.
//! A company's shared ones are managed by its administrators; each agent may keep their own.
//!
//! One aggregate per company (`canned-{company_id}`), not one per response: a shortcut must
//! be unique among the company's shared responses and among one agent's own, and only the
//! stream that holds all of them can guard that with its expected version.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::codec::EventPayload;
use crate::ids::{CannedResponseId, CompanyId, UserId};
use crate::Decider;

pub fn stream(company: CompanyId) -> String {
    format!("{}-{company}", Event::CATEGORY)
}

/// The company whose canned responses this stream holds.
pub fn company_from_stream(stream: &str) -> Result<CompanyId, crate::ids::StreamNameError> {
    crate::ids::id_in_stream(Event::CATEGORY, stream)
}

pub const SHORTCUT_MAX_LEN: usize = 32;
pub const TEXT_MAX_LEN: usize = 4000;
/// Per owner: the whole company is one stream, loaded for every change.
pub const MAX_PER_OWNER: usize = 500;

/// Whose a response is: the company's (shared) or one agent's (personal).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Owner {
    Company,
    Agent(UserId),
}

impl Owner {
    /// The agent of a personal response.
    pub fn agent(self) -> Option<UserId> {
        match self {
            Owner::Company => None,
            Owner::Agent(id) => Some(id),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum Event {
    CannedResponseAdded {
        response_id: CannedResponseId,
        owner: Owner,
        shortcut: String,
        text: String,
    },
    /// Each event names the owner, so that a reader (the audit log) knows whose it was.
    CannedResponseChanged {
        response_id: CannedResponseId,
        owner: Owner,
        shortcut: String,
        text: String,
    },
    CannedResponseRemoved {
        response_id: CannedResponseId,
        owner: Owner,
    },
}

impl Event {
    pub fn owner(&self) -> Owner {
        match self {
            Event::CannedResponseAdded { owner, .. } | Event::CannedResponseChanged { owner, .. } | Event::CannedResponseRemoved { owner, .. } => {
                *owner
            }
        }
    }
}

impl EventPayload for Event {
    const CATEGORY: &'static str = "canned";
}

#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    AddCannedResponse {
        response_id: CannedResponseId,
        owner: Owner,
        shortcut: String,
        text: String,
    },
    /// `owner`: whose responses the actor manages; another owner's response is not theirs.
    ChangeCannedResponse {
        response_id: CannedResponseId,
        owner: Owner,
        shortcut: String,
        text: String,
    },
    RemoveCannedResponse {
        response_id: CannedResponseId,
        owner: Owner,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum Error {
    #[error("this canned response does not exist")]
    NotFound,
    #[error("this canned response exists already")]
    AlreadyExists,
    #[error("give a shortcut")]
    ShortcutMissing,
    #[error("\"{value}\" is not a shortcut: use 1 to {SHORTCUT_MAX_LEN} lower-case letters, digits, - or _")]
    BadShortcut { value: String },
    #[error("the shortcut /{shortcut} is taken")]
    ShortcutTaken { shortcut: String },
    #[error("give the text of the response")]
    TextMissing,
    #[error("the text is longer than {TEXT_MAX_LEN} characters")]
    TextTooLong,
    #[error("keep at most {MAX_PER_OWNER} canned responses")]
    TooMany,
}

impl Error {
    /// The input field a validation error is about.
    pub fn field(&self) -> Option<&'static str> {
        match self {
            Error::ShortcutMissing | Error::BadShortcut { .. } | Error::ShortcutTaken { .. } => Some("shortcut"),
            Error::TextMissing | Error::TextTooLong => Some("text"),
            _ => None,
        }
    }
}

/// Trimmed, without a typed leading `/`, lower-cased; refused unless 1–32 of `a-z 0-9 - _`.
pub fn normalise_shortcut(shortcut: &str) -> Result<String, Error> {
    let s = shortcut.trim();
    let s = s.strip_prefix('/').unwrap_or(s).to_lowercase();
    if s.is_empty() {
        return Err(Error::ShortcutMissing);
    }
    let allowed = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_';
    if s.chars().count() > SHORTCUT_MAX_LEN || !s.chars().all(allowed) {
        return Err(Error::BadShortcut { value: shortcut.trim().to_owned() });
    }
    Ok(s)
}

fn validated(shortcut: &str, text: &str) -> Result<(String, String), Error> {
    let shortcut = normalise_shortcut(shortcut)?;
    let text = text.trim();
    if text.is_empty() {
        return Err(Error::TextMissing);
    }
    if text.chars().count() > TEXT_MAX_LEN {
        return Err(Error::TextTooLong);
    }
    Ok((shortcut, text.to_owned()))
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Response {
    pub owner: Owner,
    pub shortcut: String,
    pub text: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct State {
    pub responses: BTreeMap<CannedResponseId, Response>,
    /// Ids used once, removed ones too: an id never comes back.
    pub used: std::collections::BTreeSet<CannedResponseId>,
}

impl State {
    fn taken(&self, owner: Owner, shortcut: &str, except: Option<CannedResponseId>) -> bool {
        self.responses.iter().any(|(id, r)| Some(*id) != except && r.owner == owner && r.shortcut == shortcut)
    }

    /// The response, if it is `owner`'s.
    fn owned(&self, id: CannedResponseId, owner: Owner) -> Result<&Response, Error> {
        self.responses.get(&id).filter(|r| r.owner == owner).ok_or(Error::NotFound)
    }
}

pub struct CannedResponses;

impl Decider for CannedResponses {
    type State = State;
    type Command = Command;
    type Event = Event;
    type Error = Error;

    fn decide(state: &State, command: &Command) -> Result<Vec<Event>, Error> {
        Ok(match command {
            Command::AddCannedResponse { response_id, owner, shortcut, text } => {
                if state.used.contains(response_id) {
                    return Err(Error::AlreadyExists);
                }
                let (shortcut, text) = validated(shortcut, text)?;
                if state.taken(*owner, &shortcut, None) {
                    return Err(Error::ShortcutTaken { shortcut });
                }
                if state.responses.values().filter(|r| r.owner == *owner).count() >= MAX_PER_OWNER {
                    return Err(Error::TooMany);
                }
                vec![Event::CannedResponseAdded { response_id: *response_id, owner: *owner, shortcut, text }]
            }
            Command::ChangeCannedResponse { response_id, owner, shortcut, text } => {
                let current = state.owned(*response_id, *owner)?;
                let (shortcut, text) = validated(shortcut, text)?;
                if state.taken(*owner, &shortcut, Some(*response_id)) {
                    return Err(Error::ShortcutTaken { shortcut });
                }
                if (&shortcut, &text) == (&current.shortcut, &current.text) {
                    vec![]
                } else {
                    vec![Event::CannedResponseChanged { response_id: *response_id, owner: *owner, shortcut, text }]
                }
            }
            Command::RemoveCannedResponse { response_id, owner } => {
                state.owned(*response_id, *owner)?;
                vec![Event::CannedResponseRemoved { response_id: *response_id, owner: *owner }]
            }
        })
    }

    fn evolve(mut state: State, event: &Event) -> State {
        match event {
            Event::CannedResponseAdded { response_id, owner, shortcut, text } => {
                state.used.insert(*response_id);
                state.responses.insert(*response_id, Response { owner: *owner, shortcut: shortcut.clone(), text: text.clone() });
            }
            Event::CannedResponseChanged { response_id, shortcut, text, .. } => {
                if let Some(r) = state.responses.get_mut(response_id) {
                    r.shortcut = shortcut.clone();
                    r.text = text.clone();
                }
            }
            Event::CannedResponseRemoved { response_id, .. } => {
                state.responses.remove(response_id);
            }
        }
        state
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::given;

    fn added(owner: Owner, shortcut: &str) -> (CannedResponseId, Event) {
        let id = CannedResponseId::new();
        (id, Event::CannedResponseAdded { response_id: id, owner, shortcut: shortcut.into(), text: "Thank you!".into() })
    }

    fn add(owner: Owner, shortcut: &str, text: &str) -> Command {
        Command::AddCannedResponse { response_id: CannedResponseId::new(), owner, shortcut: shortcut.into(), text: text.into() }
    }

    #[test]
    fn a_response_is_added_with_a_clean_shortcut_and_text() {
        let id = CannedResponseId::new();
        given::<CannedResponses>([])
            .when(Command::AddCannedResponse {
                response_id: id,
                owner: Owner::Company,
                shortcut: " /Thx ".into(),
                text: " Thanks, {visitor_name}! ".into(),
            })
            .then([Event::CannedResponseAdded {
                response_id: id,
                owner: Owner::Company,
                shortcut: "thx".into(),
                text: "Thanks, {visitor_name}!".into(),
            }]);
    }

    #[test]
    fn bad_shortcuts_and_texts_are_refused_naming_the_field() {
        let no = |shortcut: &str, text: &str| given::<CannedResponses>([]).when(add(Owner::Company, shortcut, text));
        no(" / ", "x").then_error(Error::ShortcutMissing);
        no("two words", "x").then_error(Error::BadShortcut { value: "two words".into() });
        no("café", "x").then_error(Error::BadShortcut { value: "café".into() });
        no(&"a".repeat(33), "x").then_error(Error::BadShortcut { value: "a".repeat(33) });
        no("ok", "  ").then_error(Error::TextMissing);
        no("ok", &"é".repeat(4001)).then_error(Error::TextTooLong);
        given::<CannedResponses>([]).when(add(Owner::Company, &"a-b_9".repeat(6), &"é".repeat(4000))).then_matches(|e| e.len() == 1);
        assert_eq!(Error::BadShortcut { value: "x".into() }.field(), Some("shortcut"));
        assert_eq!(Error::ShortcutTaken { shortcut: "x".into() }.field(), Some("shortcut"));
        assert_eq!(Error::TextTooLong.field(), Some("text"));
        assert_eq!(Error::NotFound.field(), None);
    }

    #[test]
    fn a_shortcut_is_unique_per_owner_but_an_agent_may_reuse_a_shared_one() {
        let (ann, bob) = (Owner::Agent(UserId::new()), Owner::Agent(UserId::new()));
        let (_, shared) = added(Owner::Company, "thx");
        let (_, anns) = added(ann, "hi");
        let history = [shared, anns];
        given::<CannedResponses>(history.clone()).when(add(Owner::Company, "THX", "x")).then_error(Error::ShortcutTaken { shortcut: "thx".into() });
        given::<CannedResponses>(history.clone()).when(add(ann, "hi", "x")).then_error(Error::ShortcutTaken { shortcut: "hi".into() });
        given::<CannedResponses>(history.clone()).when(add(ann, "thx", "x")).then_matches(|e| e.len() == 1);
        given::<CannedResponses>(history).when(add(bob, "hi", "x")).then_matches(|e| e.len() == 1);
    }

    #[test]
    fn only_the_owner_changes_or_removes_a_response() {
        let ann = Owner::Agent(UserId::new());
        let (id, shared) = added(Owner::Company, "thx");
        let (other, hello) = added(Owner::Company, "hello");
        let change = |owner, shortcut: &str, text: &str| Command::ChangeCannedResponse {
            response_id: id,
            owner,
            shortcut: shortcut.into(),
            text: text.into(),
        };
        given::<CannedResponses>([shared.clone()]).when(change(Owner::Company, "thanks", "Merci !")).then([Event::CannedResponseChanged {
            response_id: id,
            owner: Owner::Company,
            shortcut: "thanks".into(),
            text: "Merci !".into(),
        }]);
        given::<CannedResponses>([shared.clone()]).when(change(Owner::Company, "thx", "Thank you!")).then([]);
        given::<CannedResponses>([shared.clone(), hello])
            .when(change(Owner::Company, "hello", "x"))
            .then_error(Error::ShortcutTaken { shortcut: "hello".into() });
        given::<CannedResponses>([shared.clone()]).when(change(ann, "thx", "mine now")).then_error(Error::NotFound);
        given::<CannedResponses>([shared.clone()])
            .when(change(Owner::Company, "bad one", "x"))
            .then_error(Error::BadShortcut { value: "bad one".into() });
        given::<CannedResponses>([shared.clone()]).when(Command::RemoveCannedResponse { response_id: id, owner: ann }).then_error(Error::NotFound);
        given::<CannedResponses>([shared.clone()])
            .when(Command::RemoveCannedResponse { response_id: id, owner: Owner::Company })
            .then([Event::CannedResponseRemoved { response_id: id, owner: Owner::Company }]);
        given::<CannedResponses>([]).when(Command::RemoveCannedResponse { response_id: other, owner: Owner::Company }).then_error(Error::NotFound);
    }

    #[test]
    fn a_removed_response_frees_its_shortcut_but_not_its_id() {
        let (id, shared) = added(Owner::Company, "thx");
        let removed = [shared, Event::CannedResponseRemoved { response_id: id, owner: Owner::Company }];
        given::<CannedResponses>(removed.clone()).when(add(Owner::Company, "thx", "Again")).then_matches(|e| e.len() == 1);
        given::<CannedResponses>(removed.clone())
            .when(Command::AddCannedResponse { response_id: id, owner: Owner::Company, shortcut: "new".into(), text: "x".into() })
            .then_error(Error::AlreadyExists);
        given::<CannedResponses>(removed)
            .when(Command::ChangeCannedResponse { response_id: id, owner: Owner::Company, shortcut: "thx".into(), text: "x".into() })
            .then_error(Error::NotFound);
    }

    #[test]
    fn an_owner_keeps_a_bounded_number() {
        let events: Vec<Event> = (0..MAX_PER_OWNER).map(|i| added(Owner::Company, &format!("r{i}")).1).collect();
        given::<CannedResponses>(events.clone()).when(add(Owner::Company, "one-more", "x")).then_error(Error::TooMany);
        given::<CannedResponses>(events).when(add(Owner::Agent(UserId::new()), "one-more", "x")).then_matches(|e| e.len() == 1);
    }
}
