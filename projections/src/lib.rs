//! Read models and the machinery that keeps them: each projection applies events in global
//! order and writes its rows and its checkpoint in one transaction.

pub mod licences;
mod runner;
pub mod users;

pub use runner::{rebuild, run, wait_for, Checkpoints, Param, Projection, ProjectionError, RebuildReport, Writes};

/// Every projection this build runs, by name.
pub const ALL: &[&str] = &[users::Users::NAME, licences::Licences::NAME];
