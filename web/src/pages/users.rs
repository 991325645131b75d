//! Company → Users: the list with role switches and the seat banner, adding a user, and
//! the list's actions. Editing one user is in `user.rs`.

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::CookieJar;
use domain::company::Role;
use domain::user::{Profile, DEFAULT_MAX_CHATS, MAX_CHATS_LIMIT};
use domain::UserId;
use locale::t;
use maud::{html, Markup};
use projections::audit::role_name;
use projections::users::{Status, UserRow};
use serde::Deserialize;

use super::flash::{self, Flash};
use super::layout::{error_id, field_error, page, strings, urlencode};
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
    /// The role switch just used (`user-id:Role`), which keeps the focus after the reload.
    #[serde(default)]
    pub toggled: Option<String>,
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
        &t!("users-title"),
        Some(session),
        html! {
            @if let Some(l) = &licence {
                @if l.exhausted() {
                    div.banner-bad role="alert" #seats-banner {
                        span { (t!("users-seats-exhausted", seats = l.seats)) }
                        a.button href="/admin/subscription/edit" { (t!("users-seats-add")) }
                    }
                }
                @if let Some(since) = l.past_due_since {
                    div.banner-bad role="alert" #past-due-banner {
                        span { (t!("users-past-due", since = locale::reader().day(since))) }
                        a.button href="/admin/subscription" { (t!("users-subscription")) }
                    }
                }
            }
            @if let Some(n) = query.paid {
                p.notice role="status" #paid {
                    @if let Some(l) = &licence { (t!("users-paid-seats", seats = l.seats)) } @else { (t!("users-paid")) }
                    @if n > 0 { " " a href={"/admin/invoices/" (n)} { (t!("users-paid-invoice", number = n)) } }
                }
            }
            @if let Some(e) = error { p.error role="alert" #list-error { (e) } }
            @if let Some(n) = &flash.notice { p.notice role="status" { (n) } }
            @if query.added.is_some() { p.notice role="status" { (t!("users-added")) } }
            h1 { (t!("users-title")) }
            div.toolbar {
                form method="get" action="/admin/users" role="search" {
                    input type="search" name="q" value=(query.q) placeholder=(t!("users-search-placeholder")) aria-label=(t!("users-search-label"));
                    button.secondary type="submit" { (t!("users-search")) }
                }
                a.button href="/admin/users/new" { (t!("users-add-user")) }
                a.button.secondary href="/admin/users/import" { (t!("users-import")) }
                @if let Some(l) = &licence { span.muted #seats { (t!("users-seats-in-use", in_use = l.seats_in_use, seats = l.seats)) } }
            }
            p.muted.small { (t!("users-roles-help")) }
            table #users {
                thead {
                    tr {
                        th { (t!("users-col-name")) } th { (t!("users-col-email")) } th { (t!("users-col-status")) }
                        @for role in Role::ALL { th { (role_name(role)) } }
                        th { (t!("users-col-max-chats")) } th { span.visually-hidden { (t!("users-edit")) } }
                    }
                }
                tbody {
                    @for u in &users { (row(session, u, &back, query.toggled.as_deref())) }
                    @if users.is_empty() { tr { td colspan="9" .muted { (t!("users-none-match")) } } }
                }
            }
            div.pager {
                @if page_no > 1 { a href={"/admin/users?page=" (page_no - 1) "&q=" (urlencode(&query.q))} { (t!("users-previous")) } }
                span.muted { (t!("users-page", page = page_no, pages = pages, count = total)) }
                @if page_no < pages { a href={"/admin/users?page=" (page_no + 1) "&q=" (urlencode(&query.q))} { (t!("users-next")) } }
            }
        },
    ))
}

fn row(session: &Session, u: &UserRow, back: &str, toggled: Option<&str>) -> Markup {
    let name = u.profile.full_name();
    html! {
        tr data-email=(u.email) {
            td.name { (name) }
            td { (u.email) }
            td data-label=(t!("users-col-status")) { span class={"status " (u.status.as_str())} { (status_name(u.status)) } }
            @for role in Role::ALL {
                @let on = u.roles.iter().any(|r| r == role.as_str());
                @let just_used = toggled == Some(format!("{}:{}", u.user_id, role.as_str()).as_str());
                td data-label=(role_name(role)) {
                    form.inline method="post" action={"/admin/users/" (u.user_id) "/roles"} {
                        input type="hidden" name="csrf" value=(session.csrf);
                        input type="hidden" name="role" value=(role.as_str());
                        input type="hidden" name="on" value=(if on { "false" } else { "true" });
                        input type="hidden" name="back" value=(back);
                        button class={"toggle" @if on { " on" }} type="submit" aria-pressed=(on) autofocus[just_used]
                            aria-label=(if on { t!("users-role-on-label", role = role_name(role), name = name.as_str()) } else { t!("users-role-off-label", role = role_name(role), name = name.as_str()) })
                            data-role=(role.as_str()) { (if on { t!("users-toggle-on") } else { t!("users-toggle-off") }) }
                    }
                }
            }
            td data-label=(t!("users-col-max-chats")) { (u.max_chats) }
            td.edit { a.pencil href={"/admin/users/" (u.user_id)} aria-label=(t!("users-edit-name", name = name.as_str())) title=(t!("users-edit")) { "✎" } }
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
    // Back to the same switch, focused (and so scrolled to), rather than to the top of the
    // page. No `#fragment`: browsers skip `autofocus` on a page opened at one.
    let separator = if back.contains('?') { '&' } else { '?' };
    let back = format!("{back}{separator}toggled={user_id}:{}", role.as_str());
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

/// A user's status as people read it.
pub fn status_name(status: Status) -> String {
    match status {
        Status::Invited => t!("users-status-invited"),
        Status::Active => t!("users-status-active"),
        Status::Deactivated => t!("users-status-deactivated"),
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
            text => Some(text.parse::<i64>().map_err(|_| app::Error::invalid("max_chats", t!("users-max-chats-whole")))?),
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
            input id=(name) name=(name) type=(kind) value=(value) required[required] aria-invalid=(field == Some(name)) aria-describedby=[error_id(field, name)];
            (field_error(field, name, message))
        }
    };
    let access = if form.access.is_empty() { "invite" } else { form.access.as_str() };
    page(
        &t!("users-new-title"),
        Some(session),
        html! {
            h1 { (t!("users-new-title")) }
            @if let (Some(m), None) = (message, field) { p.error role="alert" { (m) } }
            form.card method="post" action="/admin/users/new" #new-user {
                input type="hidden" name="csrf" value=(session.csrf);
                (text("email", &t!("users-field-email"), &form.email, true, "email"))
                (text("first_name", &t!("users-field-first-name"), &form.profile.first_name, true, "text"))
                (text("last_name", &t!("users-field-last-name"), &form.profile.last_name, true, "text"))
                (text("display_name", &t!("users-field-display-name-optional"), &form.profile.display_name, false, "text"))
                (text("phone", &t!("users-field-phone-optional"), &form.profile.phone, false, "text"))
                (text("job_title", &t!("users-field-job-title-optional"), &form.profile.job_title, false, "text"))
                fieldset aria-describedby=[error_id(field, "roles")] {
                    legend { (t!("users-roles")) }
                    @for role in Role::ALL {
                        @let name = format!("role_{}", role.as_str().to_lowercase());
                        label.check { input type="checkbox" name=(name) checked[form.roles().contains(&role)]; " " (role_name(role)) }
                    }
                    p.muted.small { (t!("users-roles-chat-help")) }
                    (field_error(field, "roles", message))
                }
                label for="max_chats" { (t!("users-max-chats-label", limit = MAX_CHATS_LIMIT)) }
                input #max_chats type="number" name="max_chats" min="1" max=(MAX_CHATS_LIMIT)
                    value=(if form.max_chats.is_empty() { DEFAULT_MAX_CHATS.to_string() } else { form.max_chats.clone() })
                    aria-invalid=(field == Some("max_chats")) aria-describedby=[error_id(field, "max_chats")];
                (field_error(field, "max_chats", message))
                fieldset {
                    legend { (t!("users-access")) }
                    label.check { input type="radio" name="access" value="invite" checked[access == "invite"]; " " (t!("users-access-invite")) }
                    label.check { input type="radio" name="access" value="invite_later" checked[access == "invite_later"]; " " (t!("users-access-invite-later")) }
                    label.check { input type="radio" name="access" value="password" checked[access == "password"]; " " (t!("users-access-password")) }
                    label for="password" { (t!("users-password-label")) }
                    input #password type="password" name="password" autocomplete="new-password" aria-invalid=(field == Some("password")) aria-describedby=[error_id(field, "password")];
                    (field_error(field, "password", message))
                }
                p.actions {
                    button type="submit" name="action" value="add" { (t!("users-add-user")) }
                    " "
                    button.secondary type="submit" name="action" value="generate" title=(t!("users-generate-title")) { (t!("users-generate")) }
                    " "
                    a href="/admin/users" { (t!("users-cancel")) }
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
        &t!("users-created-title"),
        Some(session),
        html! {
            section.card {
                h1 { (t!("users-created-title")) }
                p { (t!("users-give-password", email = email)) }
                p.secret {
                    code #generated-password { (password) }
                    " "
                    button.secondary type="button" data-copy="#generated-password" { (t!("users-copy")) }
                }
                p { a href={"/admin/users/" (user_id)} { (t!("users-open-user")) } " · " a href="/admin/users" { (t!("users-back")) } }
            }
            (strings(&["copy-done", "copy-manual"]))
            script type="module" src="/static/copy.js" {}
        },
    )
}
