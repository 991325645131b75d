//! What every end-to-end test stands on.

pub mod db;
pub mod process;
pub mod server;

pub use db::TestDb;
pub use server::{Browserless, TestServer};
