//! What can go wrong in a use case. `web` turns each into a response in one place.

use projections::ProjectionError;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Refused by a rule of the domain, or the event store failed.
    #[error(transparent)]
    Command(#[from] commands::Error),
    /// Bad input: which field, why.
    #[error("{message}")]
    Invalid { code: &'static str, message: String, field: Option<&'static str> },
    /// Refused by a rule outside the domain (an import confirmed twice, say).
    #[error("{message}")]
    Refused { code: &'static str, message: String },
    /// Not allowed, for the reason the code and message give (a widget on a foreign site).
    #[error("{message}")]
    Denied { code: &'static str, message: String },
    /// The caller's roles do not allow it.
    #[error("your role does not allow this")]
    Forbidden,
    /// Does not exist, or belongs to another company (never said which).
    #[error("not found")]
    NotFound,
    #[error("{0}")]
    TooManyRequests(String),
    /// A read model did not answer or did not catch up in time.
    #[error(transparent)]
    ReadModel(#[from] ProjectionError),
    #[error("database error: {0}")]
    Database(String),
    #[error("internal error: {0}")]
    Internal(String),
}

impl Error {
    pub fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        Error::Invalid { code: "invalid_input", message: message.into(), field: Some(field) }
    }

    /// The database (or the store behind it) failed: try again later, nothing was refused.
    pub fn is_unavailable(&self) -> bool {
        match self {
            Error::Command(commands::Error::Store(s)) => !s.is_conflict(),
            Error::Command(commands::Error::Database(_)) | Error::ReadModel(_) | Error::Database(_) => true,
            _ => false,
        }
    }
}

impl From<tokio_postgres::Error> for Error {
    fn from(e: tokio_postgres::Error) -> Self {
        Error::Database(store::describe(&e))
    }
}

impl From<deadpool_postgres::PoolError> for Error {
    fn from(e: deadpool_postgres::PoolError) -> Self {
        Error::Database(e.to_string())
    }
}

impl From<store::StoreError> for Error {
    fn from(e: store::StoreError) -> Self {
        Error::Command(e.into())
    }
}

impl From<domain::user::Error> for Error {
    fn from(e: domain::user::Error) -> Self {
        Error::Command(e.into())
    }
}

impl From<domain::email::InvalidAddress> for Error {
    fn from(e: domain::email::InvalidAddress) -> Self {
        Error::Command(e.into())
    }
}

impl From<domain::site::Error> for Error {
    fn from(e: domain::site::Error) -> Self {
        Error::Command(e.into())
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
