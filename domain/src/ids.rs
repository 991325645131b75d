//! Typed identifiers, so a user id can never be passed where a company id is expected.

use serde::{Deserialize, Serialize};
use std::fmt;
use uuid::Uuid;

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
