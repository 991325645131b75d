//! Password resets: given events / when command / then events or error.

use chrono::{DateTime, Duration, Utc};

use super::*;
use crate::testing::given;

fn t0() -> DateTime<Utc> {
    "2026-12-05T10:00:00Z".parse().unwrap()
}

fn with_password() -> Vec<Event> {
    vec![
        Event::UserRegistered {
            user_id: UserId::new(),
            company_id: CompanyId::new(),
            email: Address::parse("ada@example.com").unwrap(),
            profile: Profile { first_name: "Ada".into(), last_name: "Lovelace".into(), ..Default::default() },
            max_chats: 3,
        },
        Event::PasswordSet {},
    ]
}

fn requested(reset: PasswordResetId, hash: &str) -> Vec<Event> {
    let mut history = with_password();
    history.push(Event::PasswordResetRequested { reset_id: reset, expires_at: t0() + Duration::hours(1) });
    history.push(Event::PasswordResetLinkIssued { reset_id: reset, token_hash: hash.into() });
    history
}

#[test]
fn a_reset_is_requested_for_one_hour() {
    let reset = PasswordResetId::new();
    given::<User>(with_password())
        .when(Command::RequestPasswordReset { reset_id: reset, at: t0() })
        .then([Event::PasswordResetRequested { reset_id: reset, expires_at: t0() + Duration::hours(1) }]);
}

#[test]
fn nobody_resets_a_password_they_never_had_or_an_unknown_user() {
    let mut invited = with_password();
    invited.pop();
    given::<User>(invited).when(Command::RequestPasswordReset { reset_id: PasswordResetId::new(), at: t0() }).then_error(Error::NoPasswordYet);
    given::<User>([]).when(Command::RequestPasswordReset { reset_id: PasswordResetId::new(), at: t0() }).then_error(Error::NotRegistered);
}

#[test]
fn the_link_is_issued_for_the_current_reset_only() {
    let reset = PasswordResetId::new();
    let mut history = with_password();
    history.push(Event::PasswordResetRequested { reset_id: reset, expires_at: t0() + Duration::hours(1) });
    given::<User>(history.clone())
        .when(Command::IssuePasswordResetLink { reset_id: reset, token_hash: "h".into() })
        .then([Event::PasswordResetLinkIssued { reset_id: reset, token_hash: "h".into() }]);
    given::<User>(history)
        .when(Command::IssuePasswordResetLink { reset_id: PasswordResetId::new(), token_hash: "h".into() })
        .then_error(Error::NoPasswordReset);
}

#[test]
fn a_valid_link_sets_the_password_once() {
    let reset = PasswordResetId::new();
    let history = requested(reset, "h1");
    given::<User>(history.clone())
        .when(Command::ResetPassword { token_hash: "h1".into(), at: t0() + Duration::minutes(59) })
        .then([Event::PasswordReset { reset_id: reset }, Event::PasswordSet {}]);
    let mut used = history;
    used.extend([Event::PasswordReset { reset_id: reset }, Event::PasswordSet {}]);
    given::<User>(used).when(Command::ResetPassword { token_hash: "h1".into(), at: t0() }).then_error(Error::ResetLinkUsed);
}

#[test]
fn a_link_expires_after_an_hour() {
    given::<User>(requested(PasswordResetId::new(), "h1"))
        .when(Command::ResetPassword { token_hash: "h1".into(), at: t0() + Duration::hours(1) })
        .then_error(Error::ResetLinkExpired);
}

#[test]
fn a_newer_request_kills_the_older_link_and_unknown_links_open_nothing() {
    let (first, second) = (PasswordResetId::new(), PasswordResetId::new());
    let mut history = requested(first, "h1");
    history.push(Event::PasswordResetRequested { reset_id: second, expires_at: t0() + Duration::hours(2) });
    history.push(Event::PasswordResetLinkIssued { reset_id: second, token_hash: "h2".into() });
    given::<User>(history.clone()).when(Command::ResetPassword { token_hash: "h1".into(), at: t0() }).then_error(Error::ResetLinkReplaced);
    given::<User>(history.clone()).when(Command::ResetPassword { token_hash: "nope".into(), at: t0() }).then_error(Error::ResetLinkUnknown);
    given::<User>(history)
        .when(Command::ResetPassword { token_hash: "h2".into(), at: t0() })
        .then([Event::PasswordReset { reset_id: second }, Event::PasswordSet {}]);
}

#[test]
fn the_invitation_link_does_not_open_a_reset_and_a_reset_link_does_not_accept_an_invitation() {
    given::<User>(requested(PasswordResetId::new(), "h1"))
        .when(Command::AcceptInvitation { token_hash: "h1".into(), at: t0() })
        .then_error(Error::InvitationUnknown);
}
