//! Every end-to-end test in one binary: one link instead of one per file, and one shared
//! PostgreSQL template and test cluster for all of them.

mod admin_api;
mod audit_page;
mod billing_api;
mod billing_pages;
mod billing_stripe;
mod browser_admin;
mod browser_chat;
mod browser_harness;
mod browser_sites;
mod chat;
mod cli_events;
mod cli_replay;
mod command_line;
mod confirmations;
mod crash;
mod csv_import;
mod erasure;
mod invitations;
mod login_and_health;
mod logs;
mod parked;
mod password_reset;
mod payment_gateways;
mod phone_layout;
mod postgres_store;
mod read_models;
mod revocation;
mod routing;
mod settings;
mod sites_api;
mod store_contract;
mod user_pages;
mod widget_csp;
mod wordpress_plugin;
