//! The Switchboard server and CLI: everything that speaks HTTP lives here.

pub mod admin;
pub mod api;
pub mod auth;
pub mod bench;
pub mod bench_chat;
pub mod chat;
pub mod cli;
pub mod database;
pub mod error;
pub mod health;
pub mod import;
pub mod pages;
pub mod ratelimit;
pub mod server;
pub mod site_admin;
pub mod widget;

pub use server::App;
