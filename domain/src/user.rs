//! A person's account: profile, e-mail address, chat settings, and how they get a password
//! (set by an administrator, or chosen through a single-use invitation link that expires).
//!
//! Roles and active/deactivated live in the company stream (they spend seats); the password
//! hash lives outside the event log, so a leaked or replayed log never carries it.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::codec::EventPayload;
use crate::email::Address;
use crate::ids::{CompanyId, InvitationId, PasswordResetId, UserId};
use crate::preferences::Preferences;
use crate::Decider;

pub fn stream(id: UserId) -> String {
    format!("{}-{id}", Event::CATEGORY)
}

/// The id of the user whose stream this is.
pub fn id_from_stream(stream: &str) -> Result<UserId, crate::ids::StreamNameError> {
    crate::ids::id_in_stream(Event::CATEGORY, stream)
}

pub const DEFAULT_MAX_CHATS: u8 = 3;
pub const MAX_CHATS_LIMIT: u8 = 20;
pub const NAME_MAX_LEN: usize = 100;

/// How long an invitation link stays valid.
pub fn invitation_validity() -> Duration {
    Duration::hours(72)
}

/// How long a password reset link stays valid.
pub fn password_reset_validity() -> Duration {
    Duration::hours(1)
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    pub first_name: String,
    pub last_name: String,
    /// The name visitors see; the first name when empty.
    #[serde(default)]
    pub display_name: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub job_title: String,
}

impl Profile {
    /// First and last name, as lists show them.
    pub fn full_name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name)
    }

    /// Trims every field and enforces the mandatory ones.
    pub fn validated(self) -> Result<Profile, Error> {
        let clean = |s: String| s.trim().to_owned();
        let p = Profile {
            first_name: clean(self.first_name),
            last_name: clean(self.last_name),
            display_name: clean(self.display_name),
            phone: clean(self.phone),
            job_title: clean(self.job_title),
        };
        if p.first_name.is_empty() {
            return Err(Error::FirstNameMissing);
        }
        if p.last_name.is_empty() {
            return Err(Error::LastNameMissing);
        }
        for (field, value) in [
            ("first_name", &p.first_name),
            ("last_name", &p.last_name),
            ("display_name", &p.display_name),
            ("phone", &p.phone),
            ("job_title", &p.job_title),
        ] {
            if value.chars().count() > NAME_MAX_LEN {
                return Err(Error::TooLong { field });
            }
        }
        Ok(p)
    }

    /// The name visitors see: the display name, else the first name (visitors do not need
    /// a surname).
    pub fn shown_name(&self) -> &str {
        if self.display_name.is_empty() {
            &self.first_name
        } else {
            &self.display_name
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum Event {
    UserRegistered {
        user_id: UserId,
        company_id: CompanyId,
        email: Address,
        profile: Profile,
        max_chats: u8,
    },
    /// An invitation cycle starts; its link is issued (and mailed, when `send_email`) by
    /// the invitation mailer.
    UserInvited {
        invitation_id: InvitationId,
        expires_at: DateTime<Utc>,
        #[serde(default = "yes")]
        send_email: bool,
    },
    /// Only the SHA-256 of the link's token is kept; a newer link replaces an older one.
    InvitationLinkIssued {
        invitation_id: InvitationId,
        token_hash: String,
    },
    InvitationAccepted {
        invitation_id: InvitationId,
    },
    /// A password was set; the hash itself is never part of an event.
    PasswordSet {},
    /// Creating the account failed after its stream was started (address taken, no seat).
    RegistrationAbandoned {
        reason: String,
    },
    ProfileChanged {
        profile: Profile,
    },
    EmailChanged {
        email: Address,
    },
    MaxChatsChanged {
        max_chats: u8,
    },
    /// Someone asked for a password reset link (the user on the login page, or an
    /// administrator); the password reset mailer issues the link and mails it once.
    PasswordResetRequested {
        reset_id: PasswordResetId,
        expires_at: DateTime<Utc>,
    },
    /// Only the SHA-256 of the link's token is kept; a newer link replaces an older one.
    PasswordResetLinkIssued {
        reset_id: PasswordResetId,
        token_hash: String,
    },
    /// The link was used to choose a new password (followed by `PasswordSet`).
    PasswordReset {
        reset_id: PasswordResetId,
    },
    /// The user chose the language and time zone they read in (`None`: their browser's
    /// language, their company's zone).
    LanguageAndTimeZoneChosen {
        preferences: Preferences,
    },
    /// How the console tells this agent about a new conversation or message.
    NotificationsChosen {
        notifications: Notifications,
    },
}

/// What the console does when a conversation arrives or a visitor writes in one the agent
/// is not looking at; each on unless switched off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notifications {
    pub sound: bool,
    pub desktop: bool,
}

impl Default for Notifications {
    fn default() -> Self {
        Notifications { sound: true, desktop: true }
    }
}

impl EventPayload for Event {
    const CATEGORY: &'static str = "user";
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    RegisterUser {
        user_id: UserId,
        company_id: CompanyId,
        email: Address,
        profile: Profile,
        max_chats: u8,
        /// Invite by e-mail, or the administrator sets the password now.
        access: Access,
    },
    AbandonRegistration {
        reason: String,
    },
    IssueInvitationLink {
        invitation_id: InvitationId,
        token_hash: String,
    },
    ResendInvitation {
        invitation_id: InvitationId,
        at: DateTime<Utc>,
    },
    AcceptInvitation {
        token_hash: String,
        at: DateTime<Utc>,
    },
    SetPassword,
    ChangeProfile {
        profile: Profile,
    },
    ChangeEmail {
        email: Address,
    },
    SetMaxChats {
        max_chats: u8,
    },
    RequestPasswordReset {
        reset_id: PasswordResetId,
        at: DateTime<Utc>,
    },
    IssuePasswordResetLink {
        reset_id: PasswordResetId,
        token_hash: String,
    },
    ResetPassword {
        token_hash: String,
        at: DateTime<Utc>,
    },
    ChooseLanguageAndTimeZone {
        preferences: Preferences,
    },
    ChooseNotifications {
        notifications: Notifications,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub enum Access {
    /// An invitation; mailed at once unless `send_email` is false (sent later by "resend").
    Invite {
        invitation_id: InvitationId,
        at: DateTime<Utc>,
        send_email: bool,
    },
    Password,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum Error {
    #[error("this user already exists")]
    AlreadyRegistered,
    #[error("this user does not exist")]
    NotRegistered,
    #[error("the first name is mandatory")]
    FirstNameMissing,
    #[error("the last name is mandatory")]
    LastNameMissing,
    #[error("{field} is longer than {NAME_MAX_LEN} characters")]
    TooLong { field: &'static str },
    #[error("the maximum number of simultaneous chats must be between 1 and {MAX_CHATS_LIMIT}, not {value}")]
    MaxChatsOutOfRange { value: i64 },
    #[error("this user has no pending invitation")]
    NotInvited,
    #[error("this invitation link has expired; ask your administrator to send a new one")]
    InvitationExpired,
    #[error("this invitation link has already been used")]
    InvitationAlreadyUsed,
    #[error("this invitation link was replaced by a newer one; use the latest e-mail")]
    InvitationReplaced,
    #[error("this invitation link is not valid")]
    InvitationUnknown,
    #[error("this user has not chosen a password yet: send the invitation again instead")]
    NoPasswordYet,
    #[error("there is no password reset in progress for this user")]
    NoPasswordReset,
    #[error("this password reset link has expired; ask for a new one")]
    ResetLinkExpired,
    #[error("this password reset link has already been used; ask for a new one if you need to")]
    ResetLinkUsed,
    #[error("this password reset link was replaced by a newer one; use the latest e-mail")]
    ResetLinkReplaced,
    #[error("this password reset link is not valid")]
    ResetLinkUnknown,
}

impl Error {
    /// The input field a validation error is about, for forms and the JSON API.
    pub fn field(&self) -> Option<&'static str> {
        match self {
            Error::FirstNameMissing => Some("first_name"),
            Error::LastNameMissing => Some("last_name"),
            Error::TooLong { field } => Some(field),
            Error::MaxChatsOutOfRange { .. } => Some("max_chats"),
            _ => None,
        }
    }
}

pub fn validate_max_chats(value: i64) -> Result<u8, Error> {
    if (1..=MAX_CHATS_LIMIT as i64).contains(&value) {
        Ok(value as u8)
    } else {
        Err(Error::MaxChatsOutOfRange { value })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Invitation {
    pub id: InvitationId,
    pub expires_at: DateTime<Utc>,
    pub token_hash: Option<String>,
}

/// The pending password reset: when its link expires and the hash of the link mailed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PendingReset {
    pub id: PasswordResetId,
    pub expires_at: DateTime<Utc>,
    pub token_hash: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Registration {
    pub company_id: CompanyId,
    pub email: Address,
    pub profile: Profile,
    pub max_chats: u8,
    pub preferences: Preferences,
    pub notifications: Notifications,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct State {
    pub registration: Option<Registration>,
    pub abandoned: bool,
    pub password_set: bool,
    /// The pending invitation, if any; gone once accepted.
    pub invitation: Option<Invitation>,
    /// Hashes of links that no longer open anything, and why.
    pub used_link: Option<String>,
    pub replaced_links: Vec<String>,
    /// The password reset in progress, if any; gone once used.
    pub password_reset: Option<PendingReset>,
    /// Hashes of reset links already used, and of those replaced by a newer one.
    pub used_reset_links: Vec<String>,
    pub replaced_reset_links: Vec<String>,
}

pub struct User;

impl Decider for User {
    type State = State;
    type Command = Command;
    type Event = Event;
    type Error = Error;

    fn decide(state: &State, command: &Command) -> Result<Vec<Event>, Error> {
        if let Command::RegisterUser { user_id, company_id, email, profile, max_chats, access } = command {
            if state.registration.is_some() || state.abandoned {
                return Err(Error::AlreadyRegistered);
            }
            let profile = profile.clone().validated()?;
            let max_chats = validate_max_chats(*max_chats as i64)?;
            let mut events = vec![Event::UserRegistered { user_id: *user_id, company_id: *company_id, email: email.clone(), profile, max_chats }];
            events.push(match access {
                Access::Invite { invitation_id, at, send_email } => {
                    Event::UserInvited { invitation_id: *invitation_id, expires_at: *at + invitation_validity(), send_email: *send_email }
                }
                Access::Password => Event::PasswordSet {},
            });
            return Ok(events);
        }
        let Some(registration) = &state.registration else {
            return Err(Error::NotRegistered);
        };
        match command {
            Command::RegisterUser { .. } => unreachable!("handled above"),
            Command::AbandonRegistration { reason } => Ok(vec![Event::RegistrationAbandoned { reason: reason.clone() }]),
            Command::IssueInvitationLink { invitation_id, token_hash } => match &state.invitation {
                Some(inv) if inv.id == *invitation_id => {
                    Ok(vec![Event::InvitationLinkIssued { invitation_id: *invitation_id, token_hash: token_hash.clone() }])
                }
                _ => Err(Error::NotInvited),
            },
            Command::ResendInvitation { invitation_id, at } => {
                if state.invitation.is_none() {
                    return Err(Error::NotInvited);
                }
                Ok(vec![Event::UserInvited { invitation_id: *invitation_id, expires_at: *at + invitation_validity(), send_email: true }])
            }
            Command::AcceptInvitation { token_hash, at } => {
                if state.used_link.as_ref() == Some(token_hash) {
                    return Err(Error::InvitationAlreadyUsed);
                }
                if state.replaced_links.contains(token_hash) {
                    return Err(Error::InvitationReplaced);
                }
                match &state.invitation {
                    Some(inv) if inv.token_hash.as_ref() == Some(token_hash) => {
                        if *at >= inv.expires_at {
                            Err(Error::InvitationExpired)
                        } else {
                            Ok(vec![Event::InvitationAccepted { invitation_id: inv.id }, Event::PasswordSet {}])
                        }
                    }
                    _ => Err(Error::InvitationUnknown),
                }
            }
            Command::SetPassword => Ok(vec![Event::PasswordSet {}]),
            Command::ChangeProfile { profile } => {
                let profile = profile.clone().validated()?;
                Ok(if profile == registration.profile { vec![] } else { vec![Event::ProfileChanged { profile }] })
            }
            Command::ChangeEmail { email } => {
                Ok(if *email == registration.email { vec![] } else { vec![Event::EmailChanged { email: email.clone() }] })
            }
            Command::ChooseLanguageAndTimeZone { preferences } => Ok(if *preferences == registration.preferences {
                vec![]
            } else {
                vec![Event::LanguageAndTimeZoneChosen { preferences: preferences.clone() }]
            }),
            Command::ChooseNotifications { notifications } => Ok(if *notifications == registration.notifications {
                vec![]
            } else {
                vec![Event::NotificationsChosen { notifications: *notifications }]
            }),
            Command::SetMaxChats { max_chats } => {
                let max_chats = validate_max_chats(*max_chats as i64)?;
                Ok(if max_chats == registration.max_chats { vec![] } else { vec![Event::MaxChatsChanged { max_chats }] })
            }
            Command::RequestPasswordReset { reset_id, at } => {
                if !state.password_set {
                    return Err(Error::NoPasswordYet);
                }
                Ok(vec![Event::PasswordResetRequested { reset_id: *reset_id, expires_at: *at + password_reset_validity() }])
            }
            Command::IssuePasswordResetLink { reset_id, token_hash } => match &state.password_reset {
                Some(reset) if reset.id == *reset_id => {
                    Ok(vec![Event::PasswordResetLinkIssued { reset_id: *reset_id, token_hash: token_hash.clone() }])
                }
                _ => Err(Error::NoPasswordReset),
            },
            Command::ResetPassword { token_hash, at } => {
                if state.used_reset_links.contains(token_hash) {
                    return Err(Error::ResetLinkUsed);
                }
                if state.replaced_reset_links.contains(token_hash) {
                    return Err(Error::ResetLinkReplaced);
                }
                match &state.password_reset {
                    Some(reset) if reset.token_hash.as_ref() == Some(token_hash) => {
                        if *at >= reset.expires_at {
                            Err(Error::ResetLinkExpired)
                        } else {
                            Ok(vec![Event::PasswordReset { reset_id: reset.id }, Event::PasswordSet {}])
                        }
                    }
                    _ => Err(Error::ResetLinkUnknown),
                }
            }
        }
    }

    fn evolve(mut state: State, event: &Event) -> State {
        match event {
            Event::UserRegistered { company_id, email, profile, max_chats, .. } => {
                state.registration = Some(Registration {
                    company_id: *company_id,
                    email: email.clone(),
                    profile: profile.clone(),
                    max_chats: *max_chats,
                    preferences: Preferences::default(),
                    notifications: Notifications::default(),
                });
            }
            Event::UserInvited { invitation_id, expires_at, .. } => {
                if let Some(old) = state.invitation.take().and_then(|i| i.token_hash) {
                    state.replaced_links.push(old);
                }
                state.invitation = Some(Invitation { id: *invitation_id, expires_at: *expires_at, token_hash: None });
            }
            Event::InvitationLinkIssued { token_hash, .. } => {
                if let Some(inv) = state.invitation.as_mut() {
                    if let Some(old) = inv.token_hash.replace(token_hash.clone()) {
                        state.replaced_links.push(old);
                    }
                }
            }
            Event::InvitationAccepted { .. } => {
                state.used_link = state.invitation.take().and_then(|i| i.token_hash);
            }
            Event::PasswordSet {} => state.password_set = true,
            Event::RegistrationAbandoned { .. } => {
                state.registration = None;
                state.abandoned = true;
            }
            Event::ProfileChanged { profile } => {
                if let Some(r) = state.registration.as_mut() {
                    r.profile = profile.clone();
                }
            }
            Event::EmailChanged { email } => {
                if let Some(r) = state.registration.as_mut() {
                    r.email = email.clone();
                }
            }
            Event::MaxChatsChanged { max_chats } => {
                if let Some(r) = state.registration.as_mut() {
                    r.max_chats = *max_chats;
                }
            }
            Event::LanguageAndTimeZoneChosen { preferences } => {
                if let Some(r) = state.registration.as_mut() {
                    r.preferences = preferences.clone();
                }
            }
            Event::NotificationsChosen { notifications } => {
                if let Some(r) = state.registration.as_mut() {
                    r.notifications = *notifications;
                }
            }
            Event::PasswordResetRequested { reset_id, expires_at } => {
                if let Some(old) = state.password_reset.take().and_then(|r| r.token_hash) {
                    state.replaced_reset_links.push(old);
                }
                state.password_reset = Some(PendingReset { id: *reset_id, expires_at: *expires_at, token_hash: None });
            }
            Event::PasswordResetLinkIssued { reset_id, token_hash } => {
                if let Some(reset) = state.password_reset.as_mut().filter(|r| r.id == *reset_id) {
                    if let Some(old) = reset.token_hash.replace(token_hash.clone()) {
                        state.replaced_reset_links.push(old);
                    }
                }
            }
            Event::PasswordReset { .. } => {
                if let Some(used) = state.password_reset.take().and_then(|r| r.token_hash) {
                    state.used_reset_links.push(used);
                }
            }
        }
        state
    }
}

#[cfg(test)]
#[path = "user_reset_tests.rs"]
mod reset_tests;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::given;

    fn t0() -> DateTime<Utc> {
        "2026-11-25T10:00:00Z".parse().unwrap()
    }

    fn profile(first: &str, last: &str) -> Profile {
        Profile { first_name: first.into(), last_name: last.into(), ..Default::default() }
    }

    fn registered(user_id: UserId) -> Event {
        Event::UserRegistered {
            user_id,
            company_id: CompanyId::new(),
            email: Address::parse("ada@example.com").unwrap(),
            profile: profile("Ada", "Lovelace"),
            max_chats: 3,
        }
    }

    fn register(user_id: UserId, p: Profile, max_chats: u8, access: Access) -> Command {
        Command::RegisterUser {
            user_id,
            company_id: CompanyId::new(),
            email: Address::parse("ada@example.com").unwrap(),
            profile: p,
            max_chats,
            access,
        }
    }

    #[test]
    fn registering_with_a_password_records_that_one_was_set() {
        let id = UserId::new();
        given::<User>([])
            .when(register(id, profile(" Ada ", "Lovelace"), 3, Access::Password))
            .then_matches(|events| matches!(events, [Event::UserRegistered { profile, .. }, Event::PasswordSet {}] if profile.first_name == "Ada"));
    }

    #[test]
    fn registering_by_invitation_starts_a_72_hour_invitation() {
        let (id, inv) = (UserId::new(), InvitationId::new());
        given::<User>([])
            .when(register(id, profile("Ada", "Lovelace"), 3, Access::Invite { invitation_id: inv, at: t0(), send_email: true }))
            .then_matches(|events| {
                matches!(events, [Event::UserRegistered { .. }, Event::UserInvited { invitation_id, expires_at, send_email: true }]
                    if *invitation_id == inv && *expires_at == t0() + Duration::hours(72))
            });
    }

    #[test]
    fn first_and_last_names_are_mandatory_and_max_chats_is_bounded() {
        let id = UserId::new();
        given::<User>([]).when(register(id, profile(" ", "Lovelace"), 3, Access::Password)).then_error(Error::FirstNameMissing);
        given::<User>([]).when(register(id, profile("Ada", ""), 3, Access::Password)).then_error(Error::LastNameMissing);
        given::<User>([]).when(register(id, profile("Ada", "L"), 0, Access::Password)).then_error(Error::MaxChatsOutOfRange { value: 0 });
        given::<User>([]).when(register(id, profile("Ada", "L"), 21, Access::Password)).then_error(Error::MaxChatsOutOfRange { value: 21 });
        let long = "x".repeat(NAME_MAX_LEN + 1);
        given::<User>([]).when(register(id, profile("Ada", &long), 3, Access::Password)).then_error(Error::TooLong { field: "last_name" });
        given::<User>([registered(id)]).when(Command::SetMaxChats { max_chats: 20 }).then([Event::MaxChatsChanged { max_chats: 20 }]);
        given::<User>([registered(id)]).when(Command::SetMaxChats { max_chats: 3 }).then([]);
    }

    #[test]
    fn a_user_chooses_their_language_and_time_zone_once() {
        let id = UserId::new();
        let french = Preferences { language: Some("fr".into()), time_zone: Some("Europe/Paris".into()) };
        given::<User>([registered(id)])
            .when(Command::ChooseLanguageAndTimeZone { preferences: french.clone() })
            .then([Event::LanguageAndTimeZoneChosen { preferences: french.clone() }]);
        given::<User>([registered(id), Event::LanguageAndTimeZoneChosen { preferences: french.clone() }])
            .when(Command::ChooseLanguageAndTimeZone { preferences: french })
            .then([]);
        given::<User>([]).when(Command::ChooseLanguageAndTimeZone { preferences: Preferences::default() }).then_error(Error::NotRegistered);
    }

    #[test]
    fn an_agent_switches_the_consoles_sound_and_desktop_notifications_off_and_on() {
        let id = UserId::new();
        let quiet = Notifications { sound: false, desktop: true };
        given::<User>([registered(id)])
            .when(Command::ChooseNotifications { notifications: quiet })
            .then([Event::NotificationsChosen { notifications: quiet }]);
        given::<User>([registered(id), Event::NotificationsChosen { notifications: quiet }])
            .when(Command::ChooseNotifications { notifications: quiet })
            .then([]);
        given::<User>([registered(id)]).when(Command::ChooseNotifications { notifications: Notifications::default() }).then([]);
        given::<User>([]).when(Command::ChooseNotifications { notifications: quiet }).then_error(Error::NotRegistered);
    }

    fn invited_with_link(id: UserId, inv: InvitationId, hash: &str) -> Vec<Event> {
        vec![
            registered(id),
            Event::UserInvited { invitation_id: inv, expires_at: t0() + Duration::hours(72), send_email: true },
            Event::InvitationLinkIssued { invitation_id: inv, token_hash: hash.into() },
        ]
    }

    #[test]
    fn a_valid_link_is_accepted_once() {
        let (id, inv) = (UserId::new(), InvitationId::new());
        let history = invited_with_link(id, inv, "h1");
        given::<User>(history.clone())
            .when(Command::AcceptInvitation { token_hash: "h1".into(), at: t0() + Duration::hours(71) })
            .then([Event::InvitationAccepted { invitation_id: inv }, Event::PasswordSet {}]);

        let mut used = history;
        used.extend([Event::InvitationAccepted { invitation_id: inv }, Event::PasswordSet {}]);
        given::<User>(used).when(Command::AcceptInvitation { token_hash: "h1".into(), at: t0() }).then_error(Error::InvitationAlreadyUsed);
    }

    #[test]
    fn a_link_expires_after_72_hours() {
        let (id, inv) = (UserId::new(), InvitationId::new());
        given::<User>(invited_with_link(id, inv, "h1"))
            .when(Command::AcceptInvitation { token_hash: "h1".into(), at: t0() + Duration::hours(72) })
            .then_error(Error::InvitationExpired);
    }

    #[test]
    fn resending_kills_the_old_link() {
        let (id, inv, inv2) = (UserId::new(), InvitationId::new(), InvitationId::new());
        let mut history = invited_with_link(id, inv, "h1");
        given::<User>(history.clone())
            .when(Command::ResendInvitation { invitation_id: inv2, at: t0() + Duration::hours(100) })
            .then([Event::UserInvited { invitation_id: inv2, expires_at: t0() + Duration::hours(172), send_email: true }]);
        history.push(Event::UserInvited { invitation_id: inv2, expires_at: t0() + Duration::hours(172), send_email: true });
        history.push(Event::InvitationLinkIssued { invitation_id: inv2, token_hash: "h2".into() });
        given::<User>(history.clone())
            .when(Command::AcceptInvitation { token_hash: "h1".into(), at: t0() + Duration::hours(101) })
            .then_error(Error::InvitationReplaced);
        given::<User>(history)
            .when(Command::AcceptInvitation { token_hash: "h2".into(), at: t0() + Duration::hours(101) })
            .then([Event::InvitationAccepted { invitation_id: inv2 }, Event::PasswordSet {}]);
    }

    #[test]
    fn a_reissued_link_replaces_the_unsent_one_and_links_go_to_the_current_invitation_only() {
        let (id, inv) = (UserId::new(), InvitationId::new());
        let mut history = invited_with_link(id, inv, "h1");
        history.push(Event::InvitationLinkIssued { invitation_id: inv, token_hash: "h1b".into() });
        given::<User>(history.clone()).when(Command::AcceptInvitation { token_hash: "h1".into(), at: t0() }).then_error(Error::InvitationReplaced);
        given::<User>(history.clone()).when(Command::AcceptInvitation { token_hash: "nope".into(), at: t0() }).then_error(Error::InvitationUnknown);
        given::<User>(history)
            .when(Command::IssueInvitationLink { invitation_id: InvitationId::new(), token_hash: "x".into() })
            .then_error(Error::NotInvited);
    }

    #[test]
    fn an_invitation_may_be_created_without_mailing_it_and_resent_later() {
        let (id, inv, inv2) = (UserId::new(), InvitationId::new(), InvitationId::new());
        given::<User>([])
            .when(register(id, profile("Ada", "L"), 3, Access::Invite { invitation_id: inv, at: t0(), send_email: false }))
            .then_matches(|events| matches!(&events[1], Event::UserInvited { send_email: false, .. }));
        given::<User>([registered(id), Event::UserInvited { invitation_id: inv, expires_at: t0(), send_email: false }])
            .when(Command::ResendInvitation { invitation_id: inv2, at: t0() })
            .then([Event::UserInvited { invitation_id: inv2, expires_at: t0() + Duration::hours(72), send_email: true }]);
    }

    #[test]
    fn events_written_before_send_email_existed_still_read_as_mailed() {
        let old = serde_json::json!({ "type": "UserInvited", "invitation_id": InvitationId::new(), "expires_at": t0() });
        let event = <Event as EventPayload>::decode("UserInvited", 1, &old).unwrap();
        assert!(matches!(event, Event::UserInvited { send_email: true, .. }));
    }

    #[test]
    fn a_user_created_with_a_password_has_no_invitation_to_resend() {
        let id = UserId::new();
        given::<User>([registered(id), Event::PasswordSet {}])
            .when(Command::ResendInvitation { invitation_id: InvitationId::new(), at: t0() })
            .then_error(Error::NotInvited);
    }

    #[test]
    fn profile_changes_are_validated_and_unchanged_profiles_record_nothing() {
        let id = UserId::new();
        given::<User>([registered(id)]).when(Command::ChangeProfile { profile: profile("Ada", "Lovelace") }).then([]);
        given::<User>([registered(id)]).when(Command::ChangeProfile { profile: profile("Ada", "") }).then_error(Error::LastNameMissing);
        given::<User>([registered(id)])
            .when(Command::ChangeProfile { profile: profile("Augusta", "King") })
            .then([Event::ProfileChanged { profile: profile("Augusta", "King") }]);
    }

    #[test]
    fn an_abandoned_registration_cannot_be_revived_or_changed() {
        let id = UserId::new();
        let history = [registered(id), Event::RegistrationAbandoned { reason: "address taken".into() }];
        given::<User>(history.clone()).when(register(id, profile("Ada", "L"), 3, Access::Password)).then_error(Error::AlreadyRegistered);
        given::<User>(history).when(Command::SetPassword).then_error(Error::NotRegistered);
    }
}
