//! The one place where failures become responses: an HTML page for the UI, JSON with a
//! stable machine-readable code for the API, an `error` frame for the sockets.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use domain::{agent, company, conversation, email, site, user};
use locale::t;
use serde::Serialize;

#[derive(Debug)]
pub enum AppError {
    /// Not logged in.
    Unauthenticated,
    /// Wrong e-mail or password.
    InvalidCredentials,
    App(app::Error),
}

impl AppError {
    pub fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        AppError::App(app::Error::invalid(field, message))
    }

    /// Status, code, human message and field.
    pub fn parts(&self) -> (StatusCode, &'static str, String, Option<&'static str>) {
        match self {
            AppError::Unauthenticated => (StatusCode::UNAUTHORIZED, "unauthenticated", t!("err-unauthenticated"), None),
            AppError::InvalidCredentials => (StatusCode::UNAUTHORIZED, "invalid_credentials", t!("err-invalid-credentials"), None),
            AppError::App(e) => app_parts(e),
        }
    }

    fn log(&self) {
        if let AppError::App(e) = self {
            match e {
                app::Error::Internal(detail) => tracing::error!(%detail, "internal error"),
                e if e.is_unavailable() => tracing::error!(error = %e, "the database failed"),
                _ => {}
            }
        }
    }
}

fn app_parts(e: &app::Error) -> (StatusCode, &'static str, String, Option<&'static str>) {
    use app::Error as A;
    match e {
        A::Command(c) => command_parts(c, app::messages::command(c)),
        A::Invalid { code, message, field } => (StatusCode::UNPROCESSABLE_ENTITY, code, message.clone(), *field),
        A::Refused { code, message } => (StatusCode::CONFLICT, code, message.clone(), None),
        A::Denied { code, message } => (StatusCode::FORBIDDEN, code, message.clone(), None),
        A::Forbidden => (StatusCode::FORBIDDEN, "forbidden", t!("err-forbidden"), None),
        A::NotFound => (StatusCode::NOT_FOUND, "not_found", t!("err-page-not-found"), None),
        A::TooManyRequests(m) => (StatusCode::TOO_MANY_REQUESTS, "too_many_requests", m.clone(), None),
        // Only a command's own wait times out like this: its events are stored, so it
        // succeeded; what it changed shows once the read model catches up.
        A::ReadModel(projections::ProjectionError::Timeout { name, .. }) => {
            (StatusCode::ACCEPTED, "accepted", t!("err-catching-up", list = name.as_str()), None)
        }
        A::ReadModel(_) | A::Database(_) => unavailable(),
        A::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal", t!("err-internal"), None),
    }
}

fn unavailable() -> (StatusCode, &'static str, String, Option<&'static str>) {
    (StatusCode::SERVICE_UNAVAILABLE, "unavailable", t!("err-unavailable"), None)
}

fn command_parts(e: &commands::Error, msg: String) -> (StatusCode, &'static str, String, Option<&'static str>) {
    use commands::Error as E;
    let not_found = || (StatusCode::NOT_FOUND, "not_found", t!("err-page-not-found"), None);
    let conflict = |code| (StatusCode::CONFLICT, code, msg.clone(), None);
    let invalid = |code, field| (StatusCode::UNPROCESSABLE_ENTITY, code, msg.clone(), Some(field));
    let gone = |code| (StatusCode::GONE, code, msg.clone(), None);
    match e {
        E::Company(c) => match c {
            company::Error::SeatsExhausted { .. } => conflict("seats_exhausted"),
            company::Error::SeatsBelowUsage { .. } => (StatusCode::CONFLICT, "seats_below_usage", msg.clone(), Some("seats")),
            company::Error::LastAdministrator => conflict("last_administrator"),
            company::Error::AlreadyAMember => conflict("already_a_member"),
            company::Error::AlreadyRegistered => conflict("already_registered"),
            company::Error::NameMissing => invalid("invalid_input", "name"),
            company::Error::NoSeats => invalid("invalid_input", "seats"),
            company::Error::NotAMember | company::Error::NotRegistered | company::Error::UnknownOrder => not_found(),
            company::Error::NothingToChange => conflict("nothing_to_change"),
            company::Error::RenewalDue => conflict("renewal_due"),
            company::Error::OrderInProgress { .. } => conflict("order_in_progress"),
            company::Error::OrderIdReused => conflict("order_id_reused"),
            company::Error::AmountChanged { .. } => conflict("amount_changed"),
            company::Error::CardMissing => invalid("card_missing", "payment_token"),
            company::Error::NoCardOnFile => conflict("no_card_on_file"),
        },
        E::User(u) => match u {
            _ if u.field().is_some() => invalid("invalid_input", u.field().unwrap_or_default()),
            user::Error::NotRegistered => not_found(),
            user::Error::AlreadyRegistered => conflict("already_registered"),
            user::Error::NotInvited => conflict("not_invited"),
            user::Error::InvitationExpired => gone("invitation_expired"),
            user::Error::InvitationAlreadyUsed => gone("invitation_used"),
            user::Error::InvitationReplaced => gone("invitation_replaced"),
            user::Error::NoPasswordYet => conflict("no_password_yet"),
            user::Error::NoPasswordReset => conflict("no_password_reset"),
            user::Error::ResetLinkExpired => gone("reset_link_expired"),
            user::Error::ResetLinkUsed => gone("reset_link_used"),
            user::Error::ResetLinkReplaced => gone("reset_link_replaced"),
            user::Error::ResetLinkUnknown => (StatusCode::NOT_FOUND, "reset_link_unknown", msg.clone(), None),
            _ => (StatusCode::NOT_FOUND, "invitation_unknown", msg.clone(), None),
        },
        E::Site(e) => match e {
            _ if e.field().is_some() => invalid("invalid_input", e.field().unwrap_or_default()),
            site::Error::NotAnAgent => (StatusCode::CONFLICT, "not_an_agent", msg.clone(), Some("user_id")),
            site::Error::Deleted => gone("site_deleted"),
            site::Error::AlreadyExists => conflict("already_exists"),
            _ => not_found(),
        },
        E::Agent(agent::Error::AtCapacity { .. }) => conflict("capacity"),
        E::Agent(agent::Error::NotOnline) => conflict("not_online"),
        E::Conversation(c) => match c {
            conversation::Error::NotFound => not_found(),
            conversation::Error::Closed => conflict("conversation_closed"),
            conversation::Error::NotYours => (StatusCode::FORBIDDEN, "not_assigned", msg.clone(), None),
            conversation::Error::EmptyMessage => invalid("empty_message", "text"),
            conversation::Error::MessageTooLong => invalid("message_too_long", "text"),
            conversation::Error::BadEmail(_) => invalid("invalid_email", "email"),
            conversation::Error::NameTooLong => invalid("invalid_input", "name"),
            conversation::Error::NotAnOfflineMessage => conflict("not_an_offline_message"),
            conversation::Error::NotEnded => conflict("not_ended"),
            conversation::Error::NotAChat => conflict("not_a_chat"),
            conversation::Error::CommentTooLong => invalid("comment_too_long", "comment"),
            conversation::Error::EmailNotGiven => invalid("email_not_given", "email"),
            conversation::Error::AlreadyAssigned | conversation::Error::AlreadyStarted | conversation::Error::NotAssigned => conflict("conflict"),
            conversation::Error::NotRinging => conflict("not_ringing"),
            conversation::Error::RangOut => conflict("rang_out"),
            conversation::Error::AlreadyRinging | conversation::Error::StillRinging | conversation::Error::AlreadyPassed => conflict("conflict"),
        },
        E::Visitor(domain::visitor::Error::OtherCompany) => not_found(),
        E::Canned(c) => match c {
            domain::canned::Error::ShortcutTaken { .. } => (StatusCode::CONFLICT, "shortcut_taken", msg.clone(), Some("shortcut")),
            domain::canned::Error::TooMany => conflict("too_many_canned_responses"),
            domain::canned::Error::AlreadyExists => conflict("already_exists"),
            _ if c.field().is_some() => invalid("invalid_input", c.field().unwrap_or_default()),
            _ => not_found(),
        },
        E::NoAgentAvailable => conflict("no_agent_available"),
        E::Email(email::Error::EmailTaken { .. }) => (StatusCode::CONFLICT, "email_taken", msg.clone(), Some("email")),
        E::InvalidEmail(_) => invalid("invalid_email", "email"),
        E::Contention { .. } => conflict("conflict"),
        E::Store(s) if s.is_conflict() => conflict("conflict"),
        E::NotFound => not_found(),
        // The stream holds an event this build cannot read: its commands wait for a fix
        // (see `switchboard parked list`); nobody else's are affected.
        E::Store(store::StoreError::Decode { .. }) => (StatusCode::SERVICE_UNAVAILABLE, "stream_unreadable", msg.clone(), None),
        E::Store(_) | E::Database(_) | E::Keyring(_) => unavailable(),
    }
}

impl From<app::Error> for AppError {
    fn from(e: app::Error) -> Self {
        AppError::App(e)
    }
}

impl From<commands::Error> for AppError {
    fn from(e: commands::Error) -> Self {
        AppError::App(e.into())
    }
}

impl From<projections::ProjectionError> for AppError {
    fn from(e: projections::ProjectionError) -> Self {
        AppError::App(e.into())
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        self.log();
        if matches!(self, AppError::Unauthenticated) {
            return axum::response::Redirect::to("/login").into_response();
        }
        let (status, _, message, _) = self.parts();
        (status, crate::pages::layout::error_page(status, &message)).into_response()
    }
}

/// The JSON API's face of an `AppError`.
#[derive(Debug)]
pub struct ApiError(pub AppError);

#[derive(Serialize)]
struct ErrorBody<'a> {
    error: ErrorDetail<'a>,
}

#[derive(Serialize)]
struct ErrorDetail<'a> {
    code: &'a str,
    message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    field: Option<&'a str>,
}

impl<E: Into<AppError>> From<E> for ApiError {
    fn from(e: E) -> Self {
        ApiError(e.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        self.0.log();
        let (status, code, message, field) = self.0.parts();
        if status == StatusCode::ACCEPTED {
            return (status, Json(serde_json::json!({ "status": code, "message": message }))).into_response();
        }
        (status, Json(ErrorBody { error: ErrorDetail { code, message, field } })).into_response()
    }
}

/// A refusal a page shows beside the form that caused it (the form is sent back with what
/// was typed); a server fault is not one, and gets the error page.
pub struct Refusal {
    pub status: StatusCode,
    pub message: String,
    pub field: Option<&'static str>,
}

pub fn refusal(e: impl Into<AppError>) -> Result<Refusal, AppError> {
    let e = e.into();
    let (status, _, message, field) = e.parts();
    // Not a refusal: a fault, or a success whose effects are still on their way.
    if status.is_server_error() || status == StatusCode::ACCEPTED {
        return Err(e);
    }
    Ok(Refusal { status, message: sentence(&message), field })
}

/// A domain message (written to be embedded: "the company must keep…") as a sentence of its
/// own on a page.
/// The message as a sentence: its first letter capitalised.
pub(crate) fn sentence(message: &str) -> String {
    let mut chars = message.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
