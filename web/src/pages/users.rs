//! Company → Users: the administrator's list of the company's people.

use axum::extract::{Query, State};
use maud::{html, Markup};
use serde::Deserialize;

use super::layout::page;
use crate::auth::Admin;
use crate::error::AppError;
use crate::App;

pub const PAGE_SIZE: i64 = 50;

#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub page: Option<i64>,
}

pub async fn list(State(app): State<App>, Admin(session): Admin, Query(query): Query<ListQuery>) -> Result<Markup, AppError> {
    let page_no = query.page.unwrap_or(1).max(1);
    let client = app.pool.get().await?;
    let (users, total) = projections::users::list(&**client, session.company_id(), &query.q, (page_no - 1) * PAGE_SIZE, PAGE_SIZE).await?;
    let licence = projections::licences::get(&**client, session.company_id()).await?;
    let pages = ((total + PAGE_SIZE - 1) / PAGE_SIZE).max(1);
    Ok(page(
        "Users",
        Some(&session),
        html! {
            @if let Some(l) = &licence {
                @if l.exhausted() {
                    div.banner-bad role="alert" {
                        span { "All " (l.seats) " seats are in use. Deactivate a user or add seats to add more users." }
                        a.button href="/admin/subscription" { "Add" }
                    }
                }
            }
            h1 { "Users" }
            div.toolbar {
                form method="get" action="/admin/users" role="search" {
                    input type="search" name="q" value=(query.q) placeholder="Search by name or e-mail" aria-label="Search users";
                    button.secondary type="submit" { "Search" }
                }
                @if let Some(l) = &licence { span.muted { (l.seats_in_use) " of " (l.seats) " seats in use" } }
            }
            table {
                thead { tr { th { "Name" } th { "E-mail" } th { "Status" } th { "Roles" } th { "Max chats" } } }
                tbody {
                    @for u in &users {
                        tr {
                            td { (u.first_name) " " (u.last_name) }
                            td { (u.email) }
                            td { span class={"status " (u.status.as_str())} { (u.status.as_str()) } }
                            td { (u.roles.join(", ")) }
                            td { (u.max_chats) }
                        }
                    }
                    @if users.is_empty() { tr { td colspan="5" .muted { "No users match." } } }
                }
            }
            div.pager {
                @if page_no > 1 { a href={"/admin/users?page=" (page_no - 1) "&q=" (urlencode(&query.q))} { "← Previous" } }
                span.muted { "Page " (page_no) " of " (pages) " · " (total) " users" }
                @if page_no < pages { a href={"/admin/users?page=" (page_no + 1) "&q=" (urlencode(&query.q))} { "Next →" } }
            }
        },
    ))
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
