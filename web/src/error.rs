//! The one place where failures become responses: an HTML page for the UI, JSON with a
//! stable machine-readable code for the API.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use domain::{agent, company, conversation, email, site, user};
use serde::Serialize;

#[derive(Debug)]
pub enum AppError {
    /// Not logged in.
    Unauthenticated,
    /// Wrong e-mail or password.
    InvalidCredentials,
    /// Logged in, but the role does not allow it.
    Forbidden,
    /// Not allowed, for a reason the code and message give.
    Denied {
        code: &'static str,
        message: String,
    },
    /// Does not exist, or belongs to another company (never said which).
    NotFound,
    /// Bad input: which field, why.
    Invalid {
        code: &'static str,
        message: String,
        field: Option<&'static str>,
    },
    /// Refused by a rule of the domain.
    Refused {
        code: &'static str,
        message: String,
        field: Option<&'static str>,
    },
    TooManyRequests(String),
    Command(commands::Error),
    Internal(String),
}

impl AppError {
    pub fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        AppError::Invalid { code: "invalid_input", message: message.into(), field: Some(field) }
    }

    /// Status, code, human message and field.
    pub fn parts(&self) -> (StatusCode, &'static str, String, Option<&'static str>) {
        use commands::Error as E;
        match self {
            AppError::Unauthenticated => (StatusCode::UNAUTHORIZED, "unauthenticated", "Please log in.".into(), None),
            AppError::InvalidCredentials => (StatusCode::UNAUTHORIZED, "invalid_credentials", "Wrong e-mail or password.".into(), None),
            AppError::Forbidden => (StatusCode::FORBIDDEN, "forbidden", "Your role does not allow this.".into(), None),
            AppError::Denied { code, message } => (StatusCode::FORBIDDEN, code, message.clone(), None),
            AppError::NotFound => (StatusCode::NOT_FOUND, "not_found", "There is nothing here.".into(), None),
            AppError::Invalid { code, message, field } => (StatusCode::UNPROCESSABLE_ENTITY, code, message.clone(), *field),
            AppError::Refused { code, message, field } => (StatusCode::CONFLICT, code, message.clone(), *field),
            AppError::TooManyRequests(m) => (StatusCode::TOO_MANY_REQUESTS, "too_many_requests", m.clone(), None),
            AppError::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal", "Something went wrong on our side.".into(), None),
            AppError::Command(e) => {
                let msg = e.to_string();
                let conflict = |code| (StatusCode::CONFLICT, code, msg.clone(), None);
                let invalid = |code, field| (StatusCode::UNPROCESSABLE_ENTITY, code, msg.clone(), Some(field));
                match e {
                    E::Company(c) => match c {
                        company::Error::SeatsExhausted { .. } => conflict("seats_exhausted"),
                        company::Error::SeatsBelowUsage { .. } => conflict("seats_below_usage"),
                        company::Error::LastAdministrator => conflict("last_administrator"),
                        company::Error::AlreadyAMember => conflict("already_a_member"),
                        company::Error::AlreadyRegistered => conflict("already_registered"),
                        company::Error::NameMissing => invalid("invalid_input", "name"),
                        company::Error::NoSeats => invalid("invalid_input", "seats"),
                        company::Error::NotAMember | company::Error::NotRegistered => AppError::NotFound.parts(),
                    },
                    E::User(u) => match u {
                        _ if u.field().is_some() => invalid("invalid_input", u.field().unwrap_or_default()),
                        user::Error::NotRegistered => AppError::NotFound.parts(),
                        user::Error::AlreadyRegistered => conflict("already_registered"),
                        user::Error::NotInvited => conflict("not_invited"),
                        user::Error::InvitationExpired => (StatusCode::GONE, "invitation_expired", msg.clone(), None),
                        user::Error::InvitationAlreadyUsed => (StatusCode::GONE, "invitation_used", msg.clone(), None),
                        user::Error::InvitationReplaced => (StatusCode::GONE, "invitation_replaced", msg.clone(), None),
                        _ => (StatusCode::NOT_FOUND, "invitation_unknown", msg.clone(), None),
                    },
                    E::Site(e) => match e {
                        _ if e.field().is_some() => invalid("invalid_input", e.field().unwrap_or_default()),
                        site::Error::NotAnAgent => (StatusCode::CONFLICT, "not_an_agent", msg.clone(), Some("user_id")),
                        site::Error::Deleted => (StatusCode::GONE, "site_deleted", msg.clone(), None),
                        site::Error::AlreadyExists => conflict("already_exists"),
                        _ => AppError::NotFound.parts(),
                    },
                    E::Agent(agent::Error::AtCapacity { .. }) => conflict("capacity"),
                    E::Agent(agent::Error::NotOnline) => conflict("not_online"),
                    E::Conversation(c) => match c {
                        conversation::Error::NotFound => AppError::NotFound.parts(),
                        conversation::Error::Closed => conflict("conversation_closed"),
                        conversation::Error::NotYours => (StatusCode::FORBIDDEN, "not_assigned", msg.clone(), None),
                        conversation::Error::EmptyMessage => invalid("empty_message", "text"),
                        conversation::Error::MessageTooLong => invalid("message_too_long", "text"),
                        conversation::Error::BadEmail(_) => invalid("invalid_email", "email"),
                        conversation::Error::NameTooLong => invalid("invalid_input", "name"),
                        conversation::Error::AlreadyAssigned | conversation::Error::AlreadyStarted | conversation::Error::NotAssigned => {
                            conflict("conflict")
                        }
                    },
                    E::NoAgentAvailable => conflict("no_agent_available"),
                    E::Email(email::Error::EmailTaken { .. }) => (StatusCode::CONFLICT, "email_taken", msg.clone(), Some("email")),
                    E::InvalidEmail(_) => invalid("invalid_email", "email"),
                    E::Contention { .. } => conflict("conflict"),
                    E::Store(s) if s.is_conflict() => conflict("conflict"),
                    E::NotFound => AppError::NotFound.parts(),
                    E::Store(_) | E::Database(_) => {
                        (StatusCode::SERVICE_UNAVAILABLE, "unavailable", "The database is not answering; try again shortly.".into(), None)
                    }
                }
            }
        }
    }

    fn log(&self) {
        match self {
            AppError::Internal(detail) => tracing::error!(%detail, "internal error"),
            AppError::Command(e @ (commands::Error::Store(_) | commands::Error::Database(_))) if !matches!(e, commands::Error::Store(s) if s.is_conflict()) =>
            {
                tracing::error!(error = %e, "command failed")
            }
            _ => {}
        }
    }
}

impl From<commands::Error> for AppError {
    fn from(e: commands::Error) -> Self {
        AppError::Command(e)
    }
}

impl From<tokio_postgres::Error> for AppError {
    fn from(e: tokio_postgres::Error) -> Self {
        AppError::Command(commands::Error::Database(store::describe(&e)))
    }
}

impl From<deadpool_postgres::PoolError> for AppError {
    fn from(e: deadpool_postgres::PoolError) -> Self {
        AppError::Command(commands::Error::Database(e.to_string()))
    }
}

impl From<projections::ProjectionError> for AppError {
    fn from(e: projections::ProjectionError) -> Self {
        AppError::Command(commands::Error::Database(e.to_string()))
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        self.log();
        let (status, _, message, _) = self.parts();
        if matches!(self, AppError::Unauthenticated) {
            return axum::response::Redirect::to("/login").into_response();
        }
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
        (status, Json(ErrorBody { error: ErrorDetail { code, message, field } })).into_response()
    }
}
