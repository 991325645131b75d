//! What every end-to-end test stands on.

pub mod api;
pub mod browser;
pub mod chat;
pub mod db;
pub mod localstripe;
pub mod process;
pub mod server;
pub mod smtp;
pub mod wait;
pub mod ws;

pub use db::TestDb;
pub use server::{Browserless, TestServer};
