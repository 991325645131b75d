//! A conversation between a visitor and the company: who answers it (one agent at a time),
//! its messages (no message after closing), and how it ended. An offline message, left when
//! nobody was online, is a conversation too, so the company sees it in its history.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use thiserror::Error;
use uuid::Uuid;

use crate::codec::EventPayload;
use crate::ids::{CompanyId, ConversationId, SiteId, UserId, VisitorId};
use crate::personal::Personal;
use crate::routing::Candidate;
use crate::visitor_details::VisitorDetails;
use crate::Decider;

pub fn stream(id: ConversationId) -> String {
    format!("{}-{id}", Event::CATEGORY)
}

/// The id of the conversation whose stream this is.
pub fn id_from_stream(stream: &str) -> Result<ConversationId, crate::ids::StreamNameError> {
    crate::ids::id_in_stream(Event::CATEGORY, stream)
}

pub const MESSAGE_MAX_LEN: usize = 4000;
pub const URL_MAX_LEN: usize = 2000;
pub const COMMENT_MAX_LEN: usize = 1000;

/// How the visitor rated the conversation: 👍 or 👎, as LiveChat and Crisp ask.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Rating {
    Good,
    Bad,
}

impl Rating {
    pub fn as_str(self) -> &'static str {
        match self {
            Rating::Good => "good",
            Rating::Bad => "bad",
        }
    }
}

impl std::str::FromStr for Rating {
    type Err = ();

    fn from_str(s: &str) -> Result<Self, ()> {
        match s {
            "good" => Ok(Rating::Good),
            "bad" => Ok(Rating::Bad),
            _ => Err(()),
        }
    }
}

/// Who wrote a message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Sender {
    Visitor,
    Agent { user_id: UserId, name: String },
    System,
}

/// Why a conversation went to this agent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "by", rename_all = "lowercase")]
pub enum Decision {
    /// The router chose among `candidates` with the random `roll`.
    Routed { candidates: Vec<Candidate>, roll: f64 },
    /// The previous agent gave it away.
    Transferred { from: UserId },
    /// A supervisor moved it.
    Reassigned { supervisor: UserId, from: Option<UserId> },
    /// The router rang this agent (the site asks agents to accept) and they accepted in
    /// time: the draw that rang them, and who let it ring before them in this round.
    Accepted { candidates: Vec<Candidate>, roll: f64, passed: Vec<Passed> },
}

/// How a ringing offer ended unanswered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unanswered {
    TimedOut,
    Declined,
}

impl Unanswered {
    pub fn as_str(self) -> &'static str {
        match self {
            Unanswered::TimedOut => "timed_out",
            Unanswered::Declined => "declined",
        }
    }
}

/// An agent who let the conversation ring without accepting it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Passed {
    pub agent_id: UserId,
    pub outcome: Unanswered,
}

/// A conversation ringing for an agent: their slot is held, but it is not theirs (nor
/// counted as theirs) until they accept, before `until`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Offer {
    pub agent_id: UserId,
    pub agent_name: String,
    pub candidates: Vec<Candidate>,
    pub roll: f64,
    pub until: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum Event {
    ConversationStarted {
        conversation_id: ConversationId,
        site_id: SiteId,
        company_id: CompanyId,
        visitor_id: VisitorId,
        page_url: Personal,
        /// Absent from conversations started before details were kept.
        #[serde(default)]
        visitor: VisitorDetails,
    },
    /// Whoever wrote it, its text is sealed with the visitor's key: an answer can quote them.
    MessagePosted {
        client_id: Uuid,
        from: Sender,
        text: Personal,
    },
    ConversationAssigned {
        agent_id: UserId,
        agent_name: String,
        decision: Decision,
    },
    /// The router rings an agent, on a site where agents accept before a chat counts.
    ConversationOffered {
        offer: Offer,
    },
    /// The ringing ended without an answer: the agent let it time out, or declined.
    OfferEnded {
        agent_id: UserId,
        outcome: Unanswered,
    },
    /// Every candidate of this round let it ring: the next round may ring them all again.
    RingingRoundEnded {},
    /// Back to the queue: the agent went offline or stayed disconnected too long.
    ConversationRequeued {
        from: UserId,
        reason: String,
    },
    /// `by`: `agent`, `visitor` or `system`.
    ConversationClosed {
        by: String,
    },
    OfflineMessageLeft {
        site_id: SiteId,
        company_id: CompanyId,
        visitor_id: VisitorId,
        name: Personal,
        email: Personal,
        message: Personal,
        page_url: Personal,
        #[serde(default)]
        visitor: VisitorDetails,
    },
    /// The visitor opened another page of the site while the conversation was open.
    VisitorNavigated {
        page_url: Personal,
    },
    /// An agent answered an offline message; the answer is mailed to the address the
    /// visitor left (sealed with their key like every message).
    OfflineMessageAnswered {
        answer_id: Uuid,
        agent_id: UserId,
        agent_name: String,
        text: Personal,
    },
    /// An internal note: for the agents and supervisors, never sent to the visitor. Sealed
    /// with the visitor's key like a message, since it may quote them.
    NoteAdded {
        note_id: Uuid,
        author_id: UserId,
        author_name: String,
        text: Personal,
    },
    /// The visitor rated the conversation once it had ended; a later rating replaces this one.
    /// The comment is theirs, sealed with their key.
    ConversationRated {
        rating: Rating,
        comment: Personal,
    },
    /// An address the visitor typed in this conversation (the end-of-chat form today, a
    /// pre-chat form later): the only kind a transcript is mailed to.
    VisitorGaveEmail {
        email: Personal,
    },
    /// The visitor asked for a copy of the conversation at an address they gave in it; the
    /// transcript mailer sends it once per `request_id`.
    TranscriptRequested {
        request_id: Uuid,
        email: Personal,
    },
}

impl EventPayload for Event {
    const CATEGORY: &'static str = "conversation";

    fn personal_mut(&mut self) -> Vec<&mut Personal> {
        match self {
            Event::ConversationStarted { page_url, visitor, .. } => {
                let mut all = vec![page_url];
                all.extend(visitor.personal_mut());
                all
            }
            Event::MessagePosted { text, .. } => vec![text],
            Event::OfflineMessageLeft { name, email, message, page_url, visitor, .. } => {
                let mut all = vec![name, email, message, page_url];
                all.extend(visitor.personal_mut());
                all
            }
            Event::VisitorNavigated { page_url } => vec![page_url],
            Event::OfflineMessageAnswered { text, .. } | Event::NoteAdded { text, .. } => vec![text],
            Event::ConversationRated { comment, .. } => vec![comment],
            Event::VisitorGaveEmail { email } | Event::TranscriptRequested { email, .. } => vec![email],
            Event::ConversationAssigned { .. }
            | Event::ConversationRequeued { .. }
            | Event::ConversationClosed { .. }
            | Event::ConversationOffered { .. }
            | Event::OfferEnded { .. }
            | Event::RingingRoundEnded {} => vec![],
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    Start {
        conversation_id: ConversationId,
        site_id: SiteId,
        company_id: CompanyId,
        visitor_id: VisitorId,
        page_url: String,
        visitor: VisitorDetails,
    },
    PostMessage {
        client_id: Uuid,
        from: Sender,
        text: String,
    },
    /// A visitor's first message, and the conversation it starts: both or neither.
    StartWithMessage {
        conversation_id: ConversationId,
        site_id: SiteId,
        company_id: CompanyId,
        visitor_id: VisitorId,
        page_url: String,
        visitor: VisitorDetails,
        client_id: Uuid,
        text: String,
    },
    Assign {
        agent_id: UserId,
        agent_name: String,
        decision: Decision,
    },
    /// Rings `offer.agent_id` (who must not have let it ring already in this round).
    Offer {
        offer: Offer,
    },
    /// The rung agent takes it, at `now` (by the server's clock): refused once it rang out.
    Accept {
        agent_id: UserId,
        now: DateTime<Utc>,
    },
    /// Ends the ringing for `agent_id`: declined by them, or timed out (only once `now` is
    /// past the offer's deadline). Nothing when it no longer rings for them.
    EndOffer {
        agent_id: UserId,
        outcome: Unanswered,
        now: DateTime<Utc>,
    },
    /// Nobody else is left to ring: the next round starts afresh.
    EndRingingRound,
    Requeue {
        from: UserId,
        reason: String,
    },
    Close {
        by: String,
    },
    LeaveOfflineMessage {
        site_id: SiteId,
        company_id: CompanyId,
        visitor_id: VisitorId,
        name: String,
        email: String,
        message: String,
        page_url: String,
        visitor: VisitorDetails,
    },
    /// The visitor is on another page (a new connection from it): recorded while the
    /// conversation is open, ignored once it has ended.
    NotePage {
        page_url: String,
    },
    /// An answer to an offline message, by e-mail; the same `answer_id` again is stored once.
    AnswerByEmail {
        answer_id: Uuid,
        agent_id: UserId,
        agent_name: String,
        text: String,
    },
    /// An internal note, by the agent who has the conversation (open or closed) or by a
    /// `supervising` user (a supervisor or administrator of the company); the same
    /// `note_id` again is stored once.
    AddNote {
        note_id: Uuid,
        author_id: UserId,
        author_name: String,
        text: String,
        supervising: bool,
    },
    /// The visitor's rating of an ended chat (not of an offline message); the web layer
    /// checks that it comes from the conversation's visitor.
    Rate {
        rating: Rating,
        comment: String,
    },
    /// An address the visitor typed in this conversation. `given`: the addresses they gave
    /// in it already, opened from the log by the caller (the state only holds them sealed),
    /// so the same address is recorded once.
    GiveEmail {
        email: String,
        given: Vec<String>,
    },
    /// A copy of the conversation by e-mail, only to one of the addresses the visitor gave
    /// in it (`given`, as for `GiveEmail`): whoever sends this command cannot make the
    /// server mail the transcript anywhere else. The same `request_id` again is stored once.
    RequestTranscript {
        request_id: Uuid,
        email: String,
        given: Vec<String>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum Error {
    #[error("this conversation does not exist")]
    NotFound,
    #[error("this conversation exists already")]
    AlreadyStarted,
    #[error("this conversation has ended")]
    Closed,
    #[error("the message is empty")]
    EmptyMessage,
    #[error("the message is longer than {MESSAGE_MAX_LEN} characters")]
    MessageTooLong,
    #[error("this conversation is not assigned to you")]
    NotYours,
    #[error("this conversation already has an agent")]
    AlreadyAssigned,
    #[error("this conversation has no agent")]
    NotAssigned,
    #[error("\"{0}\" is not a valid e-mail address")]
    BadEmail(String),
    #[error("the name is longer than 100 characters")]
    NameTooLong,
    #[error("only an offline message is answered by e-mail")]
    NotAnOfflineMessage,
    #[error("this conversation has not ended yet")]
    NotEnded,
    #[error("an offline message is not rated")]
    NotAChat,
    #[error("the comment is longer than {COMMENT_MAX_LEN} characters")]
    CommentTooLong,
    #[error("a copy is only sent to an address given in this conversation")]
    EmailNotGiven,
    #[error("this conversation is ringing for another agent")]
    AlreadyRinging,
    #[error("this conversation is not ringing for you")]
    NotRinging,
    #[error("this conversation stopped ringing for you: it went to the next agent")]
    RangOut,
    #[error("this conversation is still ringing")]
    StillRinging,
    #[error("this agent already let this conversation ring")]
    AlreadyPassed,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct State {
    pub started: bool,
    pub site_id: Option<SiteId>,
    pub company_id: Option<CompanyId>,
    pub visitor_id: Option<VisitorId>,
    pub agent: Option<UserId>,
    pub closed: bool,
    pub offline: bool,
    /// The client ids of its messages and the ids of its e-mailed answers and notes: each
    /// stored once.
    pub client_ids: HashSet<Uuid>,
    /// Ringing for an agent who has not accepted yet.
    pub offer: Option<Offer>,
    /// Who let it ring in this round (since it last entered the queue or a round ended).
    pub passed: Vec<Passed>,
}

/// A message as it is stored: trimmed, not empty, at most MESSAGE_MAX_LEN characters.
pub fn checked_text(text: &str) -> Result<String, Error> {
    let text = text.trim();
    if text.is_empty() {
        Err(Error::EmptyMessage)
    } else if text.chars().count() > MESSAGE_MAX_LEN {
        Err(Error::MessageTooLong)
    } else {
        Ok(text.to_owned())
    }
}

/// An address as stored and compared: parsed like the offline form's, normalised.
fn checked_email(email: &str) -> Result<String, Error> {
    crate::email::Address::parse(email).map(|a| a.to_string()).map_err(|_| Error::BadEmail(email.trim().to_owned()))
}

/// The details as stored, what the visitor typed in a pre-chat form checked as the offline
/// form checks it: a name of at most 100 characters, an address that is one (or none).
fn checked_details(visitor: &VisitorDetails) -> Result<VisitorDetails, Error> {
    let mut checked = visitor.checked();
    if let Some(given) = checked.given.as_deref_mut() {
        if given.name.text_or_empty().chars().count() > 100 {
            return Err(Error::NameTooLong);
        }
        if !given.email.text_or_empty().is_empty() {
            given.email = checked_email(given.email.text_or_empty())?.into();
        }
    }
    Ok(checked)
}

fn given_already(given: &[String], email: &str) -> bool {
    given.iter().any(|g| checked_email(g).is_ok_and(|g| g == email))
}

fn checked_url(url: &str) -> Personal {
    Personal::Plain(url.chars().take(URL_MAX_LEN).collect())
}

pub struct Conversation;

impl Decider for Conversation {
    type State = State;
    type Command = Command;
    type Event = Event;
    type Error = Error;

    fn decide(state: &State, command: &Command) -> Result<Vec<Event>, Error> {
        match command {
            Command::Start { conversation_id, site_id, company_id, visitor_id, page_url, visitor } => {
                if state.started {
                    return Err(Error::AlreadyStarted);
                }
                Ok(vec![Event::ConversationStarted {
                    conversation_id: *conversation_id,
                    site_id: *site_id,
                    company_id: *company_id,
                    visitor_id: *visitor_id,
                    page_url: checked_url(page_url),
                    visitor: checked_details(visitor)?,
                }])
            }
            Command::StartWithMessage { conversation_id, site_id, company_id, visitor_id, page_url, visitor, client_id, text } => {
                let start = Command::Start {
                    conversation_id: *conversation_id,
                    site_id: *site_id,
                    company_id: *company_id,
                    visitor_id: *visitor_id,
                    page_url: page_url.clone(),
                    visitor: visitor.clone(),
                };
                let mut events = Self::decide(state, &start)?;
                let started = events.iter().fold(state.clone(), Self::evolve);
                events.extend(Self::decide(&started, &Command::PostMessage { client_id: *client_id, from: Sender::Visitor, text: text.clone() })?);
                Ok(events)
            }
            Command::LeaveOfflineMessage { site_id, company_id, visitor_id, name, email, message, page_url, visitor } => {
                if state.started {
                    return Err(Error::AlreadyStarted);
                }
                let email = crate::email::Address::parse(email).map_err(|_| Error::BadEmail(email.trim().to_owned()))?;
                if name.trim().chars().count() > 100 {
                    return Err(Error::NameTooLong);
                }
                Ok(vec![Event::OfflineMessageLeft {
                    site_id: *site_id,
                    company_id: *company_id,
                    visitor_id: *visitor_id,
                    name: name.trim().into(),
                    email: email.to_string().into(),
                    message: checked_text(message)?.into(),
                    page_url: checked_url(page_url),
                    visitor: visitor.checked(),
                }])
            }
            _ if !state.started => Err(Error::NotFound),
            Command::PostMessage { client_id, from, text } => {
                // Refused before recognised: an agent learns nothing (not even that a message
                // id exists) about a conversation that is not theirs.
                if let Sender::Agent { user_id, .. } = from {
                    if state.agent != Some(*user_id) {
                        return Err(Error::NotYours);
                    }
                }
                if state.client_ids.contains(client_id) {
                    return Ok(vec![]); // the same message again: stored once
                }
                if state.closed {
                    return Err(Error::Closed);
                }
                Ok(vec![Event::MessagePosted { client_id: *client_id, from: from.clone(), text: checked_text(text)?.into() }])
            }
            Command::Assign { agent_id, agent_name, decision } => {
                if state.closed {
                    return Err(Error::Closed);
                }
                match (decision, state.agent) {
                    (Decision::Routed { .. } | Decision::Accepted { .. }, Some(current)) if current == *agent_id => Ok(vec![]),
                    (Decision::Routed { .. } | Decision::Accepted { .. }, Some(_)) => Err(Error::AlreadyAssigned),
                    // Routed while it rings (the site stopped asking to accept meanwhile): the
                    // ringing agent's answer or timeout comes first.
                    (Decision::Routed { .. } | Decision::Accepted { .. }, None) if state.offer.is_some() => Err(Error::AlreadyRinging),
                    (Decision::Transferred { from }, current) if current != Some(*from) => Err(Error::NotYours),
                    (Decision::Transferred { .. } | Decision::Reassigned { .. }, Some(current)) if current == *agent_id => Ok(vec![]),
                    _ => Ok(vec![Event::ConversationAssigned { agent_id: *agent_id, agent_name: agent_name.clone(), decision: decision.clone() }]),
                }
            }
            Command::Offer { offer } => {
                if state.closed {
                    return Err(Error::Closed);
                }
                if state.agent.is_some() {
                    return Err(Error::AlreadyAssigned);
                }
                match &state.offer {
                    Some(current) if current.agent_id == offer.agent_id => return Ok(vec![]),
                    Some(_) => return Err(Error::AlreadyRinging),
                    None => {}
                }
                if state.passed.iter().any(|p| p.agent_id == offer.agent_id) {
                    return Err(Error::AlreadyPassed);
                }
                Ok(vec![Event::ConversationOffered { offer: offer.clone() }])
            }
            Command::Accept { agent_id, now } => {
                if state.closed {
                    return Err(Error::Closed);
                }
                if state.agent == Some(*agent_id) {
                    return Ok(vec![]); // accepted already: a retry
                }
                let Some(offer) = state.offer.as_ref().filter(|o| o.agent_id == *agent_id) else {
                    // Rang out and went to somebody else, or never rang for them.
                    return Err(if state.passed.iter().any(|p| p.agent_id == *agent_id) { Error::RangOut } else { Error::NotRinging });
                };
                if *now >= offer.until {
                    return Err(Error::RangOut);
                }
                let decision = Decision::Accepted { candidates: offer.candidates.clone(), roll: offer.roll, passed: state.passed.clone() };
                Ok(vec![Event::ConversationAssigned { agent_id: *agent_id, agent_name: offer.agent_name.clone(), decision }])
            }
            Command::EndOffer { agent_id, outcome, now } => {
                let Some(offer) = state.offer.as_ref().filter(|o| o.agent_id == *agent_id) else { return Ok(vec![]) };
                if *outcome == Unanswered::TimedOut && *now < offer.until {
                    return Err(Error::StillRinging);
                }
                Ok(vec![Event::OfferEnded { agent_id: *agent_id, outcome: *outcome }])
            }
            Command::EndRingingRound => Ok(if state.passed.is_empty() || state.offer.is_some() { vec![] } else { vec![Event::RingingRoundEnded {}] }),
            Command::Requeue { from, reason } => {
                if state.closed {
                    return Err(Error::Closed);
                }
                if state.agent != Some(*from) {
                    return Err(Error::NotYours);
                }
                Ok(vec![Event::ConversationRequeued { from: *from, reason: reason.clone() }])
            }
            Command::Close { by } => Ok(if state.closed { vec![] } else { vec![Event::ConversationClosed { by: by.clone() }] }),
            Command::NotePage { page_url } => Ok(if state.closed || page_url.trim().is_empty() {
                vec![]
            } else {
                vec![Event::VisitorNavigated { page_url: checked_url(page_url) }]
            }),
            Command::AnswerByEmail { answer_id, agent_id, agent_name, text } => {
                if !state.offline {
                    return Err(Error::NotAnOfflineMessage);
                }
                if state.client_ids.contains(answer_id) {
                    return Ok(vec![]);
                }
                Ok(vec![Event::OfflineMessageAnswered {
                    answer_id: *answer_id,
                    agent_id: *agent_id,
                    agent_name: agent_name.clone(),
                    text: checked_text(text)?.into(),
                }])
            }
            Command::AddNote { note_id, author_id, author_name, text, supervising } => {
                if !supervising && state.agent != Some(*author_id) {
                    return Err(Error::NotYours);
                }
                if state.client_ids.contains(note_id) {
                    return Ok(vec![]);
                }
                Ok(vec![Event::NoteAdded {
                    note_id: *note_id,
                    author_id: *author_id,
                    author_name: author_name.clone(),
                    text: checked_text(text)?.into(),
                }])
            }
            Command::Rate { rating, comment } => {
                if state.offline {
                    return Err(Error::NotAChat);
                }
                if !state.closed {
                    return Err(Error::NotEnded);
                }
                let comment = comment.trim();
                if comment.chars().count() > COMMENT_MAX_LEN {
                    return Err(Error::CommentTooLong);
                }
                Ok(vec![Event::ConversationRated { rating: *rating, comment: comment.into() }])
            }
            Command::GiveEmail { email, given } => {
                let email = checked_email(email)?;
                Ok(if given_already(given, &email) { vec![] } else { vec![Event::VisitorGaveEmail { email: email.into() }] })
            }
            Command::RequestTranscript { request_id, email, given } => {
                if state.client_ids.contains(request_id) {
                    return Ok(vec![]);
                }
                let email = checked_email(email)?;
                if !given_already(given, &email) {
                    return Err(Error::EmailNotGiven);
                }
                Ok(vec![Event::TranscriptRequested { request_id: *request_id, email: email.into() }])
            }
        }
    }

    fn evolve(mut state: State, event: &Event) -> State {
        match event {
            Event::ConversationStarted { site_id, company_id, visitor_id, .. } => {
                state.started = true;
                state.site_id = Some(*site_id);
                state.company_id = Some(*company_id);
                state.visitor_id = Some(*visitor_id);
            }
            Event::OfflineMessageLeft { site_id, company_id, visitor_id, .. } => {
                state.started = true;
                state.offline = true;
                state.closed = true;
                state.site_id = Some(*site_id);
                state.company_id = Some(*company_id);
                state.visitor_id = Some(*visitor_id);
            }
            Event::MessagePosted { client_id, .. }
            | Event::OfflineMessageAnswered { answer_id: client_id, .. }
            | Event::NoteAdded { note_id: client_id, .. }
            | Event::TranscriptRequested { request_id: client_id, .. } => {
                state.client_ids.insert(*client_id);
            }
            Event::ConversationAssigned { agent_id, .. } => {
                state.agent = Some(*agent_id);
                state.offer = None;
                state.passed.clear();
            }
            Event::ConversationRequeued { .. } => state.agent = None,
            Event::ConversationOffered { offer } => state.offer = Some(offer.clone()),
            Event::OfferEnded { agent_id, outcome } => {
                state.offer = None;
                state.passed.push(Passed { agent_id: *agent_id, outcome: *outcome });
            }
            Event::RingingRoundEnded {} => state.passed.clear(),
            Event::ConversationClosed { .. } => {
                state.closed = true;
                state.offer = None;
            }
            Event::VisitorNavigated { .. } | Event::ConversationRated { .. } | Event::VisitorGaveEmail { .. } => {}
        }
        state
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::given;

    fn started() -> Event {
        Event::ConversationStarted {
            conversation_id: ConversationId::new(),
            site_id: SiteId::new(),
            company_id: CompanyId::new(),
            visitor_id: VisitorId::new(),
            page_url: "https://shop.example.com/cart".into(),
            visitor: VisitorDetails::default(),
        }
    }

    fn routed(agent: UserId) -> Event {
        Event::ConversationAssigned { agent_id: agent, agent_name: "Ada".into(), decision: Decision::Routed { candidates: vec![], roll: 0.5 } }
    }

    fn ada(agent: UserId) -> Sender {
        Sender::Agent { user_id: agent, name: "Ada".into() }
    }

    #[test]
    fn a_message_is_stored_once_whatever_the_retries() {
        let id = Uuid::now_v7();
        given::<Conversation>([started()])
            .when(Command::PostMessage { client_id: id, from: Sender::Visitor, text: "  Hello?  ".into() })
            .then([Event::MessagePosted { client_id: id, from: Sender::Visitor, text: "Hello?".into() }]);
        given::<Conversation>([started(), Event::MessagePosted { client_id: id, from: Sender::Visitor, text: "Hello?".into() }])
            .when(Command::PostMessage { client_id: id, from: Sender::Visitor, text: "Hello?".into() })
            .then([]);
    }

    #[test]
    fn a_first_message_starts_its_conversation_in_the_same_decision_or_not_at_all() {
        let (id, client_id) = (ConversationId::new(), Uuid::now_v7());
        let first = |text: &str| Command::StartWithMessage {
            conversation_id: id,
            site_id: SiteId::new(),
            company_id: CompanyId::new(),
            visitor_id: VisitorId::new(),
            page_url: "https://shop.example.com/".into(),
            visitor: VisitorDetails { browser: " Firefox 133 ".into(), time_zone: "Mars/Olympus".into(), ..VisitorDetails::default() },
            client_id,
            text: text.into(),
        };
        given::<Conversation>([]).when(first(" Hello ")).then_matches(|e| {
            matches!(e, [Event::ConversationStarted { visitor, .. }, Event::MessagePosted { text, .. }]
                if text.text() == Some("Hello") && visitor.browser == "Firefox 133" && visitor.time_zone.is_empty())
        });
        given::<Conversation>([]).when(first("   ")).then_error(Error::EmptyMessage);
        given::<Conversation>([started()]).when(first("Hello")).then_error(Error::AlreadyStarted);
    }

    #[test]
    fn messages_must_have_text_within_limits_and_none_comes_after_closing() {
        given::<Conversation>([started()])
            .when(Command::PostMessage { client_id: Uuid::now_v7(), from: Sender::Visitor, text: " ".into() })
            .then_error(Error::EmptyMessage);
        given::<Conversation>([started()])
            .when(Command::PostMessage { client_id: Uuid::now_v7(), from: Sender::Visitor, text: "x".repeat(4001) })
            .then_error(Error::MessageTooLong);
        given::<Conversation>([started(), Event::ConversationClosed { by: "agent".into() }])
            .when(Command::PostMessage { client_id: Uuid::now_v7(), from: Sender::Visitor, text: "still there?".into() })
            .then_error(Error::Closed);
        given::<Conversation>([])
            .when(Command::PostMessage { client_id: Uuid::now_v7(), from: Sender::Visitor, text: "hi".into() })
            .then_error(Error::NotFound);
    }

    #[test]
    fn one_agent_at_a_time_and_only_the_assigned_agent_answers() {
        let (a, b) = (UserId::new(), UserId::new());
        given::<Conversation>([started()])
            .when(Command::Assign { agent_id: a, agent_name: "Ada".into(), decision: Decision::Routed { candidates: vec![], roll: 0.1 } })
            .then_matches(|e| matches!(e, [Event::ConversationAssigned { agent_id, .. }] if *agent_id == a));
        given::<Conversation>([started(), routed(a)])
            .when(Command::Assign { agent_id: b, agent_name: "Bob".into(), decision: Decision::Routed { candidates: vec![], roll: 0.1 } })
            .then_error(Error::AlreadyAssigned);
        given::<Conversation>([started(), routed(a)])
            .when(Command::PostMessage { client_id: Uuid::now_v7(), from: ada(b), text: "hi".into() })
            .then_error(Error::NotYours);
        given::<Conversation>([started(), routed(a)])
            .when(Command::PostMessage { client_id: Uuid::now_v7(), from: ada(a), text: "hi".into() })
            .then_matches(|e| e.len() == 1);
    }

    #[test]
    fn an_agent_who_does_not_hold_the_conversation_is_refused_even_a_known_message_id() {
        let (a, b, id) = (UserId::new(), UserId::new(), Uuid::now_v7());
        let posted = Event::MessagePosted { client_id: id, from: ada(a), text: "hi".into() };
        given::<Conversation>([started(), routed(a), posted.clone()])
            .when(Command::PostMessage { client_id: id, from: ada(b), text: "hi".into() })
            .then_error(Error::NotYours);
        given::<Conversation>([started(), routed(a), posted]).when(Command::PostMessage { client_id: id, from: ada(a), text: "hi".into() }).then([]);
    }

    #[test]
    fn only_the_holder_transfers_and_supervisors_reassign() {
        let (a, b, s) = (UserId::new(), UserId::new(), UserId::new());
        given::<Conversation>([started(), routed(a)])
            .when(Command::Assign { agent_id: b, agent_name: "Bob".into(), decision: Decision::Transferred { from: b } })
            .then_error(Error::NotYours);
        given::<Conversation>([started(), routed(a)])
            .when(Command::Assign { agent_id: b, agent_name: "Bob".into(), decision: Decision::Transferred { from: a } })
            .then_matches(|e| matches!(e, [Event::ConversationAssigned { agent_id, .. }] if *agent_id == b));
        given::<Conversation>([started(), routed(a)])
            .when(Command::Assign { agent_id: b, agent_name: "Bob".into(), decision: Decision::Reassigned { supervisor: s, from: Some(a) } })
            .then_matches(|e| e.len() == 1);
    }

    #[test]
    fn a_requeued_conversation_can_be_routed_again() {
        let (a, b) = (UserId::new(), UserId::new());
        let history = [started(), routed(a), Event::ConversationRequeued { from: a, reason: "disconnected".into() }];
        given::<Conversation>(history)
            .when(Command::Assign { agent_id: b, agent_name: "Bob".into(), decision: Decision::Routed { candidates: vec![], roll: 0.2 } })
            .then_matches(|e| e.len() == 1);
        given::<Conversation>([started(), routed(a)]).when(Command::Requeue { from: b, reason: "x".into() }).then_error(Error::NotYours);
    }

    #[test]
    fn an_offline_message_needs_an_address_and_a_text() {
        let leave = |email: &str, message: &str| Command::LeaveOfflineMessage {
            site_id: SiteId::new(),
            company_id: CompanyId::new(),
            visitor_id: VisitorId::new(),
            name: "Ada".into(),
            email: email.into(),
            message: message.into(),
            page_url: "https://shop.example.com".into(),
            visitor: VisitorDetails::default(),
        };
        given::<Conversation>([]).when(leave("ada@example.com", "Call me")).then_matches(|e| matches!(&e[0], Event::OfflineMessageLeft { .. }));
        given::<Conversation>([]).when(leave("nope", "Call me")).then_error(Error::BadEmail("nope".into()));
        given::<Conversation>([]).when(leave("ada@example.com", "  ")).then_error(Error::EmptyMessage);
    }

    #[test]
    fn the_page_a_visitor_moves_to_is_recorded_while_the_conversation_is_open() {
        let to = |url: &str| Command::NotePage { page_url: url.into() };
        given::<Conversation>([started()])
            .when(to("https://shop.example.com/checkout"))
            .then([Event::VisitorNavigated { page_url: "https://shop.example.com/checkout".into() }]);
        given::<Conversation>([started(), Event::ConversationClosed { by: "visitor".into() }]).when(to("https://shop.example.com/")).then([]);
        given::<Conversation>([started()]).when(to("  ")).then([]);
        given::<Conversation>([]).when(to("https://shop.example.com/")).then_error(Error::NotFound);
    }

    #[test]
    fn an_offline_message_is_answered_by_e_mail_once_and_a_chat_is_not() {
        let (agent, answer_id) = (UserId::new(), Uuid::now_v7());
        let left = Event::OfflineMessageLeft {
            site_id: SiteId::new(),
            company_id: CompanyId::new(),
            visitor_id: VisitorId::new(),
            name: "Ada".into(),
            email: "ada@example.com".into(),
            message: "Call me".into(),
            page_url: "".into(),
            visitor: VisitorDetails::default(),
        };
        let answer = |text: &str| Command::AnswerByEmail { answer_id, agent_id: agent, agent_name: "Bob".into(), text: text.into() };
        let answered = Event::OfflineMessageAnswered { answer_id, agent_id: agent, agent_name: "Bob".into(), text: "Done".into() };
        given::<Conversation>([left.clone()]).when(answer("  Done ")).then([answered.clone()]);
        given::<Conversation>([left.clone(), answered]).when(answer("Done")).then([]);
        given::<Conversation>([left]).when(answer(" ")).then_error(Error::EmptyMessage);
        given::<Conversation>([started()]).when(answer("Done")).then_error(Error::NotAnOfflineMessage);
        given::<Conversation>([]).when(answer("Done")).then_error(Error::NotFound);
    }

    #[test]
    fn a_note_is_added_by_the_agent_who_has_it_or_a_supervisor_even_closed_and_once() {
        let (agent, other, note_id) = (UserId::new(), UserId::new(), Uuid::now_v7());
        let note = |author: UserId, supervising: bool, text: &str| Command::AddNote {
            note_id,
            author_id: author,
            author_name: "Ada".into(),
            text: text.into(),
            supervising,
        };
        let added = Event::NoteAdded { note_id, author_id: agent, author_name: "Ada".into(), text: "VIP customer".into() };
        let closed = Event::ConversationClosed { by: "agent".into() };
        given::<Conversation>([started(), routed(agent)]).when(note(agent, false, " VIP customer ")).then([added.clone()]);
        given::<Conversation>([started(), routed(agent), closed.clone()]).when(note(agent, false, "VIP customer")).then([added.clone()]);
        given::<Conversation>([started(), routed(agent), added]).when(note(agent, false, "VIP customer")).then([]);
        given::<Conversation>([started(), routed(agent)]).when(note(other, false, "Mine now")).then_error(Error::NotYours);
        given::<Conversation>([started(), routed(agent), closed]).when(note(other, true, "Checked")).then([Event::NoteAdded {
            note_id,
            author_id: other,
            author_name: "Ada".into(),
            text: "Checked".into(),
        }]);
        given::<Conversation>([started(), routed(agent)]).when(note(agent, false, "  ")).then_error(Error::EmptyMessage);
        given::<Conversation>([]).when(note(agent, true, "Hello")).then_error(Error::NotFound);
    }

    fn closed() -> Event {
        Event::ConversationClosed { by: "agent".into() }
    }

    #[test]
    fn a_pre_chat_forms_name_and_address_are_checked_as_the_offline_forms() {
        let (id, client_id) = (ConversationId::new(), Uuid::now_v7());
        let first = |name: &str, email: &str| Command::StartWithMessage {
            conversation_id: id,
            site_id: SiteId::new(),
            company_id: CompanyId::new(),
            visitor_id: VisitorId::new(),
            page_url: "".into(),
            visitor: VisitorDetails {
                given: Some(Box::new(crate::visitor_details::Given { name: name.into(), email: email.into() })),
                ..VisitorDetails::default()
            },
            client_id,
            text: "Hello".into(),
        };
        given::<Conversation>([]).when(first(" Zoé ", " Zoe@Example.org ")).then_matches(|e| {
            matches!(e, [Event::ConversationStarted { visitor, .. }, Event::MessagePosted { .. }]
                if visitor.given_name() == "Zoé" && visitor.given_email() == "zoe@example.org")
        });
        given::<Conversation>([]).when(first("", "")).then_matches(|e| e.len() == 2);
        given::<Conversation>([]).when(first("Zoé", "zoe@")).then_error(Error::BadEmail("zoe@".into()));
        given::<Conversation>([]).when(first(&"z".repeat(101), "zoe@example.org")).then_error(Error::NameTooLong);
    }

    #[test]
    fn the_visitor_rates_an_ended_chat_and_a_later_rating_replaces_it() {
        let rate = |rating, comment: &str| Command::Rate { rating, comment: comment.into() };
        given::<Conversation>([started(), closed()])
            .when(rate(Rating::Good, "  Quick and kind  "))
            .then([Event::ConversationRated { rating: Rating::Good, comment: "Quick and kind".into() }]);
        given::<Conversation>([started(), closed(), Event::ConversationRated { rating: Rating::Good, comment: "".into() }])
            .when(rate(Rating::Bad, ""))
            .then([Event::ConversationRated { rating: Rating::Bad, comment: "".into() }]);
        given::<Conversation>([started(), closed()]).when(rate(Rating::Good, &"é".repeat(1000))).then_matches(|e| e.len() == 1);
        given::<Conversation>([started(), closed()]).when(rate(Rating::Good, &"é".repeat(1001))).then_error(Error::CommentTooLong);
        given::<Conversation>([started()]).when(rate(Rating::Good, "")).then_error(Error::NotEnded);
        given::<Conversation>([]).when(rate(Rating::Good, "")).then_error(Error::NotFound);
        let left = Event::OfflineMessageLeft {
            site_id: SiteId::new(),
            company_id: CompanyId::new(),
            visitor_id: VisitorId::new(),
            name: "Ada".into(),
            email: "ada@example.com".into(),
            message: "Call me".into(),
            page_url: "".into(),
            visitor: VisitorDetails::default(),
        };
        given::<Conversation>([left]).when(rate(Rating::Bad, "")).then_error(Error::NotAChat);
        assert_eq!("good".parse(), Ok(Rating::Good));
        assert_eq!("meh".parse::<Rating>(), Err(()));
    }

    #[test]
    fn an_address_the_visitor_typed_is_recorded_once_and_must_be_one() {
        let give = |email: &str, given: &[&str]| Command::GiveEmail { email: email.into(), given: given.iter().map(|g| g.to_string()).collect() };
        given::<Conversation>([started(), closed()])
            .when(give(" Ada@Example.com ", &[]))
            .then([Event::VisitorGaveEmail { email: "ada@example.com".into() }]);
        given::<Conversation>([started()]).when(give("ada@example.com", &["ADA@example.com"])).then([]);
        given::<Conversation>([started()]).when(give("ada@", &[])).then_error(Error::BadEmail("ada@".into()));
        given::<Conversation>([]).when(give("ada@example.com", &[])).then_error(Error::NotFound);
    }

    #[test]
    fn a_copy_goes_only_to_an_address_given_in_the_conversation_and_once() {
        let id = Uuid::now_v7();
        let ask = |email: &str, given: &[&str]| Command::RequestTranscript {
            request_id: id,
            email: email.into(),
            given: given.iter().map(|g| g.to_string()).collect(),
        };
        let requested = Event::TranscriptRequested { request_id: id, email: "ada@example.com".into() };
        given::<Conversation>([started(), closed()]).when(ask("Ada@example.com ", &["ada@example.com"])).then([requested.clone()]);
        given::<Conversation>([started(), closed()]).when(ask("eve@example.com", &["ada@example.com"])).then_error(Error::EmailNotGiven);
        given::<Conversation>([started(), closed()]).when(ask("ada@example.com", &[])).then_error(Error::EmailNotGiven);
        given::<Conversation>([started(), closed()]).when(ask("nope", &["ada@example.com"])).then_error(Error::BadEmail("nope".into()));
        given::<Conversation>([started(), closed(), requested]).when(ask("ada@example.com", &["ada@example.com"])).then([]);
        given::<Conversation>([]).when(ask("ada@example.com", &["ada@example.com"])).then_error(Error::NotFound);
    }

    fn rings(agent: UserId, until: DateTime<Utc>) -> Offer {
        Offer { agent_id: agent, agent_name: "Ada".into(), candidates: vec![], roll: 0.25, until }
    }

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn a_ringing_offer_is_made_once_to_one_agent_and_not_twice_in_a_round() {
        let (a, b) = (UserId::new(), UserId::new());
        let offer = rings(a, at("2026-03-04T09:00:10Z"));
        given::<Conversation>([started()]).when(Command::Offer { offer: offer.clone() }).then([Event::ConversationOffered { offer: offer.clone() }]);
        given::<Conversation>([started(), Event::ConversationOffered { offer: offer.clone() }])
            .when(Command::Offer { offer: offer.clone() })
            .then([]);
        given::<Conversation>([started(), Event::ConversationOffered { offer: offer.clone() }])
            .when(Command::Offer { offer: rings(b, at("2026-03-04T09:00:10Z")) })
            .then_error(Error::AlreadyRinging);
        given::<Conversation>([started(), Event::ConversationOffered { offer: offer.clone() }])
            .when(Command::Assign { agent_id: b, agent_name: "Bob".into(), decision: Decision::Routed { candidates: vec![], roll: 0.1 } })
            .then_error(Error::AlreadyRinging);
        let timed_out = Event::OfferEnded { agent_id: a, outcome: Unanswered::TimedOut };
        given::<Conversation>([started(), Event::ConversationOffered { offer: offer.clone() }, timed_out.clone()])
            .when(Command::Offer { offer: offer.clone() })
            .then_error(Error::AlreadyPassed);
        // Once every candidate let it ring, the next round may ring them again.
        given::<Conversation>([started(), Event::ConversationOffered { offer: offer.clone() }, timed_out.clone()])
            .when(Command::EndRingingRound)
            .then([Event::RingingRoundEnded {}]);
        given::<Conversation>([started(), Event::ConversationOffered { offer: offer.clone() }, timed_out, Event::RingingRoundEnded {}])
            .when(Command::Offer { offer: offer.clone() })
            .then_matches(|e| e.len() == 1);
        given::<Conversation>([started(), routed(b)]).when(Command::Offer { offer: offer.clone() }).then_error(Error::AlreadyAssigned);
        given::<Conversation>([started(), closed()]).when(Command::Offer { offer }).then_error(Error::Closed);
    }

    #[test]
    fn the_rung_agent_accepts_in_time_and_the_decision_says_who_let_it_ring_before() {
        let (a, b) = (UserId::new(), UserId::new());
        let until = at("2026-03-04T09:00:30Z");
        let history = [
            started(),
            Event::ConversationOffered { offer: rings(a, at("2026-03-04T09:00:10Z")) },
            Event::OfferEnded { agent_id: a, outcome: Unanswered::TimedOut },
            Event::ConversationOffered { offer: Offer { agent_name: "Bob".into(), ..rings(b, until) } },
        ];
        let accepted = Event::ConversationAssigned {
            agent_id: b,
            agent_name: "Bob".into(),
            decision: Decision::Accepted { candidates: vec![], roll: 0.25, passed: vec![Passed { agent_id: a, outcome: Unanswered::TimedOut }] },
        };
        given::<Conversation>(history.clone()).when(Command::Accept { agent_id: b, now: at("2026-03-04T09:00:29Z") }).then([accepted.clone()]);
        let mut after = history.to_vec();
        after.push(accepted);
        // A retried accept changes nothing; the agent answers from then on.
        given::<Conversation>(after.clone()).when(Command::Accept { agent_id: b, now: at("2026-03-04T09:00:29Z") }).then([]);
        given::<Conversation>(after)
            .when(Command::PostMessage { client_id: Uuid::now_v7(), from: ada(b), text: "Hello".into() })
            .then_matches(|e| e.len() == 1);
        // Ringing is not holding: the rung agent does not answer before accepting.
        given::<Conversation>(history.clone())
            .when(Command::PostMessage { client_id: Uuid::now_v7(), from: ada(b), text: "Hello".into() })
            .then_error(Error::NotYours);
        given::<Conversation>(history).when(Command::Accept { agent_id: UserId::new(), now: until }).then_error(Error::NotRinging);
    }

    #[test]
    fn an_offer_times_out_only_past_its_deadline_and_is_declined_only_by_its_agent() {
        let (a, b) = (UserId::new(), UserId::new());
        let until = at("2026-03-04T09:00:10Z");
        let ringing = [started(), Event::ConversationOffered { offer: rings(a, until) }];
        let end = |agent, outcome, now: &str| Command::EndOffer { agent_id: agent, outcome, now: at(now) };
        given::<Conversation>(ringing.clone()).when(end(a, Unanswered::TimedOut, "2026-03-04T09:00:09Z")).then_error(Error::StillRinging);
        given::<Conversation>(ringing.clone())
            .when(end(a, Unanswered::TimedOut, "2026-03-04T09:00:10Z"))
            .then([Event::OfferEnded { agent_id: a, outcome: Unanswered::TimedOut }]);
        given::<Conversation>(ringing.clone())
            .when(end(a, Unanswered::Declined, "2026-03-04T09:00:01Z"))
            .then([Event::OfferEnded { agent_id: a, outcome: Unanswered::Declined }]);
        // Another agent's decline, or a second process's timeout of an offer already ended: nothing.
        given::<Conversation>(ringing.clone()).when(end(b, Unanswered::Declined, "2026-03-04T09:00:01Z")).then([]);
        let mut ended = ringing.to_vec();
        ended.push(Event::OfferEnded { agent_id: a, outcome: Unanswered::TimedOut });
        given::<Conversation>(ended).when(end(a, Unanswered::TimedOut, "2026-03-04T09:00:11Z")).then([]);
    }

    #[test]
    fn an_accept_after_the_timeout_is_refused_even_before_the_sweep_records_it() {
        let a = UserId::new();
        let until = at("2026-03-04T09:00:10Z");
        let ringing = [started(), Event::ConversationOffered { offer: rings(a, until) }];
        given::<Conversation>(ringing.clone()).when(Command::Accept { agent_id: a, now: until }).then_error(Error::RangOut);
        let mut timed_out = ringing.to_vec();
        timed_out.push(Event::OfferEnded { agent_id: a, outcome: Unanswered::TimedOut });
        given::<Conversation>(timed_out.clone()).when(Command::Accept { agent_id: a, now: at("2026-03-04T09:00:01Z") }).then_error(Error::RangOut);
        timed_out.push(closed());
        given::<Conversation>(timed_out).when(Command::Accept { agent_id: a, now: at("2026-03-04T09:00:01Z") }).then_error(Error::Closed);
    }
}
