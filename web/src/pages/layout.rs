//! The frame around every page.

use axum::http::StatusCode;
use locale::t;
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
        html lang=(locale::lang().code()) data-tz=(locale::reader().tz.name()) {
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
                            @if s.has_role(Role::Agent) { a href="/console" { (t!("nav-console")) } }
                            @if s.has_role(Role::Supervisor) { a href="/supervisor" { (t!("nav-supervision")) } }
                            @if s.has_role(Role::Agent) || s.has_role(Role::Supervisor) || s.has_role(Role::Administrator) {
                                a href="/history" { (t!("nav-conversations")) }
                            }
                            @if s.has_role(Role::Administrator) {
                                span.menu { (t!("nav-company")) }
                                a href="/admin/users" { (t!("nav-users")) }
                                a href="/admin/subscription" { (t!("nav-subscription")) }
                                a href="/admin/company" { (t!("nav-company-settings")) }
                                a href="/admin/audit" { (t!("nav-audit")) }
                                span.menu { (t!("nav-configuration")) }
                                a href="/admin/sites" { (t!("nav-sites")) }
                                a href="/admin/canned-responses" { (t!("nav-canned")) }
                            }
                        }
                        div.who {
                            a.account href="/account" title=(t!("nav-account")) { (s.user.profile.full_name()) }
                            form method="post" action="/logout" {
                                input type="hidden" name="csrf" value=(s.csrf);
                                button.link type="submit" { (t!("nav-log-out")) }
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
    let title = status_title(status);
    page(
        &title,
        None,
        html! {
            section.card.narrow {
                h1 { (title) }
                p { (message) }
                p { a href="/" { (t!("error-back")) } }
            }
        },
    )
}

/// The heading of an error page, in the reader's language.
fn status_title(status: StatusCode) -> String {
    match status.as_u16() {
        400 => t!("status-400"),
        403 => t!("status-403"),
        404 => t!("status-404"),
        409 => t!("status-409"),
        410 => t!("status-410"),
        413 => t!("status-413"),
        422 => t!("status-422"),
        429 => t!("status-429"),
        503 => t!("status-503"),
        _ if status.is_server_error() => t!("status-500"),
        _ => t!("status-other"),
    }
}

/// A role as people read it: "Supervisor", "Superviseur".
pub fn role_name(role: &str) -> String {
    match role {
        "Agent" => t!("role-agent"),
        "Supervisor" => t!("role-supervisor"),
        "Administrator" => t!("role-administrator"),
        "Expert" => t!("role-expert"),
        other => other.to_owned(),
    }
}

/// The id of a field's error message when the error is about that field: its
/// `aria-describedby`, so a screen reader reads the reason with the field.
pub fn error_id(field: Option<&str>, name: &str) -> Option<String> {
    (field == Some(name)).then(|| format!("{name}-error"))
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

/// The words a page's script shows (`tr(key)` in /static/strings.js), in the reader's
/// language, as a JSON data block (not a script the CSP would have to allow).
pub fn strings(keys: &[&str]) -> Markup {
    let lang = locale::lang();
    let map: serde_json::Map<String, serde_json::Value> = keys.iter().map(|k| (k.to_string(), locale::template(lang, k).into())).collect();
    // `</` inside the JSON would end the block early.
    let json = serde_json::Value::Object(map).to_string().replace("</", "<\\/");
    html! { script type="application/json" id="sb-strings" { (maud::PreEscaped(json)) } }
}

/// Percent-encodes a query value.
pub fn urlencode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}
