//! Read models and the machinery that keeps them: each projection applies events in global
//! order and writes its rows and its checkpoint in one transaction. Every query on a read
//! model lives here, beside the projection that writes its table.

pub mod audit;
pub mod chat;
pub mod licences;
pub mod outbox;
mod registry;
mod runner;
pub mod sites;
pub mod users;
mod writes;

pub use registry::Registered;
pub use runner::{
    rebuild, rebuild_observed, run, skip_to, verify, wait_for, Checkpoints, Difference, Progress, Projection, ProjectionError, RebuildReport,
    RowDifference, TableCheck, Verification,
};
pub use writes::{Param, Writes};
