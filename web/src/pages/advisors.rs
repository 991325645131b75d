//! The advisors (agents) of a site: every agent on the left, High, Normal and Low priority on
//! the right. `/static/advisors.js` adds drag and drop (pointer and keyboard) that saves
//! through the API without reloading; the form below it works without JavaScript. Taking
//! agents off the site is confirmed first: a page without JavaScript, a dialog with it.

use std::collections::HashMap;

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::CookieJar;
use domain::site::Priority;
use domain::SiteId;
use maud::{html, Markup};
use projections::sites::{Advisor, SiteRow};

use super::flash::{self, Flash};
use super::layout::{page, page_with_head, strings};
use super::{Form, Path};
use crate::auth::{check_csrf, Admin};
use crate::error::{refusal, AppError, Refusal};
use crate::Web;
use app::auth::Session;
use app::sites as site_admin;
use locale::t;

/// The columns: the priority each stands for, and its title.
fn columns() -> [(&'static str, String); 4] {
    [("none", t!("advisors-all")), ("high", t!("advisors-high")), ("normal", t!("advisors-normal")), ("low", t!("advisors-low"))]
}

/// What the script says, in the reader's language.
const SCRIPT_WORDS: [&str; 10] = [
    "advisors-js-confirm-remove",
    "advisors-js-kept",
    "advisors-js-still-saving",
    "advisors-js-http-error",
    "advisors-js-network-error",
    "advisors-js-no-longer-assigned",
    "advisors-js-saved",
    "advisors-js-picked-up",
    "advisors-js-cancelled",
    "advisors-js-not-moved",
];

fn key(p: Option<Priority>) -> &'static str {
    p.map_or("none", Priority::as_str)
}

fn render(session: &Session, site: &SiteRow, advisors: &[Advisor], notice: Option<&str>, error: Option<&str>) -> Markup {
    let api = format!("/api/v1/sites/{}/agents", site.site_id);
    let head = html! { meta name="csrf-token" content=(session.csrf); };
    page_with_head(
        &t!("advisors-title", site = &site.name),
        Some(session),
        head,
        html! {
            p { a href={"/admin/sites/" (site.site_id)} { "← " (site.name) } }
            h1 { (t!("advisors-title", site = &site.name)) }
            p.muted.small #advisors-help { (t!("advisors-help")) }
            @if let Some(n) = notice { p.notice role="status" { (n) } }
            @if let Some(e) = error { p.error role="alert" { (e) } }
            section #advisors data-site-id=(site.site_id) data-api=(api) {
                p #advisors-status role="status" aria-live="polite" {}
                div.board {
                    @for (priority, title) in columns() {
                        // A labelled group per column; the state of a keyboard move is
                        // spoken by the status line, not by the deprecated aria-grabbed.
                        div.column role="group" data-priority=(priority) aria-labelledby={"column-" (priority)} {
                            h2 #{"column-" (priority)} { (title) }
                            ul.dropzone data-priority=(priority) aria-labelledby={"column-" (priority)} {
                                @for a in advisors.iter().filter(|a| key(a.priority) == priority) {
                                    li.agent data-user-id=(a.user_id) tabindex="0" aria-describedby="advisors-help" data-offered=(a.offered) {
                                        (a.name) " " small { (a.email) }
                                        @if !a.offered { " " small.badge title=(t!("advisors-not-offered-why")) { (t!("advisors-not-offered")) } }
                                    }
                                }
                            }
                        }
                    }
                }
                form #advisors-form method="post" action={"/admin/sites/" (site.site_id) "/agents"} {
                    input type="hidden" name="csrf" value=(session.csrf);
                    table {
                        thead { tr { th { (t!("advisors-col-agent")) } th { (t!("advisors-col-priority")) } } }
                        tbody {
                            @for a in advisors {
                                tr data-user-id=(a.user_id) {
                                    td { (a.name) @if !a.offered { " " small.badge { (t!("advisors-not-offered")) } } }
                                    td {
                                        label.visually-hidden for={"priority-" (a.user_id)} { (t!("advisors-priority-of", name = &a.name)) }
                                        select id={"priority-" (a.user_id)} name={"priority-" (a.user_id)} data-user-id=(a.user_id) {
                                            @for (value, label) in [("none", t!("advisors-not-assigned")), ("high", t!("sites-high")), ("normal", t!("sites-normal")), ("low", t!("sites-low"))] {
                                                option value=(value) selected[key(a.priority) == value] { (label) }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                    button type="submit" { (t!("advisors-save")) }
                }
            }
            (strings(&SCRIPT_WORDS))
            script type="module" src="/static/advisors.js" {}
        },
    )
}

async fn load(web: &Web, session: &Session, site_id: SiteId) -> Result<(SiteRow, Vec<Advisor>), AppError> {
    let site = site_admin::load_live(web, session, site_id).await?;
    let advisors = site_admin::advisors(web, session, site_id).await?;
    Ok((site, advisors))
}

pub async fn show(State(web): State<Web>, Admin(session): Admin, jar: CookieJar, Path(id): Path<SiteId>) -> Result<Response, AppError> {
    let (site, advisors) = load(&web, &session, id).await?;
    let (jar, Flash { notice, error }) = Flash::take(jar);
    Ok((jar, render(&session, &site, &advisors, notice.as_deref(), error.as_deref())).into_response())
}

/// "Are you sure?" before taking agents off the site: who, and what it does; the form sends
/// the same choices again, confirmed.
fn confirm_removal(session: &Session, site: &SiteRow, removed: &[&Advisor], fields: &HashMap<String, String>) -> Markup {
    page(
        &t!("advisors-remove-title"),
        Some(session),
        html! {
            section.card.narrow #confirm-remove {
                h1 { (t!("advisors-remove-heading", site = &site.name)) }
                ul { @for a in removed { li { (a.name) " (" (a.email) ")" } } }
                p { (t!("advisors-remove-explain")) }
                form method="post" action={"/admin/sites/" (site.site_id) "/agents"} {
                    @for (name, value) in fields.iter().filter(|(n, _)| n.as_str() != "confirm") { input type="hidden" name=(name) value=(value); }
                    input type="hidden" name="confirm" value="yes";
                    p { button.danger type="submit" { (t!("advisors-remove-button")) } " " a href={"/admin/sites/" (site.site_id) "/agents"} { (t!("advisors-cancel")) } }
                }
            }
        },
    )
}

/// The form without JavaScript: one select per agent, applied in one go.
pub async fn save(
    State(web): State<Web>,
    Admin(session): Admin,
    jar: CookieJar,
    Path(id): Path<SiteId>,
    Form(fields): Form<HashMap<String, String>>,
) -> Result<Response, AppError> {
    check_csrf(&session, fields.get("csrf").map(String::as_str).unwrap_or_default())?;
    let (site, advisors) = load(&web, &session, id).await?;
    let mut changes = Vec::new();
    for a in &advisors {
        let Some(chosen) = fields.get(&format!("priority-{}", a.user_id)) else { continue };
        let wanted = match chosen.as_str() {
            "none" => None,
            other => Some(site_admin::parse_priority(other)?),
        };
        if wanted != a.priority {
            changes.push((a, wanted));
        }
    }
    let removed: Vec<&Advisor> = changes.iter().filter(|(a, wanted)| wanted.is_none() && a.priority.is_some()).map(|(a, _)| *a).collect();
    if !removed.is_empty() && fields.get("confirm").map(String::as_str) != Some("yes") {
        return Ok(confirm_removal(&session, &site, &removed, &fields).into_response());
    }
    let mut failures = Vec::new();
    for (a, wanted) in changes {
        if let Err(e) = site_admin::place(&web, &session, id, a.user_id, wanted).await {
            let Refusal { message, .. } = refusal(e)?;
            failures.push(t!("advisors-failure", name = &a.name, message = message));
        }
    }
    let to = format!("/admin/sites/{}/agents", site.site_id);
    Ok(if failures.is_empty() { flash::done(jar, &to, &t!("advisors-saved")) } else { flash::refused(jar, &to, &failures.join(" · ")) })
}
