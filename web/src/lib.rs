//! The Switchboard server: HTTP and WebSocket only. Pages, the JSON API, the consoles' and
//! the widget's sockets call the use cases of `app` and render what they return; failures
//! become responses in `error`.

pub mod api;
pub mod auth;
pub mod chat;
pub mod error;
pub mod health;
pub mod pages;
pub mod reader;
pub mod server;
pub mod widget;
pub mod wordpress;

pub use server::Web;
