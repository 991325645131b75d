//! Read models and the machinery that keeps them: each projection applies events in global
//! order and writes its rows and its checkpoint in one transaction. Every query on a read
//! model lives here, beside the projection that writes its table.

pub mod audit;
pub mod canned;
pub mod chat;
pub mod figures;
pub mod licences;
pub mod outbox;
pub mod parked;
mod registry;
mod runner;
pub mod sites;
pub mod users;
mod verify;
mod writes;

#[cfg(test)]
mod testing;

pub use registry::Registered;
pub use runner::{rebuild, rebuild_observed, run, skip_to, wait_for, Checkpoints, Progress, Projection, ProjectionError, RebuildReport};
pub use verify::{verify, Difference, RowDifference, TableCheck, Verification};
pub use writes::{Param, Writes};
