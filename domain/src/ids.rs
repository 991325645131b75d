//! Typed identifiers, so a user id can never be passed where a company id is expected.

use serde::{Deserialize, Serialize};
use std::fmt;
use thiserror::Error;
use uuid::Uuid;

/// A stream name that is not `{category}-{uuid}`: an error, never a nil id.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("stream `{stream}` is not named {category}-<uuid>")]
pub struct StreamNameError {
    pub stream: String,
    pub category: &'static str,
}

/// The id in a stream named `{category}-{uuid}`.
pub fn id_in_stream<T: From<Uuid>>(category: &'static str, stream: &str) -> Result<T, StreamNameError> {
    stream
        .strip_prefix(category)
        .and_then(|rest| rest.strip_prefix('-'))
        .and_then(|id| Uuid::parse_str(id).ok())
        .map(T::from)
        .ok_or_else(|| StreamNameError { stream: stream.to_owned(), category })
}

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            /// A fresh, time-ordered id (UUID v7).
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self(Uuid::nil())
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }

        impl From<Uuid> for $name {
            fn from(id: Uuid) -> Self {
                Self(id)
            }
        }
    };
}

id_type!(
    /// A tenant: everything a company owns carries its id.
    CompanyId
);
id_type!(
    /// A person who can log in: administrator, supervisor, agent or expert.
    UserId
);
id_type!(
    /// One invitation e-mail cycle; resending creates a new one and kills the old link.
    InvitationId
);
id_type!(
    /// One password reset: a request, the link mailed for it, and its use.
    PasswordResetId
);
id_type!(
    /// A website (a "hotline") where the chat widget runs.
    SiteId
);
id_type!(
    /// One chat between a visitor and the company.
    ConversationId
);
id_type!(
    /// A website visitor, known by a token kept in their browser.
    VisitorId
);
id_type!(
    /// One canned response (a ready answer with a shortcut).
    CannedResponseId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stream_name_gives_its_id_or_says_what_is_wrong() {
        let id = UserId::new();
        assert_eq!(id_in_stream::<UserId>("user", &format!("user-{id}")), Ok(id));
        for bad in [format!("agent-{id}"), format!("user{id}"), "user-".to_owned(), "user-42".to_owned(), format!("users-{id}")] {
            let err = id_in_stream::<UserId>("user", &bad).unwrap_err();
            assert_eq!(err.to_string(), format!("stream `{bad}` is not named user-<uuid>"));
        }
    }
}
