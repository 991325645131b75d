//! Read models and the machinery that keeps them: each projection applies events in global
//! order and writes its rows and its checkpoint in one transaction.

pub mod audit;
pub mod chat;
pub mod licences;
pub mod outbox;
mod runner;
pub mod sites;
pub mod users;

pub use runner::{rebuild, run, wait_for, Checkpoints, Param, Projection, ProjectionError, RebuildReport, Writes};

/// The read models, which `switchboard rebuild` may replay from scratch.
pub const REBUILDABLE: &[&str] =
    &[users::Users::NAME, licences::Licences::NAME, audit::Audit::NAME, sites::Sites::NAME, chat::AgentLoad::NAME, chat::Conversations::NAME];

/// Everything the server runs, read models and the mailer's outbox.
pub const ALL: &[&str] = &[
    users::Users::NAME,
    licences::Licences::NAME,
    audit::Audit::NAME,
    sites::Sites::NAME,
    chat::AgentLoad::NAME,
    chat::Conversations::NAME,
    outbox::InvitationOutbox::NAME,
];
