//! Company → Users: the list with role switches and the seat banner, adding a user, and
//! the list's actions. Editing one user is in `user.rs`.

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::CookieJar;
use domain::company::Role;
use domain::user::{Profile, DEFAULT_MAX_CHATS, MAX_CHATS_LIMIT};
use domain::UserId;
use maud::{html, Markup};
use projections::users::UserRow;
use serde::Deserialize;

use super::flash::{self, Flash};
use super::layout::{count, field_error, page, urlencode};
use super::{Form, Query};
use crate::auth::{check_csrf, Admin};
use crate::error::{refusal, AppError, Refusal};
use crate::Web;
use app::auth::Session;
use app::users::{self as admin, AccessInput, UserInput};

pub const PAGE_SIZE: i64 = 50;

#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub page: Option<i64>,
    /// A user just added, to greet.
    #[serde(default)]
    pub added: Option<String>,
    /// The number of the invoice just paid (0: paid, no invoice to show).
    #[serde(default)]
    pub paid: Option<u32>,
}

impl ListQuery {
    fn page(&self) -> i64 {
        self.page.unwrap_or(1).max(1)
    }

    /// This list's address, to come back to after an action.
    fn href(&self) -> String {
        format!("/admin/users?q={}&page={}", urlencode(&self.q), self.page())
    }
}

pub async fn list(State(web): State<Web>, Admin(session): Admin, jar: CookieJar, Query(query): Query<ListQuery>) -> Result<Response, AppError> {
    let (jar, flash) = Flash::take(jar);
    Ok((jar, render_list(&web, &session, &query, &flash).await?).into_response())
}

async fn render_list(web: &Web, session: &Session, query: &ListQuery, flash: &Flash) -> Result<Markup, AppError> {
    let error = flash.error.as_deref();
    let page_no = query.page();
    let (users, total) = admin::list(web, session, &query.q, (page_no - 1) * PAGE_SIZE, PAGE_SIZE).await?;
    let licence = admin::licence(web, session).await.ok();
    let pages = ((total + PAGE_SIZE - 1) / PAGE_SIZE).max(1);
    let back = query.href();
    Ok(page(
        "Users",
        Some(session),
        html! {
            @if let Some(l) = &licence {
                @if l.exhausted() {
                    div.banner-bad role="alert" #seats-banner {
                        span { "All " (l.seats) " seats are in use: no user can be added, invited, imported or reactivated until a seat is free." }
                        a.button href="/admin/subscription/edit" { "Add" }
                    }
                }
                @if let Some(since) = l.past_due_since {
                    div.banner-bad role="alert" #past-due-banner {
                        span { "The subscription's renewal could not be charged since " (since.format("%-d %B %Y")) ". It is tried again every day and nobody loses access; pay with another card to settle it." }
                        a.button href="/admin/subscription" { "Subscription" }
                    }
                }
            }
            @if let Some(n) = query.paid {
                p.notice role="status" #paid {
                    "Payment received: " @if let Some(l) = &licence { (l.seats) " seats are yours" } "."
                    @if n > 0 { " " a href={"/admin/invoices/" (n)} { "Invoice " (n) } }
                }
            }
            @if let Some(e) = error { p.error role="alert" #list-error { (e) } }
            @if let Some(n) = &flash.notice { p.notice role="status" { (n) } }
            @if query.added.is_some() { p.notice role="status" { "The user was added." } }
            h1 { "Users" }
            div.toolbar {
                form method="get" action="/admin/users" role="search" {
                    input type="search" name="q" value=(query.q) placeholder="Search by name or e-mail" aria-label="Search users";
                    button.secondary type="submit" { "Search" }
                }
                a.button href="/admin/users/new" { "Add user" }
                a.button.secondary href="/admin/users/import" { "Import from CSV" }
                @if let Some(l) = &licence { span.muted #seats { (l.seats_in_use) " of " (l.seats) " seats in use" } }
            }
            p.muted.small { "Roles: only Agent and Supervisor matter for chat (agents answer, supervisors watch). Expert is not used by chat." }
            table #users {
                thead {
                    tr {
                        th { "Name" } th { "E-mail" } th { "Status" }
                        @for role in Role::ALL { th { (role.as_str()) } }
                        th { "Max chats" } th { span.visually-hidden { "Edit" } }
                    }
                }
                tbody {
                    @for u in &users { (row(session, u, &back)) }
                    @if users.is_empty() { tr { td colspan="9" .muted { "No users match." } } }
                }
            }
            div.pager {
                @if page_no > 1 { a href={"/admin/users?page=" (page_no - 1) "&q=" (urlencode(&query.q))} { "← Previous" } }
                span.muted { "Page " (page_no) " of " (pages) " · " (count(total, "user", "users")) }
                @if page_no < pages { a href={"/admin/users?page=" (page_no + 1) "&q=" (urlencode(&query.q))} { "Next →" } }
            }
        },
    ))
}

fn row(session: &Session, u: &UserRow, back: &str) -> Markup {
    let name = u.profile.full_name();
    html! {
        tr data-email=(u.email) {
            td { (name) }
            td { (u.email) }
            td { span class={"status " (u.status.as_str())} { (u.status.as_str()) } }
            @for role in Role::ALL {
                @let on = u.roles.iter().any(|r| r == role.as_str());
                td {
                    form.inline method="post" action={"/admin/users/" (u.user_id) "/roles"} {
                        input type="hidden" name="csrf" value=(session.csrf);
                        input type="hidden" name="role" value=(role.as_str());
                        input type="hidden" name="on" value=(if on { "false" } else { "true" });
                        input type="hidden" name="back" value=(back);
                        button class={"toggle" @if on { " on" }} type="submit" aria-pressed=(on)
                            aria-label={(role.as_str()) " role for " (name) ": " (if on { "on" } else { "off" })}
                            data-role=(role.as_str()) { (if on { "ON" } else { "OFF" }) }
                    }
                }
            }
            td { (u.max_chats) }
            td { a.pencil href={"/admin/users/" (u.user_id)} aria-label={"Edit " (name)} title="Edit" { "✎" } }
        }
    }
}

#[derive(Deserialize)]
pub struct RoleForm {
    #[serde(default)]
    csrf: String,
    role: String,
    on: bool,
    #[serde(default)]
    back: String,
}

pub async fn toggle_role(
    State(web): State<Web>,
    Admin(session): Admin,
    jar: CookieJar,
    axum::extract::Path(user_id): axum::extract::Path<UserId>,
    Form(form): Form<RoleForm>,
) -> Result<Response, AppError> {
    check_csrf(&session, &form.csrf)?;
    let role = admin::parse_role(&form.role)?;
    let back = local_path(&form.back).unwrap_or_else(|| "/admin/users".into());
    match admin::set_role(&web, &session, user_id, role, form.on).await {
        Ok(()) => Ok(Redirect::to(&back).into_response()),
        // A refusal (the last administrator, say) is shown on the list it came from.
        Err(e) => {
            let e = AppError::from(e);
            if e.parts().0 == axum::http::StatusCode::NOT_FOUND {
                return Err(e);
            }
            let Refusal { message, .. } = refusal(e)?;
            Ok(flash::refused(jar, &back, &message))
        }
    }
}

/// Only a path on this site: forms must not redirect elsewhere.
pub fn local_path(path: &str) -> Option<String> {
    (path.starts_with('/') && !path.starts_with("//") && !path.contains('\\')).then(|| path.to_owned())
}

// ---- Adding a user --------------------------------------------------------------------

#[derive(Deserialize, Default)]
pub struct NewUserForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    email: String,
    #[serde(flatten)]
    profile: Profile,
    #[serde(default)]
    role_agent: Option<String>,
    #[serde(default)]
    role_supervisor: Option<String>,
    #[serde(default)]
    role_administrator: Option<String>,
    #[serde(default)]
    role_expert: Option<String>,
    #[serde(default)]
    max_chats: String,
    /// `invite`, `invite_later` or `password`.
    #[serde(default)]
    access: String,
    #[serde(default)]
    password: String,
    /// `add`, or `generate` (the Generate button).
    #[serde(default)]
    action: String,
}

impl NewUserForm {
    fn roles(&self) -> Vec<Role> {
        [
            (&self.role_agent, Role::Agent),
            (&self.role_supervisor, Role::Supervisor),
            (&self.role_administrator, Role::Administrator),
            (&self.role_expert, Role::Expert),
        ]
        .into_iter()
        .filter(|(v, _)| v.is_some())
        .map(|(_, r)| r)
        .collect()
    }

    fn input(&self) -> Result<UserInput, app::Error> {
        let max_chats = match self.max_chats.trim() {
            "" => None,
            text => Some(text.parse::<i64>().map_err(|_| app::Error::invalid("max_chats", "The maximum number of chats must be a whole number."))?),
        };
        let access = match (self.action.as_str(), self.access.as_str()) {
            ("generate", _) => AccessInput::GeneratePassword,
            (_, "password") => AccessInput::Password(self.password.clone()),
            (_, "invite_later") => AccessInput::InviteLater,
            _ => AccessInput::Invite,
        };
        Ok(UserInput { email: self.email.clone(), profile: self.profile.clone(), roles: self.roles().into_iter().collect(), max_chats, access })
    }
}

pub async fn new_form(Admin(session): Admin) -> Markup {
    let form = NewUserForm { role_agent: Some("on".into()), access: "invite".into(), ..Default::default() };
    new_user_page(&session, &form, None)
}

fn new_user_page(session: &Session, form: &NewUserForm, error: Option<(&str, Option<&str>)>) -> Markup {
    let (message, field) = error.map_or((None, None), |(m, f)| (Some(m), f));
    let text = |name: &'static str, label: &str, value: &str, required: bool, kind: &str| {
        html! {
            label for=(name) { (label) @if required { " *" } }
            input id=(name) name=(name) type=(kind) value=(value) required[required] aria-invalid=(field == Some(name));
            (field_error(field, name, message))
        }
    };
    let access = if form.access.is_empty() { "invite" } else { form.access.as_str() };
    page(
        "Add a user",
        Some(session),
        html! {
            h1 { "Add a user" }
            @if let (Some(m), None) = (message, field) { p.error role="alert" { (m) } }
            form.card method="post" action="/admin/users/new" #new-user {
                input type="hidden" name="csrf" value=(session.csrf);
                (text("email", "E-mail", &form.email, true, "email"))
                (text("first_name", "First name", &form.profile.first_name, true, "text"))
                (text("last_name", "Last name", &form.profile.last_name, true, "text"))
                (text("display_name", "Name shown to visitors (optional)", &form.profile.display_name, false, "text"))
                (text("phone", "Phone (optional)", &form.profile.phone, false, "text"))
                (text("job_title", "Job title (optional)", &form.profile.job_title, false, "text"))
                fieldset {
                    legend { "Roles" }
                    @for role in Role::ALL {
                        @let name = format!("role_{}", role.as_str().to_lowercase());
                        label.check { input type="checkbox" name=(name) checked[form.roles().contains(&role)]; " " (role.as_str()) }
                    }
                    p.muted.small { "Only Agent and Supervisor matter for chat. Expert is not used by chat." }
                    (field_error(field, "roles", message))
                }
                label for="max_chats" { "Maximum simultaneous chats (1–" (MAX_CHATS_LIMIT) ")" }
                input #max_chats type="number" name="max_chats" min="1" max=(MAX_CHATS_LIMIT)
                    value=(if form.max_chats.is_empty() { DEFAULT_MAX_CHATS.to_string() } else { form.max_chats.clone() })
                    aria-invalid=(field == Some("max_chats"));
                (field_error(field, "max_chats", message))
                fieldset {
                    legend { "Access" }
                    label.check { input type="radio" name="access" value="invite" checked[access == "invite"]; " Send an invitation e-mail: the user chooses a password (link valid 72 hours)" }
                    label.check { input type="radio" name="access" value="invite_later" checked[access == "invite_later"]; " Create the invitation now, send the e-mail later" }
                    label.check { input type="radio" name="access" value="password" checked[access == "password"]; " Set a password now, without e-mail" }
                    label for="password" { "Password (at least 8 characters)" }
                    input #password type="password" name="password" autocomplete="new-password" aria-invalid=(field == Some("password"));
                    (field_error(field, "password", message))
                }
                p.actions {
                    button type="submit" name="action" value="add" { "Add user" }
                    " "
                    button.secondary type="submit" name="action" value="generate" title="Creates the user with a strong random password, shown once" { "Generate a password and add" }
                    " "
                    a href="/admin/users" { "Cancel" }
                }
            }
        },
    )
}

pub async fn create(State(web): State<Web>, Admin(session): Admin, Form(form): Form<NewUserForm>) -> Result<Response, AppError> {
    check_csrf(&session, &form.csrf)?;
    let result = match form.input() {
        Ok(input) => admin::create_user(&web, &session, input).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(created) => match created.generated_password {
            Some(password) => Ok(generated_password_page(&session, &form.email, created.user_id, &password).into_response()),
            None => Ok(Redirect::to(&format!("/admin/users?added={}", created.user_id)).into_response()),
        },
        Err(e) => {
            let Refusal { status, message, field } = refusal(e)?;
            Ok((status, new_user_page(&session, &form, Some((&message, field)))).into_response())
        }
    }
}

fn generated_password_page(session: &Session, email: &str, user_id: UserId, password: &str) -> Markup {
    page(
        "User added",
        Some(session),
        html! {
            section.card {
                h1 { "User added" }
                p { "Give " (email) " this password. It is shown only now: copy it before leaving this page." }
                p.secret {
                    code #generated-password { (password) }
                    " "
                    button.secondary type="button" data-copy="#generated-password" { "Copy" }
                }
                p { a href={"/admin/users/" (user_id)} { "Open the user" } " · " a href="/admin/users" { "Back to users" } }
            }
            script type="module" src="/static/copy.js" {}
        },
    )
}
