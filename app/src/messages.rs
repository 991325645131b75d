//! What each refusal says to a person, in their language. The codes beside them (in
//! `error.rs`) never change; these words follow the reader.

use domain::{agent, company, conversation, email, site, user};
use locale::t;

/// A field's name as people read it ("last_name" → "the last name").
fn field_name(field: &str) -> String {
    match field {
        "first_name" => t!("field-first-name"),
        "last_name" => t!("field-last-name"),
        "display_name" => t!("field-display-name"),
        "phone" => t!("field-phone"),
        "job_title" => t!("field-job-title"),
        "name" => t!("field-name"),
        other => other.to_owned(),
    }
}

pub fn command(e: &commands::Error) -> String {
    use commands::Error as E;
    match e {
        E::Company(c) => company(c),
        E::User(u) => user(u),
        E::Site(s) => site(s),
        E::Agent(agent::Error::NotOnline) => t!("err-agent-not-online"),
        E::Agent(agent::Error::AtCapacity { max }) => t!("err-agent-at-capacity", max = *max),
        E::Conversation(c) => conversation(c),
        E::Visitor(_) | E::NotFound => t!("err-not-found"),
        E::Canned(c) => crate::canned::message(c),
        E::NoAgentAvailable => t!("err-no-agent-available"),
        E::Email(email::Error::EmailTaken { .. }) => t!("err-email-taken"),
        E::InvalidEmail(e) => t!("err-invalid-email", value = e.input.as_str()),
        E::Contention { .. } => t!("err-contention"),
        E::Store(s) if s.is_conflict() => t!("err-contention"),
        E::Store(store::StoreError::Decode { source, .. }) => t!("err-stream-unreadable", reason = source.to_string()),
        E::Store(_) | E::Database(_) | E::Keyring(_) => t!("err-unavailable"),
    }
}

pub fn company(e: &company::Error) -> String {
    use company::Error as C;
    match e {
        C::NotRegistered => t!("err-company-not-registered"),
        C::AlreadyRegistered => t!("err-company-already-registered"),
        C::NameMissing => t!("err-company-name-missing"),
        C::NoSeats => t!("err-company-no-seats"),
        C::SeatsExhausted { seats } => t!("err-seats-exhausted", seats = *seats),
        C::SeatsBelowUsage { seats, in_use } => t!("err-seats-below-usage", seats = *seats, in_use = *in_use),
        C::NotAMember => t!("err-not-a-member"),
        C::AlreadyAMember => t!("err-already-a-member"),
        C::LastAdministrator => t!("err-last-administrator"),
        C::NothingToChange => t!("err-nothing-to-change"),
        C::RenewalDue => t!("err-renewal-due"),
        C::OrderInProgress { .. } => t!("err-order-in-progress"),
        C::OrderIdReused => t!("err-order-id-reused"),
        C::AmountChanged { expected, actual } => {
            let r = locale::reader();
            t!("err-amount-changed", expected = r.hundredths(*expected), actual = r.hundredths(*actual))
        }
        C::CardMissing => t!("err-card-missing"),
        C::UnknownOrder => t!("err-unknown-order"),
        C::NoCardOnFile => t!("err-no-card-on-file"),
    }
}

pub fn user(e: &user::Error) -> String {
    use user::Error as U;
    match e {
        U::AlreadyRegistered => t!("err-user-already-registered"),
        U::NotRegistered => t!("err-user-not-registered"),
        U::FirstNameMissing => t!("err-first-name-missing"),
        U::LastNameMissing => t!("err-last-name-missing"),
        U::TooLong { field } => t!("err-too-long", field = field_name(field), max = user::NAME_MAX_LEN),
        U::MaxChatsOutOfRange { value } => t!("err-max-chats", max = user::MAX_CHATS_LIMIT, value = *value),
        U::NotInvited => t!("err-not-invited"),
        U::InvitationExpired => t!("err-invitation-expired"),
        U::InvitationAlreadyUsed => t!("err-invitation-used"),
        U::InvitationReplaced => t!("err-invitation-replaced"),
        U::InvitationUnknown => t!("err-invitation-unknown"),
        U::NoPasswordYet => t!("err-no-password-yet"),
        U::NoPasswordReset => t!("err-no-password-reset"),
        U::ResetLinkExpired => t!("err-reset-link-expired"),
        U::ResetLinkUsed => t!("err-reset-link-used"),
        U::ResetLinkReplaced => t!("err-reset-link-replaced"),
        U::ResetLinkUnknown => t!("err-reset-link-unknown"),
    }
}

pub fn site(e: &site::Error) -> String {
    use site::Error as S;
    match e {
        S::NotFound => t!("err-site-not-found"),
        S::AlreadyExists => t!("err-site-already-exists"),
        S::Deleted => t!("err-site-deleted"),
        S::NameMissing => t!("err-site-name-missing"),
        S::TooLong { field, max } => t!("err-too-long", field = field_name(field), max = *max),
        S::NoUrl => t!("err-site-no-url"),
        S::TooManyUrls => t!("err-site-too-many-urls", max = site::MAX_URLS),
        S::BadUrl { url } => t!("err-site-bad-url", value = url.as_str()),
        S::BadColour { value } => t!("err-site-bad-colour", value = value.as_str()),
        S::BadWeight => t!("err-site-bad-weight"),
        S::BadAcceptTimeout => {
            t!("err-site-bad-accept-timeout", min = *domain::site::ACCEPT_SECONDS.start(), max = *domain::site::ACCEPT_SECONDS.end())
        }
        S::NotAnAgent => t!("err-site-not-an-agent"),
        S::BadTime { value, .. } => t!("err-site-bad-time", value = value.as_str()),
        S::EndBeforeStart { .. } => t!("err-site-end-before-start"),
        S::OpeningsOverlap { .. } => t!("err-site-openings-overlap"),
        S::TooManyOpenings { .. } => t!("err-site-too-many-openings", max = domain::business_hours::MAX_OPENINGS_PER_DAY),
    }
}

pub fn conversation(e: &conversation::Error) -> String {
    use conversation::Error as C;
    match e {
        C::NotFound => t!("err-conversation-not-found"),
        C::AlreadyStarted => t!("err-conversation-already-started"),
        C::Closed => t!("err-conversation-closed"),
        C::EmptyMessage => t!("err-message-empty"),
        C::MessageTooLong => t!("err-message-too-long", max = conversation::MESSAGE_MAX_LEN),
        C::NotYours => t!("err-conversation-not-yours"),
        C::AlreadyAssigned => t!("err-conversation-already-assigned"),
        C::NotAssigned => t!("err-conversation-not-assigned"),
        C::BadEmail(value) => t!("err-invalid-email", value = value.as_str()),
        C::NameTooLong => t!("err-visitor-name-too-long"),
        C::NotAnOfflineMessage => t!("err-not-an-offline-message"),
        C::NotEnded => t!("err-conversation-not-ended"),
        C::NotAChat => t!("err-offline-not-rated"),
        C::CommentTooLong => t!("err-comment-too-long", max = conversation::COMMENT_MAX_LEN),
        C::EmailNotGiven => t!("err-email-not-given"),
        C::AlreadyRinging => t!("err-conversation-already-ringing"),
        C::NotRinging => t!("err-conversation-not-ringing"),
        C::RangOut => t!("err-conversation-rang-out"),
        C::StillRinging => t!("err-conversation-still-ringing"),
        C::AlreadyPassed => t!("err-conversation-already-passed"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use locale::{Lang, Reader};

    /// Every English message reads exactly as the domain's own (the JSON API and the tests
    /// have always shown those), and none is missing in French.
    #[test]
    fn english_messages_are_the_domains_and_french_ones_exist() {
        let errors: Vec<commands::Error> = vec![
            company::Error::SeatsExhausted { seats: 3 }.into(),
            company::Error::SeatsBelowUsage { seats: 2, in_use: 4 }.into(),
            company::Error::LastAdministrator.into(),
            company::Error::NoCardOnFile.into(),
            user::Error::MaxChatsOutOfRange { value: 30 }.into(),
            user::Error::InvitationExpired.into(),
            user::Error::ResetLinkReplaced.into(),
            site::Error::BadUrl { url: "ht tp://x".into() }.into(),
            site::Error::BadColour { value: "red".into() }.into(),
            site::Error::TooManyUrls.into(),
            site::Error::NotAnAgent.into(),
            site::Error::BadTime { field: "monday_to", value: "25:00".into() }.into(),
            site::Error::EndBeforeStart { field: "monday_to" }.into(),
            site::Error::OpeningsOverlap { field: "monday_from" }.into(),
            site::Error::TooManyOpenings { field: "monday_from" }.into(),
            conversation::Error::MessageTooLong.into(),
            conversation::Error::BadEmail("ann@".into()).into(),
            conversation::Error::CommentTooLong.into(),
            conversation::Error::EmailNotGiven.into(),
            agent::Error::AtCapacity { max: 4 }.into(),
            commands::Error::NoAgentAvailable,
            email::Address::parse("nobody").unwrap_err().into(),
        ];
        for e in &errors {
            let en = locale::sync_scope(Reader::new(Lang::En, locale::Tz::UTC), || command(e));
            let fr = locale::sync_scope(Reader::new(Lang::Fr, locale::Tz::UTC), || command(e));
            assert_eq!(en, e.to_string(), "{e:?}");
            assert!(!fr.contains(locale::MISSING) && fr != en, "{e:?}: {fr}");
        }
        let too_long: commands::Error = user::Error::TooLong { field: "phone" }.into();
        let fr = locale::sync_scope(Reader::new(Lang::Fr, locale::Tz::UTC), || command(&too_long));
        assert_eq!(command(&too_long), "the phone number is longer than 100 characters");
        assert_eq!(fr, "le numéro de téléphone dépasse 100 caractères");
    }
}
