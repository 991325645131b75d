//! The frame around every page.

use axum::http::StatusCode;
use maud::{html, Markup, DOCTYPE};

use app::auth::Session;
use domain::company::Role;

pub fn page(title: &str, session: Option<&Session>, body: Markup) -> Markup {
    page_with_head(title, session, html! {}, body)
}

/// `page`, with extra elements in `<head>` (a CSRF meta tag for scripts, say).
pub fn page_with_head(title: &str, session: Option<&Session>, head: Markup, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · Switchboard" }
                link rel="stylesheet" href="/static/app.css";
                (head)
            }
            body {
                header.top {
                    a.brand href="/" { "Switchboard" }
                    @if let Some(s) = session {
                        nav {
                            @if s.has_role(Role::Agent) { a href="/console" { "Console" } }
                            @if s.has_role(Role::Supervisor) { a href="/supervisor" { "Supervision" } }
                            @if s.has_role(Role::Agent) || s.has_role(Role::Supervisor) || s.has_role(Role::Administrator) {
                                a href="/history" { "Conversations" }
                            }
                            @if s.has_role(Role::Administrator) {
                                span.menu { "Company" }
                                a href="/admin/users" { "Users" }
                                a href="/admin/subscription" { "Subscription" }
                                a href="/admin/audit" { "Audit log" }
                                span.menu { "Configuration" }
                                a href="/admin/sites" { "Sites & Hotlines" }
                            }
                        }
                        div.who {
                            span { (s.user.profile.full_name()) }
                            form method="post" action="/logout" {
                                input type="hidden" name="csrf" value=(s.csrf);
                                button.link type="submit" { "Log out" }
                            }
                        }
                    }
                }
                main { (body) }
            }
        }
    }
}

pub fn error_page(status: StatusCode, message: &str) -> Markup {
    page(
        status.canonical_reason().unwrap_or("Error"),
        None,
        html! {
            section.card.narrow {
                h1 { (status.canonical_reason().unwrap_or("Error")) }
                p { (message) }
                p { a href="/" { "Back to Switchboard" } }
            }
        },
    )
}

/// The message under a form field when the error is about that field.
pub fn field_error(field: Option<&str>, name: &str, message: Option<&str>) -> Markup {
    html! {
        @if field == Some(name) {
            @if let Some(m) = message { p.field-error role="alert" id={(name) "-error"} { (m) } }
        }
    }
}

/// "1 user", "3 users": a count with its noun in the right number.
pub fn count(n: impl Into<i64>, one: &str, many: &str) -> String {
    let n = n.into();
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Percent-encodes a query value.
pub fn urlencode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}
